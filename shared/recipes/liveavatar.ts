import type { FlagSpec, ModeSpec, Recipe } from './types';
import { S2V_14B } from './s2v-dims';
import { s2vComponents, s2vLayoutFlags, s2vMemory, s2vProgress, t } from './s2v-common';
import { ENV_ALLOW_COMMON, NCCL_ENV } from './env';

/**
 * Live Avatar (Alibaba-Quark/LiveAvatar) through `minimal_inference/s2v_streaming_interact.py`.
 * Only two layouts run unmodified: 1 process, or exactly 5 with 4 DiT ranks + a VAE rank and 4
 * steps (upstream-notes §1.1 items 1–4, §8 item 1). The 4-GPU layout (3 steps + VAE rank) is the
 * issue #11 workaround: gradio_app.py accepts it, the CLI's asserts (L372–373) need relaxing (§2.1).
 */
const lora: FlagSpec[] = [
  { name: 'ckpt_dir', type: 'path', default: 'ckpt/Wan2.2-S2V-14B/', label: t('Checkpoint folder', '权重目录') },
  { name: 'image', type: 'path', label: t('Reference image', '参考图') },
  { name: 'audio', type: 'path', label: t('Driving audio', '驱动音频') },
  { name: 'base_seed', type: 'int', default: 420, label: t('Seed', '随机种子') },
  // Only euler is implemented; the others raise NotImplementedError (§1.1).
  { name: 'sample_solver', type: 'enum', choices: ['euler'], default: 'euler', label: t('Solver', '采样器') },
  { name: 'sample_guide_scale', type: 'float', default: 0, label: t('Guide scale (ignored)', '引导系数（无效）') },
  { name: 'convert_model_dtype', type: 'bool', boolStyle: 'switch', default: true, label: t('Cast DiT to bf16', 'DiT 转 bf16') },
  { name: 'load_lora', type: 'bool', boolStyle: 'switch', default: true, label: t('Load the Live Avatar LoRA', '加载 Live Avatar LoRA') },
  // A local file: the HF repo id downloads into a cache layout the README does not create (§2, §6 #12).
  { name: 'lora_path_dmd', type: 'path', default: 'ckpt/LiveAvatar/liveavatar.safetensors', label: t('LoRA file', 'LoRA 文件') },
  // Without it KeyError: 'lora_rank' (§1.1).
  { name: 'training_config', type: 'path', default: 'liveavatar/configs/s2v_causal_sft.yaml', label: t('Training config', '训练配置') },
  { name: 'enable_online_decode', type: 'bool', boolStyle: 'switch', default: false, label: t('Online decode (single GPU)', '在线解码（单卡）') },
];

const noFsdp = { ulysses_size: 1, dit_fsdp: false, t5_fsdp: false } as const;

export const liveAvatarModes: ModeSpec[] = [
  {
    id: 'single-offload',
    label: t('1 GPU (offline, offload)', '单卡（离线，卸载）'),
    description: t(
      'One process runs all 4 steps in turn with 4 KV caches (offline, not real time). Needs ~80 GB as shipped; --offload_kv_cache brings it to ~30 GB with fp8.',
      '一个进程依次跑 4 步、4 份 KV 缓存（离线，非实时）。原版约需 80 GB；加 --offload_kv_cache 且用 fp8 约 30 GB。',
    ),
    nproc: 1,
    gpus: 1,
    flags: { num_gpus_dit: 1, single_gpu: true, enable_vae_parallel: false, ...noFsdp },
    defaults: { offload_model: true },
    roles: ['single'],
    memoryLayout: 'single',
    frameRanks: [0],
    upstreamRunnable: true,
  },
  {
    id: 'tpp-4gpu',
    label: t('4 GPUs: 3 DiT + 1 VAE (3 steps)', '4 卡：3 DiT + 1 VAE（3 步）'),
    description: t(
      'Time-pipeline parallel with 3 DiT ranks (one denoising step each, so 3 steps) and a VAE rank. Lower quality than 4 steps. The CLI refuses 4 processes ("At least 5 GPUs…"); gradio_app.py or a patched CLI runs it (issue #11).',
      '时间流水线并行：3 个 DiT 进程（各跑一步，共 3 步）加一个 VAE 进程。画质低于 4 步。官方 CLI 拒绝 4 进程（"At least 5 GPUs…"）；gradio_app.py 或改过断言的 CLI 可以跑（issue #11）。',
    ),
    nproc: 4,
    gpus: 4,
    flags: { num_gpus_dit: 3, enable_vae_parallel: true, sample_steps: 3, single_gpu: false, ...noFsdp },
    defaults: { offload_model: false },
    roles: ['dit', 'dit', 'dit', 'vae'],
    memoryLayout: 'tpp',
    frameRanks: [3],
    upstreamRunnable: false,
  },
  {
    id: 'tpp-5gpu',
    label: t('5 GPUs: 4 DiT + 1 VAE (real time)', '5 卡：4 DiT + 1 VAE（实时）'),
    aliases: ['5-GPU FSDP', '5gpu-fsdp', 'fsdp-5gpu'],
    description: t(
      'Often called "5-GPU FSDP", but upstream does not shard anything: it is time-pipeline parallel (TPP). Each of 4 DiT ranks holds the whole DiT (and T5 unless offloaded) and runs one of the 4 steps; rank 4 decodes with the VAE. So every card needs the full model: ≥80 GB in bf16, ~48 GB with --fp8.',
      '常被叫作"5 卡 FSDP"，但上游并不分片：它是时间流水线并行（TPP）。4 个 DiT 进程各自持有完整 DiT（不卸载时还有 T5），各跑 4 步中的一步；第 5 个进程用 VAE 解码。所以每张卡都要放下整个模型：bf16 需 ≥80 GB，--fp8 约 48 GB。',
    ),
    nproc: 5,
    gpus: 5,
    flags: { num_gpus_dit: 4, enable_vae_parallel: true, sample_steps: 4, single_gpu: false, ...noFsdp },
    defaults: { offload_model: false },
    roles: ['dit', 'dit', 'dit', 'dit', 'vae'],
    memoryLayout: 'tpp',
    frameRanks: [4],
    upstreamRunnable: true,
  },
];

export const liveAvatar: Recipe = {
  id: 'liveavatar-s2v-14b',
  label: t('Live Avatar (S2V-14B)', 'Live Avatar（S2V-14B）'),
  description: t(
    'Audio-driven streaming avatar on Wan2.2-S2V-14B with the Live Avatar LoRA (Alibaba-Quark/LiveAvatar).',
    '基于 Wan2.2-S2V-14B 与 Live Avatar LoRA 的音频驱动流式数字人（Alibaba-Quark/LiveAvatar）。',
  ),
  entry: 'minimal_inference/s2v_streaming_interact.py',
  // The default task t2v-A14B fails its own assert (§1.1).
  fixedArgs: ['--task', 's2v-14B'],
  flags: [...s2vLayoutFlags(), ...lora],
  modes: liveAvatarModes,
  components: s2vComponents(S2V_14B),
  memory: s2vMemory(S2V_14B),
  // Model load (T5 built in fp32 on the CPU, 4 DiT shards) plus compile of the first clip.
  progress: s2vProgress(1800, [4]),
  env: {
    ...NCCL_ENV,
    ENABLE_COMPILE: 'true',
    TOKENIZERS_PARALLELISM: 'false',
    // The LoRA path is a local file; offline stops the HF hub from hanging without network (§6 #12).
    HF_HUB_OFFLINE: '1',
    // Recommended against fragmentation OOM near 80 GB (§6 #9); torch 2.8 is the baseline (§7).
    PYTORCH_CUDA_ALLOC_CONF: 'expandable_segments:True',
  },
  envAllow: ENV_ALLOW_COMMON,
  needsCheckout: true,
  needsFlashAttn: true,
  sources: ['docs/upstream-notes.md §1–§5, §7–§8'],
};
