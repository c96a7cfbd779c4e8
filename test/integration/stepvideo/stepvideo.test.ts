import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { runsApi } from '../../../electron/core/runs/api';
import { getRecipe } from '../../../shared/recipes';
import { stepVideoRehearsal } from '../../../shared/recipes/step-video-rehearsal';
import type { Recipe } from '../../../shared/recipes/types';
import type { RunEvent } from '../../../shared/run/types';
import { describe as describeDiagnosis } from '../../../shared/failures/describe';
import { tempDir, repoRoot } from '../../support/temp';
import { explainRunFolder } from '../../../electron/core/explain';
import { tinyContext } from '../run/tiny-recipe';
import { collect, expectNoProcesses, rankLogs, requireTorch, sleep } from '../run/support';

/**
 * Step-Video as it really runs (issue 20): the rehearsal's caption/VAE server started first, then
 * the xDiT ranks under real torchrun (gloo, CPU), managed as one run. Each server fault ends the way
 * the user must see it, and nothing of the run is left afterwards.
 */

// A recipe whose server keeps upstream's fixed port (no flag tells the ranks another): the clash case.
const FIXED_PORT = 38_417;
const fixedPortRecipe: Recipe = {
  ...stepVideoRehearsal,
  id: 'step-video-fixed-port',
  companions: stepVideoRehearsal.companions!.map((c) => ({ ...c, port: FIXED_PORT, portFlag: undefined })),
};

describe('Step-Video rehearsal: companion server + DiT ranks on real torchrun (CPU)', () => {
  const dir = tempDir('lal-stepvideo-');
  const ctx = tinyContext(dir.path, `${repoRoot}/resources`);
  const api = runsApi(ctx, { getRecipe: (id) => (id === fixedPortRecipe.id ? fixedPortRecipe : getRecipe(id)), graceMs: 2000 });
  const ev = collect(ctx.events);
  // 2 ranks (Ulysses 2) unless a test says otherwise: the box is small and shared.
  const base = { device: 'cpu', infer_steps: 4, tensor_parallel_degree: 1 };
  const start = (settings: Record<string, string | number | boolean>, recipe = 'step-video-rehearsal') =>
    api.startRun({ spec: { recipe, mode: 'xdit-parallel', settings: { ...base, ...settings } } });
  const companionStates = (runId: string) => ev.all.filter((e): e is RunEvent & { type: 'companion' } & { at: number } => e.runId === runId && e.type === 'companion').map((e) => e.state);

  beforeAll(() => requireTorch());
  afterAll(async () => {
    ev.off();
    await api.dispose();
    dir.remove();
  });

  it('full run: server ready first, 4 ranks (ulysses 2 × tp 2) each ask for captions, rank 0 decodes, server stopped with the run', async () => {
    const { runId } = await start({ ulysses_degree: 2, tensor_parallel_degree: 2 });
    const exit = await ev.exit(runId, 150_000);
    const { record } = await api.getRun({ runId });
    expect(exit.status, JSON.stringify(record.diagnoses)).toBe('succeeded');
    expect(companionStates(runId)).toEqual(['starting', 'ready', 'stopped']);
    const c = record.companions![0];
    expect(c).toMatchObject({ name: 'caption-vae', state: 'stopped' });
    expect(c.pid).toBeGreaterThan(0);
    // The ranks were told the server's port and host.
    const argv = record.plan.argv;
    expect(argv[argv.indexOf('--companion_port') + 1]).toBe(String(c.port));
    expect(argv[argv.indexOf('--caption_url') + 1]).toBe('127.0.0.1');
    expect(record.plan.companions![0].argv).toContain(String(c.port));
    // The server started before any rank: its readiness precedes torchrun's start event.
    const ready = ev.all.find((e) => e.runId === runId && e.type === 'companion' && e.state === 'ready')!;
    const started = ev.all.find((e) => e.runId === runId && e.type === 'start')!;
    expect(ready.at).toBeLessThanOrEqual(started.at);
    const log = readFileSync(`${record.runDir}/${c.logFile}`, 'utf8');
    expect(log.match(/LAL_SERVE \{"api": "caption", "event": "done"/g)).toHaveLength(4);
    expect(log.match(/LAL_SERVE \{"api": "vae", "event": "done"/g)).toHaveLength(1);
    expect(log).toContain('[lal] LAL_COMPANION_READY name=caption-vae');
    expect(existsSync(`${record.runDir}/results/video.y4m`)).toBe(true);
    expect(record.progress?.ranks.every((r) => r.step === 4)).toBe(true);
    await expectNoProcesses(runId);
  }, 180_000);

  it('server down at start: a clear readiness error naming it, the ranks never started', async () => {
    const { runId } = await start({ ulysses_degree: 2, server_inject: 'down' });
    const exit = await ev.exit(runId, 60_000);
    expect(exit.status).toBe('failed');
    const { record } = await api.getRun({ runId });
    expect(record.pid).toBeNull();
    expect(rankLogs(record.runDir)).toEqual([]);
    expect(ev.all.some((e) => e.runId === runId && e.type === 'start')).toBe(false);
    const d = record.diagnoses[0];
    expect(d.code).toBe('COMPANION_EXITED_EARLY');
    const en = describeDiagnosis(d, 'en');
    expect(en.title).toContain('caption-vae');
    expect(en.explanation).toContain('no text encoder');
    expect(describeDiagnosis(d, 'zh-CN').title).toContain('caption-vae 服务在就绪前退出');
    // `lal explain` of the folder reaches the same verdict from the companion's log.
    expect((await explainRunFolder(record.runDir))[0]).toMatchObject({ code: 'COMPANION_EXITED_EARLY', fields: { name: 'caption-vae' } });
    await expectNoProcesses(runId);
  }, 60_000);

  it('server alive but never serving: the readiness timeout fires after ready_timeout_sec, ranks never started', async () => {
    const t0 = Date.now();
    const { runId } = await start({ ulysses_degree: 2, server_inject: 'never-ready', ready_timeout_sec: 3 });
    expect((await ev.exit(runId, 60_000)).status).toBe('failed');
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(3000);
    expect(took).toBeLessThan(15_000);
    const { record } = await api.getRun({ runId });
    expect(record.diagnoses[0]).toMatchObject({ code: 'COMPANION_NOT_READY', fields: { name: 'caption-vae', seconds: 3, reason: 'timeout' } });
    expect(record.pid).toBeNull();
    expect(describeDiagnosis(record.diagnoses[0], 'en').title).toBe('The caption-vae server was not ready after 3 s');
    await expectNoProcesses(runId);
  }, 60_000);

  it('upstream fixed port taken: refused before anything starts, the holder named', async () => {
    const srv: Server = createServer();
    await new Promise<void>((r) => srv.listen(FIXED_PORT, '127.0.0.1', () => r()));
    try {
      const { runId } = await start({ ulysses_degree: 2 }, fixedPortRecipe.id);
      expect((await ev.exit(runId, 30_000)).status).toBe('failed');
      const { record } = await api.getRun({ runId });
      expect(record.diagnoses[0]).toMatchObject({ code: 'COMPANION_PORT_IN_USE', fields: { port: FIXED_PORT, holderPid: process.pid } });
      expect(record.companions![0].pid).toBeNull();
      expect(describeDiagnosis(record.diagnoses[0], 'en').title).toBe(`Port ${FIXED_PORT} is taken: the caption-vae server cannot start`);
    } finally {
      srv.close();
    }
  }, 30_000);

  it("the seed's scenario: a slow server delays one rank's caption, the other times out in the all-to-all; explained as the server's fault", async () => {
    const { runId } = await start({ ulysses_degree: 2, server_inject: 'slow:3', collective_timeout_sec: 2 });
    expect((await ev.exit(runId, 150_000)).status).toBe('failed');
    const { record } = await api.getRun({ runId });
    const codes = record.diagnoses.map((d) => d.code);
    expect(codes[0], JSON.stringify(record.diagnoses)).toBe('COMPANION_SLOW');
    const timeout = record.diagnoses.find((d) => d.code === 'NCCL_WATCHDOG_TIMEOUT');
    expect(timeout, JSON.stringify(codes)).toBeDefined();
    expect(timeout!.consequence).toBe(true);
    const slow = describeDiagnosis(record.diagnoses[0], 'en');
    expect(slow.title).toContain('caption-vae');
    expect(slow.explanation).toContain('not NCCL');
    expect(describeDiagnosis(record.diagnoses[0], 'zh-CN').explanation).toContain('不是 NCCL');
    expect((await explainRunFolder(record.runDir))[0].code).toBe('COMPANION_SLOW');
    await expectNoProcesses(runId);
  }, 180_000);

  it('server dying mid-run: the run fails and is explained as the server\'s death, naming it', async () => {
    const { runId } = await start({ ulysses_degree: 2, server_inject: 'die:2', infer_steps: 6, step_sec: 0.5 });
    expect((await ev.exit(runId, 150_000)).status).toBe('failed');
    const { record } = await api.getRun({ runId });
    expect(companionStates(runId)).toContain('exited');
    const first = record.diagnoses[0];
    expect(first.code, JSON.stringify(record.diagnoses)).toBe('COMPANION_DIED');
    expect(first.fields).toMatchObject({ name: 'caption-vae', exitCode: '3' });
    const unreachable = record.diagnoses.find((d) => d.code === 'COMPANION_UNREACHABLE');
    expect(unreachable?.rank).toBe(0);
    expect(unreachable?.consequence).toBe(true);
    expect(describeDiagnosis(first, 'en').title).toBe('The caption-vae server died during the run (exit 3)');
    await expectNoProcesses(runId);
  }, 180_000);

  it('server alive but no longer answering mid-run: a companion stall (unhealthy), the run explained by it', async () => {
    const { runId } = await start({ ulysses_degree: 2, server_inject: 'mute:2', infer_steps: 8, step_sec: 0.8 });
    expect((await ev.exit(runId, 150_000)).status).toBe('failed');
    const { record } = await api.getRun({ runId });
    expect(companionStates(runId)).toContain('unhealthy');
    expect(record.diagnoses[0].code, JSON.stringify(record.diagnoses)).toBe('COMPANION_UNHEALTHY');
    expect(record.diagnoses.find((d) => d.code === 'COMPANION_UNREACHABLE')?.consequence, JSON.stringify(record.diagnoses.map((d) => d.code))).toBe(true);
    expect(describeDiagnosis(record.diagnoses[0], 'en').title).toBe('The caption-vae server stopped answering during the run');
    await expectNoProcesses(runId);
  }, 180_000);

  it('stop mid-run: ranks and server stopped, the server\'s exit is a stop (no death in its log), nothing left', async () => {
    const { runId } = await start({ ulysses_degree: 2, infer_steps: 30, step_sec: 1 });
    for (let i = 0; i < 600 && !ev.all.some((e) => e.runId === runId && e.type === 'progress'); i++) await sleep(100);
    const res = await api.stopRun({ runId });
    expect(res.status).toBe('stopped');
    const { record } = await api.getRun({ runId });
    expect(companionStates(runId)).not.toContain('exited');
    expect(record.companions![0].state).toBe('stopped');
    expect(readFileSync(`${record.runDir}/${record.companions![0].logFile}`, 'utf8')).not.toContain('LAL_COMPANION_EXIT');
    await expectNoProcesses(runId);
  }, 120_000);

  it('stop while the server is still loading: stopped, nothing left', async () => {
    const { runId } = await start({ ulysses_degree: 2, server_inject: 'never-ready', ready_timeout_sec: 60 });
    for (let i = 0; i < 100 && !companionStates(runId).includes('starting'); i++) await sleep(50);
    await sleep(500);
    const res = await api.stopRun({ runId });
    expect(res.status).toBe('stopped');
    await expectNoProcesses(runId);
  }, 60_000);
});
