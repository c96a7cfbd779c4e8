import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { runsApi } from '../../../electron/core/runs/api';
import { cmdline, pidsWithRunId, procStat } from '../../../electron/core/runs/proc';
import { tempDir, repoRoot } from '../../support/temp';
import { tinyContext, tinyRecipe } from './tiny-recipe';
import { expectNoProcesses, requireTorch, sleep } from './support';

/** Start a launcher in another process, SIGKILL it mid-run, and look at what it left behind. */
async function launchAndKill(dataDir: string, env: Record<string, string>): Promise<string> {
  const child = execa('node', ['--import', 'tsx', `${repoRoot}/test/integration/run/fixtures/launch-tiny.ts`, dataDir, `${repoRoot}/resources`], {
    cwd: repoRoot,
    env: { ...env, ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent-electron-dist' },
    reject: false,
    buffer: false,
  });
  // Wait for the run id *and* a phase line from a worker. A phase line means torchrun has finished
  // spawning: while the agent is still inside its spawn loop its list of workers is not assigned, so a
  // SIGTERM there (CI hit it) makes the agent exit without signalling the ones already forked. That
  // window is covered by the next launcher's leftover scan (the first test), not by pdeathsig.
  const runId = await new Promise<string>((resolve, reject) => {
    let text = '';
    const t = setTimeout(() => reject(new Error(`launcher printed no run id and phase: ${text}`)), 60_000);
    child.stdout!.on('data', (b: Buffer) => {
      text += b.toString();
      const m = /"runId":"([^"]+)"/.exec(text);
      if (m && text.includes('"event":"phase"')) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
  });
  // Wait until every worker exists, then kill the launcher the hard way.
  for (let i = 0; i < 100 && (await pidsWithRunId(runId)).length < 5; i++) await sleep(100);
  expect((await pidsWithRunId(runId)).length).toBeGreaterThanOrEqual(5);
  child.kill('SIGKILL');
  await child;
  return runId;
}

describe('leftovers of a launcher killed with SIGKILL', () => {
  const dir = tempDir('lal-left-');
  beforeAll(() => requireTorch());
  afterAll(() => dir.remove());

  it('without pdeathsig the run survives; the next launcher finds it (pid + start time + run id) and stops it', async () => {
    const runId = await launchAndKill(dir.path, { LAL_NO_PDEATHSIG: '1' });
    await sleep(500);
    expect((await pidsWithRunId(runId)).length).toBeGreaterThanOrEqual(5);

    const ctx = tinyContext(dir.path, `${repoRoot}/resources`);
    const api = runsApi(ctx, { getRecipe: (id) => (id === 'tiny' ? tinyRecipe : undefined) });
    const left = await api.findLeftovers(undefined as never);
    const mine = left.find((l) => l.runId === runId);
    expect(mine).toBeDefined();
    const { record } = await api.getRun({ runId });
    expect(mine!.pids).toContain(record.pid);
    const t0 = Date.now();
    expect((await api.reapLeftovers({})).stopped).toContain(runId);
    expect(Date.now() - t0).toBeLessThan(8000);
    await expectNoProcesses(runId);
    expect((await api.getRun({ runId })).record.status).toBe('stopped');
    expect(await api.findLeftovers(undefined as never)).toEqual([]);
  });

  it('with setpriv --pdeathsig the agent stops its workers by itself; the record becomes "interrupted", saying why', async () => {
    const runId = await launchAndKill(dir.path, {});
    // torch's agent SIGTERMs its workers and SIGKILLs any still there 30 s later (its close timeout);
    // on an idle box all are gone in well under a second, on a loaded CI box it can take longer.
    for (let i = 0; i < 450 && (await pidsWithRunId(runId)).length; i++) await sleep(100);
    const left = await pidsWithRunId(runId);
    const what = await Promise.all(left.map(async (p) => `${p} [${(await procStat(p))?.state ?? '?'}] ${(await cmdline(p))?.join(' ') ?? '?'}`));
    expect(what, 'processes of the run still alive 45 s after the launcher was killed').toEqual([]);
    const ctx = tinyContext(dir.path, `${repoRoot}/resources`);
    const api = runsApi(ctx, { getRecipe: (id) => (id === 'tiny' ? tinyRecipe : undefined) });
    expect((await api.findLeftovers(undefined as never)).map((l) => l.runId)).not.toContain(runId);
    const { record } = await api.getRun({ runId });
    expect(record.status).toBe('interrupted');
    expect(record.interruption).toMatchObject({ reason: 'launcher-gone', launcherPid: record.launcherPid, noProcessesLeft: true });
  });
});
