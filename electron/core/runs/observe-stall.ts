import { judgeStall, type StallRule, type StallVerdict } from '../../../shared/progress/stall';
import type { RankProgress } from '../../../shared/run/types';

/**
 * Observation, part three: the stall rule applied every tick (shared/progress/stall.ts), raised
 * once per new set of stuck ranks, so a hang is one event and one card rather than one a tick.
 */
export class StallWatch {
  private lastKey = '';

  constructor(
    readonly rule: StallRule,
    private readonly startedAtMs: number,
  ) {}

  /**
   * A verdict when the set of stalled ranks changed to a non-empty one, else null. A rank counts as
   * finished once it has all its bars or the worker watch saw its process go.
   */
  check(snap: { clips: number; ranks: RankProgress[] }, barsPerClip: number, gone: ReadonlyMap<number, number>, now: number = Date.now()): StallVerdict | null {
    const total = snap.clips * barsPerClip;
    const finished = (rank: number) => (snap.ranks[rank]?.barsDone ?? 0) >= total || gone.has(rank);
    const firstClip = (rank: number) => (snap.ranks[rank]?.barsDone ?? 0) < barsPerClip;
    const v = judgeStall(snap.ranks, now, this.startedAtMs, this.rule, finished, firstClip);
    if (!v.stalled.length) {
      this.lastKey = '';
      return null;
    }
    const key = v.stalled.join(',');
    if (key === this.lastKey) return null;
    this.lastKey = key;
    return v;
  }
}
