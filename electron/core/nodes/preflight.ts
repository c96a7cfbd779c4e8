import type { CoreContext } from '../context';
import type { RunSpec } from '../../../shared/run/types';
import type { NodesLaunchFacts } from './prepare';

export async function nodesPreflightGate(_ctx: CoreContext, _spec: RunSpec): Promise<NodesLaunchFacts> {
  return { port: 29500 + Math.floor(Math.random() * 400), ifnames: ['eth0', 'eth0'] };
}
