import { access, readFile, realpath } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { execa } from 'execa';

/** How to start torchrun for one Python interpreter. */
export interface ResolvedTorchrun {
  /** argv prefix; append torchrun's own flags, the script and its flags. */
  argv: string[];
  /** The interpreter that will run the workers (torchrun uses sys.executable for them). */
  python: string;
  /** True when argv goes through resources/torchrun/lal_torchrun.py because the probe found the bug. */
  patched: boolean;
  /** One sentence for logs and the UI: what was found and why this argv was chosen. */
  reason: string;
}

export interface ResolveTorchrunOptions {
  /** Interpreter to use. Default: the `torchrun` on PATH and the interpreter named in its shebang. */
  python?: string;
  /** The resources/ folder that holds torchrun/lal_torchrun.py. */
  resourcesDir: string;
  /** PATH-like environment used to look programs up (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Probe time limit; importing torch takes a few seconds on a cold disk. */
  probeTimeoutMs?: number;
}

/** Thrown when no interpreter with an importable torch.distributed.run can be found. */
export class TorchrunUnavailableError extends Error {
  constructor(
    message: string,
    readonly python: string | null,
  ) {
    super(message);
    this.name = 'TorchrunUnavailableError';
  }
}

const INSTALL_HINT = 'Install PyTorch for this interpreter (Debian: apt-get install -y python3-torch python3-tqdm).';

/**
 * Calls the interpreter's real `to_map(Std.from_str(...))` exactly as torchrun does when it parses
 * `--redirects`/`--tee`. On Python >= 3.11 with older torch, `from_str` returns None and `to_map`
 * raises; on fixed versions both round-trip. The snippet prints one JSON line and never starts workers.
 */
const PROBE = String.raw`
import json, sys
out = {"python": sys.version.split()[0], "executable": sys.executable}
try:
    import torch
    from torch.distributed.elastic.multiprocessing.api import Std, to_map
    out["torch"] = torch.__version__
except Exception as e:
    out["importable"] = False
    out["error"] = f"{type(e).__name__}: {e}"
    print(json.dumps(out)); sys.exit(0)
out["importable"] = True
try:
    none_map = to_map(Std.from_str("0"), 2)
    all_map = to_map(Std.from_str("3"), 1)
    mixed = to_map(Std.from_str("0:3,1:0"), 2)
    ok = none_map == {0: Std.NONE, 1: Std.NONE} and all_map == {0: Std.ALL} and mixed == {0: Std.ALL, 1: Std.NONE}
    out["broken"] = not ok
    if not ok:
        out["error"] = f"to_map returned {none_map!r} / {all_map!r} / {mixed!r}"
except (TypeError, ValueError, AttributeError) as e:
    out["broken"] = True
    out["error"] = f"{type(e).__name__}: {e}"
print(json.dumps(out))
`;

interface ProbeResult {
  python?: string;
  executable?: string;
  importable?: boolean;
  torch?: string;
  broken?: boolean;
  error?: string;
}

const cache = new Map<string, Promise<ResolvedTorchrun>>();

/** Forget cached answers (tests, or after the user installs a different torch). */
export function clearTorchrunCache(): void {
  cache.clear();
}

/**
 * Finds torchrun for an interpreter and decides whether it needs the compatibility wrapper.
 * The answer is cached per (interpreter, resources folder) for the life of the process.
 */
export function resolveTorchrun(opts: ResolveTorchrunOptions): Promise<ResolvedTorchrun> {
  const key = JSON.stringify([opts.python ?? null, opts.resourcesDir, opts.env?.PATH ?? process.env.PATH ?? '']);
  let hit = cache.get(key);
  if (!hit) {
    hit = resolveUncached(opts);
    cache.set(key, hit);
    // A failure (say torch missing) should not stick: the user may install it and retry.
    hit.catch(() => cache.delete(key));
  }
  return hit;
}

async function resolveUncached(opts: ResolveTorchrunOptions): Promise<ResolvedTorchrun> {
  const env = opts.env ?? process.env;
  let python: string;
  let torchrun: string | null = null;

  if (opts.python) {
    python = opts.python.includes('/') ? opts.python : ((await which(opts.python, env)) ?? opts.python);
    // A torchrun next to the interpreter (venv/bin, /usr/bin) is the one pip/apt installed for it.
    const sibling = join(dirname(python), 'torchrun');
    if (isAbsolute(python) && (await isExecutable(sibling))) {
      const owner = await shebangInterpreter(sibling, env);
      if (owner && (await samePath(owner, python))) torchrun = sibling;
    }
  } else {
    torchrun = await which('torchrun', env);
    const owner = torchrun ? await shebangInterpreter(torchrun, env) : null;
    if (torchrun && owner) {
      python = owner;
    } else {
      torchrun = null;
      python = (await which('python3', env)) ?? (await which('python', env)) ?? 'python3';
    }
  }

  const probe = await runProbe(python, opts.probeTimeoutMs ?? 30_000);
  if (probe.importable === false) {
    throw new TorchrunUnavailableError(`${python} cannot import torch.distributed.run (${probe.error ?? 'unknown error'}). ${INSTALL_HINT}`, python);
  }
  const versions = probe.torch ? `torch ${probe.torch} on Python ${probe.python ?? '?'}` : `${python}`;

  if (probe.broken) {
    const shim = join(opts.resourcesDir, 'torchrun', 'lal_torchrun.py');
    if (!(await exists(shim))) {
      throw new TorchrunUnavailableError(`${versions} needs the torchrun fix but ${shim} is missing.`, python);
    }
    return {
      argv: [python, shim],
      python,
      patched: true,
      reason: `${versions}: torchrun's to_map fails (${probe.error ?? 'bad Std mapping'}); using the patched wrapper.`,
    };
  }
  const probeNote = probe.error ? ` (probe inconclusive: ${probe.error})` : '';
  if (torchrun) {
    return { argv: [torchrun], python, patched: false, reason: `${versions}: using ${torchrun}${probeNote}.` };
  }
  return {
    argv: [python, '-m', 'torch.distributed.run'],
    python,
    patched: false,
    reason: `${versions}: no torchrun script for this interpreter, using python -m torch.distributed.run${probeNote}.`,
  };
}

async function runProbe(python: string, timeoutMs: number): Promise<ProbeResult> {
  try {
    const r = await execa(python, ['-c', PROBE], { timeout: timeoutMs, reject: false, env: { PYTHONWARNINGS: 'ignore' } });
    if (r.timedOut) return { importable: true, broken: false, error: `probe timed out after ${timeoutMs} ms` };
    const line = r.stdout.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(line) as ProbeResult;
    } catch {
      const detail = (r.stderr || r.stdout || `exit ${r.exitCode}`).trim().split('\n').pop();
      return { importable: false, error: detail };
    }
  } catch (e) {
    return { importable: false, error: (e as Error).message };
  }
}

/** `#!/usr/bin/python3.11` or `#!/usr/bin/env python3` -> absolute interpreter path. */
async function shebangInterpreter(script: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  let head: string;
  try {
    head = (await readFile(script, 'utf8')).slice(0, 512);
  } catch {
    return null;
  }
  const m = /^#!\s*(\S+)(?:[ \t]+(\S+))?/.exec(head);
  if (!m) return null;
  if (m[1].endsWith('/env') && m[2]) return which(m[2], env);
  return m[1];
}

async function which(name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

async function isExecutable(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

async function samePath(a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  try {
    return (await realpath(a)) === (await realpath(b));
  } catch {
    return false;
  }
}
