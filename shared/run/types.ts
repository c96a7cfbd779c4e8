import type { Diagnosis } from '../failures/types';

export type SettingValue = string | number | boolean;

/** What the user asked for: a recipe, a mode, and flag settings. Profiles store exactly this. */
export interface RunSpec {
  recipe: string;
  mode: string;
  settings: Record<string, SettingValue>;
  /** Physical GPU indexes to use (CUDA_VISIBLE_DEVICES); empty means the first N. */
  gpus?: number[];
  env?: Record<string, string>;
  /** Python interpreter whose torchrun runs the job. */
  python?: string;
  /** Live Avatar (or other) checkout folder; the rehearsal needs none. */
  checkout?: string;
  /** Where run folders go; defaults to the app's data folder. */
  outputDir?: string;
  stallAction?: 'notify' | 'stop';
}

/** The exact process to start: no shell is ever involved. */
export interface RunPlan {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

export type RunStatus = 'starting' | 'running' | 'stopping' | 'succeeded' | 'failed' | 'stopped' | 'lost';
export type RankPhase = 'starting' | 'loading' | 'compiling' | 'generating' | 'saving' | 'done' | 'failed';

export interface RankProgress {
  rank: number;
  phase: RankPhase;
  clip: number;
  clips: number;
  step: number;
  steps: number;
  lastProgressAt: number | null;
}

export interface RunProgress {
  clip: number;
  clips: number;
  step: number;
  steps: number;
  fraction: number;
  fps: number | null;
  realtimeFps: number;
  etaSec: number | null;
  phase: RankPhase;
  ranks: RankProgress[];
}

export interface GpuSample {
  t: number;
  index: number;
  memoryUsedMiB: number;
  memoryTotalMiB: number;
  utilizationPct: number | null;
}

export interface RunRecord {
  runId: string;
  spec: RunSpec;
  plan: RunPlan;
  status: RunStatus;
  pid: number | null;
  pgid: number | null;
  /** /proc/<pid>/stat field 22, guards against pid reuse when reaping. */
  procStartTime: string | null;
  launcherPid: number;
  startedAt: string;
  endedAt: string | null;
  exitCode: number | null;
  signal: string | null;
  runDir: string;
  /** Peak memory per physical GPU index, MiB. */
  peaksMiB: Record<string, number>;
  /** Predicted need per physical GPU, bytes, from the feasibility model at launch. */
  predictedBytes: Record<string, number>;
  diagnoses: Diagnosis[];
  progress: RunProgress | null;
}

export type RunEvent =
  | { type: 'start'; runId: string; plan: RunPlan; runDir: string }
  | { type: 'phase'; runId: string; rank: number; phase: RankPhase }
  | ({ type: 'progress'; runId: string; rank: number } & Omit<RunProgress, 'ranks' | 'phase' | 'realtimeFps'> & { eta: number | null })
  | { type: 'gpu'; runId: string; samples: GpuSample[] }
  | { type: 'stall'; runId: string; ranks: number[]; advanced: number[]; idleSec: number; gpus: GpuSample[] }
  | { type: 'diagnosis'; runId: string; code: string; rank: number | null; diagnosis: Diagnosis }
  | { type: 'exit'; runId: string; status: 'succeeded' | 'failed' | 'stopped'; exitCode: number | null };

/** A coalesced batch of raw console output for the UI (lossy; the files on disk are lossless). */
export interface RunOutputBatch {
  runId: string;
  seq: number;
  chunks: { rank: number | null; data: string }[];
  dropped: number;
}

export interface LeftoverRun {
  runId: string;
  pids: number[];
  startedAt: string;
  argv: string[];
}
