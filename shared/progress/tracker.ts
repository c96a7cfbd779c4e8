import type { ProgressFigures, RankPhase, RankProgress, RunProgress } from '../run/types';
import type { Segment } from './lines';
import { parseTqdm, type TqdmState } from './tqdm';
import { median } from './stats';

/**
 * Turns per-rank output segments into clip i/N, step, phase, FPS and ETA.
 *
 * Live Avatar prints no clip index (upstream-notes §5.3): each rank draws one tqdm bar per block
 * over the sampling steps, so clip = finished bars / bars per clip, counted on the ranks the recipe
 * names (`frameRanks`: the VAE rank in TPP, rank 0 single-GPU). FPS = frames per bar / time
 * between bars on those ranks, leaving out the first clip when later ones exist, because it
 * includes torch.compile (§5.3). Bars with a description (`Loading checkpoint shards: ...`) are
 * loading activity, not blocks.
 */
export interface TrackerConfig {
  nproc: number;
  /** Expected clips (N); grows if more bars arrive than expected. */
  clips: number;
  barsPerClip: number;
  frameRanks: number[];
  framesPerBar: number;
  realtimeFps: number;
  phases: { phase: 'loading' | 'compiling' | 'generating' | 'saving' | 'done'; match: string }[];
}

export interface ProgressUpdate extends ProgressFigures {
  rank: number;
}

export type TrackerEvent = { kind: 'phase'; rank: number; phase: RankPhase } | { kind: 'progress'; update: ProgressUpdate; barDone: boolean };

interface RankState {
  phase: RankPhase;
  barsDone: number;
  step: number;
  steps: number;
  /** The bar on screen has reached n == total and was counted. */
  barClosed: boolean;
  barOpen: boolean;
  lastProgressAt: number | null;
  /** Seconds between consecutive step advances. */
  stepIntervals: number[];
  /** Time each counted bar finished (ms). */
  barTimes: number[];
}

const KEEP = 64;

export class ProgressTracker {
  private readonly ranks: RankState[];
  private clips: number;
  private perCache: { state: RankState; bars: number; bpc: number; value: number | null } | null = null;
  private readonly cfg: TrackerConfig;

  constructor(cfg: TrackerConfig) {
    this.cfg = { ...cfg, frameRanks: [...cfg.frameRanks], phases: [...cfg.phases] };
    this.clips = Math.max(1, cfg.clips);
    this.ranks = Array.from({ length: cfg.nproc }, () => ({
      phase: 'starting' as RankPhase,
      barsDone: 0,
      step: 0,
      steps: 0,
      barClosed: false,
      barOpen: false,
      lastProgressAt: null,
      stepIntervals: [],
      barTimes: [],
    }));
  }

  /** Feed one segment of one rank's output, seen at time `t` (ms). */
  feed(rank: number, seg: Segment, t: number): TrackerEvent[] {
    const st = this.ranks[rank];
    if (!st) return [];
    const out: TrackerEvent[] = [];
    const bar = parseTqdm(seg.text);
    if (bar) {
      this.onBar(rank, st, bar, t, out);
      return out;
    }
    if (seg.kind === 'line') {
      for (const p of this.cfg.phases) {
        if (p.match && seg.text.includes(p.match)) {
          this.setPhase(rank, st, p.phase, out);
          break;
        }
      }
    }
    return out;
  }

  private onBar(rank: number, st: RankState, bar: TqdmState, t: number, out: TrackerEvent[]): void {
    if (bar.desc) {
      // Checkpoint shards and similar: the rank is loading, which is not frame progress.
      if (st.phase === 'starting') this.setPhase(rank, st, 'loading', out);
      return;
    }
    const newBar = !st.barOpen || bar.n < st.step || (st.barClosed && bar.n < bar.total);
    let advanced = false;
    if (newBar) {
      st.barOpen = true;
      st.barClosed = false;
      advanced = bar.n > 0;
    } else if (bar.n > st.step) {
      advanced = true;
    }
    st.step = bar.n;
    st.steps = bar.total;
    let barDone = false;
    if (bar.n >= bar.total && !st.barClosed) {
      st.barClosed = true;
      st.barsDone++;
      st.barTimes.push(t);
      if (st.barTimes.length > KEEP) st.barTimes.shift();
      barDone = true;
      advanced = true;
    }
    if (st.phase !== 'generating' && st.phase !== 'saving' && st.phase !== 'done') this.setPhase(rank, st, 'generating', out);
    if (advanced) {
      if (st.lastProgressAt !== null) {
        st.stepIntervals.push((t - st.lastProgressAt) / 1000);
        if (st.stepIntervals.length > KEEP) st.stepIntervals.shift();
      }
      st.lastProgressAt = t;
    }
    const need = Math.ceil(st.barsDone / this.cfg.barsPerClip);
    if (need > this.clips) this.clips = need;
    out.push({ kind: 'progress', update: this.rankUpdate(rank), barDone });
  }

  private setPhase(rank: number, st: RankState, phase: RankPhase, out: TrackerEvent[]): void {
    if (st.phase === phase) return;
    st.phase = phase;
    out.push({ kind: 'phase', rank, phase });
  }

  /**
   * The workload told us its real shape (the rehearsal's `LAL_PLAN {"geometry": {"clips", "num_blocks"}}`):
   * upstream caps clips by the audio length, which the launcher cannot know from the flags alone.
   */
  setShape(shape: { clips?: number; barsPerClip?: number }): void {
    if (shape.clips && shape.clips > 0) this.clips = Math.max(shape.clips, Math.ceil(Math.max(...this.ranks.map((r) => r.barsDone)) / this.cfg.barsPerClip));
    if (shape.barsPerClip && shape.barsPerClip > 0) this.cfg.barsPerClip = shape.barsPerClip;
  }

  get barsPerClip(): number {
    return this.cfg.barsPerClip;
  }

  /** The rank's process ended; `ok` says whether it exited cleanly. */
  finishRank(rank: number, ok: boolean): TrackerEvent[] {
    const st = this.ranks[rank];
    if (!st) return [];
    const out: TrackerEvent[] = [];
    // A rank that already said it finished stays done even if a sibling failed the run afterwards.
    if (st.phase !== 'done') this.setPhase(rank, st, ok ? 'done' : 'failed', out);
    return out;
  }

  private rankUpdate(rank: number): ProgressUpdate {
    const st = this.ranks[rank];
    const run = this.runFigures();
    const total = this.clips * this.cfg.barsPerClip;
    const partial = st.barClosed || st.steps === 0 ? 0 : st.step / st.steps;
    const done = Math.min(total, st.barsDone);
    return {
      rank,
      clip: clipOf(st.barsDone, st.barClosed, this.cfg.barsPerClip, this.clips),
      clips: this.clips,
      step: st.step,
      steps: st.steps,
      fraction: Math.min(1, (done + partial) / total),
      fps: run.fps,
      etaSec: run.etaSec,
    };
  }

  /** The ranks whose bars count frames, among those that exist. */
  private frameStates(): RankState[] {
    const picked = this.cfg.frameRanks.map((r) => this.ranks[r]).filter((s): s is RankState => !!s);
    return picked.length ? picked : this.ranks.slice(0, 1);
  }

  private runFigures(): { fps: number | null; etaSec: number | null; fraction: number; clip: number; step: number; steps: number } {
    const frames = this.frameStates();
    // The slowest counting rank bounds what is really finished.
    const st = frames.reduce((a, b) => (b.barsDone < a.barsDone ? b : a));
    const total = this.clips * this.cfg.barsPerClip;
    const per = this.secondsPerBar(st);
    const fps = per && per > 0 ? this.cfg.framesPerBar / per : null;
    const remaining = Math.max(0, total - st.barsDone);
    const partial = st.barClosed || st.steps === 0 ? 0 : st.step / st.steps;
    return {
      fps,
      etaSec: remaining === 0 ? 0 : per !== null ? Math.max(0, (remaining - partial) * per) : null,
      fraction: Math.min(1, (Math.min(total, st.barsDone) + partial) / total),
      clip: clipOf(st.barsDone, st.barClosed, this.cfg.barsPerClip, this.clips),
      step: st.step,
      steps: st.steps,
    };
  }

  /** Median seconds between finished bars, cached until the next bar finishes (feed() is the hot path). */
  private secondsPerBar(st: RankState): number | null {
    if (this.perCache && this.perCache.state === st && this.perCache.bars === st.barsDone && this.perCache.bpc === this.cfg.barsPerClip) return this.perCache.value;
    const intervals: number[] = [];
    for (let i = 1; i < st.barTimes.length; i++) intervals.push((st.barTimes[i] - st.barTimes[i - 1]) / 1000);
    // barTimes keeps the last KEEP bars: index i is bar number (barsDone - len + i + 1).
    const offset = st.barsDone - st.barTimes.length;
    const steady = intervals.filter((_, i) => offset + i + 2 > this.cfg.barsPerClip);
    const positive = (xs: number[]) => xs.filter((x) => x > 0);
    const value = median(positive(steady).length ? positive(steady) : positive(intervals), 16);
    this.perCache = { state: st, bars: st.barsDone, bpc: this.cfg.barsPerClip, value };
    return value;
  }

  /** The whole run as the record and the UI show it. */
  snapshot(): RunProgress {
    const run = this.runFigures();
    const ranks: RankProgress[] = this.ranks.map((st, rank) => ({
      rank,
      phase: st.phase,
      clip: clipOf(st.barsDone, st.barClosed, this.cfg.barsPerClip, this.clips),
      clips: this.clips,
      step: st.step,
      steps: st.steps,
      lastProgressAt: st.lastProgressAt,
      barsDone: st.barsDone,
      medianStepSec: median(st.stepIntervals, 32),
    }));
    return {
      clip: run.clip,
      clips: this.clips,
      step: run.step,
      steps: run.steps,
      fraction: run.fraction,
      fps: run.fps,
      realtimeFps: this.cfg.realtimeFps,
      etaSec: run.etaSec,
      phase: runPhase(ranks.map((r) => r.phase)),
      ranks,
    };
  }

  /** True once every counting rank has drawn all expected bars. */
  allFramesDone(): boolean {
    const total = this.clips * this.cfg.barsPerClip;
    return this.frameStates().every((s) => s.barsDone >= total);
  }
}

/** 1-based clip being worked on; the last one stays shown once it is done. */
function clipOf(barsDone: number, barClosed: boolean, barsPerClip: number, clips: number): number {
  if (barsDone === 0 && !barClosed) return 1;
  const current = barClosed ? Math.ceil(barsDone / barsPerClip) : Math.floor(barsDone / barsPerClip) + 1;
  return Math.max(1, Math.min(clips, current));
}

/** The least advanced phase any rank is in, so "loading" shows until everyone loaded. */
function runPhase(phases: RankPhase[]): RankPhase {
  if (phases.includes('failed')) return 'failed';
  const order: RankPhase[] = ['starting', 'loading', 'compiling', 'generating', 'saving', 'done'];
  let best = order.length - 1;
  for (const p of phases) best = Math.min(best, order.indexOf(p));
  return order[best] ?? 'starting';
}
