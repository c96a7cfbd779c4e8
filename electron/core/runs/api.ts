import type { Api } from '../../../shared/api/contract';
import type { CoreContext } from '../context';
import { notYet } from '../not-yet';

type RunMethods = 'planRun' | 'startRun' | 'stopRun' | 'listRuns' | 'getRun' | 'readRunLog' | 'findLeftovers' | 'reapLeftovers';

/** Runs over the contract. Owned by the run manager feature. */
export function runsApi(_ctx: CoreContext): Pick<Api, RunMethods> & { dispose(): Promise<void> } {
  return {
    planRun: async () => notYet('planRun'),
    startRun: async () => notYet('startRun'),
    stopRun: async () => notYet('stopRun'),
    listRuns: async () => [],
    getRun: async () => notYet('getRun'),
    readRunLog: async () => notYet('readRunLog'),
    findLeftovers: async () => [],
    reapLeftovers: async () => ({ stopped: [] }),
    dispose: async () => {},
  };
}
