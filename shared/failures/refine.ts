import { SAFE_SIZES } from './catalog';
import type { Fields } from './template';
import type { FailureCode, FixAction } from './types';
import type { failures } from '../i18n/locales/failures';

export type AdviceKey = keyof (typeof failures)['en']['advice'];

/**
 * Decisions that need arithmetic on the extracted fields, kept apart from the catalog data: which
 * OOM it was (outside the allocator, other processes, fragmentation, a small card, one huge
 * allocation), the CUDA version a driver supports, and the known upstream assertion messages. The
 * outcome is an advice key (words in shared/i18n/locales/failures.ts `advice.*`) and its fields.
 */
export interface Refinement {
  fields?: Fields;
  /** Key under `advice.` in the failures locale; its `{fields}` come from `fields`. */
  advice?: AdviceKey;
  /** Replaces the catalog's fixes, in the order worth trying. */
  fixes?: FixAction[];
}

const UNITS: Record<string, number> = { bytes: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

export function parseSize(s: string | number | undefined): number | null {
  if (s === undefined) return null;
  const m = /^([\d.]+) (bytes|KiB|MiB|GiB|TiB)$/.exec(String(s).trim());
  return m ? Number(m[1]) * UNITS[m[2]] : null;
}

export function formatGiB(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GiB` : `${(bytes / 1024 ** 2).toFixed(2)} MiB`;
}

const SET_SIZE: FixAction = { kind: 'set', key: 'size', value: SAFE_SIZES[0] };
const FP8: FixAction = { kind: 'set', key: 'fp8', value: true };
const OFFLOAD_KV: FixAction = { kind: 'set', key: 'offload_kv_cache', value: true };
const T5_CPU: FixAction = { kind: 'set', key: 't5_cpu', value: true };
const EXPANDABLE: FixAction = { kind: 'env', name: 'PYTORCH_CUDA_ALLOC_CONF', value: 'expandable_segments:True' };

function oom(f: Fields): Refinement {
  const procs = String(f.procs ?? '');
  const fields: Fields = {};
  const own = /this process has ([\d.]+ (?:bytes|KiB|MiB|GiB|TiB)) memory in use/.exec(procs);
  if (own) fields.inUse = own[1];
  let others = 0;
  for (const m of procs.matchAll(/Process (\d+) has ([\d.]+ (?:bytes|KiB|MiB|GiB|TiB)) memory in use/g)) others += parseSize(m[2]) ?? 0;
  if (others > 0) fields.otherProcesses = formatGiB(others);
  const req = parseSize(f.requested);
  const total = parseSize(f.total);
  const alloc = parseSize(f.allocated);
  const unalloc = parseSize(f.unallocated) ?? (parseSize(f.reserved) !== null && alloc !== null ? parseSize(f.reserved)! - alloc : null);
  if (f.variant === 'cuda-error' || f.variant === 'cublas' || f.variant === 'nccl') {
    return {
      fields,
      advice: 'oomOutsideAllocator',
      fixes: [FP8, T5_CPU, OFFLOAD_KV, SET_SIZE],
    };
  }
  if (others >= 512 * 1024 ** 2) {
    return {
      fields,
      advice: 'oomOtherProcesses',
      fixes: [SET_SIZE, FP8, OFFLOAD_KV, EXPANDABLE],
    };
  }
  if (req !== null && unalloc !== null && alloc !== null && (unalloc >= req || unalloc / Math.max(1, alloc + unalloc) > 0.2)) {
    return {
      fields: { ...fields, unusedReserved: formatGiB(unalloc) },
      advice: 'oomFragmented',
      fixes: [EXPANDABLE, SET_SIZE, FP8, OFFLOAD_KV],
    };
  }
  if (total !== null && total < 40 * 1024 ** 3) {
    return {
      fields,
      advice: 'oomSmallCard',
      fixes: [FP8, OFFLOAD_KV, T5_CPU, SET_SIZE],
    };
  }
  if (req !== null && total !== null && req >= 0.1 * total) {
    return {
      fields: { ...fields, requestedSize: formatGiB(req) },
      advice: 'oomLargeAllocation',
      fixes: [SET_SIZE, FP8, OFFLOAD_KV, EXPANDABLE],
    };
  }
  return {
    fields,
    advice: 'oomWeights',
    fixes: [FP8, OFFLOAD_KV, T5_CPU, SET_SIZE],
  };
}

function driver(f: Fields): Refinement {
  const fields: Fields = {};
  const v = Number(f.foundVersion);
  if (Number.isFinite(v) && v > 1000) fields.driverCuda = `${Math.floor(v / 1000)}.${Math.round((v % 1000) / 10)}`;
  const code = String(f.cudaError ?? '');
  if (code === '802')
    return {
      fields,
      advice: 'driver802',
    };
  if (code === '804')
    return {
      fields,
      advice: 'driver804',
    };
  return { fields };
}

interface KnownAssertion {
  match: RegExp;
  advice: AdviceKey;
  fixes?: FixAction[];
}

/** The assertion messages of Alibaba-Quark/LiveAvatar generate.py and the Wan scripts it builds on (exact upstream text). */
const KNOWN_ASSERTIONS: KnownAssertion[] = [
  {
    match: /At least 5 GPUs are supported for distributed inference/,
    advice: 'assertFiveGpus',
    fixes: [{ kind: 'mode', mode: 'single-offload' }],
  },
  {
    match: /Only 4 GPUs are supported for distributed inference/,
    advice: 'assertFourDit',
    fixes: [{ kind: 'set', key: 'num_gpus_dit', value: 4 }],
  },
  {
    match: /VAE parallel is required for distributed inference/,
    advice: 'assertVaeParallel',
    fixes: [{ kind: 'set', key: 'enable_vae_parallel', value: true }],
  },
  {
    match: /ulysses_size|Sequence parallel is not supported|sp_size/,
    advice: 'assertUlysses',
    fixes: [{ kind: 'set', key: 'ulysses_size', value: 1 }],
  },
  {
    match: /(?:t5_fsdp and dit_fsdp|context parallel|sequence parallel) are not supported in non-distributed environments/,
    advice: 'assertSingleFsdp',
    fixes: [
      { kind: 'set', key: 't5_fsdp', value: false },
      { kind: 'set', key: 'dit_fsdp', value: false },
    ],
  },
  {
    match: /Unsupport size|invalid choice/,
    advice: 'assertSize',
    fixes: [SET_SIZE],
  },
  {
    match: /Unsupport task/,
    advice: 'assertTask',
    fixes: [{ kind: 'set', key: 'task', value: 's2v-14B' }],
  },
  {
    match: /dtype in half_dtypes/,
    advice: 'assertDtype',
    fixes: [{ kind: 'set', key: 'convert_model_dtype', value: true }],
  },
];

function assertion(f: Fields): Refinement {
  const msg = String(f.message ?? '');
  const known = KNOWN_ASSERTIONS.find((k) => k.match.test(msg));
  if (!known) return {};
  return { advice: known.advice, fixes: known.fixes, ...(known.advice === 'assertSize' ? { fields: { sizes: SAFE_SIZES.join(', ') } } : {}) };
}

function ncclError(f: Fields): Refinement {
  const last = String(f.lastError ?? '');
  if (/peer access is not supported|P2P/.test(last))
    return {
      advice: 'ncclP2p',
      fixes: [{ kind: 'env', name: 'NCCL_P2P_DISABLE', value: '1' }],
    };
  return {};
}

export function refine(code: FailureCode, fields: Fields): Refinement {
  switch (code) {
    case 'CUDA_OOM':
      return oom(fields);
    case 'DRIVER_TOO_OLD':
      return driver(fields);
    case 'ARG_ASSERTION':
      return assertion(fields);
    case 'NCCL_ERROR':
      return ncclError(fields);
    default:
      return {};
  }
}
