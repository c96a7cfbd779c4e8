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
  /** NCCL bytes resting on links nobody measured (added to the band's upper edge). */
  ncclUncertainBytes?: number;
  /** The model's error band around requiredBytes (shared/feasibility/band.ts). */
  band?: {
    lowBytes: number;
    highBytes: number;
    upPct: number;
    downPct: number;
    basedOn: number;
    unmeasuredRecipe: boolean;
  };
  /** requiredBytes before a calibration from this machine's own runs was applied. */
  uncalibratedBytes?: number;
}

/** The NCCL link the prediction assumed, and where that came from. */
export interface LinkAssumption {
  /** detected: nvidia-smi topo; preset: the --hardware model's usual box; name: a GPU-name rule; env: NCCL_P2P_DISABLE. */
  source: 'detected' | 'preset' | 'name' | 'env';
  /** Distinct links among the run's GPUs, most common first: "NV18", "PCIe P2P", "SHM". */
  labels: string[];
  message: string;
  messageZh: string;
}

/** A correction learned from this machine's finished runs (electron/core/check/calibration.ts). */
export interface CalibrationApplied {
  runs: number;
  /** Multiplier applied to requiredBytes (measured / predicted, averaged over the matching runs). */
  factor: number;
  /** How the runs matched: same recipe, mode and GPU model; `exact` when the settings matched too. */
  match: 'exact' | 'layout';
  message: string;
  messageZh: string;
}

/** The smallest card per GPU that would run this layout, and with which flags. */
export interface SmallestFit {
  /** Memory per GPU (nvidia-smi total, MiB) of the smallest preset that fits, with its name. */
  gpu: string;
  memoryMiB: number;
  change: Record<string, string | number | boolean>;
  message: string;
  messageZh: string;
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
  /** Which link NCCL's memory was computed for (absent for single-process runs). */
  link?: LinkAssumption;
  /** PYTORCH_CUDA_ALLOC_CONF as the model read it. */
  allocator?: 'expandable' | 'default';
  calibration?: CalibrationApplied | null;
  /** When it does not fit: the smallest preset card per GPU for this layout (any flags), if one exists. */
  smallestFit?: SmallestFit | null;
}

/** Predicted vs measured peak of one finished run (electron/core/check/calibration.ts stores these). */
export interface MeasuredRun {
  runId: string;
  at: string;
  settings: Record<string, string | number | boolean>;
  gpus: { index: number; role?: string; predictedBytes: number; measuredBytes: number; errorPct: number }[];
  maxAbsErrorPct: number;
}
