import type { Recipe } from './types';
import { S2V_14B } from './s2v-dims';
import { SIZE_TO_HW, s2vComponents, s2vMemory, t } from './s2v-common';
import { ENV_ALLOW_COMMON, NCCL_ENV } from './env';

/**
 * Wan2.2-S2V-14B with Wan's own generate.py (Wan-Video/Wan2.2): the non-causal speech-to-video
 * pipeline, sharded with `--dit_fsdp --t5_fsdp --ulysses_size N` over N processes. Same weights as
 * Live Avatar (upstream-notes §3.1–§3.4) but no KV caches: each clip's whole token sequence goes
 * through the DiT, split over the ranks by Ulysses; Wan asserts ulysses_size == world size and
 * num_heads (40) % ulysses_size == 0.
 */
const WAN22_SIZES = ['720*1280', '1280*720', '480*832', '832*480', '1024*704', '704*1024', '704*1280', '1280*704'];

export const wan22: Recipe = {
  id: 'wan22-s2v-14b',
  label: t('Wan2.2 S2V-14B (generate.py)', 'Wan2.2 S2V-14B（generate.py）'),
  description: t("Wan2.2's speech-to-video reference pipeline, not real time.", 'Wan2.2 官方语音驱动视频流程，非实时。'),
  entry: 'generate.py',
  fixedArgs: ['--task', 's2v-14B'],
  flags: [
    { name: 'size', type: 'enum', choices: WAN22_SIZES, default: '1024*704', label: t('Resolution budget', '分辨率（面积上限）') },
    { name: 'ckpt_dir', type: 'path', default: './Wan2.2-S2V-14B', label: t('Checkpoint folder', '权重目录') },
    { name: 'offload_model', type: 'bool', boolStyle: 'value', default: false, label: t('Offload model to CPU', '模型卸载到 CPU') },
    { name: 'ulysses_size', type: 'int', default: 2, min: 1, max: 8, modeOwned: true, label: t('Ulysses size (GPUs)', 'Ulysses 并行数（卡数）') },
    { name: 'dit_fsdp', type: 'bool', boolStyle: 'switch', default: false, modeOwned: true, label: t('Shard the DiT (FSDP)', 'DiT 分片（FSDP）') },
    { name: 't5_fsdp', type: 'bool', boolStyle: 'switch', default: false, modeOwned: true, label: t('Shard T5 (FSDP)', 'T5 分片（FSDP）') },
    { name: 't5_cpu', type: 'bool', boolStyle: 'switch', default: false, label: t('T5 on CPU', 'T5 放 CPU') },
    { name: 'convert_model_dtype', type: 'bool', boolStyle: 'switch', default: true, label: t('Cast DiT to bf16', 'DiT 转 bf16') },
    { name: 'sample_steps', type: 'int', default: 40, min: 1, max: 100, label: t('Denoising steps', '去噪步数') },
    { name: 'infer_frames', type: 'int', default: 80, min: 4, max: 480, label: t('Frames per clip', '每段帧数') },
    { name: 'num_clip', type: 'int', min: 1, label: t('Max clips', '最多段数') },
    { name: 'base_seed', type: 'int', label: t('Seed', '随机种子') },
    { name: 'prompt', type: 'string', label: t('Prompt', '提示词') },
    { name: 'image', type: 'path', label: t('Reference image', '参考图') },
    { name: 'audio', type: 'path', label: t('Driving audio', '驱动音频') },
    { name: 'save_file', type: 'path', label: t('Output file', '输出文件') },
  ],
  modes: [
    {
      id: 'fsdp-ulysses',
      label: t('FSDP + Ulysses (N GPUs)', 'FSDP + Ulysses（N 卡）'),
      description: t(
        'DiT and T5 sharded over N GPUs (FSDP), each step split over the N ranks by attention heads (Ulysses). N divides 40.',
        'DiT 与 T5 切分到 N 张卡（FSDP），每一步按注意力头分给 N 个进程（Ulysses）。N 须整除 40。',
      ),
      nproc: 2,
      // One process would hit Wan's "t5_fsdp and dit_fsdp are not supported in non-distributed environments."
      nprocFrom: { settings: ['ulysses_size'], min: 2, max: 8 },
      gpus: 2,
      flags: { dit_fsdp: true, t5_fsdp: true },
      roles: ['fsdp'],
      memoryLayout: 'fsdp',
      frameRanks: [0],
      upstreamRunnable: true,
    },
  ],
  components: s2vComponents(S2V_14B),
  memory: s2vMemory(S2V_14B, { family: 'full-seq', sizeToHw: SIZE_TO_HW, extraContextsOnGpu0: false, compiles: false, fp8MinCc: undefined }),
  progress: {
    frameRanks: [0],
    // One tqdm bar over sample_steps per clip on every rank.
    barsPerClip: 1,
    framesPerBar: 80,
    realtimeFps: 16,
    startupBudgetSec: 1200,
    phases: [
      { phase: 'loading', match: 'Creating WanS2V pipeline' },
      { phase: 'generating', match: 'Generating video' },
      { phase: 'saving', match: 'Saving generated video to' },
      { phase: 'done', match: 'Finished.' },
    ],
  },
  env: { ...NCCL_ENV, TOKENIZERS_PARALLELISM: 'false' },
  envAllow: ENV_ALLOW_COMMON,
  needsCheckout: true,
  needsFlashAttn: true,
  sources: ['Wan-Video/Wan2.2 generate.py', 'docs/upstream-notes.md §3, §4 (--t5_fsdp/--dit_fsdp)'],
};
