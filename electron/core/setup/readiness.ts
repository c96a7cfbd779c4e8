import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { evaluate, PINNED, type ReadinessFacts, type ReadinessReport, type WeightsFact } from '../../../shared/setup/checklist';
import { hubCacheRepoFolder, LORA_FILE, PART_SUFFIX, targetPath, WEIGHT_REPOS, type WeightRepo } from '../../../shared/setup/weights';
import { safeCommit } from '../../../shared/setup/listing';
import { probePython } from '../detect/python';
import { which } from '../detect/which';
import { readManifest } from './state';

export interface ReadinessOptions {
  checkout: string | null;
  /** Weights folder; default `<checkout>/ckpt`, where upstream's relative paths point. */
  weightsDir?: string | null;
  /** The interpreter runs use; null: none chosen or found. */
  python: string | null;
  resourcesDir: string;
  driverCuda: string | null;
  hopper: boolean;
  env?: NodeJS.ProcessEnv;
  platform?: string;
  probeTimeoutMs?: number;
}

const ENTRY = 'minimal_inference/s2v_streaming_interact.py';

/** Everything the checklist needs, read from disk and from the chosen Python; never throws. */
export async function gatherFacts(o: ReadinessOptions): Promise<ReadinessFacts> {
  const env = o.env ?? process.env;
  const weightsDir = o.weightsDir ?? (o.checkout ? join(o.checkout, 'ckpt') : null);
  const exists = o.checkout ? await stat(o.checkout).then((s) => s.isDirectory(), () => false) : false;
  const [entry, commit, weights, lora, python, ffmpeg] = await Promise.all([
    exists ? isFile(join(o.checkout!, ENTRY)) : false,
    exists ? gitCommit(o.checkout!) : null,
    weightsDir ? Promise.all(WEIGHT_REPOS.map((r) => weightsFact(weightsDir, r))) : [],
    loraFact(o.checkout),
    pythonFact(o),
    which('ffmpeg', env),
  ]);
  return {
    platform: o.platform ?? process.platform,
    checkout: { path: o.checkout, exists, entry, commit },
    weightsDir,
    weights,
    lora,
    python: python.python,
    driverCuda: o.driverCuda,
    hopper: o.hopper,
    packages: python.packages,
    ffmpeg,
  };
}

export async function readiness(o: ReadinessOptions): Promise<ReadinessReport> {
  return evaluate(await gatherFacts(o));
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isFile(), () => false);
}

/** HEAD of a checkout read from .git without running git (which may be absent or slow on NFS). */
export async function gitCommit(dir: string): Promise<string | null> {
  const gitDir = join(dir, '.git');
  const head = (await readFile(join(gitDir, 'HEAD'), 'utf8').catch(() => '')).trim();
  if (/^[0-9a-f]{40}$/.test(head)) return head;
  const ref = /^ref: (refs\/[\w./-]+)$/.exec(head)?.[1];
  if (!ref || ref.includes('..')) return null;
  const loose = (await readFile(join(gitDir, ...ref.split('/')), 'utf8').catch(() => '')).trim();
  if (/^[0-9a-f]{40}$/.test(loose)) return loose;
  const packed = await readFile(join(gitDir, 'packed-refs'), 'utf8').catch(() => '');
  for (const line of packed.split('\n')) {
    const [sha, name] = line.trim().split(' ');
    if (name === ref && sha && /^[0-9a-f]{40}$/.test(sha)) return sha;
  }
  return null;
}

/** Compares the saved Hub listing with what is on disk: exact file list and byte counts. */
async function weightsFact(dir: string, r: WeightRepo): Promise<WeightsFact> {
  const m = readManifest(dir, r);
  const fact: WeightsFact = { repo: r.repo, manifest: !!m, commit: m?.commit ?? null, files: m?.files.length ?? 0, bytes: 0, totalBytes: 0, missing: [], wrongSize: [], partial: 0 };
  if (!m) return { ...fact, folderExists: await stat(join(dir, r.folder)).then((s) => s.isDirectory(), () => false) };
  for (const f of m.files) {
    fact.totalBytes += f.size;
    const abs = join(dir, ...targetPath(r, m.commit, f.path).split('/'));
    const s = await stat(abs).catch(() => null);
    if (!s) {
      fact.missing.push(f.path);
      const part = await stat(abs + PART_SUFFIX).catch(() => null);
      if (part) {
        fact.partial++;
        fact.bytes += Math.min(part.size, f.size);
      }
    } else if (s.size !== f.size) fact.wrongSize.push(f.path);
    else fact.bytes += f.size;
  }
  return fact;
}

/**
 * Resolves the LoRA the way huggingface_hub does for `hf_hub_download(repo, "liveavatar.safetensors",
 * cache_dir="ckpt/LiveAvatar")` run from the checkout: refs/main → commit → snapshots/<commit>/file.
 */
async function loraFact(checkout: string | null): Promise<ReadinessFacts['lora']> {
  if (!checkout) return { expected: null, refCommit: null, found: false, plainOnly: false };
  const repo = WEIGHT_REPOS.find((r) => r.id === 'liveavatar-lora')!;
  const cache = join(checkout, 'ckpt', repo.folder, hubCacheRepoFolder(repo.repo));
  const ref = (await readFile(join(cache, 'refs', 'main'), 'utf8').catch(() => '')).trim();
  const refCommit = ref && safeCommit(ref) ? ref : null;
  const expected = join(cache, 'snapshots', refCommit ?? '<refs/main>', LORA_FILE);
  const found = refCommit ? await isFile(expected) : false;
  const plainOnly = !found && (await isFile(join(checkout, 'ckpt', repo.folder, LORA_FILE)));
  return { expected, refCommit, found, plainOnly };
}

/** probe_env.py for torch / flash-attn, probe_requirements.py for the pins; both time-bounded. */
async function pythonFact(o: ReadinessOptions): Promise<{ python: ReadinessFacts['python']; packages: ReadinessFacts['packages'] }> {
  if (!o.python) return { python: { path: null, ok: false }, packages: null };
  const env = await probePython({ path: o.python, source: 'configured' }, { resourcesDir: o.resourcesDir, env: o.env, probeTimeoutMs: o.probeTimeoutMs });
  const python: ReadinessFacts['python'] = {
    path: o.python,
    ok: env.ok,
    error: env.error,
    version: env.pythonVersion,
    torch: env.torchVersion ?? null,
    torchCuda: env.torchCuda ?? null,
    flashAttn: env.flashAttn ?? null,
    flashAttn3: env.flashAttn3 ?? null,
    flashAttnError: env.flashAttnError ?? null,
  };
  if (!env.ok) return { python, packages: null };
  const r = await execa(o.python, [join(o.resourcesDir, 'probe', 'probe_requirements.py'), ...PINNED.map((p) => p.name)], {
    timeout: o.probeTimeoutMs ?? 20_000, reject: false, stdin: 'ignore', env: { ...(o.env ?? process.env), PYTHONDONTWRITEBYTECODE: '1' }, extendEnv: false,
  }).catch(() => null);
  const line = String(r?.stdout ?? '').split('\n').reverse().find((l) => l.startsWith('LAL_REQS '));
  let packages: Record<string, string | null> | null = null;
  try {
    const parsed = line ? (JSON.parse(line.slice('LAL_REQS '.length)) as unknown) : null;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      packages = Object.fromEntries(PINNED.map((p) => {
        const v = (parsed as Record<string, unknown>)[p.name];
        return [p.name, typeof v === 'string' ? v.slice(0, 64) : null];
      }));
    }
  } catch {
    packages = null;
  }
  return { python, packages };
}
