import type { DetectReport } from '../detect/types';
import { PROFILE_FORMAT, PROFILE_VERSION, type Profile } from './schema';

/**
 * Built-in presets: read-only profiles that ship with the app. The Live Avatar ones carry
 * upstream's shipped-script flags (Alibaba-Quark/LiveAvatar infinite_inference_*.sh) where they differ from the recipe's
 * defaults; the recipe already defaults to the rest (fp8, 48 frames, seed 420, LoRA, solver).
 */
export const LIVEAVATAR = 'liveavatar-s2v-14b';
export const REHEARSAL = 'rehearsal';

const preset = (name: string, recipe: string, mode: string, settings: Profile['settings'], notes: string): Profile => ({
  format: PROFILE_FORMAT,
  version: PROFILE_VERSION,
  name,
  recipe,
  mode,
  inputs: {},
  settings,
  env: {},
  notes,
});

export const PRESETS: readonly Profile[] = [
  preset('liveavatar-single-gpu', LIVEAVATAR, 'single-offload', { size: '704*384' },
    'Upstream infinite_inference_single_gpu.sh: one GPU, model offload, 704*384, fp8. Offline speed, ~60 GB as shipped; add offload_kv_cache for 48 GB cards.'),
  preset('liveavatar-4gpu', LIVEAVATAR, 'tpp-4gpu', { size: '720*400' },
    'Issue #11 workaround: 3 DiT GPUs + 1 VAE GPU, 3 steps, 720*400, fp8. Lower quality than 5 GPUs; needs a CLI whose 5-GPU asserts are relaxed (or gradio_app.py).'),
  preset('liveavatar-5gpu', LIVEAVATAR, 'tpp-5gpu', { size: '720*400' },
    'Upstream infinite_inference_multi_gpu.sh: 4 DiT GPUs + 1 VAE GPU, 4 steps, 720*400, fp8. Real time on 5 × 80 GB.'),
  preset('rehearsal-cpu', REHEARSAL, 'tpp-5gpu', { device: 'cpu', scale: 'tiny', num_clip: 2 },
    'Rehearsal on the CPU: Live Avatar’s 5-process layout with toy-size random weights. Needs no GPU and no model download: checks that torch and torchrun work.'),
  preset('rehearsal-gpu', REHEARSAL, 'single-offload', { device: 'cuda', scale: 'full', num_clip: 2 },
    'Rehearsal on a GPU at full S2V-14B size: allocates what Live Avatar would, with random weights, so an out-of-memory shows up before you download 40 GB.'),
  preset('step-video-rehearsal-cpu', 'step-video-rehearsal', 'xdit-parallel', { device: 'cpu', scale: 'tiny', ulysses_degree: 2, tensor_parallel_degree: 2, infer_steps: 8 },
    'Step-Video-T2V as it runs, on the CPU: the caption/VAE server started first, then 4 DiT ranks (Ulysses 2 × TP 2) that ask it for captions; rank 0 asks it to decode. Toy sizes, random weights.'),
];

export function getPreset(name: string): Profile | undefined {
  return PRESETS.find((p) => p.name === name);
}

export function isPresetName(name: string): boolean {
  return PRESETS.some((p) => p.name === name);
}

/**
 * The preset a fresh machine starts with, so the main job runs out of the box: the CPU rehearsal
 * without a usable GPU, a Live Avatar layout when a checkout and enough GPU memory are there, else
 * the GPU rehearsal.
 */
export function defaultPreset(report: Pick<DetectReport, 'gpus' | 'checkout'> | null | undefined): Profile {
  const gpus = report?.gpus ?? [];
  if (!gpus.length) return getPreset('rehearsal-cpu')!;
  const gib = (mib: number) => mib / 1024;
  const big = gpus.filter((g) => gib(g.memoryTotalMiB) >= 75).length;
  const hasCheckout = !!report?.checkout && report.checkout.missing.length === 0;
  if (hasCheckout) {
    if (big >= 5) return getPreset('liveavatar-5gpu')!;
    if (big >= 4) return getPreset('liveavatar-4gpu')!;
    if (gpus.some((g) => gib(g.memoryTotalMiB) >= 44)) return getPreset('liveavatar-single-gpu')!;
  }
  return getPreset('rehearsal-gpu')!;
}

/**
 * What to tell a user whose Python has no torch: the message key (profile.torchMissing) and the
 * commands, pip for any Python and apt for Debian/Ubuntu's packaged torch (CPU rehearsal only).
 */
export interface TorchHint {
  key: 'profile.torchMissing';
  python: string;
  pip: string;
  apt: string;
}

export function torchInstallHint(report: Pick<DetectReport, 'python' | 'gpus'> | null | undefined): TorchHint | null {
  const envs = report?.python ?? [];
  if (envs.some((e) => e.ok && !!e.torchVersion)) return null;
  const python = envs.find((e) => e.ok)?.path ?? 'python3';
  const hasGpu = (report?.gpus ?? []).length > 0;
  // CUDA wheels are the default on Linux; without a GPU the CPU wheels are ~10× smaller.
  const pip = hasGpu ? `${python} -m pip install torch tqdm` : `${python} -m pip install torch --index-url https://download.pytorch.org/whl/cpu && ${python} -m pip install tqdm`;
  return { key: 'profile.torchMissing', python, pip, apt: 'sudo apt-get install -y python3-torch python3-tqdm' };
}
