// Stop-to-gone time over 50 start/stop cycles of a real torchrun job (2 CPU ranks of the run
// manager's test worker, sleeping), counting leftovers after each stop. Baseline: the same
// measurement for a plain `kill -KILL -<pgid>` of a detached `sh` holding two `sleep`s, the
// cheapest possible "stop a process tree". Ratio = our median stop-to-gone / baseline median.
// Ours is the full ordered teardown (SIGTERM to the agent, which forwards to its workers; group
// SIGKILL; LAL_RUN_ID sweep of /proc), so the ratio is the price of stopping torchrun politely.
// A second figure compares with the same torchrun job stopped by a bare SIGTERM to the agent.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { runsApi } from '../electron/core/runs/api';
import { launch } from '../electron/core/runs/launcher';
import { pidsWithRunId, isAlive, signalQuiet } from '../electron/core/runs/proc';
import { tinyContext, tinyRecipe } from '../test/integration/run/tiny-recipe';
import type { BenchResult } from './types';

const CYCLES = Number(process.env.LAL_BENCH_CYCLES ?? 50);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function baselineOnce(): Promise<number> {
  const child = execa('sh', ['-c', 'sleep 1000 & sleep 1000 & wait'], { detached: true, reject: false, buffer: false, stdin: 'ignore', cleanup: false });
  const pgid = child.pid;
  if (!pgid) throw new Error('could not start sh');
  // Wait for both sleeps to exist.
  let pids: number[] = [];
  for (let i = 0; i < 200 && pids.length < 3; i++) {
    const r = await execa('pgrep', ['-g', String(pgid)], { reject: false });
    pids = String(r.stdout).trim().split('\n').filter(Boolean).map(Number);
    if (pids.length < 3) await sleep(5);
  }
  const t0 = performance.now();
  signalQuiet(-pgid, 'SIGKILL');
  // Gone = dead or zombie, the same test as ours (orphaned zombies wait for PID 1 to reap them).
  let left = pids;
  while (left.length) {
    await sleep(1);
    left = (await Promise.all(left.map(async (p) => ((await isAlive(p)) ? p : 0)))).filter(Boolean);
  }
  const ms = performance.now() - t0;
  await child;
  return ms;
}

export default async function bench(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lal-stop-bench-'));
  const ctx = tinyContext(dir, new URL('../resources', import.meta.url).pathname);
  const api = runsApi(ctx, { getRecipe: (id) => (id === 'tiny' ? tinyRecipe : undefined) });
  const ours: number[] = [];
  const base: number[] = [];
  const naive: number[] = [];
  let naiveLeft = 0;
  let leftovers = 0;
  try {
    for (let i = 0; i < CYCLES; i++) {
      const { runId } = await api.startRun({ spec: { recipe: 'tiny', mode: 'two', settings: { fail: 'sleep:0:0' } } });
      // Agent + 2 workers must all be up, or we would time a half-started job.
      for (let k = 0; k < 600 && (await pidsWithRunId(runId)).length < 3; k++) await sleep(10);
      const t0 = performance.now();
      await api.stopRun({ runId });
      let left = await pidsWithRunId(runId);
      while (left.length && performance.now() - t0 < 10_000) {
        await sleep(1);
        left = (await Promise.all(left.map(async (p) => ((await isAlive(p)) ? p : 0)))).filter(Boolean);
      }
      ours.push(performance.now() - t0);
      await sleep(100);
      leftovers += (await pidsWithRunId(runId)).length;
      base.push(await baselineOnce());

      // Second baseline: the same job started from the same plan, stopped the naive way (SIGTERM to
      // torchrun, then wait). Same work, no group kill, no sweep: what our extra safety costs.
      const plan = await api.planRun({ spec: { recipe: 'tiny', mode: 'two', settings: { fail: 'sleep:0:0' } } });
      const nid = plan.env.LAL_RUN_ID;
      mkdirSync(plan.cwd, { recursive: true });
      const { child, pid } = launch(plan, { pdeathsig: true });
      if (pid === null) throw new Error(`could not start ${plan.argv.join(' ')}`);
      for (let k = 0; k < 600 && (await pidsWithRunId(nid)).length < 3; k++) await sleep(10);
      const n0 = performance.now();
      signalQuiet(pid, 'SIGTERM');
      let nleft = await pidsWithRunId(nid);
      while (nleft.length && performance.now() - n0 < 10_000) {
        await sleep(1);
        nleft = (await Promise.all(nleft.map(async (p) => ((await isAlive(p)) ? p : 0)))).filter(Boolean);
      }
      naive.push(performance.now() - n0);
      await child;
      const orphans = await pidsWithRunId(nid);
      naiveLeft += orphans.length;
      // Not ours to leave behind: the naive way's orphans are cleaned up after counting.
      for (const p of orphans) signalQuiet(p, 'SIGKILL');
    }
  } finally {
    await api.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];
  return [
    {
      name: `stop-to-gone vs a bare SIGTERM to torchrun, ${CYCLES} cycles`,
      ratio: med(ours) / med(naive),
      detail: `ours median ${med(ours).toFixed(0)} ms (full teardown + sweep + record) vs SIGTERM-and-wait median ${med(naive).toFixed(0)} ms (${naiveLeft} leftovers); ratio = our median / bare SIGTERM median`,
    },
    {
      name: `stop-to-gone, ${CYCLES} torchrun start/stop cycles`,
      ratio: med(ours) / med(base),
      detail: `ours median ${med(ours).toFixed(0)} ms (p95 ${p95(ours).toFixed(0)} ms), ${leftovers} leftover processes; baseline kill -KILL -pgid of sh+2 sleeps median ${med(base).toFixed(1)} ms; ratio = our median / baseline median`,
    },
  ];
}
