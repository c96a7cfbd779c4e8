import type { ComponentSize, FlagSpec, MemoryProfile, ProgressSpec, Text } from './types';
import { blockParams, ditFp8Params, ditParams, loraParams, t5Params, type S2vDims } from './s2v-dims';

/** Pieces shared by the Live Avatar recipe and its rehearsal (same flags, same shapes). */

export const t = (en: string, zh: string): Text => ({ en, zh });

/** `--size` keys (upstream-notes §1.3) and the H×W upstream picks for a 16:9 image (§1.4 table). */
export const SIZE_TO_HW: Record<string, [number, number]> = {
  '720*400': [384, 704],
  '704*384': [384, 704],
  '688*368': [384, 640],
  '384*256': [256, 384],
  '480*832': [448, 832],
  '832*480': [448, 832],
  '1024*704': [640, 1088],
  '704*1024': [640, 1088],
  '1280*720': [704, 1280],
  '720*1280': [704, 1280],
  '704*1280': [704, 1280],
  '1280*704': [704, 1280],
};
export const SIZE_KEYS = Object.keys(SIZE_TO_HW);

export function s2vComponents(d: S2vDims): ComponentSize[] {
  return [
    { name: 'dit', params: ditParams(d), dtype: 'bf16', fp8Params: ditFp8Params(d), fp8Tensors: 10 * d.numLayers + 5 * d.injectors, fsdpBlockParams: blockParams(d), fsdpBlocks: d.numLayers },
    { name: 't5', params: t5Params(d), dtype: 'bf16', fsdpBlockParams: Math.ceil((t5Params(d) - d.t5Vocab * d.t5Dim) / d.t5Layers), fsdpBlocks: d.t5Layers },
    { name: 'vae', params: d.vaeParams, dtype: 'bf16' },
    // wav2vec2 is loaded in fp32 on the CPU and visits the GPU in bf16 to encode (§3.4).
    { name: 'audio', params: d.wav2vecParams, dtype: 'fp32' },
    // Merged into the DiT right after loading: a transient only (§3.5).
    { name: 'lora', params: loraParams(d), dtype: 'bf16' },
  ];
}

export function s2vMemory(d: S2vDims, over: Partial<MemoryProfile> = {}): MemoryProfile {
  return {
    family: 'causal-s2v',
    attention: { dim: d.dim, ffnDim: d.ffnDim, numHeads: d.numHeads, headDim: d.headDim, numLayers: d.numLayers },
    sizeToHw: SIZE_TO_HW,
    pixelsPerToken: 16,
    framesPerLatent: 4,
    condCapacityTpp: 3000,
    condCapacitySingle: 2800,
    singleKvCaches: 4,
    extraContextsOnGpu0: true,
    t5HostLoadBytesPerParam: 4,
    t5BuiltOnHost: 'always',
    fp8MinCc: 8.9,
    compiles: true,
    elemBytes: 2,
    ...over,
  };
}

const bool = (name: string, label: Text, def: boolean, style: 'switch' | 'value' = 'switch', extra: Partial<FlagSpec> = {}): FlagSpec => ({
  name,
  type: 'bool',
  default: def,
  boolStyle: style,
  label,
  ...extra,
});

/**
 * The flags of `s2v_streaming_interact.py` that change layout, memory or output (upstream-notes
 * §1.1), with the defaults a launcher must pass explicitly (§8 item 2). Bool styles follow argparse:
 * `store_true` flags are switches, `str2bool` ones (`--offload_model`) take a value.
 */
export function s2vLayoutFlags(): FlagSpec[] {
  return [
    {
      name: 'size', type: 'enum', choices: SIZE_KEYS, default: '704*384',
      label: t('Resolution budget', '分辨率（面积上限）'),
      help: t('Pixel-area budget; H×W follows the reference image. Only 720*400, 704*384, 688*368 and 384*256 fit the hard-coded conditioning cache.', '像素面积上限；实际宽高随参考图比例。只有 720*400、704*384、688*368、384*256 不超过写死的条件缓存。'),
    },
    {
      name: 'infer_frames', type: 'int', default: 48, min: 12, max: 480,
      label: t('Frames per clip', '每段帧数'),
      help: t('Use a multiple of 12 (48); 80 corrupts clip tails.', '请用 12 的倍数（48）；80 会让每段末尾画面变暗。'),
    },
    { name: 'num_clip', type: 'int', default: 10000, min: 1, label: t('Max clips', '最多段数'), help: t('Upper bound; the audio length decides.', '上限；实际由音频长度决定。') },
    { name: 'sample_steps', type: 'int', default: 4, min: 1, max: 50, label: t('Denoising steps', '去噪步数') },
    { name: 'num_gpus_dit', type: 'int', default: 4, modeOwned: true, label: t('DiT GPUs', 'DiT GPU 数') },
    bool('enable_vae_parallel', t('VAE on its own GPU', 'VAE 独占一张 GPU'), false, 'switch', { modeOwned: true }),
    bool('offload_model', t('Offload model to CPU', '模型卸载到 CPU'), false, 'value', {
      help: t('TPP: T5 back to the CPU after encoding. Single GPU: VAE/T5 off the GPU while denoising.', 'TPP：编码后 T5 回到 CPU。单卡：去噪时 VAE/T5 不占显存。'),
    }),
    bool('offload_kv_cache', t('KV cache on CPU', 'KV 缓存放 CPU'), false, 'switch', {
      help: t('Single GPU only: keeps the 4 KV caches in RAM (slow, saves ~31 GB).', '仅单卡：4 份 KV 缓存放内存（慢，省约 31 GB）。'),
    }),
    bool('fp8', t('FP8 DiT weights', 'FP8 DiT 权重'), true, 'switch', {
      help: t('Needs compute capability ≥ 8.9 (Ada, Hopper, Blackwell).', '需要计算能力 ≥ 8.9（Ada、Hopper、Blackwell）。'),
    }),
    { name: 'ulysses_size', type: 'int', default: 1, min: 1, max: 64, modeOwned: true, label: t('Ulysses size', 'Ulysses 并行数') },
    bool('dit_fsdp', t('Shard the DiT (FSDP)', 'DiT 分片（FSDP）'), false, 'switch', { modeOwned: true }),
    bool('t5_fsdp', t('Shard T5 (FSDP)', 'T5 分片（FSDP）'), false, 'switch', { modeOwned: true }),
    bool('t5_cpu', t('T5 on CPU', 'T5 放 CPU'), false, 'switch', { help: t('Saves 11.4 GB per GPU; prompt encoding is slower.', '每张卡省 11.4 GB；提示词编码变慢。') }),
    bool('single_gpu', t('Single-GPU pipeline', '单卡流程'), false, 'switch', { modeOwned: true }),
    { name: 'prompt', type: 'string', label: t('Prompt', '提示词') },
    { name: 'save_file', type: 'path', label: t('Output file', '输出文件') },
  ];
}

/** Progress per upstream-notes §5.3/§5.4 and §8 item 8: one bar per 12-frame block. */
export function s2vProgress(startupBudgetSec: number, frameRanks: number[]): ProgressSpec {
  return {
    frameRanks,
    barsPerClip: { flag: 'infer_frames', divisor: 12 },
    framesPerBar: 12,
    realtimeFps: 25,
    startupBudgetSec,
    phases: [
      { phase: 'loading', match: 'Creating WanS2V pipeline' },
      { phase: 'generating', match: 'Generating video' },
      { phase: 'saving', match: 'denoising video done' },
      { phase: 'saving', match: 'Saving generated video to' },
      { phase: 'done', match: 'Finished.' },
    ],
  };
}
