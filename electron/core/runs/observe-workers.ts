import { readFile } from 'node:fs/promises';
import type { GpuProcessSample } from '../../../shared/run/types';
import { pidsWithRunId, procStartTimeSync } from './proc';
import type { WorkerSeen } from './finalise';

/**
 * Observation, part two: which worker pid is which rank (RANK in its environment, found by the
 * run's LAL_RUN_ID), and when each disappeared. The exit times are the explainer's second clock;
 * the pids feed the teardown's proofs and the GPU sampler's "our processes".
 */
export interface WorkerWatchDeps {
  pidsOf: (runId: string) => Promise<number[]>;
  rankOf: (pid: number) => Promise<number | null>;
  startTimeOf: (pid: number) => string | null;
  now: () => number;
}

export class WorkerWatch {
  readonly workers = new Map<number, WorkerSeen>();
  readonly goneAt = new Map<number, number>();
  readonly seenPids = new Set<number>();
  private readonly deps: WorkerWatchDeps;

  constructor(
    private readonly runId: string,
    deps: Partial<WorkerWatchDeps> = {},
  ) {
    this.deps = { pidsOf: pidsWithRunId, rankOf: rankFromEnviron, startTimeOf: procStartTimeSync, now: Date.now, ...deps };
  }

  async poll(): Promise<void> {
    const pids = await this.deps.pidsOf(this.runId);
    const now = this.deps.now();
    const alive = new Set(pids);
    for (const pid of pids) {
      if (this.seenPids.has(pid)) continue;
      this.seenPids.add(pid);
      const rank = await this.deps.rankOf(pid);
      if (rank !== null && !this.workers.has(rank)) this.workers.set(rank, { pid, startTime: this.deps.startTimeOf(pid) });
    }
    for (const [rank, w] of this.workers) if (!alive.has(w.pid) && !this.goneAt.has(rank)) this.goneAt.set(rank, now);
  }

  /** GPU compute apps that are this run's (seen carrying its run id); others' processes stay out of its charts. */
  ours(apps: GpuProcessSample[]): GpuProcessSample[] {
    return apps.filter((a) => this.seenPids.has(a.pid));
  }
}

/** RANK from /proc/<pid>/environ; null for the agent, other helpers, or a process already gone. */
export async function rankFromEnviron(pid: number): Promise<number | null> {
  try {
    return rankInEnviron(await readFile(`/proc/${pid}/environ`, 'latin1'));
  } catch {
    return null;
  }
}

export function rankInEnviron(environ: string): number | null {
  const m = /(?:^|\0)RANK=(\d+)(?:\0|$)/.exec(environ);
  return m ? Number(m[1]) : null;
}
