import { compareVersions, satisfies } from './versions';
import { fixCommand, type CudaTag, type FixCommand, type FixId, type FixParams } from './fixes';
import { OFFLINE_RUN_ENV } from './weights';

/**
 * The readiness checklist for the real recipe, from facts core gathered. Each item is ok, missing
 * or wrong, says why in words the UI and CLI translate (`setup` namespace, key + params), and
 * carries the one fix command from the fixed table when there is one.
 */
export const ITEM_IDS = ['checkout', 'weights', 'lora', 'python-torch', 'flash-attn', 'requirements', 'ffmpeg'] as const;
export type ItemId = (typeof ITEM_IDS)[number];
export type ItemStatus = 'ok' | 'missing' | 'wrong';

export interface ReadinessItem {
  id: ItemId;
  status: ItemStatus;
  /** i18n key under `setup:detail.` and its params. */
  detail: string;
  params: Record<string, string | number>;
  fix: FixCommand | null;
}

export interface ReadinessReport {
  ready: boolean;
  items: ReadinessItem[];
  /** Environment to give runs of the real recipe once the weights are in place (HF_HUB_OFFLINE). */
  runEnv: Record<string, string>;
  checkedAt: string;
}

export interface WeightsFact {
  repo: string;
  /** The saved file list from the Hub, or null when nothing was ever listed here. */
  manifest: boolean;
  commit: string | null;
  files: number;
  bytes: number;
  totalBytes: number;
  missing: string[];
  wrongSize: string[];
  partial: number;
  /** The repo's folder exists (e.g. from `huggingface-cli download --local-dir`) though it was never listed here. */
  folderExists?: boolean;
}

export interface ReadinessFacts {
  platform: string;
  checkout: { path: string | null; exists: boolean; entry: boolean; commit: string | null };
  /** Where the weights are (or would be) downloaded. */
  weightsDir: string | null;
  weights: WeightsFact[];
  lora: {
    /** Where upstream's hf_hub_download looks: <checkout>/ckpt/LiveAvatar/models--…/snapshots/<refs/main>/liveavatar.safetensors. */
    expected: string | null;
    refCommit: string | null;
    found: boolean;
    /** The README's --local-dir file exists, but the cache layout does not. */
    plainOnly: boolean;
  };
  python: {
    path: string | null;
    ok: boolean;
    error?: string;
    version?: string;
    torch?: string | null;
    torchCuda?: string | null;
    flashAttn?: string | null;
    flashAttn3?: string | null;
    flashAttnError?: string | null;
  };
  driverCuda: string | null;
  /** Any GPU of compute capability 9.x (FA3 wheels). */
  hopper: boolean;
  /** Installed distribution versions from the requirements probe; null when it could not run. */
  packages: Record<string, string | null> | null;
  ffmpeg: string | null;
}

/** The pins of upstream's requirements.txt that break the recipe when wrong. */
export const PINNED: readonly { name: string; spec: string }[] = [
  { name: 'transformers', spec: '>=4.49.0,<=4.51.3' },
  { name: 'numpy', spec: '>=1.23.5,<2' },
  { name: 'peft', spec: '==0.17.1' },
];

/** The commit of Alibaba-Quark/LiveAvatar this launcher's recipe was written against. */
export const TESTED_COMMIT = '9c2c38de1715e553127b42c82cb959f756b02595';

/** torch 2.8 wheels exist for CUDA 12.6 and 12.8; the driver must be at least as new as the build. */
export function cudaTagFor(driverCuda: string | null): CudaTag | null {
  if (!driverCuda) return 'cu128';
  if (compareVersions(driverCuda, '12.8') >= 0) return 'cu128';
  if (compareVersions(driverCuda, '12.6') >= 0) return 'cu126';
  return null;
}

const item = (id: ItemId, status: ItemStatus, detail: string, params: ReadinessItem['params'] = {}, fix: FixCommand | null = null): ReadinessItem =>
  ({ id, status, detail, params, fix });

export function evaluate(f: ReadinessFacts, now = new Date()): ReadinessReport {
  const params: FixParams = {
    python: f.python.path ?? undefined,
    checkout: f.checkout.path ?? undefined,
    dest: f.weightsDir ?? undefined,
    cudaTag: cudaTagFor(f.driverCuda) ?? undefined,
    platform: f.platform,
  };
  const fix = (id: FixId) => fixCommand(id, params);
  const items: ReadinessItem[] = [];

  // Checkout and its commit.
  const c = f.checkout;
  if (!c.path) items.push(item('checkout', 'missing', 'checkout.unset', {}, null));
  else if (!c.exists) items.push(item('checkout', 'missing', 'checkout.absent', { path: c.path }, fix('clone-checkout')));
  else if (!c.entry) items.push(item('checkout', 'wrong', 'checkout.notLiveAvatar', { path: c.path }, null));
  else items.push(item('checkout', 'ok', c.commit ? (c.commit === TESTED_COMMIT ? 'checkout.okTested' : 'checkout.okOther') : 'checkout.okNoGit',
    { path: c.path, commit: c.commit?.slice(0, 12) ?? '', tested: TESTED_COMMIT.slice(0, 7) }));

  // Weights: the exact file list and bytes from the Hub listing saved at download time.
  const w = f.weights;
  const none = w.every((x) => !x.manifest);
  const broken = w.filter((x) => x.manifest && (x.missing.length > 0 || x.wrongSize.length > 0));
  const unlisted = w.filter((x) => !x.manifest);
  const bytes = w.reduce((n, x) => n + x.bytes, 0);
  const total = w.reduce((n, x) => n + x.totalBytes, 0);
  const files = w.reduce((n, x) => n + x.files, 0);
  if (!f.weightsDir) items.push(item('weights', 'missing', 'weights.noFolder'));
  else if (none) {
    const byHand = w.some((x) => x.folderExists);
    items.push(item('weights', 'missing', byHand ? 'weights.unverified' : 'weights.none', { dir: f.weightsDir }, fix('download-weights')));
  }
  else if (broken.some((x) => x.wrongSize.length > 0)) {
    const bad = broken.flatMap((x) => x.wrongSize);
    items.push(item('weights', 'wrong', 'weights.wrongSize', { count: bad.length, list: bad.slice(0, 3).join(', ') }, fix('download-weights')));
  } else if (broken.length > 0 || unlisted.length > 0) {
    const miss = broken.flatMap((x) => x.missing);
    items.push(item('weights', 'missing', 'weights.incomplete', {
      count: miss.length, list: [...unlisted.map((x) => x.repo), ...miss].slice(0, 3).join(', '), bytes, total,
    }, fix('download-weights')));
  } else items.push(item('weights', 'ok', 'weights.ok', { files, bytes, dir: f.weightsDir }));

  // The LoRA, where the scripts' hf_hub_download(cache_dir="ckpt/LiveAvatar") resolves it.
  const l = f.lora;
  if (!l.expected) items.push(item('lora', 'missing', 'lora.noCheckout'));
  else if (l.found) items.push(item('lora', 'ok', 'lora.ok', { path: l.expected, commit: (l.refCommit ?? '').slice(0, 12) }));
  else if (l.plainOnly) items.push(item('lora', 'wrong', 'lora.plainOnly', { path: l.expected }, fix('download-weights')));
  else items.push(item('lora', 'missing', 'lora.missing', { path: l.expected }, fix('download-weights')));

  // Python and torch against the driver's CUDA.
  const p = f.python;
  const tag = cudaTagFor(f.driverCuda);
  if (!p.path) items.push(item('python-torch', 'missing', 'python.none', {}, fix('create-env')));
  else if (!p.ok) items.push(item('python-torch', 'wrong', 'python.broken', { path: p.path, error: p.error ?? '' }, fix('create-env')));
  else if (!p.version?.startsWith('3.10')) items.push(item('python-torch', 'wrong', 'python.version', { path: p.path, version: p.version ?? '?' }, fix('create-env')));
  else if (!p.torch) items.push(item('python-torch', 'missing', 'python.noTorch', { path: p.path }, tag ? fix('install-torch') : null));
  else if (!p.torchCuda) items.push(item('python-torch', 'wrong', 'python.cpuTorch', { torch: p.torch }, tag ? fix('install-torch') : null));
  else if (f.driverCuda && compareVersions(p.torchCuda, f.driverCuda) > 0) {
    items.push(item('python-torch', 'wrong', tag ? 'python.cudaNewer' : 'python.driverOld', { torch: p.torch, torchCuda: p.torchCuda, driverCuda: f.driverCuda }, tag ? fix('install-torch') : null));
  } else items.push(item('python-torch', 'ok', 'python.ok', { path: p.path, version: p.version, torch: p.torch, torchCuda: p.torchCuda, driverCuda: f.driverCuda ?? '?' }));

  // flash-attn importable in that env: FA3 on Hopper, FA2 2.8.3 elsewhere (upstream README).
  const faFix = fix(f.hopper ? 'install-flash-attn3' : 'install-flash-attn2');
  if (!p.path || !p.ok) items.push(item('flash-attn', 'missing', 'flash.noPython'));
  else if (p.flashAttn3 || p.flashAttn) items.push(item('flash-attn', 'ok', 'flash.ok', { version: p.flashAttn3 ? `FA3 ${p.flashAttn3}` : `FA2 ${p.flashAttn}` }));
  else if (p.flashAttnError) items.push(item('flash-attn', 'wrong', 'flash.broken', { error: p.flashAttnError }, faFix));
  else items.push(item('flash-attn', 'missing', 'flash.missing', {}, faFix));

  // Pinned requirements, read from the env itself.
  if (!p.path || !p.ok) items.push(item('requirements', 'missing', 'reqs.noPython'));
  else if (!f.packages) items.push(item('requirements', 'wrong', 'reqs.probeFailed', {}, fix('install-requirements') ?? fix('pin-requirements')));
  else {
    const absent = PINNED.filter((x) => !f.packages![x.name]);
    const off = PINNED.filter((x) => f.packages![x.name] && !satisfies(f.packages![x.name]!, x.spec));
    if (off.length > 0) {
      items.push(item('requirements', 'wrong', 'reqs.wrong', { list: off.map((x) => `${x.name} ${f.packages![x.name]} (${x.spec})`).join(', ') }, fix('pin-requirements')));
    } else if (absent.length > 0) {
      items.push(item('requirements', 'missing', 'reqs.missing', { list: absent.map((x) => x.name).join(', ') }, fix('install-requirements') ?? fix('pin-requirements')));
    } else items.push(item('requirements', 'ok', 'reqs.ok', { list: PINNED.map((x) => `${x.name} ${f.packages![x.name]}`).join(', ') }));
  }

  // ffmpeg on PATH (muxing the audio in; without it the video is silent).
  items.push(f.ffmpeg ? item('ffmpeg', 'ok', 'ffmpeg.ok', { path: f.ffmpeg }) : item('ffmpeg', 'missing', 'ffmpeg.missing', {}, fix('install-ffmpeg')));

  const ready = items.every((i) => i.status === 'ok');
  const weightsOk = items.find((i) => i.id === 'lora')?.status === 'ok';
  return { ready, items, runEnv: weightsOk ? { ...OFFLINE_RUN_ENV } : {}, checkedAt: now.toISOString() };
}
