import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { lal } from '../../support/cli';
import { repoRoot, tempDir } from '../../support/temp';
import { getRecipe } from '../../../shared/recipes';
import { cmdline, pidsWithRunId } from '../../../electron/core/runs/proc';
import type { RunEvent, RunRecord } from '../../../shared/run/types';
import { SYS_PYTHON } from './tiny-recipe';
import { expectNoProcesses, rankLogs, requireTorch, sleep } from './support';

/**
 * Acceptance for issue 5, through `lal` exactly as a user runs it: real torchrun on CPU with the
 * rehearsal workload (resources/workloads/rehearsal.py) at tiny scale, 5 ranks (TPP + VAE rank).
 */
const BASE = ['run', '--recipe', 'rehearsal', '--mode', 'tpp-5gpu', '--set', 'device=cpu', '--set', 'scale=tiny'];
const PROMPT = `A "quoted" 'prompt' with $(touch /tmp/pwned) and \`id\` and $HOME;\nsecond line\t带中文的提示词 — ünïcödé 😀`;

function events(stdout: string): RunEvent[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as RunEvent);
}

describe('lal run / lal runs (acceptance, rehearsal on CPU)', () => {
  const dir = tempDir('lal-cli-run-');
  const env = { LAL_DATA_DIR: dir.path, LAL_LANG: 'en' };
  const record = (runId: string) => JSON.parse(readFileSync(`${dir.path}/runs/${runId}/run.json`, 'utf8')) as RunRecord;

  beforeAll(() => {
    requireTorch();
    if (!getRecipe('rehearsal')) throw new Error('shared/recipes has no "rehearsal" recipe yet (feasibility/recipes feature); these tests need it');
  });
  afterAll(() => dir.remove());

  it('--dry-run --json prints exactly {argv, env, cwd}', async () => {
    const r = await lal([...BASE, '--set', 'num_clip=2', '--dry-run', '--json', '--python', SYS_PYTHON], { env });
    expect(r.exitCode).toBe(0);
    const plan = JSON.parse(String(r.stdout)) as Record<string, unknown>;
    expect(Object.keys(plan).sort()).toEqual(['argv', 'cwd', 'env']);
    expect(plan.argv).toContain('--nproc_per_node');
  });

  it('completes: NDJSON events with type and runId, progress reaches 2/2, per-rank logs on disk, prompt reaches argv byte for byte', async () => {
    const child = lal([...BASE, '--set', 'num_clip=2', '--set', `prompt=${PROMPT}`, '--json-events', '--python', SYS_PYTHON], { env, buffer: true, timeout: 120_000 });
    // While it runs, read a worker's argv from /proc: what the kernel handed to Python.
    let workerArgv: string[] | null = null;
    const watcher = (async () => {
      for (let i = 0; i < 400 && !workerArgv; i++) {
        const runs = readRuns(dir.path);
        for (const id of runs) {
          for (const pid of await pidsWithRunId(id)) {
            const argv = await cmdline(pid);
            if (argv && argv.some((a) => a.endsWith('rehearsal.py')) && argv.includes('--prompt')) workerArgv = argv;
          }
        }
        await sleep(50);
      }
    })();
    const r = await child;
    await watcher;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const evs = events(String(r.stdout));
    for (const e of evs) expect(e).toMatchObject({ type: expect.any(String), runId: expect.any(String) });
    const runId = evs[0].runId;
    expect(evs[0].type).toBe('start');
    const progress = evs.filter((e): e is Extract<RunEvent, { type: 'progress' }> => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(Math.max(...progress.map((p) => p.clip))).toBe(2);
    expect(progress.every((p) => p.clips === 2)).toBe(true);
    expect(progress.some((p) => p.fraction === 1)).toBe(true);
    for (const p of progress) expect(p).toHaveProperty('eta');
    expect(evs.at(-1)).toMatchObject({ type: 'exit', status: 'succeeded', exitCode: 0 });
    const rec = record(runId);
    expect(rankLogs(rec.runDir).filter((f) => f.endsWith('stderr.log'))).toHaveLength(5);
    expect(workerArgv, 'no worker argv seen in /proc').not.toBeNull();
    expect(workerArgv![workerArgv!.indexOf('--prompt') + 1]).toBe(PROMPT);
    expect(rec.plan.argv[rec.plan.argv.indexOf('--prompt') + 1]).toBe(PROMPT);
    await expectNoProcesses(runId);
  });

  it('hang on rank 3 with stall_action=stop: stall names rank 3 within the 30 s floor, run fails, nothing left', async () => {
    const r = await lal([...BASE, '--set', 'num_clip=2', '--set', 'inject=hang@2:1:3', '--set', 'stall_action=stop', '--json-events', '--python', SYS_PYTHON], { env, timeout: 150_000 });
    expect(r.exitCode).toBe(1);
    const evs = events(String(r.stdout));
    const runId = evs[0].runId;
    const stall = evs.find((e): e is Extract<RunEvent, { type: 'stall' }> => e.type === 'stall');
    // The event names rank 3 as stalled, or as the one that got least far when its peers stalled first.
    expect([...(stall?.ranks ?? []), stall?.behind?.[0]]).toContain(3);
    expect(evs.find((e) => e.type === 'diagnosis')).toMatchObject({ code: 'STALL', rank: 3 });
    expect(evs.at(-1)).toMatchObject({ type: 'exit', status: 'failed' });
    const rec = record(runId);
    const idle = Date.parse(rec.stall!.last!.at) - rec.progress!.ranks[3].lastProgressAt!;
    // The rule is max(30 s, 3× median step); detection ticks every 0.5 s and files are polled every 0.2 s.
    expect(idle).toBeGreaterThanOrEqual(30_000);
    expect(idle).toBeLessThanOrEqual(31_500);
    await expectNoProcesses(runId);
    await sleep(5000);
    await expectNoProcesses(runId);
  });

  it.each([
    ['crash@1:2:2', 2, 1],
    ['sigkill@1:2:1', 1, -9],
  ])('%s: exit 1, diagnosis names rank %i with exit code %i (printed without --json-events)', async (inject, rank, code) => {
    const r = await lal([...BASE, '--set', 'num_clip=1', '--set', `inject=${inject}`, '--python', SYS_PYTHON], { env, timeout: 120_000 });
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toContain(`[RANK_EXIT rank ${rank}] Rank ${rank} exited with code ${code}`);
    const runId = /Run (\S+) failed/.exec(String(r.stderr))![1];
    const diag = record(runId).diagnoses.find((d) => d.code === 'RANK_EXIT');
    expect(diag).toMatchObject({ rank, fields: { exitCode: code } });
    await expectNoProcesses(runId);
  });

  it('Ctrl-C stops the run cleanly: lal exits within 5 s and no process of the run is left', async () => {
    const child = execa('node', ['--import', 'tsx', `${repoRoot}/electron/cli/main.ts`, ...BASE, '--set', 'num_clip=3', '--set', 'inject=hang@2:1:3', '--json-events', '--python', SYS_PYTHON], {
      cwd: repoRoot,
      env: { ...env, ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent-electron-dist' },
      reject: false,
      buffer: false,
    });
    const runId = await firstProgress(child.stdout!);
    const t0 = Date.now();
    child.kill('SIGINT');
    const r = await child;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.exitCode).toBe(130);
    await expectNoProcesses(runId);
    expect(record(runId).status).toBe('stopped');
  });

  it('launcher killed with SIGKILL mid-run: `lal runs` shows the leftover, `lal runs --reap` stops it', async () => {
    const child = execa('node', ['--import', 'tsx', `${repoRoot}/electron/cli/main.ts`, ...BASE, '--set', 'num_clip=3', '--set', 'inject=hang@2:1:3', '--json-events', '--python', SYS_PYTHON], {
      cwd: repoRoot,
      // Without setpriv's parent-death signal the agent outlives lal, which is the case to clean up.
      env: { ...env, LAL_NO_PDEATHSIG: '1', ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent-electron-dist' },
      reject: false,
      buffer: false,
    });
    const runId = await firstProgress(child.stdout!);
    child.kill('SIGKILL');
    await child;
    expect((await pidsWithRunId(runId)).length).toBeGreaterThan(0);
    const list = await lal(['runs'], { env });
    expect(String(list.stdout)).toContain(`Run ${runId}`);
    const reap = await lal(['runs', '--reap', '--json'], { env });
    expect(reap.exitCode).toBe(0);
    expect((JSON.parse(String(reap.stdout)) as { stopped: string[] }).stopped).toContain(runId);
    await expectNoProcesses(runId);
    expect(record(runId).status).toBe('stopped');
  });

  it('bad input exits 2 before anything starts', async () => {
    expect((await lal([...BASE, '--set', 'num_clip=two', '--dry-run', '--python', SYS_PYTHON], { env })).exitCode).toBe(2);
    expect((await lal(['run', '--recipe', 'nope', '--mode', 'x', '--dry-run'], { env })).exitCode).toBe(2);
    expect((await lal(['run', '--recipe', 'rehearsal', '--profile', 'x.json'], { env })).exitCode).toBe(2);
    expect((await lal([...BASE, '--set', 'novalue'], { env })).exitCode).toBe(2);
  });
});

function readRuns(dataDir: string): string[] {
  try {
    return readdirSync(`${dataDir}/runs/index`).map((f) => f.replace(/\.json$/, ''));
  } catch {
    return [];
  }
}

function firstProgress(stdout: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const t = setTimeout(() => reject(new Error(`no progress event: ${text.slice(-500)}`)), 90_000);
    stdout.on('data', (b: Buffer) => {
      text += b.toString();
      for (const line of text.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const e = JSON.parse(line) as RunEvent;
          if (e.type === 'progress') {
            clearTimeout(t);
            resolve(e.runId);
            return;
          }
        } catch {
          /* partial line */
        }
      }
    });
  });
}
