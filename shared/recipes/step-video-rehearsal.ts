import type { CompanionSpec, FlagSpec, Recipe } from './types';
import { t } from './s2v-common';
import { ENV_ALLOW_COMMON, NCCL_ENV } from './env';
import { stepVideo } from './step-video';

/**
 * Step-Video-T2V as it really runs, rehearsed with random weights (resources/workloads/stepvideo/):
 * a caption/VAE server (server.py) started first on the mode's extra GPU or the CPU, then the DiT
 * ranks under torchrun with Step-Video's 48 heads over ulysses × ring × tensor parallel. The ranks
 * take upstream's flags; the launcher tells them the server's port (`--companion_port`), so two
 * rehearsals never fight over upstream's fixed 8080. docs/step-video.md.
 */
const server: CompanionSpec = {
  name: 'caption-vae',
  label: t('Caption/VAE server', '文本编码/VAE 服务'),
  argv: ['{resources}/workloads/stepvideo/server.py', '--port', '{port}', '--device', '{flag:device}', '--scale', '{flag:scale}', '--inject', '{flag:server_inject}'],
  gpu: 'extra',
  port: 8080,
  portFlag: 'companion_port',
  hostFlags: ['vae_url', 'caption_url'],
  readiness: { kind: 'http', path: '/health' },
  readyTimeoutSec: 600,
};

const extras: FlagSpec[] = [
  { name: 'scale', type: 'enum', choices: ['tiny', 'full'], default: 'tiny', label: t('Scale', '规模'), help: t('full: Step-Video-T2V tensor sizes; tiny: toy sizes for a quick check.', 'full：Step-Video-T2V 的真实张量大小；tiny：小尺寸快速检查。') },
  { name: 'device', type: 'enum', choices: ['auto', 'cpu', 'cuda'], default: 'auto', label: t('Device', '设备') },
  {
    name: 'server_inject', type: 'string', label: t('Server fault', '服务故障'),
    help: t('down, never-ready, slow:SECONDS, die:N (comma-separated).', 'down、never-ready、slow:秒数、die:N（逗号分隔）。'),
  },
  { name: 'ready_timeout_sec', type: 'int', min: 1, max: 7200, label: t('Server readiness timeout (s)', '服务就绪超时（秒）') },
  { name: 'collective_timeout_sec', type: 'float', min: 1, max: 7200, label: t('Collective timeout (s)', '集合通信超时（秒）'), help: t("The process group's timeout; short to reproduce a watchdog timeout quickly.", '进程组的超时；设短一些可快速复现看门狗超时。') },
  { name: 'step_sec', type: 'float', min: 0, max: 60, label: t('Extra seconds per step', '每步额外秒数') },
];

// Upstream's defaults are for 50 steps of 204 frames; the rehearsal's tiny run wants a few steps.
const flags: FlagSpec[] = stepVideo.flags.map((f) => (f.name === 'infer_steps' ? { ...f, default: 8 } : f.name === 'model_dir' ? { ...f, default: undefined } : f));

export const stepVideoRehearsal: Recipe = {
  ...stepVideo,
  id: 'step-video-rehearsal',
  label: t('Step-Video rehearsal (server + DiT ranks)', 'Step-Video 彩排（服务 + DiT 进程）'),
  description: t(
    "Step-Video-T2V's two parts with random weights: the caption/VAE server and the xDiT torchrun ranks, started, watched and stopped as one run.",
    '用随机权重跑 Step-Video-T2V 的两部分：文本编码/VAE 服务和 xDiT torchrun 进程，作为一次运行启动、监视和停止。',
  ),
  entry: 'resource:workloads/stepvideo/dit.py',
  flags: [...flags, ...extras],
  modes: stepVideo.modes.map((m) => ({ ...m, cpuCapable: true, upstreamRunnable: true })),
  progress: { ...stepVideo.progress, startupBudgetSec: 300, phases: [{ phase: 'done', match: 'Finished' }] },
  env: { ...NCCL_ENV },
  envAllow: ENV_ALLOW_COMMON,
  needsCheckout: false,
  companions: [server],
  sources: ['resources/workloads/stepvideo/', 'docs/step-video.md', ...(stepVideo.sources ?? [])],
};
