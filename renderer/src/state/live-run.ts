import type { Diagnosis } from '../../../shared/failures/types';
import type { CompanionState, GpuSample, ProgressFigures, RankPhase, RankProgress, RunEvent, RunRecord, RunStatus } from '../../../shared/run/types';

/** What the run view shows for one run, folded from pushed RunEvents (pure, so it is unit-tested). */
export interface LiveRun extends ProgressFigures {
  runId: string;
  status: RunStatus;
  phase: RankPhase;
  ranks: Record<number, RankProgress>;
  /** Per physical GPU index, oldest first, capped. */
  gpu: Record<number, GpuSample[]>;
  stall: Extract<RunEvent, { type: 'stall' }> | null;
  diagnoses: Diagnosis[];
  exitCode: number | null;
  runDir: string | null;
  record: RunRecord | null;
  /** Companion services by name (Step-Video's caption/VAE server), from `companion` events. */
  companions?: Record<string, { state: CompanionState; port: number; detail?: string }>;
}

export const GPU_HISTORY = 900;

export function emptyLive(runId: string): LiveRun {
  return {
    runId, status: 'starting', phase: 'starting', clip: 0, clips: 0, step: 0, steps: 0, fraction: 0,
    fps: null, etaSec: null, ranks: {}, gpu: {}, stall: null, diagnoses: [], exitCode: null, runDir: null, record: null,
  };
}

const PHASE_ORDER: RankPhase[] = ['starting', 'loading', 'compiling', 'generating', 'saving', 'done', 'failed'];

/** The run's phase is its least advanced live rank's, unless one failed. */
function overallPhase(ranks: Record<number, RankProgress>, fallback: RankPhase): RankPhase {
  const list = Object.values(ranks);
  if (!list.length) return fallback;
  if (list.some((r) => r.phase === 'failed')) return 'failed';
  return list.reduce<RankPhase>((min, r) => (PHASE_ORDER.indexOf(r.phase) < PHASE_ORDER.indexOf(min) ? r.phase : min), 'done');
}

function rank(live: LiveRun, n: number): RankProgress {
  return live.ranks[n] ?? { rank: n, phase: 'starting', clip: 0, clips: 0, step: 0, steps: 0, lastProgressAt: null };
}

export function foldEvent(live: LiveRun, e: RunEvent): LiveRun {
  switch (e.type) {
    case 'start':
      return { ...live, status: 'running', runDir: e.runDir };
    case 'phase': {
      const ranks = { ...live.ranks, [e.rank]: { ...rank(live, e.rank), phase: e.phase } };
      return { ...live, status: live.status === 'starting' ? 'running' : live.status, ranks, phase: overallPhase(ranks, e.phase) };
    }
    case 'progress': {
      const r = { ...rank(live, e.rank), clip: e.clip, clips: e.clips, step: e.step, steps: e.steps, lastProgressAt: Date.now() };
      const ranks = { ...live.ranks, [e.rank]: r };
      return {
        ...live,
        status: live.status === 'starting' ? 'running' : live.status,
        ranks,
        clip: e.clip, clips: e.clips, step: e.step, steps: e.steps,
        fraction: Math.max(live.fraction, e.fraction),
        fps: e.fps ?? live.fps,
        etaSec: e.etaSec ?? e.eta ?? live.etaSec,
        // A stalled rank that advances again clears the banner; a stall that stopped the run stays.
        stall: live.stall && live.stall.action !== 'stop' && isActive(live.status) && advanced(live.ranks[e.rank], e) && live.stall.ranks.includes(e.rank) ? null : live.stall,
      };
    }
    case 'gpu': {
      const gpu = { ...live.gpu };
      for (const s of e.samples) {
        // Multi-node: every node has its own GPU 0…; the key keeps them apart (GpuCharts groups by s.node).
        const key = s.nodeIndex === undefined ? s.index : (s.nodeIndex + 1) * 1000 + s.index;
        const prev = gpu[key] ?? [];
        const next = prev.length >= GPU_HISTORY ? prev.slice(prev.length - GPU_HISTORY + 1) : prev.slice();
        next.push(s);
        gpu[key] = next;
      }
      return { ...live, gpu };
    }
    case 'stall':
      return { ...live, stall: e };
    case 'diagnosis':
      return live.diagnoses.some((d) => d.code === e.diagnosis.code && d.rank === e.diagnosis.rank)
        ? live
        : { ...live, diagnoses: [...live.diagnoses, e.diagnosis] };
    case 'exit':
      return {
        ...live,
        status: e.status,
        exitCode: e.exitCode,
        phase: e.status === 'succeeded' ? 'done' : e.status === 'failed' ? 'failed' : live.phase,
        fraction: e.status === 'succeeded' ? 1 : live.fraction,
        etaSec: e.status === 'succeeded' ? 0 : live.etaSec,
      };
    case 'companion':
      return { ...live, companions: { ...(live.companions ?? {}), [e.name]: { state: e.state, port: e.port, ...(e.detail ? { detail: e.detail } : {}) } } };
    default:
      return live;
  }
}

function advanced(prev: RankProgress | undefined, e: { clip: number; step: number }): boolean {
  return !prev || e.clip > prev.clip || (e.clip === prev.clip && e.step > prev.step);
}

/** A record fetched from the services wins for what it knows; live-only fields stay. */
export function mergeRecord(live: LiveRun, record: RunRecord): LiveRun {
  const p = record.progress;
  const terminal = ['succeeded', 'failed', 'stopped', 'interrupted', 'lost'].includes(record.status);
  return {
    ...live,
    record,
    status: terminal || live.status === 'starting' ? record.status : live.status,
    runDir: record.runDir,
    exitCode: record.exitCode ?? live.exitCode,
    diagnoses: record.diagnoses.length ? record.diagnoses : live.diagnoses,
    // Opened after the fact (history, reload): the record remembers the last stall.
    stall: live.stall ?? (record.stall?.last
      ? { type: 'stall', runId: record.runId, ranks: record.stall.last.ranks, advanced: [], behind: record.stall.last.behind, idleSec: record.stall.floorSec, gpus: [], action: record.stall.action, ...(record.stall.last.where ? { where: record.stall.last.where } : {}) }
      : null),
    ...(p
      ? {
          clip: Math.max(p.clip, live.clip), clips: p.clips || live.clips, step: p.step, steps: p.steps,
          fraction: Math.max(p.fraction, live.fraction), fps: p.fps ?? live.fps, etaSec: p.etaSec,
          phase: terminal ? (record.status === 'succeeded' ? 'done' : record.status === 'failed' ? 'failed' : p.phase) : p.phase,
          ranks: Object.fromEntries(p.ranks.map((r) => [r.rank, r])),
        }
      : {}),
  };
}

/** The rank to look at first: the explainer's root cause, else the first rank that failed. */
export function firstFailingRank(live: LiveRun): number | null {
  const withRank = live.diagnoses.find((d) => d.rank !== null);
  if (withRank && withRank.rank !== null) return withRank.rank;
  const failed = Object.values(live.ranks).find((r) => r.phase === 'failed');
  if (failed) return failed.rank;
  if (live.stall?.behind?.length) return live.stall.behind[0];
  if (live.stall?.ranks.length) return live.stall.ranks[0];
  return null;
}

export const isActive = (s: RunStatus): boolean => s === 'starting' || s === 'running' || s === 'stopping';
