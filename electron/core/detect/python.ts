import { open, realpath } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { execa } from 'execa';
import type { PythonEnv } from '../../../shared/detect';
import { isExecutable, which } from './which';

export interface PythonCandidate {
  path: string;
  source: PythonEnv['source'];
}

export interface PythonOptions {
  configured?: string | null;
  resourcesDir: string;
  env?: NodeJS.ProcessEnv;
  /** Per-interpreter limit: a cold `import torch` takes seconds, a broken one can hang forever. */
  probeTimeoutMs?: number;
  condaTimeoutMs?: number;
  /** Upper bound on probed interpreters, so fifty conda envs cannot stall detection. */
  maxCandidates?: number;
}

/** Lists conda environments with `conda env list --json` (time-bounded; no conda → none). */
export async function condaEnvs(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string[]> {
  const conda = (env.CONDA_EXE && (await isExecutable(env.CONDA_EXE)) ? env.CONDA_EXE : null) ?? (await which('conda', env));
  if (!conda) return [];
  const r = await execa(conda, ['env', 'list', '--json'], { timeout: timeoutMs, reject: false, stdin: 'ignore', env, extendEnv: false });
  if (r.exitCode !== 0) return [];
  try {
    const parsed = JSON.parse(String(r.stdout)) as { envs?: unknown };
    return Array.isArray(parsed.envs) ? parsed.envs.filter((e): e is string => typeof e === 'string') : [];
  } catch {
    return [];
  }
}

async function pythonIn(prefix: string): Promise<string | null> {
  for (const name of ['bin/python3', 'bin/python', 'python.exe']) {
    const p = join(prefix, name);
    if (await isExecutable(p)) return p;
  }
  return null;
}

/** `#!/usr/bin/python3` → /usr/bin/python3; `#!/usr/bin/env python3` is left to the PATH candidate. */
async function shebangInterpreter(script: string): Promise<string | null> {
  const head = await open(script, 'r').then(
    async (fh) => {
      try {
        const buf = Buffer.alloc(300);
        const { bytesRead } = await fh.read(buf, 0, 300, 0);
        return buf.subarray(0, bytesRead).toString('utf8');
      } finally {
        await fh.close();
      }
    },
    () => '',
  );
  const m = /^#!\s*(\S+)/.exec(head);
  if (!m || m[1]!.endsWith('/env') || !(await isExecutable(m[1]!))) return null;
  return m[1]!;
}

/**
 * Candidates in priority order: the configured interpreter, the active conda env, the active venv,
 * every conda env, the interpreter of the torchrun on PATH, then `python3` on PATH. Duplicates are
 * dropped, keeping the first and thus the most specific source.
 */
export async function pythonCandidates(opts: PythonOptions): Promise<PythonCandidate[]> {
  const env = opts.env ?? process.env;
  const list: PythonCandidate[] = [];
  if (opts.configured) list.push({ path: opts.configured, source: 'configured' });
  if (env.CONDA_PREFIX) {
    const p = await pythonIn(env.CONDA_PREFIX);
    if (p) list.push({ path: p, source: 'conda-active' });
  }
  if (env.VIRTUAL_ENV) {
    const p = await pythonIn(env.VIRTUAL_ENV);
    if (p) list.push({ path: p, source: 'venv' });
  }
  for (const prefix of await condaEnvs(env, opts.condaTimeoutMs ?? 8000)) {
    const p = await pythonIn(prefix);
    if (p) list.push({ path: p, source: 'conda-env' });
  }
  // Runs without a configured Python use the interpreter of the torchrun on PATH (torchrun/resolve.ts).
  const torchrun = await which('torchrun', env);
  const owner = torchrun ? await shebangInterpreter(torchrun) : null;
  if (owner) list.push({ path: owner, source: 'torchrun' });
  const onPath = await which('python3', env);
  if (onPath) list.push({ path: onPath, source: 'path' });

  const seen = new Set<string>();
  const out: PythonCandidate[] = [];
  for (const c of list) {
    const resolvedPath = c.path.includes('/') ? c.path : ((await which(c.path, env)) ?? c.path);
    // Same folder and same real binary = same interpreter (python, python3, python3.11 in /usr/bin).
    // A venv's python links to its base binary but lives in another folder, so it stays apart.
    const dir = await realpath(dirname(resolvedPath)).catch(() => dirname(resolvedPath));
    const bin = await realpath(resolvedPath).catch(() => resolvedPath);
    const key = `${dir}|${basename(bin)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: resolvedPath, source: c.source });
  }
  return out.slice(0, opts.maxCandidates ?? 12);
}

interface ProbeJson {
  python?: string;
  prefix?: string;
  torch?: string | null;
  torch_error?: string;
  torch_cuda?: string | null;
  cuda_available?: boolean;
  device_count?: number | null;
  cuda_error?: string;
  arch_list?: string[];
  nccl?: string | null;
  flash_attn?: string | null;
  flash_attn_error?: string;
  flash_attn3?: string | null;
  torchrun?: string | null;
}

/** Reads the `LAL_PROBE {json}` line; anything else the interpreter printed (site hooks) is ignored. */
export function parseProbeOutput(stdout: string): ProbeJson | null {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('LAL_PROBE '));
  if (!line) return null;
  try {
    return JSON.parse(line.slice('LAL_PROBE '.length)) as ProbeJson;
  } catch {
    return null;
  }
}

/** Runs resources/probe/probe_env.py with one interpreter, bounded in time; never throws. */
export async function probePython(c: PythonCandidate, opts: PythonOptions): Promise<PythonEnv> {
  const timeout = opts.probeTimeoutMs ?? 20_000;
  const script = join(opts.resourcesDir, 'probe', 'probe_env.py');
  const t0 = performance.now();
  const r = await execa(c.path, [script], {
    timeout,
    reject: false,
    stdin: 'ignore',
    forceKillAfterDelay: 1000,
    // Never let a probe touch a GPU: NVML answers device_count, and no CUDA context is made.
    env: { ...(opts.env ?? process.env), PYTORCH_NVML_BASED_CUDA_CHECK: '1', PYTHONDONTWRITEBYTECODE: '1' },
    extendEnv: false,
    maxBuffer: 4 * 1024 * 1024,
  }).catch((err: unknown) => ({ failed: true, timedOut: false, exitCode: undefined, stdout: '', stderr: String(err), cause: err }) as const);
  const probeMs = Math.round(performance.now() - t0);
  const base = { path: c.path, source: c.source, probeMs };
  if (r.timedOut) return { ...base, ok: false, timedOut: true, error: `no answer within ${Math.round(timeout / 1000)} s` };
  const json = parseProbeOutput(String(r.stdout ?? ''));
  if (!json) {
    const code = (r as { cause?: NodeJS.ErrnoException }).cause?.code;
    const why = code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'not executable' : String(r.stderr ?? '').trim().split('\n').pop() || `exit code ${r.exitCode ?? '?'}`;
    return { ...base, ok: false, error: why.slice(0, 300) };
  }
  return {
    ...base,
    ok: true,
    pythonVersion: json.python,
    prefix: json.prefix,
    torchVersion: json.torch ?? null,
    torchCuda: json.torch_cuda ?? null,
    cudaAvailable: json.torch ? (json.cuda_available ?? null) : null,
    deviceCount: json.torch ? (json.device_count ?? null) : null,
    ncclVersion: json.nccl ?? null,
    flashAttn: json.flash_attn ?? null,
    flashAttn3: json.flash_attn3 ?? null,
    flashAttnError: json.flash_attn_error ?? null,
    torchArchList: json.arch_list ?? [],
    torchrun: json.torchrun ?? null,
    ...(json.torch_error && !/No module named 'torch'/.test(json.torch_error) ? { error: json.torch_error } : {}),
  };
}

/**
 * Every candidate probed, a few at a time: each probe imports torch (seconds of CPU), and a box
 * with a dozen conda envs should not stall the app. Order of the answer = order of the candidates.
 */
export async function detectPython(opts: PythonOptions & { concurrency?: number }): Promise<PythonEnv[]> {
  const cands = await pythonCandidates(opts);
  const out: PythonEnv[] = new Array(cands.length);
  let next = 0;
  const worker = async () => {
    while (next < cands.length) {
      const i = next++;
      out[i] = await probePython(cands[i]!, opts);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 3, cands.length) }, worker));
  return out;
}
