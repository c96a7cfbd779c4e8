import type { Bilingual } from '../i18n';
import { SAFE_SIZES } from './catalog';
import type { Fields } from './template';
import type { FailureCode, FixAction } from './types';

/**
 * Decisions that need arithmetic on the extracted fields, kept apart from the catalog data:
 * the OOM decision rules of docs/upstream-notes.md §10.1, the driver version code of C15, the known
 * assertion messages of §10.18 / §6 #8, and unit conversions for display.
 */
export interface Refinement {
  fields?: Fields;
  advice?: Bilingual;
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
      advice: {
        en: 'The failure came from a CUDA or NCCL allocation outside PyTorch\'s allocator (context, cuBLAS workspace or NCCL buffers): the card was already full.',
        zh: '这次失败来自 PyTorch 分配器之外的 CUDA/NCCL 分配（上下文、cuBLAS 工作区或 NCCL 缓冲区）：显卡在此之前已经满了。',
      },
      fixes: [FP8, T5_CPU, OFFLOAD_KV, SET_SIZE],
    };
  }
  if (others >= 512 * 1024 ** 2) {
    return {
      fields,
      advice: {
        en: `Other processes hold ${formatGiB(others)} on this GPU: a leftover run or another program. Stop them (\`lal runs --reap\`, \`nvidia-smi\`) or choose free GPUs.`,
        zh: `其他进程在这张显卡上占用了 ${formatGiB(others)}：可能是残留的任务或其他程序。请先结束它们（\`lal runs --reap\`、\`nvidia-smi\`）或改用空闲的显卡。`,
      },
      fixes: [SET_SIZE, FP8, OFFLOAD_KV, EXPANDABLE],
    };
  }
  if (req !== null && unalloc !== null && alloc !== null && (unalloc >= req || unalloc / Math.max(1, alloc + unalloc) > 0.2)) {
    return {
      fields,
      advice: {
        en: `${formatGiB(unalloc)} is reserved by PyTorch but unused (fragmented memory); PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True usually recovers it.`,
        zh: `PyTorch 预留但未使用的显存有 ${formatGiB(unalloc)}（显存碎片）；设置 PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True 通常可以解决。`,
      },
      fixes: [EXPANDABLE, SET_SIZE, FP8, OFFLOAD_KV],
    };
  }
  if (total !== null && total < 40 * 1024 ** 3) {
    return {
      fields,
      advice: {
        en: 'This card has less than 40 GB. Unmodified Live Avatar needs about 80 GB per GPU (maintainers); FP8 with --offload_kv_cache brings one GPU to about 30 GB, which still does not fit a 24 GB card.',
        zh: '这张卡不足 40 GB。原版 Live Avatar 每张卡约需 80 GB（官方说明）；单卡使用 FP8 加 --offload_kv_cache 约需 30 GB，24 GB 的显卡仍然放不下。',
      },
      fixes: [FP8, OFFLOAD_KV, T5_CPU, SET_SIZE],
    };
  }
  if (req !== null && total !== null && req >= 0.1 * total) {
    return {
      fields,
      advice: {
        en: `A single allocation of ${formatGiB(req)} is large: activations for this resolution and frame count. A smaller --size (688*368) or fewer --infer_frames (48) shrinks it.`,
        zh: `单次申请 ${formatGiB(req)} 很大：来自当前分辨率和帧数下的激活。更小的 --size（688*368）或更少的 --infer_frames（48）可以降低它。`,
      },
      fixes: [SET_SIZE, FP8, OFFLOAD_KV, EXPANDABLE],
    };
  }
  return {
    fields,
    advice: {
      en: 'The weights and caches fill the card. --fp8 halves the DiT weights (32.6 → 16.7 GB); --offload_kv_cache moves the KV caches to CPU RAM on a single GPU; --t5_cpu keeps T5 (11.4 GB) off the GPU.',
      zh: '权重和缓存占满了显卡。--fp8 可将 DiT 权重减半（32.6 → 16.7 GB）；单卡时 --offload_kv_cache 把 KV 缓存放到内存；--t5_cpu 让 T5（11.4 GB）不占显存。',
    },
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
      advice: {
        en: 'Error 802 on HGX/NVSwitch servers (H100/H200/A100 SXM) means nvidia-fabricmanager is not running or its version differs from the driver: `sudo systemctl start nvidia-fabricmanager`.',
        zh: 'HGX/NVSwitch 服务器（H100/H200/A100 SXM）上的 802 错误表示 nvidia-fabricmanager 未运行或版本与驱动不一致：执行 `sudo systemctl start nvidia-fabricmanager`。',
      },
    };
  if (code === '804')
    return {
      fields,
      advice: {
        en: 'Error 804: cuda-compat libraries are on LD_LIBRARY_PATH on a GPU that does not support them; remove them.',
        zh: '804 错误：LD_LIBRARY_PATH 中包含 cuda-compat 库，而这张显卡不支持，请移除。',
      },
    };
  return { fields };
}

interface KnownAssertion {
  match: RegExp;
  advice: Bilingual;
  fixes?: FixAction[];
}

/** upstream-notes §6 #8 and §10.18 (exact upstream messages). */
const KNOWN_ASSERTIONS: KnownAssertion[] = [
  {
    match: /At least 5 GPUs are supported for distributed inference/,
    advice: {
      en: 'Live Avatar\'s multi-GPU mode needs exactly 5 GPUs (4 for the DiT steps, 1 for the VAE). With fewer GPUs, use the single-GPU mode.',
      zh: 'Live Avatar 的多卡模式需要正好 5 张显卡（4 张跑 DiT，1 张跑 VAE）。显卡不够时请使用单卡模式。',
    },
    fixes: [{ kind: 'mode', mode: 'single-offload' }],
  },
  {
    match: /Only 4 GPUs are supported for distributed inference/,
    advice: { en: 'Multi-GPU mode needs --num_gpus_dit 4.', zh: '多卡模式需要 --num_gpus_dit 4。' },
    fixes: [{ kind: 'set', key: 'num_gpus_dit', value: 4 }],
  },
  {
    match: /VAE parallel is required for distributed inference/,
    advice: { en: 'Multi-GPU mode needs --enable_vae_parallel.', zh: '多卡模式需要 --enable_vae_parallel。' },
    fixes: [{ kind: 'set', key: 'enable_vae_parallel', value: true }],
  },
  {
    match: /ulysses_size|Sequence parallel is not supported|sp_size/,
    advice: { en: 'Live Avatar supports only --ulysses_size 1.', zh: 'Live Avatar 只支持 --ulysses_size 1。' },
    fixes: [{ kind: 'set', key: 'ulysses_size', value: 1 }],
  },
  {
    match: /(?:t5_fsdp and dit_fsdp|context parallel|sequence parallel) are not supported in non-distributed environments/,
    advice: {
      en: 'FSDP and sequence-parallel flags need more than one process; turn them off for a single GPU.',
      zh: 'FSDP 和序列并行参数需要多个进程；单卡运行时请关闭它们。',
    },
    fixes: [
      { kind: 'set', key: 't5_fsdp', value: false },
      { kind: 'set', key: 'dit_fsdp', value: false },
    ],
  },
  {
    match: /Unsupport size|invalid choice/,
    advice: { en: `Use one of the sizes Live Avatar runs: ${SAFE_SIZES.join(', ')}.`, zh: `请使用 Live Avatar 可运行的尺寸：${SAFE_SIZES.join('、')}。` },
    fixes: [SET_SIZE],
  },
  {
    match: /Unsupport task/,
    advice: { en: 'Live Avatar needs --task s2v-14B.', zh: 'Live Avatar 需要 --task s2v-14B。' },
    fixes: [{ kind: 'set', key: 'task', value: 's2v-14B' }],
  },
  {
    match: /dtype in half_dtypes/,
    advice: { en: 'Attention runs only in fp16/bf16; keep --convert_model_dtype.', zh: '注意力只支持 fp16/bf16；请保留 --convert_model_dtype。' },
    fixes: [{ kind: 'set', key: 'convert_model_dtype', value: true }],
  },
];

function assertion(f: Fields): Refinement {
  const msg = String(f.message ?? '');
  const known = KNOWN_ASSERTIONS.find((k) => k.match.test(msg));
  return known ? { advice: known.advice, fixes: known.fixes } : {};
}

function watchdog(f: Fields): Refinement {
  const fields: Fields = {};
  const ms = Number(f.timeoutMs);
  if (Number.isFinite(ms) && ms > 0) fields.timeoutMin = Math.round((ms / 60000) * 10) / 10;
  return { fields };
}

function ncclError(f: Fields): Refinement {
  const last = String(f.lastError ?? '');
  if (/peer access is not supported|P2P/.test(last))
    return {
      advice: { en: 'The GPUs cannot access each other\'s memory directly (P2P); NCCL_P2P_DISABLE=1 routes transfers through host memory.', zh: '显卡之间无法直接访问彼此的显存（P2P）；NCCL_P2P_DISABLE=1 会改为经由主机内存传输。' },
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
    case 'NCCL_WATCHDOG_TIMEOUT':
      return watchdog(fields);
    case 'NCCL_ERROR':
      return ncclError(fields);
    default:
      return {};
  }
}
