/** One Python frame as faulthandler prints it: `File "<file>", line <line> in <func>`. */
export interface StackFrame {
  file: string;
  line: number;
  func: string;
}

/** One thread of a dump; frames innermost first, as faulthandler writes them. */
export interface ThreadStack {
  id: string;
  /** faulthandler's "Current thread": the one the signal landed on, not necessarily the main one. */
  current: boolean;
  frames: StackFrame[];
}

/** A known phase a rank can sit in for a long time without being stuck on a peer. */
export type StackPhase = 'compile' | 'vae_decode' | 'save' | 'data_loader' | 'loading';

/**
 * What one rank was doing when its stack was taken.
 * - comm: blocked in a collective or point-to-point op (`op`, and `peer` when the layout tells);
 * - phase: inside a known long phase (compile, VAE decode, save, data loader, loading weights);
 * - compute: none of those: still computing in `func`;
 * - none: no stack came back (`error` says why).
 */
export interface RankWhere {
  rank: number;
  pid: number | null;
  kind: 'comm' | 'phase' | 'compute' | 'none';
  /** `dist.recv`, `dist.all_reduce`, `work.wait`… */
  op: string | null;
  phase: StackPhase | null;
  /** The innermost frame of the main thread's Python stack. */
  func: string | null;
  /** The frame in the workload's own code that led there: where to look. */
  site: StackFrame | null;
  /** The rank this one waits for, when the layout tells (TPP: recv from rank r-1). */
  peer: number | null;
  /** Progress of the rank at that moment, from its tqdm bars. */
  clip: number | null;
  step: number | null;
  /** Main thread, innermost first (at most 40 frames). */
  frames: StackFrame[];
  /** Every thread of the dump (for the per-rank view). */
  threads: ThreadStack[];
  error: 'no-handler' | 'no-dump' | 'gone' | null;
  /**
   * Did its progress move during a second look a moment later? true: slow, not stuck; false: no;
   * null: not looked at again (only the culprit is, when it is not waiting on anyone).
   */
  advancing?: boolean | null;
}

/** Last NCCL work one rank's flight recorder saw (torch >= 2.2, written on a watchdog timeout). */
export interface FlightRank {
  rank: number;
  file: string;
  lastEnqueued: FlightEntry | null;
  lastCompleted: FlightEntry | null;
}

export interface FlightEntry {
  seq: number | null;
  op: string;
  pg: string | null;
  state: string | null;
}

/** The explanation of a stall (or of a "Where is it now?" request), in both languages. */
export interface StacksReport {
  at: string;
  ranks: RankWhere[];
  /** The rank the headline is about (the one the others wait for), when one stands out. */
  culprit: number | null;
  summary: { en: string; zh: string };
  flight: FlightRank[];
  /** Signal to last dump read, milliseconds. */
  dumpMs: number;
  /** Where the dumps are, for the user to open. */
  folder: string;
}
