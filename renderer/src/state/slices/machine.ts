import type { AppInfo, RecipeSummary } from '../../../../shared/api/contract';
import type { DetectReport } from '../../../../shared/detect/types';
import { load, loading, type Loadable } from '../../lib/loadable';
import type { SliceContext } from './context';

export interface MachineState {
  info: Loadable<AppInfo>;
  detect: Loadable<DetectReport>;
  recipes: Loadable<RecipeSummary[]>;
}

export interface MachineActions {
  refreshDetect(refresh?: boolean): Promise<void>;
}

/** Home: this app, what the machine has (detection, also pushed as `detectUpdated`) and the recipes. */
export function machineSlice({ api, set, get, note }: SliceContext): MachineState & MachineActions {
  return {
    info: { state: 'loading' },
    detect: { state: 'loading' },
    recipes: { state: 'loading' },
    async refreshDetect(refresh = false) {
      set((s) => ({ detect: loading(s.detect) }));
      const r = note(await load(api.detect({ refresh }), get().detect));
      set({ detect: r });
    },
  };
}
