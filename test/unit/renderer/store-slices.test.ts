import { describe, expect, it } from 'vitest';
import { ApiFailure } from '../../../shared/api/result';
import type { Settings } from '../../../shared/api/contract';
import type { SliceContext } from '../../../renderer/src/state/slices/context';
import { routingSlice } from '../../../renderer/src/state/slices/routing';
import { settingsSlice } from '../../../renderer/src/state/slices/settings';
import { profilesSlice } from '../../../renderer/src/state/slices/profiles';
import { machineSlice } from '../../../renderer/src/state/slices/machine';
import { runsSlice } from '../../../renderer/src/state/slices/runs';
import type { AppActions, AppState } from '../../../renderer/src/state/app-store';
import { fakeApi, report } from './fake-api';

/**
 * Each slice of the app store on its own: a slice is built from a SliceContext alone, so it can be
 * exercised with a plain object as the store and a fake contract client, no React and no other slice.
 */
type Full = AppState & AppActions;

function harness(api: ReturnType<typeof fakeApi>['api'], extra: Partial<Full> = {}) {
  let state = { ...extra } as Full;
  const stops: (() => void)[] = [];
  const ctx: SliceContext = {
    api,
    set: (p) => {
      state = { ...state, ...(typeof p === 'function' ? p(state) : p) };
    },
    get: () => state,
    note: (l) => {
      if (l.state === 'unauthorized') state = { ...state, unauthorized: true };
      return l;
    },
    onDispose: (fn) => stops.push(fn),
  };
  return { ctx, state: () => state, merge: (s: object) => (state = { ...state, ...s }), stops };
}

const settings: Settings = { language: 'en', theme: 'system', pythonPath: null, checkoutPath: null, outputDir: null, nvidiaSmiPath: null, stallAction: 'notify', trustedFolders: [] };

describe('app store slices, each on its own', () => {
  it('routing: navigating to a run watches it', () => {
    const watched: string[] = [];
    const h = harness(fakeApi().api, { watchRun: async (id: string) => void watched.push(id) } as Partial<Full>);
    h.merge(routingSlice(h.ctx));
    h.state().navigate({ name: 'run', runId: 'r1' });
    h.state().navigate({ name: 'history' });
    expect(h.state().route).toEqual({ name: 'history' });
    expect(watched).toEqual(['r1']);
  });

  it('settings: a refused patch leaves the saved settings and answers the error naming the field', async () => {
    const { api } = fakeApi({
      setSettings: async (patch: Partial<Settings>) => {
        if (patch.outputDir === 'relative') throw new ApiFailure({ code: 'BAD_INPUT', field: 'outputDir', message: 'outputDir: must be absolute' });
        return { ...settings, ...patch };
      },
    });
    const h = harness(api);
    h.merge({ ...settingsSlice(h.ctx), settings: { state: 'ready', value: settings } });
    const bad = await h.state().updateSettings({ outputDir: 'relative' });
    expect(bad).toMatchObject({ state: 'error', error: { field: 'outputDir' } });
    expect(h.state().settings).toEqual({ state: 'ready', value: settings });
    await h.state().updateSettings({ theme: 'dark' });
    expect(h.state().settings).toMatchObject({ state: 'ready', value: { theme: 'dark' } });
  });

  it('profiles: a 401 marks the page unauthorized', async () => {
    const { api } = fakeApi({ listProfiles: async () => Promise.reject(new ApiFailure({ code: 'BAD_INPUT', message: 'unauthorized' })) });
    const h = harness(api);
    h.merge(profilesSlice(h.ctx));
    await h.state().refreshProfiles();
    expect(h.state().profiles).toEqual({ state: 'unauthorized' });
    expect(h.state().unauthorized).toBe(true);
  });

  it('machine: refreshDetect passes refresh on and keeps the report', async () => {
    const f = fakeApi({ detect: async () => report(2) });
    const h = harness(f.api);
    h.merge(machineSlice(h.ctx));
    await h.state().refreshDetect(true);
    expect(f.calls).toEqual([{ method: 'detect', input: { refresh: true } }]);
    expect(h.state().detect).toMatchObject({ state: 'ready', value: { gpus: [{}, {}] } });
  });

  it('runs: stopping marks the run stopping at once, then reads it back; dispose stops its timers', async () => {
    const f = fakeApi({
      stopRun: async () => ({ runId: 'r1', status: 'stopped' }),
      getRun: async () => Promise.reject(new ApiFailure({ code: 'NOT_FOUND', message: 'no run r1' })),
    });
    const h = harness(f.api);
    const runs = runsSlice(h.ctx);
    h.merge(runs.slice);
    const stopping = h.state().stopRun('r1');
    expect(h.state().live.r1?.status).toBe('stopping');
    await stopping;
    expect(f.calls.map((c) => c.method)).toEqual(['stopRun', 'getRun']);
    runs.refreshRunSoon('r1');
    for (const stop of h.stops) stop();
    await new Promise((r) => setTimeout(r, 450));
    expect(f.calls.map((c) => c.method)).toEqual(['stopRun', 'getRun']);
  });
});
