import { existsSync } from 'node:fs';
import type { GpuProcessSample, TeardownReport } from '../../../shared/run/types';
import { isAlive, pidsWithRunId, provenGroup, provenOwn, signalQuiet, signalRunProcesses, sleep } from './proc';

/**
 * Stop order (docs/upstream-notes.md §14.1–§14.2):
 * 1. SIGTERM to the torchrun agent only. It forwards the signal to its workers and reaps them;
 *    killing workers first would make the agent restart or report them.
 * 2. After `graceMs`, SIGKILL to the agent's process group (everything still in it).
 * 3. Sweep: SIGKILL every process whose /proc/<pid>/environ carries LAL_RUN_ID=<runId>. torch 2.x
 *    starts workers with start_new_session=True, so they are outside the agent's group; only the
 *    run id finds them after the agent is gone.
 * 4. Verify: ask nvidia-smi whether any of those pids still holds VRAM (D-state workers stuck in the
 *    driver can outlive SIGKILL, pytorch/pytorch#185414); report, never hang on it.
 * Nothing is signalled without proof that it is this run's (proc.ts: pid + start time + LAL_RUN_ID;
 * a group only through its leader or, once the agent is gone, its members). Pids and group ids are
 * reused, and a record, a second Ctrl-C or an agent that already exited must never turn into a
 * signal to someone else's processes.
 */
export interface TeardownOptions {
  runId: string;
  pid: number | null;
  pgid: number | null;
  startTime: string | null;
  /** Resolves when the agent is known to have exited (our child); speeds up step 1. */
  exited?: Promise<unknown>;
  graceMs?: number;
  sweepMs?: number;
  /** Pids seen during the run (workers), checked in the VRAM step. */
  knownPids?: number[];
  /** One-shot compute-apps query, or null without nvidia-smi. */
  computeApps?: (() => Promise<GpuProcessSample[]>) | null;
  vramWaitMs?: number;
  /** Skip step 1 (the agent already exited). */
  agentGone?: boolean;
}

export async function teardown(opts: TeardownOptions): Promise<TeardownReport> {
  const t0 = Date.now();
  const steps: TeardownReport['steps'] = [];
  const at = () => new Date().toISOString();
  const graceMs = opts.graceMs ?? 3000;

  const agentAlive = async () => (opts.pid ? isAlive(opts.pid, opts.startTime) : false);
  if (!opts.agentGone && opts.pid && (await provenOwn(opts.pid, opts.startTime, opts.runId))) {
    signalQuiet(opts.pid, 'SIGTERM');
    steps.push({ action: 'sigterm-agent', at: at(), pids: [opts.pid] });
    const deadline = Date.now() + graceMs;
    let done = false;
    opts.exited?.then(() => (done = true), () => (done = true));
    while (!done && Date.now() < deadline && (await agentAlive())) await sleep(25);
  }
  // The agent's detached group: its id is the agent's pid (launcher.ts), never anyone else's.
  if (opts.pgid && (opts.pid === null || opts.pgid === opts.pid) && (await provenGroup(opts.pgid, opts.startTime, opts.runId))) {
    if (signalQuiet(-opts.pgid, 'SIGKILL')) steps.push({ action: 'sigkill-group', at: at(), pids: [opts.pgid] });
  }

  const swept = new Set<number>();
  const sweepDeadline = Date.now() + (opts.sweepMs ?? 3000);
  for (;;) {
    const hit = await signalRunProcesses(opts.runId, 'SIGKILL');
    for (const p of hit) swept.add(p);
    if (!hit.length && !(await pidsWithRunId(opts.runId)).length) break;
    if (Date.now() > sweepDeadline) break;
    await sleep(50);
  }
  if (swept.size) steps.push({ action: 'sweep', at: at(), pids: [...swept] });
  const remaining = await pidsWithRunId(opts.runId);

  let vramReleased: boolean | null = null;
  if (opts.computeApps) {
    const ours = new Set([...(opts.knownPids ?? []), ...swept, ...(opts.pid ? [opts.pid] : [])]);
    const deadline = Date.now() + (opts.vramWaitMs ?? 5000);
    for (;;) {
      const apps = await opts.computeApps();
      const holding = apps.filter((a) => ours.has(a.pid));
      // In a container nvidia-smi may report host pids that do not exist in our pid namespace; then
      // "none of ours" proves nothing and the honest answer is "unknown".
      const unseen = apps.filter((a) => !ours.has(a.pid) && !existsSync(`/proc/${a.pid}`));
      vramReleased = holding.length ? false : unseen.length ? null : true;
      if (!holding.length || Date.now() > deadline) {
        steps.push({ action: 'verify-vram', at: at(), pids: holding.map((h) => h.pid) });
        break;
      }
      await sleep(250);
    }
  }
  return { steps, remaining, vramReleased, tookMs: Date.now() - t0 };
}

/**
 * The second Ctrl-C: no grace, but the same proof. SIGKILL to the agent's group only when it is
 * proven this run's, then to every process carrying the run id. Safe to call any number of times,
 * after the agent has exited and after a first teardown finished.
 */
export async function killRunNow(rec: { runId: string; pid: number | null; pgid: number | null; procStartTime: string | null }): Promise<number[]> {
  const hit: number[] = [];
  const pgid = rec.pgid !== null && (rec.pid === null || rec.pgid === rec.pid) ? rec.pgid : null;
  if (pgid && (await provenGroup(pgid, rec.procStartTime, rec.runId)) && signalQuiet(-pgid, 'SIGKILL')) hit.push(-pgid);
  hit.push(...(await signalRunProcesses(rec.runId, 'SIGKILL')));
  return hit;
}
