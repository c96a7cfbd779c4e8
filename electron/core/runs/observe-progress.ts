import { resolve } from 'node:path';
import { clipsForAudio } from '../../../shared/feasibility/geometry';
import type { Recipe } from '../../../shared/recipes/types';
import type { RunEvent } from '../../../shared/run/types';
import type { TrackerConfig, TrackerEvent } from '../../../shared/progress/tracker';
import type { StallRule } from '../../../shared/progress/stall';
import type { BuiltPlan } from './plan';
import { wavSeconds } from './audio';

/**
 * Observation, part one: what the progress tracker expects of a run (clips, bars per clip, the
 * stall rule), the launcher protocol lines a workload may print, and the throttle between the
 * tracker's events and the `runEvent` stream.
 */

/** The tracker's shape for this run: the recipe's progress model with the plan's own values. */
export function trackerConfigFor(built: BuiltPlan, recipe: Recipe): TrackerConfig {
  const p = recipe.progress;
  const bpc = typeof p.barsPerClip === 'number' ? p.barsPerClip : Math.max(1, Math.floor(Number(built.values[p.barsPerClip.flag] ?? 0) / p.barsPerClip.divisor) || 1);
  return {
    nproc: built.nproc,
    clips: expectedClips(built),
    barsPerClip: bpc,
    frameRanks: built.mode.frameRanks ?? p.frameRanks,
    framesPerBar: p.framesPerBar,
    realtimeFps: p.realtimeFps,
    phases: p.phases,
  };
}

/** The stall rule: the runner's floor and startup budget over the recipe's; compiles widen the first clip. */
export function stallRuleFor(built: BuiltPlan, recipe: Recipe): StallRule {
  return {
    floorSec: built.runner.stallFloorSec ?? 30,
    multiplier: 3,
    startupBudgetSec: built.runner.startupBudgetSec ?? recipe.progress.startupBudgetSec,
    compileInFirstClip: !!recipe.memory?.compiles,
  };
}

/** min(--num_clip, clips the driving audio yields) as upstream computes it; the workload's LAL_PLAN line corrects it later. */
export function expectedClips(built: BuiltPlan): number {
  const numClip = Number(built.values.num_clip);
  const audio = typeof built.values.audio === 'string' && built.values.audio ? resolve(built.plan.cwd, built.values.audio) : null;
  const secs = audio ? wavSeconds(audio) : null;
  const fromAudio = secs !== null ? clipsForAudio(secs, Number(built.values.infer_frames) || 48) : Infinity;
  const n = Math.min(Number.isFinite(numClip) && numClip > 0 ? numClip : Infinity, fromAudio);
  return Number.isFinite(n) ? Math.max(1, n) : 1;
}

export type ProtocolLine = { kind: 'plan'; clips?: number; barsPerClip?: number } | { kind: 'peak'; peak: Record<string, unknown> };

/**
 * Launcher protocol lines a workload may print (the rehearsal does): `LAL_PLAN {json}` with the
 * real clip and block counts, `LAL_PEAK {json}` with each rank's measured peak memory. Anything
 * else, or a torn line, is null: not worth failing a run over.
 */
export function parseProtocolLine(text: string): ProtocolLine | null {
  const m = /^LAL_(PLAN|PEAK) (\{.*\})\s*$/.exec(text);
  if (!m) return null;
  let obj: unknown;
  try {
    obj = JSON.parse(m[2]);
  } catch {
    return null;
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return null;
  if (m[1] === 'PEAK') return { kind: 'peak', peak: obj as Record<string, unknown> };
  const g = (obj as { geometry?: { clips?: unknown; num_blocks?: unknown } }).geometry;
  if (!g || typeof g !== 'object') return null;
  return { kind: 'plan', clips: typeof g.clips === 'number' ? g.clips : undefined, barsPerClip: typeof g.num_blocks === 'number' ? g.num_blocks : undefined };
}

/** Tracker events → run events: at most one progress event per rank each `minGapMs`, but every finished bar. */
export class ProgressEvents {
  private readonly lastEmit = new Map<number, number>();

  constructor(
    private readonly runId: string,
    private readonly emit: (ev: RunEvent) => void,
    private readonly minGapMs = 250,
  ) {}

  push(evs: TrackerEvent[], now: number = Date.now()): void {
    for (const ev of evs) {
      if (ev.kind === 'phase') {
        this.emit({ type: 'phase', runId: this.runId, rank: ev.rank, phase: ev.phase });
        continue;
      }
      const u = ev.update;
      if (!ev.barDone && now - (this.lastEmit.get(u.rank) ?? 0) < this.minGapMs) continue;
      this.lastEmit.set(u.rank, now);
      this.emit({ type: 'progress', runId: this.runId, rank: u.rank, clip: u.clip, clips: u.clips, step: u.step, steps: u.steps, fraction: u.fraction, fps: u.fps, etaSec: u.etaSec, eta: u.etaSec });
    }
  }
}
