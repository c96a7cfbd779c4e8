import i18next from 'i18next';
import type { Diagnosis } from '../../../../shared/failures/types';
import type { RunRecord } from '../../../../shared/run/types';
import { failed, load, valueOf, type Loadable } from '../../lib/loadable';
import { runConsole } from '../console-hub';
import { emptyLive, mergeRecord, type LiveRun } from '../live-run';
import { applyFixes, recipeOf } from '../spec';
import type { SliceContext } from './context';
import { allowedNodes, consentNodesOf } from '../../wizard/node-consent';

/** A run that started held consent for every env name in its spec, so running it again keeps that consent. */
const consentedIn = (r: RunRecord): string[] => Object.keys(r.spec.env ?? {});
/** The paths a finished run was allowed to use (it could not have started otherwise): a rerun keeps them. */
const pathsConsentedIn = (r: RunRecord): string[] => {
  const pathFlags = new Set((recipeOf(r.spec.recipe)?.flags ?? []).filter((f) => f.type === 'path').map((f) => f.name));
  const values = Object.entries(r.spec.settings).filter(([k, v]) => pathFlags.has(k) && typeof v === 'string').map(([, v]) => String(v));
  return [...new Set([...values, ...(r.spec.outputDir ? [r.spec.outputDir] : []), ...(r.spec.checkout ? [r.spec.checkout] : [])])];
};

/** Diagnoses of a run started here come back in the language the user is reading. */
export const uiLang = (): 'en' | 'zh-CN' | undefined => (i18next.language === 'zh-CN' || i18next.language === 'en' ? i18next.language : undefined);

export interface RunsState {
  runs: Loadable<RunRecord[]>;
  /** Runs being watched, folded from pushed `runEvent`s over the record (live-run.ts). */
  live: Record<string, LiveRun>;
}

export interface RunsActions {
  refreshRuns(): Promise<void>;
  watchRun(runId: string): Promise<void>;
  stopRun(runId: string): Promise<void>;
  runAgain(record: RunRecord): void;
  applyFixAndRelaunch(runId: string, diagnosis: Diagnosis): Promise<string | null>;
}

/** The run screen and history: records, live runs, stop, run again, fix and relaunch. */
export function runsSlice({ api, set, get, note, onDispose }: SliceContext): { slice: RunsState & RunsActions; refreshRunSoon(runId: string): void } {
  const refreshTimers = new Map<string, ReturnType<typeof setTimeout>>();
  onDispose(() => {
    for (const t of refreshTimers.values()) clearTimeout(t);
  });

  /** runsChanged can come many times a second; fetch at most every 400 ms per run. */
  const refreshRunSoon = (runId: string) => {
    if (refreshTimers.has(runId)) return;
    refreshTimers.set(runId, setTimeout(() => {
      refreshTimers.delete(runId);
      void get().refreshRuns();
      if (get().live[runId]) void get().watchRun(runId);
    }, 400));
  };

  const slice: RunsState & RunsActions = {
    runs: { state: 'loading' },
    live: {},

    async refreshRuns() {
      const r = note(await load(api.listRuns(undefined), get().runs));
      set({ runs: r });
    },

    async watchRun(runId) {
      try {
        const detail = await api.getRun({ runId });
        runConsole(runId).seed(detail.consoleTail);
        set((s) => ({ live: { ...s.live, [runId]: mergeRecord(s.live[runId] ?? emptyLive(runId), detail.record) } }));
      } catch (e) {
        note(failed(e));
        set((s) => ({ live: { ...s.live, [runId]: s.live[runId] ?? emptyLive(runId) } }));
      }
    },

    async stopRun(runId) {
      set((s) => ({ live: { ...s.live, [runId]: { ...(s.live[runId] ?? emptyLive(runId)), status: 'stopping' } } }));
      try {
        await api.stopRun({ runId });
      } finally {
        await get().watchRun(runId);
      }
    },

    runAgain(record) {
      consentNodesOf(record.spec);
      get().openWizard({ ...record.spec }, 'review', null, consentedIn(record), pathsConsentedIn(record));
    },

    async applyFixAndRelaunch(runId, diagnosis) {
      const record = get().live[runId]?.record ?? valueOf(get().runs)?.find((r) => r.runId === runId);
      if (!record) return null;
      const fixed = applyFixes(record.spec, diagnosis.fixes ?? []);
      const spec = fixed.spec;
      // The fix's own variables are consented by clicking it; the run's earlier ones were already.
      const allowEnv = [...new Set([...consentedIn(record), ...fixed.allowEnv])];
      const allowPaths = pathsConsentedIn(record);
      try {
        // Its machines ran this run before: a relaunch keeps their consent.
        consentNodesOf(record.spec);
        const { runId: next } = await api.startRun({ spec, allowEnv, allowPaths, allowNodes: allowedNodes(), lang: uiLang() });
        set((s) => ({ live: { ...s.live, [next]: emptyLive(next) } }));
        get().navigate({ name: 'run', runId: next });
        return next;
      } catch (e) {
        // Could not relaunch as is (e.g. the fix needs a check): open it in the wizard instead.
        get().openWizard(spec, 'review', null, allowEnv, allowPaths);
        set((s) => ({ wizard: { ...s.wizard, launchError: note(failed(e)) } }));
        return null;
      }
    },
  };
  return { slice, refreshRunSoon };
}
