import type { AppInfo, RecipeSummary } from '../../../../shared/api/contract';
import type { DetectReport } from '../../../../shared/detect/types';
import { load, loading, valueOf, type Loadable } from '../../lib/loadable';
import type { SliceContext } from './context';

export interface MachineState {
  info: Loadable<AppInfo>;
  detect: Loadable<DetectReport>;
  recipes: Loadable<RecipeSummary[]>;
}

export interface MachineActions {
  refreshDetect(refresh?: boolean): Promise<void>;
  /** A pushed `detectUpdated`: an early report (GPUs first, `pending` parts) or a full one. */
  detectPushed(report: DetectReport): void;
}

/** An early report never replaces a complete one taken at the same time or later (events and answers can cross). */
export function supersedes(incoming: DetectReport, current: DetectReport | undefined): boolean {
  if (!current || !incoming.pending) return true;
  return !!current.pending || incoming.takenAt > current.takenAt;
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
    detectPushed(report) {
      if (supersedes(report, valueOf(get().detect))) set({ detect: { state: 'ready', value: report } });
    },
  };
}
