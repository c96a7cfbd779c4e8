/** The memory plan and verdict for one run spec on some hardware. Owned by the feasibility feature. */
export type Verdict = 'fits' | 'tight' | 'does-not-fit';

export interface MemoryPart {
  /** weights.dit, weights.t5, kv_cache, cond_cache, activations, fsdp_unshard, cuda_context, nccl, margin, ... */
  key: string;
  bytes: number;
}

export interface GpuPlan {
  index: number;
  role: string;
  requiredBytes: number;
  availableBytes: number;
  breakdown: MemoryPart[];
}

export interface Reason {
  code: string;
  message: string;
  messageZh?: string;
}

export interface Suggestion {
  id: string;
  /** Settings to change, in `--set` form: { fp8: true } or { size: '688*368' } or { mode: 'single-offload' }. */
  change: Record<string, string | number | boolean>;
  message: string;
  messageZh?: string;
  verdict: Verdict;
  /** Bytes saved on the tightest GPU. */
  savesBytes?: number;
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
}
