import type { Diagnosis } from '../../../shared/failures/types';
import type { Lang } from '../../../shared/i18n';
import { tr } from './text';

/**
 * What torchrun itself says about how each worker ended (docs/upstream-notes.md §10.10): the
 * `failed (exitcode: N) local_rank: L (pid: P)` line (all versions' logger prefixes) and the
 * ChildFailedError table. Used for the RANK_EXIT summary; the failure explainer says *why*.
 */
export interface WorkerExit {
  rank: number;
  exitCode: number;
  pid: number | null;
  line: number;
  text: string;
}

const FAILED = /failed \(exitcode: (-?\d+)\) local_rank: (\d+) \(pid: (\d+)\)/;
const ROW_RANK = /^\s*rank\s*:\s*(\d+) \(local_rank: (\d+)\)/;
const ROW_EXIT = /^\s*exitcode\s*:\s*(-?\d+) \(pid: (\d+)\)/;

export function parseWorkerExits(console: string): { exits: WorkerExit[]; rootCause: WorkerExit | null } {
  const exits: WorkerExit[] = [];
  let rootCause: WorkerExit | null = null;
  let inRoot = false;
  let pendingRank: number | null = null;
  const lines = console.split(/\r?\n|\r/);
  lines.forEach((raw, i) => {
    const line = raw.replace(/^\[[A-Za-z_]+\d+\]:/, '');
    const f = FAILED.exec(line);
    if (f) exits.push({ rank: Number(f[2]), exitCode: Number(f[1]), pid: Number(f[3]), line: i + 1, text: line.trim() });
    if (/Root Cause \(first observed failure\)/.test(line)) inRoot = true;
    const r = ROW_RANK.exec(line);
    if (r) pendingRank = Number(r[1]);
    const e = ROW_EXIT.exec(line);
    if (e && pendingRank !== null) {
      const row = { rank: pendingRank, exitCode: Number(e[1]), pid: Number(e[2]), line: i + 1, text: line.trim() };
      if (!exits.some((x) => x.rank === row.rank)) exits.push(row);
      if (inRoot && !rootCause) rootCause = row;
      pendingRank = null;
    }
  });
  return { exits, rootCause };
}

/** Exit codes of ranks that were stopped because of someone else (docs/upstream-notes.md §9.3). */
const VICTIM = new Set([-15, -2, -1]);

/**
 * The rank that failed first. torchrun's "Root Cause" is only the first exit it noticed, which can
 * be a victim; the launcher's own watcher saw when each worker process disappeared, so the earliest
 * non-victim death wins, then torchrun's pick, then the lowest non-victim rank.
 */
export function pickRootCause(exits: WorkerExit[], rootCause: WorkerExit | null, goneAt: Map<number, number>): WorkerExit | null {
  const real = exits.filter((x) => !VICTIM.has(x.exitCode));
  if (!real.length) return rootCause ?? exits[0] ?? null;
  const timed = real.filter((x) => goneAt.has(x.rank)).sort((a, b) => goneAt.get(a.rank)! - goneAt.get(b.rank)! || a.rank - b.rank);
  if (timed.length) {
    const first = goneAt.get(timed[0].rank)!;
    const tied = timed.filter((x) => goneAt.get(x.rank)! === first);
    if (tied.length === 1) return tied[0];
    if (rootCause && tied.some((x) => x.rank === rootCause!.rank)) return tied.find((x) => x.rank === rootCause!.rank)!;
    return tied[0];
  }
  if (rootCause && real.some((x) => x.rank === rootCause!.rank)) return real.find((x) => x.rank === rootCause!.rank)!;
  return real.sort((a, b) => a.rank - b.rank)[0];
}

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 11: 'SIGSEGV', 15: 'SIGTERM' };

export function rankExitDiagnosis(x: WorkerExit, lang: Lang, file: string): Diagnosis {
  const signal = x.exitCode < 0 ? ` (${SIGNALS[-x.exitCode] ?? `signal ${-x.exitCode}`})` : '';
  const meaningKey = ['1', '2', '-6', '-7', '-9', '-11', '-15'].includes(String(x.exitCode)) ? String(x.exitCode) : 'other';
  const vars = { rank: x.rank, code: x.exitCode, signal };
  return {
    code: 'RANK_EXIT',
    rank: x.rank,
    title: tr(lang, 'diag.rankExitTitle', vars),
    explanation: tr(lang, 'diag.rankExitExplain', { ...vars, meaning: tr(lang, `diag.meaning.${meaningKey}`) }),
    fix: tr(lang, 'diag.rankExitFix', vars),
    evidence: { file, line: x.line, text: x.text },
    fields: { exitCode: x.exitCode, ...(x.pid ? { pid: x.pid } : {}), ...(signal ? { signal: signal.trim().slice(1, -1) } : {}) },
  };
}
