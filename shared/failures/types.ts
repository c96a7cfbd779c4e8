/** A recognised failure, with its root-cause rank and the fix. Owned by the failure explainer. */
export type FixAction =
  /** Set a recipe flag (upstream name without dashes); `false` removes a boolean flag such as `fp8`. */
  | { kind: 'set'; key: string; value: string | number | boolean }
  | { kind: 'env'; name: string; value: string }
  | { kind: 'mode'; mode: string }
  /** Use another rendezvous port (the run manager already picks a free one per launch). */
  | { kind: 'port' };

export interface Evidence {
  file: string;
  line: number;
  text: string;
}

/** A diagnosis's words in one language. */
export interface DiagnosisText {
  title: string;
  explanation: string;
  fix: string;
}

export interface Diagnosis {
  code: string;
  rank: number | null;
  title: string;
  explanation: string;
  fix: string;
  evidence: Evidence | null;
  fields?: Record<string, string | number>;
  fixes?: FixAction[];
  /**
   * true: a symptom of another failure (a watchdog timeout after a peer died, a socket reset).
   * Listed after the causes; absent on older records.
   */
  consequence?: boolean;
  /**
   * The same words in every shipped language, when the producer knows them (run records): a client
   * that switches language after the run shows its own.
   */
  texts?: Partial<Record<'en' | 'zh-CN', DiagnosisText>>;
}

/** Every code the explainer can return. Stable: the UI, tests and saved run records key on them. */
export const FAILURE_CODES = [
  'CUDA_OOM',
  'HOST_OOM_KILLED',
  'NCCL_WATCHDOG_TIMEOUT',
  'NCCL_HEARTBEAT_STUCK',
  'NCCL_ERROR',
  'NCCL_SHM',
  'NCCL_MISMATCH',
  'COLLECTIVE_MISMATCH',
  'DUPLICATE_GPU',
  'PORT_IN_USE',
  'RENDEZVOUS_TIMEOUT',
  'INVALID_DEVICE_ORDINAL',
  'NO_KERNEL_IMAGE',
  'DRIVER_TOO_OLD',
  'ILLEGAL_MEMORY_ACCESS',
  'NATIVE_CRASH',
  'FLASH_ATTN_MISSING',
  'FP8_UNSUPPORTED',
  'SIZE_TOO_LARGE',
  'ARG_ASSERTION',
  'MISSING_CHECKPOINT',
  'FFMPEG_MISSING',
  'STALL',
  'UNKNOWN',
] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];
