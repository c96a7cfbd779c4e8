import { execa, type ResultPromise } from 'execa';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot, tempDir } from './temp';

/** Where the detection feature keeps its nvidia-smi stand-in that replays the 4×H200 fixtures. */
export const FAKE_SMI_DIR = join(repoRoot, 'test', 'support', 'fake-nvidia-smi');
export const SYS_PYTHON = '/usr/bin/python3';

export interface Served {
  /** Full URL with ?token=…, as `lal serve` printed it. */
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  /** Everything the server wrote to stderr so far (for failure messages). */
  stderr(): string;
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** Put the fake nvidia-smi first on PATH (default true). */
  fakeSmi?: boolean;
  python?: string;
  env?: Record<string, string>;
  /** Extra global flags before `serve` (e.g. ['--lang', 'zh-CN']). */
  globals?: string[];
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Builds the web renderer when out/renderer is missing or older than its sources, so a browser
 * test never runs against a stale bundle. Other suites call this too; it is cheap when fresh.
 */
export async function ensureRendererBuilt(): Promise<void> {
  const index = join(repoRoot, 'out', 'renderer', 'index.html');
  const sources = Math.max(newestMtime(join(repoRoot, 'renderer')), newestMtime(join(repoRoot, 'shared')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const r = await execa('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'error'], { cwd: repoRoot, reject: false });
  if (r.exitCode !== 0) throw new Error(`renderer build failed:\n${r.stderr}`);
}

/**
 * `lal serve --port 0 --json` as a real subprocess with a throwaway LAL_DATA_DIR, the nvidia-smi
 * stand-in first on PATH and the system Python (torch for CPU rehearsals).
 */
export async function startServe(opts: ServeOptions = {}): Promise<Served> {
  const fakeSmi = opts.fakeSmi ?? true;
  if (fakeSmi && !existsSync(join(FAKE_SMI_DIR, 'nvidia-smi'))) {
    throw new Error(`the nvidia-smi stand-in is missing at ${FAKE_SMI_DIR}/nvidia-smi (owned by the detection feature)`);
  }
  await ensureRendererBuilt();
  const data = tempDir('lal-e2e-');
  const PATH = fakeSmi ? `${FAKE_SMI_DIR}:${process.env.PATH ?? ''}` : (process.env.PATH ?? '');
  const child: ResultPromise = execa(
    'node',
    ['--import', 'tsx', 'electron/cli/main.ts', ...(opts.globals ?? []), '--python', opts.python ?? SYS_PYTHON, 'serve', '--port', '0', '--json'],
    {
      cwd: repoRoot,
      env: { ...opts.env, PATH, LAL_DATA_DIR: data.path, ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent-electron-dist' },
      reject: false,
      buffer: false,
    },
  );
  let err = '';
  child.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
  });
  const rl = createInterface({ input: child.stdout! });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lal serve printed nothing in 60 s\n${err}`)), 60_000);
    rl.once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    void child.then((r) => {
      clearTimeout(timer);
      reject(new Error(`lal serve exited (${r.exitCode}) before printing its URL\n${err}`));
    });
  });
  const { url } = JSON.parse(line) as { url: string; port: number; host: string };
  const u = new URL(url);
  return {
    url,
    origin: u.origin,
    token: u.searchParams.get('token') ?? '',
    dataDir: data.path,
    stderr: () => err,
    stop: async () => {
      rl.close();
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await child.catch(() => undefined);
      clearTimeout(killer);
      data.remove();
    },
  };
}
