import type { CompanionSpec, Recipe, ServerMemoryProfile } from './types';
import { t } from './s2v-common';
import { ENV_ALLOW_COMMON, NCCL_ENV } from './env';

/**
 * Step-Video-T2V (stepfun-ai/Step-Video-T2V) through run_parallel.py with xDiT.
 * GPU-count rule (its README §4.3 and stepvideo/config.py): torchrun starts
 * ulysses_degree × ring_degree × tensor_parallel_degree processes ("make sure tp_degree x
 * ulysses_degree = parallel"), and a separate GPU serves the text encoders and the VAE
 * (api/call_remote_server.py), so the machine needs one GPU more than the torchrun ranks.
 * The DiT has 48 layers of 48 heads × 128, 30 B parameters (README §2); the head count must split
 * evenly over Ulysses and tensor parallel.
 */
/**
 * Upstream's server (api/call_remote_server.py): it takes the last visible GPU and serves Flask on
 * port 8080, which the ranks' client hard-codes (only the host comes from --vae_url/--caption_url),
 * so the port cannot move: a clash is an error before anything starts. It has no route for `/`, so
 * readiness is a TCP connect. Loading Step-LLM, the CLIP and the VAE takes minutes.
 */
const upstreamServer: CompanionSpec = {
  name: 'caption-vae',
  label: t('Caption/VAE server', '文本编码/VAE 服务'),
  argv: ['{checkout}/api/call_remote_server.py', '--model_dir', '{flag:model_dir}', '--port', '{port}'],
  gpu: 'extra',
  port: 8080,
  hostFlags: ['vae_url', 'caption_url'],
  readiness: { kind: 'tcp' },
  readyTimeoutSec: 1800,
};

/**
 * What the caption/VAE server holds on its GPU: Step-LLM and the Hunyuan CLIP text encoders and the
 * video VAE, bf16. The parameter counts are assumed (no real checkpoint here); the full-scale
 * rehearsal server allocates exactly these (resources/workloads/stepvideo/shapes.py), and on one
 * H200 it peaked 6% under the prediction (docs/validation.md, round 4).
 */
export const STEP_VIDEO_SERVER: ServerMemoryProfile = {
  textEncoders: [
    { name: 'step_llm', params: 6_000_000_000 },
    { name: 'hunyuan_clip', params: 350_000_000 },
  ],
  vaeParams: 500_000_000,
  elemBytes: 2,
  captionBytes: 64 * 1024 * 1024,
  decodeCopies: 3,
};

export const stepVideo: Recipe = {
  id: 'step-video-t2v',
  label: t('Step-Video-T2V (30B)', 'Step-Video-T2V（30B）'),
  description: t('Text-to-video, 30B DiT, xDiT parallel; the caption/VAE server needs its own GPU.', '文生视频，30B DiT，xDiT 并行；文本编码/VAE 服务需要单独一张 GPU。'),
  entry: 'run_parallel.py',
  fixedArgs: [],
  flags: [
    { name: 'model_dir', type: 'path', default: './ckpts', label: t('Model folder', '模型目录') },
    { name: 'vae_url', type: 'string', default: '127.0.0.1', label: t('VAE server', 'VAE 服务地址') },
    { name: 'caption_url', type: 'string', default: '127.0.0.1', label: t('Caption server', '文本编码服务地址') },
    { name: 'ulysses_degree', type: 'int', default: 2, min: 1, max: 16, modeOwned: true, label: t('Ulysses degree', 'Ulysses 并行度') },
    { name: 'ring_degree', type: 'int', default: 1, min: 1, max: 16, modeOwned: true, label: t('Ring degree', 'Ring 并行度') },
    { name: 'tensor_parallel_degree', type: 'int', default: 2, min: 1, max: 16, modeOwned: true, label: t('Tensor parallel degree', '张量并行度') },
    { name: 'prompt', type: 'string', label: t('Prompt', '提示词') },
    { name: 'infer_steps', type: 'int', default: 50, min: 1, max: 200, label: t('Denoising steps', '去噪步数') },
    { name: 'cfg_scale', type: 'float', default: 9.0, label: t('CFG scale', 'CFG 系数') },
    { name: 'time_shift', type: 'float', default: 13.0, label: t('Time shift', '时间偏移') },
    { name: 'num_frames', type: 'int', default: 204, min: 8, max: 204, label: t('Frames', '帧数') },
    { name: 'height', type: 'int', default: 544, min: 128, max: 1024, label: t('Height', '高') },
    { name: 'width', type: 'int', default: 992, min: 128, max: 1024, label: t('Width', '宽') },
    { name: 'save_path', type: 'path', default: './results', label: t('Output folder', '输出目录') },
  ],
  modes: [
    {
      id: 'xdit-parallel',
      label: t('xDiT: Ulysses × TP (+1 server GPU)', 'xDiT：Ulysses × TP（另加 1 张服务卡）'),
      description: t(
        'torchrun ranks = ulysses_degree × ring_degree × tensor_parallel_degree; the caption/VAE server runs on one more GPU.',
        'torchrun 进程数 = ulysses_degree × ring_degree × tensor_parallel_degree；文本编码/VAE 服务另占一张卡。',
      ),
      nproc: 4,
      nprocFrom: { settings: ['ulysses_degree', 'ring_degree', 'tensor_parallel_degree'], min: 1, max: 16 },
      gpus: 4,
      extraGpus: 1,
      flags: {},
      roles: ['dit'],
      memoryLayout: 'tp-sp',
      frameRanks: [0],
      upstreamRunnable: true,
    },
  ],
  components: [{ name: 'dit', params: 30_000_000_000, dtype: 'bf16' }],
  memory: {
    family: 'full-seq',
    attention: { dim: 6144, ffnDim: 24576, numHeads: 48, headDim: 128, numLayers: 48 },
    pixelsPerToken: 16,
    framesPerLatent: 8,
    extraContextsOnGpu0: false,
    t5HostLoadBytesPerParam: 0,
    elemBytes: 2,
    cfgBatch: 2,
    server: STEP_VIDEO_SERVER,
  },
  progress: {
    frameRanks: [0],
    barsPerClip: 1,
    framesPerBar: 204,
    realtimeFps: 25,
    startupBudgetSec: 1200,
    phases: [{ phase: 'done', match: 'Finished' }],
  },
  env: { ...NCCL_ENV },
  envAllow: ENV_ALLOW_COMMON,
  needsCheckout: true,
  sources: ['stepfun-ai/Step-Video-T2V README §2.2, §4.1, §4.3; stepvideo/config.py; api/call_remote_server.py'],
  companions: [upstreamServer],
};
