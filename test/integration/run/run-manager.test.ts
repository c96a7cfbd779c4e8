import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { explainApi } from '../../../electron/core/explain/api';
import { runsApi } from '../../../electron/core/runs/api';
import { explainPaths } from '../../../electron/core/explain';
import { tempDir, repoRoot } from '../../support/temp';
import { tinyContext, tinyRecipe } from './tiny-recipe';
import { collect, expectNoProcesses, launcherHarness, rankLogs, sleep } from './support';

/**
 * The run manager through its contract methods, on real torchrun (CPU) with a 2–4 rank test worker.
 * The rehearsal-model acceptance runs through the CLI in cli-run.test.ts.
 */
describe('run manager on real torchrun (tiny worker)', () => {
  const { ctx, api, ev } = launcherHarness('lal-runs-', { getRecipe: (id) => (id === 'tiny' ? tinyRecipe : undefined) });

  it('runs 4 ranks to completion: progress reaches 2/2, per-rank logs and console on disk, record succeeded', async () => {
    const { runId } = await api.startRun({ spec: { recipe: 'tiny', mode: 'four', settings: { num_clip: 2, step_sec: '0.05' } } });
    const exit = await ev.exit(runId);
    expect(exit.status).toBe('succeeded');
    expect(exit.exitCode).toBe(0);
    const progress = ev.all.filter((e) => e.runId === runId && e.type === 'progress');
    const last = progress.filter((p) => p.type === 'progress' && p.rank === 1).pop();
    expect(last).toMatchObject({ clip: 2, clips: 2, fraction: 1 });
    const { record, consoleTail } = await api.getRun({ runId });
    expect(record.status).toBe('succeeded');
    expect(record.progress).toMatchObject({ clip: 2, clips: 2, fraction: 1 });
    expect(record.pid).toBeGreaterThan(0);
    expect(record.procStartTime).toMatch(/^\d+$/);
    expect(record.workers?.map((w) => w.rank)).toEqual([0, 1, 2, 3]);
    expect(rankLogs(record.runDir).filter((f) => f.endsWith('stderr.log'))).toHaveLength(4);
    expect(readFileSync(`${record.runDir}/console.log`, 'utf8')).toContain('[default3]:');
    expect(consoleTail).toContain('Finished.');
    expect(existsSync(`${record.runDir}/output.mp4`)).toBe(true);
    const list = await api.listRuns(undefined as never);
    expect(list.map((r) => r.runId)).toContain(runId);
    const log = await api.readRunLog({ runId, rank: 2 });
    expect(log.text).toContain('4/4');
    await expectNoProcesses(runId);
  });

  it('passes a hostile prompt to the worker byte for byte (no shell anywhere)', async () => {
    const prompt = `She said "it's \\fine" $(rm -rf ~) \`id\` $HOME; echo hi\nline two\t中文提示词 😀 'single'`;
    const { runId } = await api.startRun({ spec: { recipe: 'tiny', mode: 'two', settings: { num_clip: 1, prompt } } });
    expect((await ev.exit(runId)).status).toBe('succeeded');
    const { record } = await api.getRun({ runId });
    const out = rankLogs(record.runDir).find((f) => f.endsWith('/0/stdout.log'))!;
    const line = readFileSync(out, 'utf8').split('\n').find((l) => l.startsWith('LAL_ARGV '))!;
    const argv = JSON.parse(line.slice('LAL_ARGV '.length)) as string[];
    expect(argv[argv.indexOf('--prompt') + 1]).toBe(prompt);
  });

  it('stall_action=stop: names the hung rank, ends failed with a STALL diagnosis, leaves no process', async () => {
    const { runId } = await api.startRun({
      spec: { recipe: 'tiny', mode: 'four', settings: { num_clip: 2, fail: 'hang:3:2', stall_after_sec: 4, stall_action: 'stop' } },
    });
    const exit = await ev.exit(runId);
    expect(exit.status).toBe('failed');
    const stall = ev.all.find((e) => e.runId === runId && e.type === 'stall');
    expect(stall && stall.type === 'stall' && stall.ranks).toContain(3);
    const { record } = await api.getRun({ runId });
    const lastProgress = record.progress!.ranks[3].lastProgressAt!;
    // The rule fires within its bound; the event follows once every rank's stacks are read and a
    // culprit that waits on no one has been watched a moment more (slow is not stuck): a few seconds.
    const detected = Date.parse(stall!.type === 'stall' ? stall!.detectedAt! : '');
    expect(detected - lastProgress).toBeGreaterThanOrEqual(4000);
    expect(detected - lastProgress).toBeLessThan(4000 + 1500);
    expect(stall!.at - detected).toBeLessThan(4000);
    expect(record.diagnoses.find((d) => d.code === 'STALL')?.rank).toBe(3);
    // The logs hold no error (the launcher stopped the run): `lal explain <folder>` reads the recorded
    // verdict, so it says what the run view and `lal explain` by id say.
    const folder = await explainPaths([record.runDir]);
    expect(folder.diagnoses.map((d) => [d.code, d.rank])).toEqual(record.diagnoses.map((d) => [d.code, d.rank]));
    expect(folder.diagnoses[0]).toMatchObject({ code: 'STALL', rank: 3 });
    expect((await explainApi(ctx).explain({ runId })).map((d) => [d.code, d.rank])).toEqual(folder.diagnoses.map((d) => [d.code, d.rank]));
    await sleep(500);
    await expectNoProcesses(runId);
  });

  it('stall_action=notify: reports the stall once and keeps the run going until stopped', async () => {
    const { runId } = await api.startRun({ spec: { recipe: 'tiny', mode: 'two', settings: { num_clip: 2, fail: 'hang:1:2', stall_after_sec: 2 } } });
    for (let i = 0; i < 200 && !ev.all.some((e) => e.runId === runId && e.type === 'stall'); i++) await sleep(100);
    const stalls = () => ev.all.filter((e) => e.runId === runId && e.type === 'stall');
    expect(stalls()).toHaveLength(1);
    expect(stalls()[0]).toMatchObject({ ranks: [1], action: 'notify' });
    await sleep(1500);
    expect(stalls()).toHaveLength(1);
    expect((await api.getRun({ runId })).record.status).toBe('running');
    expect((await api.stopRun({ runId })).status).toBe('stopped');
    await expectNoProcesses(runId);
  });

  it.each([
    ['crash', 2, 1],
    ['sigkill', 1, -9],
  ])('%s on rank %i: failed, root cause rank and its exit code', async (kind, rank, code) => {
    const { runId } = await api.startRun({ spec: { recipe: 'tiny', mode: 'four', settings: { num_clip: 2, fail: `${kind}:${rank}:1` } } });
    const exit = await ev.exit(runId);
    expect(exit.status).toBe('failed');
    expect(exit.exitCode).not.toBe(0);
    const diag = ev.all.find((e) => e.runId === runId && e.type === 'diagnosis' && e.code === 'RANK_EXIT');
    expect(diag && diag.type === 'diagnosis' && diag.rank).toBe(rank);
    expect(diag && diag.type === 'diagnosis' && diag.diagnosis.fields?.exitCode).toBe(code);
    await expectNoProcesses(runId);
  });

  it('stopRun: SIGTERM to the agent, then group and sweep; status stopped; nothing left', async () => {
    const { runId } = await api.startRun({ spec: { recipe: 'tiny', mode: 'four', settings: { fail: 'sleep:0:0' } } });
    await sleep(2500);
    const t0 = Date.now();
    const res = await api.stopRun({ runId });
    expect(res.status).toBe('stopped');
    expect(Date.now() - t0).toBeLessThan(5000);
    const { record } = await api.getRun({ runId });
    expect(record.teardown?.steps[0].action).toBe('sigterm-agent');
    expect(record.teardown?.remaining).toEqual([]);
    await expectNoProcesses(runId);
  });

  it('GPU path with the nvidia-smi stand-in (4×H200 replay): gpu events, per-GPU peaks, chosen GPUs only', async () => {
    const gdir = tempDir('lal-runs-gpu-');
    const gctx = tinyContext(gdir.path, `${repoRoot}/resources`);
    gctx.overrides.nvidiaSmi = `${repoRoot}/test/support/fake-nvidia-smi/nvidia-smi`;
    const gapi = runsApi(gctx, { getRecipe: (id) => (id === 'tiny' ? tinyRecipe : undefined) });
    const gev = collect(gctx.events);
    try {
      // device=cuda: the tiny worker ignores it, but the plan and the sampler take the GPU path.
      const { runId } = await gapi.startRun({ spec: { recipe: 'tiny', mode: 'two', gpus: [1, 3], settings: { num_clip: 2, step_sec: '0.1', device: 'cuda' } } });
      expect((await gev.exit(runId)).status).toBe('succeeded');
      const gpu = gev.all.filter((e) => e.runId === runId && e.type === 'gpu');
      expect(gpu.length).toBeGreaterThan(0);
      for (const g of gpu) if (g.type === 'gpu') expect(g.samples.map((x) => x.index).sort()).toEqual([1, 3]);
      const { record } = await gapi.getRun({ runId });
      expect(record.plan.env.CUDA_VISIBLE_DEVICES).toBe('1,3');
      expect(Object.keys(record.peaksMiB).sort()).toEqual(['1', '3']);
      expect(record.teardown?.vramReleased).toBe(true);
    } finally {
      gev.off();
      await gapi.dispose();
      gdir.remove();
    }
  });

  it('refuses unknown settings and unconsented env before starting anything', async () => {
    await expect(api.planRun({ spec: { recipe: 'tiny', mode: 'two', settings: { nope: 1 } } })).rejects.toMatchObject({ error: { code: 'BAD_INPUT', field: 'settings.nope' } });
    await expect(api.planRun({ spec: { recipe: 'tiny', mode: 'two', settings: {}, env: { LD_PRELOAD: '/x.so' } } })).rejects.toMatchObject({ error: { code: 'CONSENT_REQUIRED' } });
    const plan = await api.planRun({ spec: { recipe: 'tiny', mode: 'two', settings: {}, env: { LD_PRELOAD: '/x.so' } }, allowEnv: ['LD_PRELOAD'] });
    expect(plan.env.LD_PRELOAD).toBe('/x.so');
  });
});
