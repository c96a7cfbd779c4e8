import type { Api } from '../../../shared/api/contract';
import type { CoreContext } from '../context';
import { preflightNodes } from './preflight';
import { describeChecks } from './describe';
import { refuseNodesWithoutConsent } from './consent';
import { scanHostKey, trustHostKey } from './hostkey';

/** Multi-node methods of the contract: the wizard's Machines step asks for the preflight with this. */
export function nodesApi(ctx: CoreContext): Pick<Api, 'preflightNodes' | 'scanHostKey' | 'trustHostKey'> {
  return {
    scanHostKey: ({ host, port }) => scanHostKey({ host, port }),
    trustHostKey: ({ host, port, fingerprint }) => trustHostKey({ host, port, fingerprint }),
    preflightNodes: async ({ spec, allowNodes, lang }) => {
      refuseNodesWithoutConsent(spec, allowNodes, lang ?? 'en');
      const pf = await preflightNodes(ctx, spec);
      return { ok: pf.ok, port: pf.port, ifnames: pf.ifnames, checks: describeChecks(pf.checks, lang ?? 'en') };
    },
  };
}
