import type { Diagnosis } from '../failures/types';
import type { NodeSpec } from '../nodes/schema';
import type { StacksReport } from '../stacks/types';

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
  /** Machines of a multi-node run, the first hosting the rendezvous (docs/multi-node.md). */
  nodes?: NodeSpec[];
}

/** The exact process to start: no shell is ever involved. */
export interface RunPlan {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Services started before torchrun (electron/core/runs/companions.ts); absent when the recipe has none. */
  companions?: CompanionPlan[];
}

/** One companion service as it will be started: no shell, its own env, its port and readiness probe. */
export interface CompanionPlan {
  name: string;
  argv: string[];
  /** Added to the launcher's env (CUDA_VISIBLE_DEVICES, LAL_RUN_ID, …). */
  env: Record<string, string>;
  cwd: string;
  host: string;
  port: number;
  /** The port is the one upstream's clients hard-code (no flag tells them another). */
  portFixed: boolean;
  readiness: { kind: 'http'; path: string } | { kind: 'tcp' } | { kind: 'log'; match: string };
  readyTimeoutSec: number;
  /** Its console, relative to the run folder. */
  logFile: string;
}

/** A companion's life in the run record. */
export interface CompanionRecord {
  name: string;
  pid: number | null;
  pgid: number | null;
  startTime: string | null;
  port: number;
  state: CompanionState;
  startedAt: string;
  readyAt?: string;
  /** When the probe stopped answering while the process lived (a stall of the companion). */
  unhealthySince?: string;
  exitedAt?: string;
  exitCode?: number | null;
  signal?: string | null;
  logFile: string;
}

export type CompanionState = 'starting' | 'ready' | 'unhealthy' | 'exited' | 'failed' | 'stopped';

/**
 * `interrupted`: the launcher that ran it died while it was active (a later start noticed; the
 * record's `interruption` says why). `lost` is what older launchers wrote for the same case.
 */
export type RunStatus = 'starting' | 'running' | 'stopping' | 'succeeded' | 'failed' | 'stopped' | 'interrupted' | 'lost';

/** Why a run is `interrupted`, written by the launcher that found it so. */
export interface RunInterruption {
  reason: 'launcher-gone';
  /** The launcher that ran it, no longer alive (or its pid now belongs to another process). */
  launcherPid: number;
  detectedAt: string;
  /** The launcher (serve, app, lal) that noticed. */
  detectedByPid: number;
  /** Set once a leftover scan found no process of the run, so later scans skip it. */
  noProcessesLeft?: boolean;
}
export type RankPhase = 'starting' | 'loading' | 'compiling' | 'generating' | 'saving' | 'done' | 'failed';

export interface RankProgress {
  rank: number;
  phase: RankPhase;
  clip: number;
  clips: number;
  step: number;
  steps: number;
  lastProgressAt: number | null;
  /** Finished tqdm bars (blocks) this rank drew. */
  barsDone?: number;
  /** Median seconds between this rank's step advances; the stall rule scales with it. */
  medianStepSec?: number | null;
}

/** The progress figures every view shows: clip i/N, step, overall fraction, FPS, ETA. */
export interface ProgressFigures {
  clip: number;
  clips: number;
  step: number;
  steps: number;
  fraction: number;
  fps: number | null;
  etaSec: number | null;
}

export interface RunProgress extends ProgressFigures {
  realtimeFps: number;
  phase: RankPhase;
  ranks: RankProgress[];
}

export interface GpuSample {
  t: number;
  index: number;
  memoryUsedMiB: number;
  memoryTotalMiB: number;
  utilizationPct: number | null;
  /** Multi-node runs: the node this GPU is on (`index` is that node's own) and the node's place in the run. */
  node?: string;
  nodeIndex?: number;
}

/** VRAM one process holds on one GPU (nvidia-smi --query-compute-apps). */
export interface GpuProcessSample {
  pid: number;
  index: number;
  usedMiB: number;
}

/** What teardown did and found, for the record and the "stopping…" UI. */
export interface TeardownReport {
  /** SIGTERM to the agent, SIGKILL to its group, sweep by LAL_RUN_ID. */
  steps: { action: 'sigterm-agent' | 'sigkill-group' | 'sweep' | 'verify-vram'; at: string; pids?: number[] }[];
  /** Processes of the run still alive after teardown (D-state workers can refuse SIGKILL). */
  remaining: number[];
  /** true: no process of the run holds VRAM; false: some still do; null: no nvidia-smi to ask. */
  vramReleased: boolean | null;
  tookMs: number;
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
  /** The launcher's own start time, so a reused launcher pid is not mistaken for a live launcher. */
  launcherStartTime?: string | null;
  /** Why this torchrun argv was chosen (patched wrapper or not). */
  torchrunNote?: string;
  /** Rendezvous port checked free right before launch. */
  masterPort?: number;
  /** The stall rule in force and the last stall seen. */
  stall?: { floorSec: number; multiplier: number; startupBudgetSec: number; action: 'notify' | 'stop'; last?: { at: string; ranks: number[]; behind: number[]; where?: StacksReport } };
  teardown?: TeardownReport;
  interruption?: RunInterruption;
  /** Per-rank `LAL_PEAK {json}` lines the workload printed (the rehearsal measures its own peaks). */
  workloadPeaks?: Record<string, Record<string, unknown>>;
  /** Services the run started beside torchrun (Step-Video's caption/VAE server). */
  companions?: CompanionRecord[];
  /** Worker processes seen during the run, by rank (RANK in their environment). */
  /** `exitedAtMs`: when the launcher saw the process end, the root-cause picker's second clock (after error.json). */
  workers?: { rank: number; pid: number; startTime: string | null; exitedAtMs?: number }[];
  /** Multi-node runs: the node each rank runs on (rank → node name), from the nodes' own reports. */
  rankNodes?: Record<string, string>;
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
  | { type: 'gpu'; runId: string; samples: GpuSample[]; processes?: GpuProcessSample[] }
  | {
      type: 'stall';
      runId: string;
      /** Ranks that stopped advancing. */
      ranks: number[];
      /** Ranks still within their limit. */
      advanced: number[];
      /** Ranks behind the furthest one: the likely cause when everyone then waits on them. */
      behind?: number[];
      idleSec: number;
      /** When the stall rule fired (ISO time); the event itself follows once the stacks are read (issue 22). */
      detectedAt?: string;
      /** What the GPUs were doing at that moment (empty without nvidia-smi). */
      gpus: GpuSample[];
      action?: 'notify' | 'stop';
      /** Where the ranks are, from their Python stacks (issue 22); absent when none could be taken. */
      where?: StacksReport;
      /** Multi-node runs: the node each rank runs on (rank → node name), so a stall names the machine. */
      nodes?: Record<string, string>;
    }
  | { type: 'diagnosis'; runId: string; code: string; rank: number | null; diagnosis: Diagnosis }
  | { type: 'exit'; runId: string; status: 'succeeded' | 'failed' | 'stopped'; exitCode: number | null }
  | { type: 'companion'; runId: string; name: string; state: CompanionState; port: number; pid: number | null; detail?: string };

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
