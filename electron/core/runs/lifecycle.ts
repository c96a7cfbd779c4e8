import { StringDecoder } from 'node:string_decoder';
import type { RunPlan, TeardownReport } from '../../../shared/run/types';
import { launch, type Launched } from './launcher';
import { teardown as realTeardown, type TeardownOptions } from './teardown';
import { procStartTimeSync } from './proc';

/**
 * Process lifecycle of one run's ranks: spawn torchrun (detached group, pdeathsig), hand its
 * console bytes on, stop it on request (SIGTERM agent → SIGKILL group → sweep, teardown.ts), and
 * after it exits sweep whatever it left. Knows nothing of progress or diagnoses.
 */

/** What proves a process is this run's at teardown time: the pids the worker watch saw, the GPU's compute apps. */
export interface TeardownEvidence {
  knownPids: number[];
  computeApps: TeardownOptions['computeApps'];
}

/** The agent as the record keeps it: pid, its group (detached, so the same), and its start time. */
export interface AgentIds {
  pid: number | null;
  pgid: number | null;
  procStartTime: string | null;
}

export interface RankExit {
  exitCode: number | null;
  signal: string | null;
  /** Why the spawn itself failed (missing interpreter, cwd), else null. */
  spawnError: string | null;
}

export class RankProcess {
  private launched: Launched | null = null;
  /** Settles when the torchrun process itself has exited (before the session's own exit handling). */
  private exited: Promise<unknown> | null = null;
  private stopping: Promise<TeardownReport> | null = null;

  constructor(
    private readonly runId: string,
    private readonly opts: { graceMs?: number; pdeathsig?: boolean; teardown?: typeof realTeardown; launch?: typeof launch } = {},
  ) {}

  private get graceMs(): number {
    return this.opts.graceMs ?? 3000;
  }

  /**
   * Start the ranks. `onBytes` gets every console byte (stdout and stderr) with its UTF-8 decoding
   * so far; `onExit` runs once torchrun has exited. Returns the agent's ids; pid null when the spawn failed.
   */
  spawn(plan: RunPlan, onBytes: (raw: Buffer, text: string) => void, onExit: (e: RankExit) => void): AgentIds {
    this.launched = (this.opts.launch ?? launch)(plan, { pdeathsig: this.opts.pdeathsig });
    const { child, pid } = this.launched;
    for (const s of [child.stdout, child.stderr]) {
      const dec = new StringDecoder('utf8');
      s?.on('data', (b: Buffer) => onBytes(b, dec.write(b)));
    }
    this.exited = child.then(() => undefined, () => undefined);
    void child.then((result) =>
      onExit({ exitCode: result.exitCode ?? null, signal: result.signal ?? null, spawnError: result.failed && result.exitCode === undefined ? String(result.message) : null }),
    );
    // Detached: the child leads its own group.
    return pid !== null && pid > 1 ? { pid, pgid: pid, procStartTime: procStartTimeSync(pid) } : { pid: null, pgid: null, procStartTime: null };
  }

  get stopRequested(): boolean {
    return this.stopping !== null;
  }

  /** Begin the teardown once (later calls are no-ops); its report is what `finish` returns. */
  stop(ids: AgentIds, evidence: TeardownEvidence): void {
    if (this.stopping) return;
    this.stopping = (this.opts.teardown ?? realTeardown)({
      runId: this.runId,
      pid: ids.pid,
      pgid: ids.pgid,
      startTime: ids.procStartTime,
      exited: this.exited ?? undefined,
      graceMs: this.graceMs,
      knownPids: evidence.knownPids,
      computeApps: evidence.computeApps,
    });
  }

  /**
   * After exit: the stop's report, or a sweep of whatever the agent left behind (torch 2.x workers
   * live in their own sessions) with the agent known gone, so no grace and no signal to its pid.
   */
  finish(ids: AgentIds, evidence: TeardownEvidence): Promise<TeardownReport> {
    if (this.stopping) return this.stopping;
    return (this.opts.teardown ?? realTeardown)({
      runId: this.runId,
      pid: null,
      pgid: ids.pgid,
      startTime: null,
      agentGone: true,
      graceMs: 0,
      knownPids: evidence.knownPids,
      computeApps: evidence.computeApps,
    });
  }
}
