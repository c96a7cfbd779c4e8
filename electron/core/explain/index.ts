import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { WorkerExit } from '../../../shared/failures/agent';
import { Explainer } from '../../../shared/failures/explain';
import type { Diagnosis } from '../../../shared/failures/types';
import type { DecideOptions } from '../../../shared/failures/verdict';
import { progressOrder } from '../../../shared/progress/order';
import { recordedVerdict } from '../../../shared/failures/diagnosis-schema';
import { applyCompanionLogs, type CompanionLogFacts } from '../../../shared/failures/companion';
import { withFlightRecorder } from '../../../shared/failures/flight-evidence';
import { badInput, feedFile, isDir, isFile, looksBinary, rankFilesOf, readRegularFile, type ExplainNote } from './files';
import { readFlight } from './flight';

export type { ExplainNote } from './files';

export interface ExplainReport {
  /** Root cause first; empty when nothing looked wrong. */
  diagnoses: Diagnosis[];
  /** Files skipped or read with a caveat (empty, binary inside a run folder, very long lines). */
  notes: ExplainNote[];
  /** What was read: file label, lines, bytes. */
  scanned: { file: string; lines: number; bytes: number }[];
  /** torchrun's exit line of the blamed rank (the run view folds it into the first card). */
  rootExit: WorkerExit | null;
}

export interface FolderOptions {
  /**
   * When the launcher saw each rank's process end (ms). Omitted: read from the folder's run.json
   * (`workers[].exitedAtMs`), so a re-explained run folder is judged by the same clock as the run.
   */
  exitTimes?: ReadonlyMap<number, number>;
  /** Ranks least advanced first (shared/progress/order.ts). Omitted: from the folder's run.json `progress`. */
  progressOrder?: readonly number[];
}

type Clocks = Pick<DecideOptions, 'exitTimes' | 'progressOrder'>;

function report(ex: Explainer, notes: ExplainNote[], clocks: Clocks = {}): ExplainReport {
  const stats = ex.stats();
  for (const s of stats) {
    if (s.longLines) notes.push({ file: s.name, kind: 'long-lines', message: `${s.longLines} line(s) longer than 16 KiB were read in pieces` });
  }
  const v = ex.verdict(clocks);
  return { diagnoses: v.diagnoses, notes, scanned: stats.map((s) => ({ file: s.name, lines: s.lines, bytes: s.bytes })), rootExit: v.rootExit };
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * What a run folder's run.json recorded that the picker uses as clocks: each worker's exit time and
 * each rank's progress. Someone else's file: only well-typed entries count, and none is required.
 */
function recordedClocks(rec: unknown): { exitTimes: Map<number, number>; progressOrder: number[] } {
  const exitTimes = new Map<number, number>();
  const ranks: { rank: number; barsDone: number; step: number; lastProgressAt: number | null }[] = [];
  const r = (rec && typeof rec === 'object' ? rec : {}) as { workers?: unknown; progress?: { ranks?: unknown } | null };
  for (const w of Array.isArray(r.workers) ? (r.workers as ({ rank?: unknown; exitedAtMs?: unknown } | null)[]) : []) {
    if (num(w?.rank) && num(w.exitedAtMs)) exitTimes.set(w.rank, w.exitedAtMs);
  }
  const progress = r.progress && Array.isArray(r.progress.ranks) ? (r.progress.ranks as ({ rank?: unknown; barsDone?: unknown; step?: unknown; lastProgressAt?: unknown } | null)[]) : [];
  for (const p of progress) {
    if (num(p?.rank) && num(p.step)) ranks.push({ rank: p.rank, step: p.step, barsDone: num(p.barsDone) ? p.barsDone : 0, lastProgressAt: num(p.lastProgressAt) ? p.lastProgressAt : null });
  }
  return { exitTimes, progressOrder: progressOrder(ranks) };
}

/** The folder's run.json, parsed; null when there is none or it is not a small JSON file. */
async function runJsonOf(dir: string): Promise<unknown> {
  const buf = await readRegularFile(join(dir, 'run.json'), 8 * 1024 * 1024);
  if (!buf) return null;
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

async function feedRunFolder(ex: Explainer, dir: string, notes: ExplainNote[], labelBase: string): Promise<void> {
  const label = (p: string) => join(labelBase, relative(dir, p));
  // Per-rank files first: their rank is certain, so their lines become the evidence.
  for (const f of await rankFilesOf(dir)) await feedFile(ex, f.path, label(f.path), f.rank, notes);
  const consoleLog = join(dir, 'console.log');
  if (await isFile(consoleLog)) await feedFile(ex, consoleLog, label(consoleLog), null, notes);
  if (!ex.stats().length) notes.push({ file: labelBase, kind: 'no-logs', message: 'no console.log, no logs/ folder and no torchrun per-rank logs' });
}

/** A run folder (`run.json`, `console.log`, `logs/`), as the run manager lays it out. */
export async function explainRunFolder(dir: string, opts: FolderOptions = {}): Promise<Diagnosis[]> {
  return (await explainRunFolderReport(dir, opts)).diagnoses;
}

export async function explainRunFolderReport(dir: string, opts: FolderOptions = {}): Promise<ExplainReport> {
  if (!(await isDir(dir))) throw badInput(dir, 'not a folder');
  const ex = new Explainer();
  const notes: ExplainNote[] = [];
  await feedRunFolder(ex, resolve(dir), notes, dir);
  const runJson = await runJsonOf(dir);
  const fromRecord = recordedClocks(runJson);
  const rep = report(ex, notes, { exitTimes: opts.exitTimes ?? fromRecord.exitTimes, progressOrder: opts.progressOrder ?? fromRecord.progressOrder });
  // A run the launcher finished keeps the verdict it recorded (a stall it stopped leaves nothing in
  // the logs), so `lal explain <folder>`, the run view and `lal explain` by id say the same.
  const recorded = runJson === null ? null : recordedVerdict(runJson);
  if (recorded) return { ...rep, diagnoses: recorded };
  // Companion services (Step-Video's caption/VAE server): a slow or dead one explains the ranks' timeouts.
  const withCompanions = applyCompanionLogs(await companionLogs(dir), rep.diagnoses);
  // The NCCL flight recorder's dumps, when the watchdog wrote them (the launcher turns it on).
  const hasTimeout = withCompanions.some((d) => d.code === 'NCCL_WATCHDOG_TIMEOUT');
  return { ...rep, diagnoses: hasTimeout ? withFlightRecorder(withCompanions, await readFlight(dir)) : withCompanions };
}

/** The last 512 KiB of each `companions/<name>.log` (electron/core/runs/companions.ts writes them). */
async function companionLogs(dir: string): Promise<CompanionLogFacts[]> {
  const out: CompanionLogFacts[] = [];
  const names = await readdir(join(dir, 'companions')).catch(() => [] as string[]);
  for (const n of names.filter((x) => /^[\w.-]{1,64}\.log$/.test(x)).sort()) {
    const buf = await readRegularFile(join(dir, 'companions', n), 512 * 1024, { tail: true });
    if (buf) out.push({ name: n.slice(0, -4), port: 0, logText: buf.toString('utf8'), logFile: `companions/${n}` });
  }
  return out;
}

/**
 * For `lal explain`: files (a combined log or per-rank logs) and run folders, all in one verdict.
 * A missing path or a binary file given by name is bad input (named in the error); an empty file
 * is a note.
 */
export async function explainPaths(paths: string[]): Promise<ExplainReport> {
  if (!paths.length) throw badInput('paths', 'give at least one log file or run folder');
  // One folder: read as the run view reads a run (its recorded verdict, its companions' logs).
  if (paths.length === 1 && (await isDir(paths[0]))) return explainRunFolderReport(paths[0]);
  const ex = new Explainer();
  const notes: ExplainNote[] = [];
  const exitTimes = new Map<number, number>();
  let order: number[] = [];
  for (const p of paths) {
    if (await isDir(p)) {
      await feedRunFolder(ex, resolve(p), notes, p);
      const clocks = recordedClocks(await runJsonOf(p));
      for (const [r, t] of clocks.exitTimes) exitTimes.set(r, t);
      if (!order.length) order = clocks.progressOrder;
      continue;
    }
    if (!(await isFile(p))) throw badInput(p, 'no such file or folder');
    if (!p.endsWith('error.json') && (await looksBinary(p))) throw badInput(p, 'binary file, not a log');
    await feedFile(ex, p, p, rankFromPath(p), notes);
  }
  return report(ex, notes, { exitTimes, progressOrder: order });
}

/** `…/attempt_0/3/stderr.log` belongs to rank 3. */
function rankFromPath(p: string): number | null {
  const m = /attempt_\d+[/\\](\d+)[/\\][^/\\]+$/.exec(p);
  return m ? Number(m[1]) : null;
}

/** The folder of a run id: the index/run.json's `runDir` if the output folder moved it. */
export async function runDirOf(dataDir: string, runId: string, recordDir: string | null): Promise<string> {
  const base = join(dataDir, 'runs', runId);
  const candidates = [recordDir, base].filter((d): d is string => !!d);
  for (const d of candidates) {
    // No record: the folder itself is still readable.
    const rec = (await runJsonOf(d)) as { runDir?: unknown } | null;
    if (rec && typeof rec.runDir === 'string' && rec.runDir !== d && (await isDir(rec.runDir))) return rec.runDir;
    if (await isDir(d)) return d;
  }
  return base;
}
