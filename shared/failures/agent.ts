/**
 * What the torchrun agent says about how each worker ended (docs/upstream-notes.md §10.10–§10.11): the
 * `failed (exitcode: N) local_rank: L (pid: P)` line of every torch version, the ChildFailedError
 * table ("Failures:" rows and the "Root Cause (first observed failure)" row, same layout in 1.13
 * and 2.x), `Sending process P closing signal SIGTERM` (victims) and the SIGTERM→SIGKILL escalation
 * (`Unable to shutdown process P via 15, forcefully exiting via 9`): those -9s are not host OOM.
 * Fed one de-decorated line at a time; state is bounded by the number of ranks.
 */
export interface WorkerExit {
  rank: number;
  exitCode: number;
  pid: number | null;
  errorFile: string | null;
  source: string;
  line: number;
  text: string;
  /** From the "Root Cause (first observed failure)" block. */
  rootCause: boolean;
}

const FAILED = /failed \(exitcode: (-?\d+)\) local_rank: (\d+) \(pid: (\d+)\)/;
const ROW_RANK = /^\s*rank\s*: (\d+) \(local_rank: (\d+)\)/;
const ROW_EXIT = /^\s*exitcode\s*: (-?\d+) \(pid: (\d+)\)/;
const ROW_ERRFILE = /^\s*error_file\s*: (.{1,400})$/;
const SIGTERM_SENT = /(?:Sending process|Closing process) (\d+) (?:closing signal|via signal) SIG(?:TERM|INT|HUP)/;
const ESCALATED = /Unable to shutdown process (\d+) via (?:\d+|Signals\.SIG\w+), forcefully exiting via (?:9|Signals\.SIGKILL)/;
const DEATH = /Received (\d+|Signals\.SIG\w+) death signal, shutting down workers/;
const MAX_RANKS = 4096;

export class AgentState {
  readonly exits = new Map<number, WorkerExit>();
  readonly terminatedPids = new Set<number>();
  readonly escalatedPids = new Set<number>();
  /** The agent itself got a signal (user pressed Ctrl-C, closed the terminal, the launcher stopped it). */
  deathSignal: { signal: string; source: string; line: number; text: string } | null = null;
  private inRoot = false;
  private row: { rank: number; exitCode?: number; pid?: number } | null = null;

  /** Cheap pre-check so the regexes run on few lines. */
  static relevant(text: string): boolean {
    return (
      text.includes('exitcode') ||
      text.includes('local_rank') ||
      text.includes('error_file') ||
      text.includes('Root Cause') ||
      text.includes('signal') ||
      text.includes('Failures:') ||
      text.startsWith('=====')
    );
  }

  feed(text: string, source: string, line: number): void {
    if (text.includes('Root Cause (first observed failure)')) {
      this.inRoot = true;
      return;
    }
    if (text.startsWith('Failures:') || text.startsWith('=====')) this.inRoot = text.startsWith('=====') ? false : this.inRoot;
    let m = FAILED.exec(text);
    if (m) {
      // local_rank is the global rank on one node, which is what this launcher runs.
      this.put({ rank: Number(m[2]), exitCode: Number(m[1]), pid: Number(m[3]), errorFile: null, source, line, text: text.trim(), rootCause: false });
      return;
    }
    if ((m = ROW_RANK.exec(text))) {
      this.row = { rank: Number(m[1]) };
      return;
    }
    if (this.row && (m = ROW_EXIT.exec(text))) {
      const prior = this.exits.get(this.row.rank);
      const exit: WorkerExit = {
        rank: this.row.rank,
        exitCode: Number(m[1]),
        pid: Number(m[2]),
        errorFile: prior?.errorFile ?? null,
        source: prior?.source ?? source,
        line: prior?.line ?? line,
        text: prior?.text ?? text.trim(),
        rootCause: this.inRoot || (prior?.rootCause ?? false),
      };
      this.put(exit);
      return;
    }
    if (this.row && (m = ROW_ERRFILE.exec(text))) {
      const e = this.exits.get(this.row.rank);
      const file = m[1].trim();
      if (e && file !== '<N/A>') e.errorFile = file;
      this.row = null;
      return;
    }
    if ((m = SIGTERM_SENT.exec(text))) {
      if (this.terminatedPids.size < MAX_RANKS) this.terminatedPids.add(Number(m[1]));
      return;
    }
    if ((m = ESCALATED.exec(text))) {
      if (this.escalatedPids.size < MAX_RANKS) this.escalatedPids.add(Number(m[1]));
      return;
    }
    if ((m = DEATH.exec(text))) this.deathSignal = { signal: m[1].replace('Signals.', ''), source, line, text: text.trim() };
  }

  private put(e: WorkerExit): void {
    if (this.exits.size >= MAX_RANKS && !this.exits.has(e.rank)) return;
    this.exits.set(e.rank, e);
  }

  rankOfPid(pid: number): number | null {
    for (const e of this.exits.values()) if (e.pid === pid) return e.rank;
    return null;
  }

  /**
   * A victim was stopped because of someone else: SIGTERM/SIGINT/SIGHUP from the agent (exit -15,
   * -2, -1), or SIGKILL after SIGTERM did not end it in time. Never the root cause (§0.3).
   */
  isVictim(e: WorkerExit): boolean {
    if (e.exitCode === -15 || e.exitCode === -2 || e.exitCode === -1) return true;
    if (e.exitCode === -9 && e.pid !== null && this.escalatedPids.has(e.pid)) return true;
    return false;
  }

  rootCauseRank(): number | null {
    for (const e of this.exits.values()) if (e.rootCause && !this.isVictim(e)) return e.rank;
    return null;
  }
}
