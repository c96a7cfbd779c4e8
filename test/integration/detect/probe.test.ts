import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { probePython, pythonCandidates } from '../../../electron/core/detect';
import { repoRoot, tempDir } from '../../support/temp';

const RESOURCES = join(repoRoot, 'resources');
const TORCH_PYTHON = '/usr/bin/python3';
const INSTALL = 'apt-get install -y python3-torch python3-tqdm';
const tmp = tempDir('lal-probe-');
afterAll(() => tmp.remove());

async function torchPresent(): Promise<void> {
  const r = await execa(TORCH_PYTHON, ['-c', 'import torch'], { reject: false });
  if (r.exitCode !== 0) throw new Error(`${TORCH_PYTHON} cannot import torch; this test needs it: ${INSTALL}`);
}

/** The pyenv python3 first on this machine's PATH, which has no torch. */
async function pythonWithoutTorch(): Promise<string> {
  const r = await execa('python3', ['-c', 'import sys\ntry:\n import torch; print("HAS")\nexcept ImportError: print(sys.executable)'], { reject: false });
  const out = String(r.stdout).trim();
  if (r.exitCode !== 0 || out === 'HAS' || !out) throw new Error(`expected a python3 on PATH without torch (pyenv); got ${out || r.stderr}`);
  return out;
}

describe('probe_env.py on real interpreters', () => {
  it('with torch: versions, CUDA build, device count without initialising CUDA, torchrun', async () => {
    await torchPresent();
    // What torch itself says, asked directly, so the test holds for a CPU build here and a CUDA build on a GPU box.
    const truth = JSON.parse(
      String((await execa(TORCH_PYTHON, ['-c', 'import json, sys, torch; print(json.dumps([sys.version.split()[0], torch.__version__, torch.version.cuda]))'])).stdout),
    ) as [string, string, string | null];
    const env = await probePython({ path: TORCH_PYTHON, source: 'configured' }, { resourcesDir: RESOURCES });
    expect(env.ok).toBe(true);
    expect([env.pythonVersion, env.torchVersion, env.torchCuda]).toEqual(truth);
    expect(env.prefix).toBe('/usr');
    expect(env.torchrun).toBe('/usr/bin/torchrun');
    if (truth[2] === null) {
      // Debian's CPU build: no CUDA, no NCCL, no GPUs, and the probe says so instead of failing.
      expect([env.cudaAvailable, env.deviceCount, env.ncclVersion, env.torchArchList]).toEqual([false, 0, null, []]);
    } else {
      expect(env.torchArchList?.length).toBeGreaterThan(0);
      expect(env.ncclVersion).toMatch(/^\d+\.\d+\.\d+$/);
      expect(typeof env.deviceCount).toBe('number');
    }
  });

  it('without torch: a clean "no torch", not an error, and no foreign torchrun', async () => {
    const py = await pythonWithoutTorch();
    const env = await probePython({ path: py, source: 'path' }, { resourcesDir: RESOURCES });
    expect(env).toMatchObject({ ok: true, torchVersion: null, torchCuda: null, cudaAvailable: null, deviceCount: null, torchrun: null });
    expect(env.error).toBeUndefined();
  });

  it('a hanging interpreter is stopped at the time limit', async () => {
    const hang = join(tmp.path, 'hang-python');
    writeFileSync(hang, '#!/bin/sh\nexec sleep 60\n');
    chmodSync(hang, 0o755);
    const t0 = Date.now();
    const env = await probePython({ path: hang, source: 'configured' }, { resourcesDir: RESOURCES, probeTimeoutMs: 800 });
    expect(env).toMatchObject({ ok: false, timedOut: true });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a missing interpreter is named, not thrown', async () => {
    const env = await probePython({ path: '/nonexistent/python3', source: 'configured' }, { resourcesDir: RESOURCES });
    expect(env).toMatchObject({ ok: false, error: 'not found' });
  });

  it('candidates: configured, active conda env, venv, conda env list, torchrun’s interpreter, python3 on PATH, without duplicates', async () => {
    await torchPresent();
    const mk = (dir: string) => {
      mkdirSync(join(dir, 'bin'), { recursive: true });
      symlinkSync(TORCH_PYTHON, join(dir, 'bin', 'python3'));
      return join(dir, 'bin', 'python3');
    };
    const active = mk(join(tmp.path, 'conda/envs/active'));
    const venv = mk(join(tmp.path, 'venv'));
    const other = mk(join(tmp.path, 'conda/envs/liveavatar'));
    const bin = join(tmp.path, 'condabin');
    mkdirSync(bin);
    const envs = [join(tmp.path, 'conda/envs/active'), join(tmp.path, 'conda/envs/liveavatar'), join(tmp.path, 'conda/envs/gone')];
    writeFileSync(join(bin, 'conda'), `#!/bin/sh\n[ "$1 $2 $3" = "env list --json" ] && echo '${JSON.stringify({ envs })}'\n`);
    chmodSync(join(bin, 'conda'), 0o755);
    symlinkSync(TORCH_PYTHON, join(bin, 'python3'));
    // The torchrun on PATH names its interpreter in the shebang: runs without a configured Python use it.
    const trPython = mk(join(tmp.path, 'opt/torch'));
    writeFileSync(join(bin, 'torchrun'), `#!${trPython}\nimport sys\n`);
    chmodSync(join(bin, 'torchrun'), 0o755);
    const env = { PATH: `${bin}:/usr/bin:/bin`, CONDA_PREFIX: join(tmp.path, 'conda/envs/active'), VIRTUAL_ENV: join(tmp.path, 'venv') };
    const cands = await pythonCandidates({ configured: TORCH_PYTHON, resourcesDir: RESOURCES, env });
    expect(cands).toEqual([
      { path: TORCH_PYTHON, source: 'configured' },
      { path: active, source: 'conda-active' },
      { path: venv, source: 'venv' },
      { path: other, source: 'conda-env' },
      { path: trPython, source: 'torchrun' },
      { path: join(bin, 'python3'), source: 'path' },
    ]);
    const conda = await probePython(cands[3]!, { resourcesDir: RESOURCES, env });
    expect([conda.ok, Boolean(conda.torchVersion)]).toEqual([true, true]);
  });
});
