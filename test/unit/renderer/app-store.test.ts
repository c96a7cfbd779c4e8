import { describe, expect, it } from 'vitest';
import type { FeasibilityReport } from '../../../shared/feasibility/types';
import type { RunRecord, RunSpec } from '../../../shared/run/types';
import { ApiFailure } from '../../../shared/api/result';
import { createAppStore } from '../../../renderer/src/state/app-store';
import { runConsole } from '../../../renderer/src/state/console-hub';
import { fakeApi, report } from './fake-api';

const recipes = [{ id: 'liveavatar-s2v-14b', label: { en: 'LA', zh: 'LA' }, modes: [{ id: 'single-offload', label: { en: '1', zh: '1' }, gpus: 1, nproc: 1 }, { id: 'tpp-4gpu', label: { en: '4', zh: '4' }, gpus: 4, nproc: 4 }] }];
const feas = (mode: string, verdict: FeasibilityReport['verdict']): FeasibilityReport => ({ verdict, recipe: 'liveavatar-s2v-14b', mode, hardware: [], perGpu: [], reasons: [], suggestions: [] });
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('app store over the contract', () => {
  it('loads what is there and marks services that have not landed as unavailable, not as errors', async () => {
    const { api } = fakeApi({ detect: async () => report(), listRecipes: async () => recipes, appInfo: async () => ({ name: 'x', version: '1', transport: 'http', platform: 'linux', dataDir: '/d' }) });
    const store = createAppStore(api, { recheckDelayMs: 0 });
    await store.getState().init();
    const s = store.getState();
    expect(s.detect.state).toBe('ready');
    expect(s.runs.state).toBe('unavailable');
    expect(s.profiles.state).toBe('unavailable');
    expect(s.unauthorized).toBe(false);
  });

  it('a 401 from the HTTP client sets the unauthorized flag instead of failing every screen', async () => {
    const { api } = fakeApi({ appInfo: async () => { throw new ApiFailure({ code: 'BAD_INPUT', message: 'unauthorized' }); } });
    const store = createAppStore(api, { recheckDelayMs: 0 });
    await store.getState().init();
    expect(store.getState().unauthorized).toBe(true);
  });

  it('opening the wizard picks the layout for this machine and checks every mode side by side', async () => {
    const checked: string[] = [];
    const { api } = fakeApi({
      detect: async () => report(4),
      listRecipes: async () => recipes,
      check: async (i: { spec: RunSpec }) => { checked.push(i.spec.mode); return feas(i.spec.mode, i.spec.mode === 'tpp-4gpu' ? 'fits' : 'tight'); },
    });
    const store = createAppStore(api, { recheckDelayMs: 0 });
    await store.getState().init();
    store.getState().openWizard();
    await tick();
    await tick();
    const w = store.getState().wizard;
    expect(w.spec.mode).toBe('tpp-4gpu');
    expect(checked.sort()).toEqual(['single-offload', 'tpp-4gpu']);
    expect(w.checks['tpp-4gpu']).toEqual({ state: 'ready', value: feas('tpp-4gpu', 'fits') });
    expect(store.getState().route).toEqual({ name: 'wizard' });
  });

  it('applying a fix re-checks at once, and a stale answer never overwrites a newer one', async () => {
    let slow: (() => void) | null = null;
    const { api } = fakeApi({
      listRecipes: async () => recipes,
      check: async (i: { spec: RunSpec }) => {
        if (i.spec.settings.fp8 === undefined && i.spec.mode === 'tpp-4gpu') await new Promise<void>((r) => (slow = r));
        return feas(i.spec.mode, i.spec.settings.fp8 ? 'fits' : 'does-not-fit');
      },
    });
    const store = createAppStore(api, { recheckDelayMs: 0 });
    await store.getState().init();
    store.getState().openWizard({ recipe: 'liveavatar-s2v-14b', mode: 'tpp-4gpu', settings: {} }, 'mode');
    await tick();
    store.getState().applySuggestion({ fp8: true });
    await tick();
    await tick();
    expect(store.getState().wizard.spec.settings.fp8).toBe(true);
    (slow as (() => void) | null)?.();
    await tick();
    await tick();
    const c = store.getState().wizard.checks['tpp-4gpu'];
    expect(c.state === 'ready' && c.value.verdict).toBe('fits');
  });

  it('launching goes to the run view; pushed events and output land in the live run and its console', async () => {
    const { api, emit } = fakeApi({
      listRecipes: async () => recipes,
      check: async () => feas('tpp-4gpu', 'fits'),
      planRun: async () => ({ argv: ['torchrun'], env: {}, cwd: '/' }),
      startRun: async () => ({ runId: 'r1' }),
      listRuns: async () => [],
    });
    const store = createAppStore(api, { recheckDelayMs: 0 });
    await store.getState().init();
    store.getState().openWizard({ recipe: 'liveavatar-s2v-14b', mode: 'tpp-4gpu', settings: {} }, 'review');
    expect(await store.getState().launch()).toBe('r1');
    expect(store.getState().route).toEqual({ name: 'run', runId: 'r1' });
    emit('runEvent', { type: 'progress', runId: 'r1', rank: 4, clip: 1, clips: 2, step: 2, steps: 4, fraction: 0.25, fps: 12, etaSec: 9, eta: 9 });
    emit('runOutput', { runId: 'r1', seq: 1, chunks: [{ rank: null, data: '[default4]:step\n' }], dropped: 0 });
    expect(store.getState().live.r1.clip).toBe(1);
    expect(runConsole('r1').text(4)).toBe('step\n');
    store.getState().dispose();
  });

  it('a launch refused by the service is shown in the wizard, which stays put', async () => {
    const { api } = fakeApi({ listRecipes: async () => recipes, startRun: async () => { throw new ApiFailure({ code: 'BAD_INPUT', field: 'settings.size', message: 'size: bad' }); } });
    const store = createAppStore(api, { recheckDelayMs: 0 });
    await store.getState().init();
    store.getState().openWizard({ recipe: 'liveavatar-s2v-14b', mode: 'tpp-4gpu', settings: {} }, 'review');
    expect(await store.getState().launch()).toBeNull();
    const w = store.getState().wizard;
    expect(w.launchError?.state).toBe('error');
    expect(store.getState().route).toEqual({ name: 'wizard' });
  });
});

describe('env consent across relaunches', () => {
  const record = { runId: 'r1', status: 'failed', spec: { recipe: 'liveavatar-s2v-14b', mode: 'tpp-4gpu', settings: {}, env: { LD_PRELOAD: '/opt/hook.so' } } } as unknown as RunRecord;
  const fix = { code: 'NCCL_ERROR', rank: 1, title: '', explanation: '', fix: '', evidence: null, fixes: [{ kind: 'env' as const, name: 'NCCL_P2P_DISABLE', value: '1' }] };

  it('apply-fix-and-relaunch keeps the consent the run started with and adds the fix’s own variable', async () => {
    const starts: { allowEnv?: string[]; spec: RunSpec }[] = [];
    const { api } = fakeApi({ listRuns: async () => [record], startRun: async (i: { allowEnv?: string[]; spec: RunSpec }) => { starts.push(i); return { runId: 'r2' }; } });
    const store = createAppStore(api, { recheckDelayMs: 0 });
    await store.getState().init();
    expect(await store.getState().applyFixAndRelaunch('r1', fix)).toBe('r2');
    expect(starts[0].allowEnv?.sort()).toEqual(['LD_PRELOAD', 'NCCL_P2P_DISABLE']);
    expect(starts[0].spec.env).toEqual({ LD_PRELOAD: '/opt/hook.so', NCCL_P2P_DISABLE: '1' });
  });

  it('run again opens Review with the same consent; a preset opened fresh has none', async () => {
    const { api } = fakeApi({ listRecipes: async () => recipes, getProfile: async () => ({ format: 'lavprofile', version: 2, name: 'p', recipe: 'liveavatar-s2v-14b', mode: 'tpp-4gpu', inputs: {}, settings: {}, env: { LD_PRELOAD: '/x.so' } }) });
    const store = createAppStore(api, { recheckDelayMs: 0 });
    await store.getState().init();
    store.getState().runAgain(record);
    expect(store.getState().wizard.allowEnv).toEqual(['LD_PRELOAD']);
    await store.getState().openPreset('p');
    expect(store.getState().wizard.allowEnv).toEqual([]);
    expect(store.getState().wizard.spec.env).toEqual({ LD_PRELOAD: '/x.so' });
  });
});
