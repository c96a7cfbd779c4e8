/**
 * The only commands the readiness checklist may offer. Each is argv built from a fixed template and
 * parameters that are checked here (absolute paths without control characters, a CUDA tag from a
 * list), so a hostile checkout path or settings file cannot turn a fix into something else. The app
 * runs them without a shell; the CLI prints them for the user to copy.
 */
export const FIX_IDS = [
  'clone-checkout',
  'create-env',
  'install-torch',
  'install-flash-attn3',
  'install-flash-attn2',
  'install-requirements',
  'pin-requirements',
  'install-ffmpeg',
  'download-weights',
] as const;
export type FixId = (typeof FIX_IDS)[number];

export const CUDA_TAGS = ['cu128', 'cu126'] as const;
export type CudaTag = (typeof CUDA_TAGS)[number];

export interface FixParams {
  python?: string;
  checkout?: string;
  dest?: string;
  cudaTag?: CudaTag;
  platform?: string;
}

export interface FixCommand {
  id: FixId;
  argv: string[];
  /** False for commands that need a password (sudo) or are better done in the download view. */
  runnable: boolean;
}

/** Upstream's clone URL and the versions its README pins (Alibaba-Quark/LiveAvatar README, requirements.txt). */
export const LIVEAVATAR_GIT = 'https://github.com/Alibaba-Quark/LiveAvatar.git';
export const TORCH_PINS = ['torch==2.8.0', 'torchvision==0.23.0'];
export const FA3_WHEELS = 'https://windreamer.github.io/flash-attention3-wheels/cu128_torch280';
export const REQUIREMENT_PINS = ['transformers>=4.49.0,<=4.51.3', 'numpy>=1.23.5,<2', 'peft==0.17.1'];

/** POSIX `/…` or Windows `C:\…`; no NUL, newline or other control character. */
export function safeAbsPath(p: unknown): p is string {
  if (typeof p !== 'string' || p.length === 0 || p.length > 4096) return false;
  if (/[\0-\x1f\x7f]/.test(p)) return false;
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
}

const sep = (p: string) => (/^[A-Za-z]:\\/.test(p) ? '\\' : '/');
const under = (dir: string, name: string) => `${dir.replace(/[\\/]+$/, '')}${sep(dir)}${name}`;

/** The argv of one fix, or null when a parameter it needs is missing or unsafe. */
export function fixCommand(id: FixId, p: FixParams): FixCommand | null {
  const py = safeAbsPath(p.python) ? p.python : null;
  const pip = py ? [py, '-m', 'pip', 'install'] : null;
  switch (id) {
    case 'clone-checkout':
      return safeAbsPath(p.checkout) ? { id, argv: ['git', 'clone', LIVEAVATAR_GIT, p.checkout], runnable: true } : null;
    case 'create-env':
      return { id, argv: ['conda', 'create', '-n', 'liveavatar', 'python=3.10', '-y'], runnable: true };
    case 'install-torch':
      if (!pip || !p.cudaTag || !CUDA_TAGS.includes(p.cudaTag)) return null;
      return { id, argv: [...pip, ...TORCH_PINS, '--index-url', `https://download.pytorch.org/whl/${p.cudaTag}`], runnable: true };
    case 'install-flash-attn3':
      return pip ? { id, argv: [...pip, 'flash_attn_3', '--find-links', FA3_WHEELS, '--extra-index-url', 'https://download.pytorch.org/whl/cu128'], runnable: true } : null;
    case 'install-flash-attn2':
      return pip ? { id, argv: [...pip, 'flash-attn==2.8.3', '--no-build-isolation'], runnable: true } : null;
    case 'install-requirements':
      return pip && safeAbsPath(p.checkout) ? { id, argv: [...pip, '-r', under(p.checkout, 'requirements.txt')], runnable: true } : null;
    case 'pin-requirements':
      return pip ? { id, argv: [...pip, ...REQUIREMENT_PINS], runnable: true } : null;
    case 'install-ffmpeg':
      if (p.platform === 'darwin') return { id, argv: ['brew', 'install', 'ffmpeg'], runnable: true };
      if (p.platform === 'win32') return { id, argv: ['winget', 'install', '--id', 'Gyan.FFmpeg', '-e'], runnable: true };
      // apt needs root: the app cannot answer sudo's password prompt, so this one is copy-only.
      return { id, argv: ['sudo', 'apt-get', 'install', '-y', 'ffmpeg'], runnable: false };
    case 'download-weights':
      if (!safeAbsPath(p.dest)) return null;
      // The default place (<checkout>/ckpt) is named by its checkout, which the CLI accepts without settings.
      if (safeAbsPath(p.checkout) && p.dest === under(p.checkout, 'ckpt')) return { id, argv: ['lal', 'setup', 'weights', '--checkout', p.checkout], runnable: false };
      return { id, argv: ['lal', 'setup', 'weights', '--dest', p.dest], runnable: false };
  }
}

/** argv as one line a user can paste into a POSIX shell: every word that needs it single-quoted. */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
