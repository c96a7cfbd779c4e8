import { existsSync, statSync } from 'node:fs';
import type { Diagnosis } from '../../../shared/failures/types';
import type { RunRecord, TeardownReport } from '../../../shared/run/types';
import { rankExitDiagnosis } from '../../../shared/failures/verdict';
import { explainOffThread } from '../explain/pool';

/**
 * Finalising a run once its process has gone: the end status, the diagnoses, the last record.
 * Pure decisions apart from `diagnoseRunFolder` (the explainer's worker thread) and the output
 * file check, both injectable so the rules are testable without a run.
 */

export type StopReason = 'user' | 'stall' | 'shutdown';
export type EndStatus = 'succeeded' | 'failed' | 'stopped';

export interface EndingInput {
  stopReason: StopReason | null;
  exitCode: number | null;
  /** The file the workload was told to write (`--save_file`), if any. */
  saveFile: string | null | undefined;
  /** The companions never became ready: their own diagnosis already says why. */
  companionStartFailed: boolean;
  /** Whether the output exists and is non-empty; the file system by default. */
  outputOk?: (file: string) => boolean;
}

export interface Ending {
  status: EndStatus;
  /** Diagnoses the ending itself implies (a "success" without its output file). */
  diagnoses: Diagnosis[];
  /** Whether to ask the failure explainer about the run folder. */
  explain: boolean;
}

const nonEmptyFile = (file: string): boolean => existsSync(file) && statSync(file).size > 0;

/** A stop by the user or at shutdown is `stopped`; a stall stop is a failure the stall rule already worded. */
export function decideEnding(input: EndingInput): Ending {
  const { stopReason, exitCode, saveFile } = input;
  let status: EndStatus;
  if (stopReason === 'user' || stopReason === 'shutdown') status = 'stopped';
  else if (stopReason === 'stall') status = 'failed';
  else status = exitCode === 0 ? 'succeeded' : 'failed';
  const diagnoses: Diagnosis[] = [];
  if (status === 'succeeded' && saveFile && !(input.outputOk ?? nonEmptyFile)(saveFile)) {
    // Exit 0 without the video is no success: the user would look for a file that is not there.
    status = 'failed';
    diagnoses.push({ code: 'OUTPUT_MISSING', rank: null, evidence: null, fields: { file: saveFile } });
  }
  const explain = status === 'failed' && stopReason !== 'stall' && !input.companionStartFailed;
  return { status, diagnoses, explain };
}

/**
 * Ask the failure explainer about the run folder (every rank's log, the console, error.json), on
 * its worker thread, with the launcher's own process-exit times as its second clock and its progress
 * tracker's order (least advanced rank first) to tell a rank that fell behind from one stopped early. Its one
 * root-cause picker (shared/failures/verdict.ts) also names the exit line shown with the first
 * card; no second opinion here.
 */
export async function diagnoseRunFolder(
  runDir: string,
  exitTimes: Array<[number, number]>,
  progressOrder: number[],
  explain: typeof explainOffThread = explainOffThread,
): Promise<Diagnosis[]> {
  try {
    const rep = await explain({ kind: 'folder', dir: runDir, exitTimes, progressOrder });
    return rep.rootExit ? [...rep.diagnoses, rankExitDiagnosis(rep.rootExit)] : [...rep.diagnoses];
  } catch {
    // A log the explainer cannot read must not fail the run's own bookkeeping.
    return [];
  }
}

export interface WorkerSeen {
  pid: number;
  startTime: string | null;
}

/** The record's worker list: rank order, with each rank's exit time where the watcher saw it go. */
export function workerList(workers: ReadonlyMap<number, WorkerSeen>, goneAt: ReadonlyMap<number, number>): NonNullable<RunRecord['workers']> {
  return [...workers]
    .map(([rank, w]) => ({ rank, pid: w.pid, startTime: w.startTime, ...(goneAt.has(rank) ? { exitedAtMs: goneAt.get(rank) } : {}) }))
    .sort((a, b) => a.rank - b.rank);
}

/** The last record of a run: its status, exit, the teardown's report and who ran as which rank. */
export function finalRecord(
  record: RunRecord,
  end: { status: EndStatus; exitCode: number | null; signal: string | null; teardown: TeardownReport; workers: NonNullable<RunRecord['workers']> },
  now: Date = new Date(),
): RunRecord {
  return { ...record, status: end.status, exitCode: end.exitCode, signal: end.signal, endedAt: now.toISOString(), teardown: end.teardown, workers: end.workers };
}
