import type { FlagSpec, ModeSpec, Recipe } from './types';
import { S2V_14B, S2V_TINY } from './s2v-dims';
import { s2vComponents, s2vLayoutFlags, s2vMemory, s2vProgress, t } from './s2v-common';
import { liveAvatarModes } from './liveavatar';
import { ENV_ALLOW_COMMON, NCCL_ENV } from './env';

/**
 * The rehearsal workload (resources/workloads/rehearsal.py): Live Avatar's layouts, log lines and
 * memory shape with random weights, on CPU or CUDA. Flags keep the upstream names. At `scale=full`
 * the memory model must mirror what the workload allocates (lalwork/plan.py, docs/rehearsal.md).
 */
const extras: FlagSpec[] = [
  // The shipped scripts pass --load_lora; the rehearsal then holds the LoRA's transient during load.
  { name: 'load_lora', type: 'bool', boolStyle: 'switch', default: true, label: t('Include the LoRA merge', '包含 LoRA 合并'), help: t('Adds the LoRA transient during load, as upstream.', '加载时计入 LoRA 的临时显存，与上游一致。') },
  { name: 'scale', type: 'enum', choices: ['tiny', 'full'], default: 'tiny', label: t('Scale', '规模'), help: t('full: real S2V-14B tensor sizes; tiny: toy sizes for a quick check.', 'full：真实 S2V-14B 张量大小；tiny：小尺寸快速检查。') },
  { name: 'device', type: 'enum', choices: ['auto', 'cpu', 'cuda'], default: 'auto', label: t('Device', '设备') },
  {
    name: 'share_gpu', type: 'bool', boolStyle: 'switch', default: false, oneGpu: true, label: t('All ranks on one GPU', '所有 rank 共用一张卡'),
    help: t(
      'Runs a multi-GPU layout on GPU 0 alone: each rank tells NCCL it is its own host, so real NCCL collectives run over loopback. For checking the plumbing and failure handling on one card; use scale=tiny unless the card holds every rank. The memory check does not cover this layout.',
      '只用 0 号卡跑多卡布局：每个 rank 让 NCCL 把自己当作独立主机，真实的 NCCL 集合通信经回环网络进行。用于在一张卡上检查流程和故障处理；除非显存放得下所有 rank，请用 scale=tiny。显存检查不涵盖这种布局。',
    ),
  },
  {
    name: 'collective_timeout_sec', type: 'float', min: 1, max: 86_400, label: t('Collective timeout (s)', '集合通信超时（秒）'),
    help: t("The process group's timeout (torch's default: 10 minutes for NCCL). Short values make the NCCL watchdog fire in a rehearsal.", '进程组超时（torch 默认 NCCL 为 10 分钟）。设短一些可在彩排中触发 NCCL watchdog。'),
  },
  {
    name: 'inject', type: 'string', repeat: 'comma', label: t('Inject a fault', '注入故障'),
    help: t('KIND@CLIP:STEP[:RANK], KIND in hang, crash, sigkill, oom, slow; several separated by commas.', 'KIND@CLIP:STEP[:RANK]，KIND 为 hang、crash、sigkill、oom、slow；多个用逗号分隔。'),
  },
];

const modes: ModeSpec[] = [
  ...liveAvatarModes.map((m) => ({ ...m, cpuCapable: true, upstreamRunnable: true })),
  {
    id: 'fsdp-ulysses',
    label: t('FSDP + Ulysses (N GPUs)', 'FSDP + Ulysses（N 卡）'),
    description: t(
      "Wan2.2's own multi-GPU layout (generate.py --dit_fsdp --t5_fsdp --ulysses_size N): the DiT and T5 are sharded over N ranks and every rank runs every step on 1/N of the heads. Needs CUDA and NCCL.",
      'Wan2.2 自带的多卡方式（generate.py --dit_fsdp --t5_fsdp --ulysses_size N）：DiT 和 T5 切分到 N 个进程，每个进程在 1/N 的注意力头上跑每一步。需要 CUDA 和 NCCL。',
    ),
    nproc: 2,
    nprocFrom: { settings: ['ulysses_size'], min: 2, max: 8 },
    gpus: 2,
    // The rehearsal refuses --fp8 with --dit_fsdp (an FSDP1 unit cannot mix fp8 and bf16 weights).
    flags: { dit_fsdp: true, single_gpu: false, enable_vae_parallel: false, num_gpus_dit: 1, fp8: false },
    // t5_fsdp is Wan's default pairing but optional (measure.py's fsdp runs keep T5 whole).
    defaults: { ulysses_size: 2, t5_fsdp: true, offload_model: false },
    roles: ['fsdp'],
    memoryLayout: 'fsdp',
    frameRanks: [0],
    upstreamRunnable: true,
  },
];

/**
 * How the rehearsal differs from upstream in memory: T5 is built in bf16 and only when it lives on
 * the host, no extra contexts on GPU 0, fp8 weights are dequantised one at a time (works on any GPU,
 * a ffn×dim bf16 transient) instead of torch._scaled_mm.
 */
const REHEARSAL_MEMORY = { extraContextsOnGpu0: false, t5HostLoadBytesPerParam: 2, t5BuiltOnHost: 'when-on-host', fp8Dequantises: true, fp8MinCc: undefined, compiles: false } as const;

const layoutFlags = s2vLayoutFlags().map((f) => (f.name === 'ulysses_size' ? { ...f, max: 8 } : f));

export const rehearsal: Recipe = {
  id: 'rehearsal',
  label: t('Rehearsal (no model needed)', '彩排（无需模型）'),
  description: t(
    "Runs Live Avatar's process layouts with random weights of the real sizes: checks torchrun, NCCL and memory before you download 40 GB.",
    '用真实大小的随机权重跑 Live Avatar 的进程布局：在下载 40 GB 模型之前先检查 torchrun、NCCL 和显存。',
  ),
  entry: 'resource:workloads/rehearsal.py',
  fixedArgs: [],
  flags: [...layoutFlags, ...extras],
  modes,
  components: s2vComponents(S2V_14B),
  // The rehearsal builds T5 in bf16 (no fp32 build) and sets its device before any CUDA call,
  // so no extra contexts land on GPU 0.
  memory: s2vMemory(S2V_14B, REHEARSAL_MEMORY),
  memoryByScale: {
    full: { memory: s2vMemory(S2V_14B, REHEARSAL_MEMORY), components: s2vComponents(S2V_14B) },
    // Tiny: 48×64 frames and caches sized to the actual conditioning tokens (lalwork/shapes.py TINY_HW).
    tiny: { memory: s2vMemory(S2V_TINY, { ...REHEARSAL_MEMORY, fixedHw: [48, 64], condCacheFromTokens: true }), components: s2vComponents(S2V_TINY) },
  },
  progress: s2vProgress(600, [0]),
  // Live Avatar's own allocator setting (its recipe env), so a rehearsal's peak is the one the real
  // run would see: expandable_segments leaves ~0.2 GB reserved instead of ~2.4 GB
  // (docs/validation-data/h100x1-allocator). A profile may set it empty to measure the default.
  env: { ...NCCL_ENV, PYTORCH_CUDA_ALLOC_CONF: 'expandable_segments:True' },
  envAllow: ENV_ALLOW_COMMON,
  needsCheckout: false,
  sources: ['resources/workloads/lalwork/plan.py', 'docs/rehearsal.md', 'docs/upstream-notes.md §3'],
};
