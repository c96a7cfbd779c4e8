import { closeSync, fstatSync, lstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Api } from '../../../shared/api/contract';
import { ApiFailure } from '../../../shared/api/result';
import { getRecipe as defaultGetRecipe } from '../../../shared/recipes';
import { findMode } from '../../../shared/recipes/settings';
import type { Recipe } from '../../../shared/recipes/types';
import type { RankProgress, RunRecord } from '../../../shared/run/types';
import type { StallVerdict } from '../../../shared/progress/stall';
import type { BuiltPlan } from './plan';
import { stacks as strings } from '../../../shared/i18n/locales/stacks';
import { headline, rankWhere, type RankDumpInput } from '../../../shared/stacks/explain';
import type { StacksReport } from '../../../shared/stacks/types';
import { readFlight } from '../explain/flight';
import type { CoreContext } from '../context';
import { RunRecords } from './records';
import { isAlive, pidsWithRunId, procStat, signalQuiet, sleep } from './proc';

/**
 * Python stacks of a run's ranks, on a stall or on request (issue 22). Every rank registered
 * faulthandler on SIGUSR1 through resources/stacks/sitecustomize.py, writing to
 * <runDir>/stacks/rank<R>-<pid>.txt; we signal, wait for the text (≤ 2 s), read what was added and
 * let shared/stacks say where each rank is.
 *
 * SIGUSR1 kills a process that has no handler for it, so a process is only signalled when
 * /proc/<pid>/status shows SIGUSR1 caught *and* the file our sitecustomize opened for that pid is
 * there: then the handler is ours, not something else's.
 */
export interface StackTarget {
  rank: number;
  pid: number;
}

const SIGUSR1_BIT = 1n << 9n; // signal 10, bit 9 of the SigCgt mask (proc_pid_status(5))
const MAX_DUMP = 1 << 20;

export const stacksDirOf = (runDir: string) => join(runDir, 'stacks');
const dumpFile = (dir: string, t: StackTarget) => join(dir, `rank${t.rank}-${t.pid}.txt`);

export async function catchesSigusr1(pid: number): Promise<boolean> {
  try {
    const m = /^SigCgt:\s*([0-9a-fA-F]+)$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return !!m && (BigInt(`0x${m[1]}`) & SIGUSR1_BIT) !== 0n;
  } catch {
    return false;
  }
}

function sizeOf(file: string): number | null {
  try {
    const st = lstatSync(file);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

function readFrom(file: string, offset: number): string {
  const fd = openSync(file, 'r');
  try {
    const len = Math.max(0, Math.min(fstatSync(fd).size - offset, MAX_DUMP));
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, offset);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Worker processes of a run, one per rank (RANK in the environment; a rank's own children, e.g. data-loader workers, are skipped). */
export async function findRankPids(runId: string): Promise<StackTarget[]> {
  const pids = await pidsWithRunId(runId);
  const ranks = new Map<number, number>();
  for (const pid of pids) {
    const r = await rankOfPid(pid);
    if (r !== null) ranks.set(pid, r);
  }
  const out: StackTarget[] = [];
  for (const [pid, rank] of ranks) {
    const parent = (await procStat(pid))?.ppid ?? 0;
    if (ranks.get(parent) === rank) continue;
    out.push({ rank, pid });
  }
  return out.sort((a, b) => a.rank - b.rank);
}

async function rankOfPid(pid: number): Promise<number | null> {
  try {
    const m = /(?:^|\0)RANK=(\d+)(?:\0|$)/.exec(await readFile(`/proc/${pid}/environ`, 'latin1'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Signal every target at once, then read what each one wrote. Resolves within `timeoutMs` (+ one poll). */
export async function dumpStacks(targets: StackTarget[], dir: string, timeoutMs = 2000): Promise<RankDumpInput[]> {
  const started = await Promise.all(
    targets.map(async (t) => {
      const file = dumpFile(dir, t);
      if (!(await isAlive(t.pid))) return { t, file, before: null, error: 'gone' as const };
      const before = sizeOf(file);
      if (before === null || !(await catchesSigusr1(t.pid))) return { t, file, before: null, error: 'no-handler' as const };
      return signalQuiet(t.pid, 'SIGUSR1') ? { t, file, before, error: null } : { t, file, before: null, error: 'gone' as const };
    }),
  );
  const deadline = Date.now() + timeoutMs;
  const last = new Map<number, number>();
  const settled = new Set<number>();
  // faulthandler writes the whole dump from the signal handler in a burst: done once the file has
  // grown and then stayed the same size for one poll.
  while (Date.now() < deadline) {
    await sleep(40);
    for (const s of started) {
      if (s.before === null || settled.has(s.t.pid)) continue;
      const size = sizeOf(s.file) ?? s.before;
      if (size > s.before && last.get(s.t.pid) === size) settled.add(s.t.pid);
      last.set(s.t.pid, size);
    }
    if (started.every((s) => s.before === null || settled.has(s.t.pid))) break;
  }
  return started.map((s) => {
    if (s.before === null) return { rank: s.t.rank, pid: s.t.pid, text: null, error: s.error };
    let text: string | null = null;
    try {
      text = readFrom(s.file, s.before) || null;
    } catch {
      text = null;
    }
    return { rank: s.t.rank, pid: s.t.pid, text, error: text ? null : ('no-dump' as const) };
  });
}

/** One source line, for the classifier's "which op does this line wait on" (files are the workload's own). */
function lineReader(): (file: string, line: number) => string | null {
  const cache = new Map<string, string[] | null>();
  return (file, line) => {
    if (!cache.has(file)) {
      try {
        const st = lstatSync(file);
        cache.set(file, st.isFile() && st.size < 4 * 1024 * 1024 ? readFileSync(file, 'utf8').split('\n') : null);
      } catch {
        cache.set(file, null);
      }
    }
    return cache.get(file)?.[line - 1] ?? null;
  };
}

export interface CollectInput {
  runDir: string;
  targets: StackTarget[];
  /** clip/step of each rank at that moment. */
  progress: Map<number, { clip: number; step: number }>;
  pipeline: boolean;
  nproc: number;
  behind?: number[];
  /**
   * Progress as it is now, for a second look at a culprit that waits on no one: if its step moves
   * within `secondLookMs` it is slow, not stuck. Absent: no second look.
   */
  progressNow?: () => Map<number, { clip: number; step: number }>;
  secondLookMs?: number;
  timeoutMs?: number;
}

/** Dump, parse, explain. Never throws: a rank that cannot answer is reported as such. */
export async function collectStacks(input: CollectInput): Promise<StacksReport> {
  const t0 = Date.now();
  const dir = stacksDirOf(input.runDir);
  const dumps = await dumpStacks(input.targets, dir, input.timeoutMs ?? 2000);
  const dumpMs = Date.now() - t0;
  const sourceLine = lineReader();
  const ranks = dumps.map((d) => {
    const p = input.progress.get(d.rank);
    return rankWhere({ ...d, clip: p?.clip ?? null, step: p?.step ?? null }, { pipeline: input.pipeline, nproc: input.nproc, behind: input.behind, sourceLine });
  });
  const flight = await readFlight(input.runDir);
  let h = headline(ranks, input.behind ?? []);
  const culprit = ranks.find((r) => r.rank === h.culprit);
  if (culprit && culprit.kind === 'compute' && input.progressNow) {
    const before = input.progress.get(culprit.rank);
    const until = Date.now() + (input.secondLookMs ?? 2500);
    let moved = false;
    while (!moved && Date.now() < until) {
      await sleep(100);
      const now = input.progressNow().get(culprit.rank);
      moved = !!before && !!now && (now.clip !== before.clip || now.step !== before.step);
    }
    culprit.advancing = moved;
    if (moved) h = headline(ranks, input.behind ?? []);
  }
  return { at: new Date(t0).toISOString(), ranks, culprit: h.culprit, summary: h.text, flight, dumpMs, folder: dir };
}

/** TPP (one rank per denoising step, send/recv down the line) unless the mode says otherwise. */
export function isPipeline(recipe: Recipe | undefined, modeId: string, nproc: number): boolean {
  const mode = recipe ? findMode(recipe, modeId) : undefined;
  const layout = mode?.memoryLayout ?? (nproc > 1 ? 'tpp' : 'single');
  return layout === 'tpp';
}

export function nprocOf(rec: RunRecord): number {
  const i = rec.plan.argv.indexOf('--nproc_per_node');
  const n = i >= 0 ? Number(rec.plan.argv[i + 1]) : NaN;
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/** `dumpStacks` over the contract: works for any live run on this machine, ours or another launcher's. */
export function stacksApi(ctx: CoreContext, opts: { getRecipe?: (id: string) => Recipe | undefined } = {}): Pick<Api, 'dumpStacks'> {
  const records = new RunRecords(ctx.dataDir);
  const getRecipe = opts.getRecipe ?? defaultGetRecipe;
  return {
    dumpStacks: async ({ runId }) => {
      const rec = records.get(runId);
      if (!rec) throw new ApiFailure({ code: 'NOT_FOUND', field: 'runId', message: `no run ${runId}` });
      const targets = await findRankPids(runId);
      if (!targets.length) {
        throw new ApiFailure({ code: 'CONFLICT', field: 'runId', message: strings.en.notRunning.replace('{{runId}}', runId).replace('{{status}}', rec.status) });
      }
      const nproc = nprocOf(rec);
      const progress = progressOf(rec.progress?.ranks ?? []);
      return collectStacks({
        runDir: rec.runDir,
        targets,
        progress,
        pipeline: isPipeline(getRecipe(rec.spec.recipe), rec.spec.mode, nproc),
        nproc,
        behind: rec.stall?.last?.behind,
      });
    },
  };
}

/**
 * On a stall: the stalled ranks and one still-advancing rank for contrast. Null when nothing could
 * be asked (the stall event then goes out as before, without `where`).
 */
export async function stallStacks(
  built: BuiltPlan,
  recipe: Recipe,
  runDir: string,
  v: StallVerdict,
  workers: Map<number, { pid: number }>,
  ranks: RankProgress[],
  progressNowOf?: () => RankProgress[],
): Promise<StacksReport | null> {
  try {
    // The stalled ranks and, for contrast, the ones still advancing: all of them. A node has at most
    // 8 ranks and the dumps run in parallel, and a chain of sends and receives can only be followed
    // to its end when every link answered.
    const want = [...new Set([...v.stalled, ...v.advanced])].sort((a, b) => a - b);
    let targets = want.flatMap((rank) => (workers.has(rank) ? [{ rank, pid: workers.get(rank)!.pid }] : []));
    if (targets.length < want.length && built.plan.env.LAL_RUN_ID) {
      const found = await findRankPids(built.plan.env.LAL_RUN_ID);
      targets = found.filter((t) => want.includes(t.rank));
    }
    if (!targets.length) return null;
    return await collectStacks({
      runDir,
      targets,
      progress: progressOf(ranks),
      pipeline: isPipeline(recipe, built.mode.id, built.nproc),
      nproc: built.nproc,
      behind: v.behind,
      progressNow: progressNowOf ? () => progressOf(progressNowOf()) : undefined,
    });
  } catch {
    return null;
  }
}

/** tqdm counts finished steps; a rank that shows 2 is working on step 3. */
function progressOf(ranks: RankProgress[]): Map<number, { clip: number; step: number }> {
  return new Map(ranks.map((r) => [r.rank, { clip: r.clip, step: r.steps > 0 ? Math.min(r.step + 1, r.steps) : r.step }]));
}
