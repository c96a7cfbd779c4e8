import type { NodeFailureCode } from './nodes';
import type { CompanionFailureCode } from './companion';
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

/**
 * A decision, without language: the code, the rank, the evidence and the fields the words need.
 * shared/failures/describe.ts renders it in the reader's language at the edge (renderer, CLI).
 */
export interface Diagnosis {
  /** A FailureCode, or a run-manager code (RANK_EXIT, OUTPUT_MISSING). */
  code: string;
  rank: number | null;
  evidence: Evidence | null;
  /** What the words need (numbers, names, `advice` key, `laggard`, `ranks` "1,2"…). */
  fields?: Record<string, string | number>;
  fixes?: FixAction[];
  /**
   * true: a symptom of another failure (a watchdog timeout after a peer died, a socket reset).
   * Listed after the causes; absent on older records.
   */
  consequence?: boolean;
  /** Old run records only (before diagnoses were decided without language): the words as stored. */
  title?: string;
  /** Old run records only. */
  explanation?: string;
  /** Old run records only. */
  fix?: string;
  /** Old run records only: the same words in both languages. */
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
/** Node codes (nodes.ts) carry their words in the nodes namespace, so they stay out of FAILURE_CODES' word table. */
export type FailureCode = (typeof FAILURE_CODES)[number] | NodeFailureCode | CompanionFailureCode;
