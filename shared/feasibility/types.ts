/** The memory plan and verdict for one run spec on some hardware. Owned by the feasibility feature. */
export type Verdict = 'fits' | 'tight' | 'does-not-fit';

export interface MemoryPart {
  /** weights.dit, weights.t5, kv_cache, cond_cache, activations, fsdp_unshard, cuda_context, nccl, allocator_margin, ... */
  key: string;
  bytes: number;
}

export interface GpuPlan {
  index: number;
  role: string;
  requiredBytes: number;
  availableBytes: number;
  breakdown: MemoryPart[];
  /** torchrun rank on this GPU (null: a GPU outside torchrun, e.g. Step-Video's server). */
  rank?: number | null;
  /** Phase at which the peak happens: load, encode, denoise, decode. */
  phase?: string;
  /** GPU missing from the hardware (fewer GPUs than the mode needs): availableBytes is 0. */
  missing?: boolean;
  name?: string;
}

export interface Reason {
  /** Names the rule: GPU_COUNT, FP8_UNSUPPORTED, SIZE_TOO_LARGE, MEMORY, STEPS_MISMATCH, ULYSSES_HEADS, FLASH_ATTN_MISSING, CHECKOUT_LAYOUT, HOST_RAM ... */
  code: string;
  message: string;
  messageZh?: string;
  /** error: it cannot run as asked; warning: it runs but something is off. Absent means error. */
  severity?: 'error' | 'warning';
  /** GPU indexes the reason is about. */
  gpus?: number[];
}

export interface Suggestion {
  id: string;
  /** Settings to change, in `--set` form: { fp8: true } or { size: '688*368' } or { mode: 'single-offload' }. */
  change: Record<string, string | number | boolean>;
  message: string;
  messageZh?: string;
  verdict: Verdict;
  /** Bytes saved on the fullest GPU (negative: the change needs more, e.g. a mode that meets the GPU-count rule). */
  savesBytes?: number;
  /** Fullest GPU after the change. */
  requiredBytes?: number;
  availableBytes?: number;
}

export interface HardwareGpu {
  index: number;
  name: string;
  memoryBytes: number;
  availableBytes: number;
  computeCapability: string | null;
}

export interface FeasibilityReport {
  verdict: Verdict;
  recipe: string;
  mode: string;
  hardware: HardwareGpu[];
  perGpu: GpuPlan[];
  reasons: Reason[];
  suggestions: Suggestion[];
  hostRamBytes?: number;
  hostBreakdown?: MemoryPart[];
  /** torchrun processes of this run. */
  nproc?: number;
  /** Resolved flag values the prediction used (defaults + mode + settings). */
  settings?: Record<string, string | number | boolean>;
  geometry?: { height: number; width: number; fsl: number; kvLen: number; condTokens: number } | null;
  /** Where the hardware came from. */
  hardwareSource?: 'spec' | 'detected';
  /** The last finished run of this recipe and mode with measured peaks (calibration), shown next to the prediction. */
  lastMeasured?: MeasuredRun | null;
}

/** Predicted vs measured peak of one finished run (electron/core/check/calibration.ts stores these). */
export interface MeasuredRun {
  runId: string;
  at: string;
  settings: Record<string, string | number | boolean>;
  gpus: { index: number; role?: string; predictedBytes: number; measuredBytes: number; errorPct: number }[];
  maxAbsErrorPct: number;
}
