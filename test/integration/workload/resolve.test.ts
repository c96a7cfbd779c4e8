// resolveTorchrun against real interpreters: the machine's own (Debian torch 1.13 on Python 3.11
// has the to_map bug), and the same python3 with a stand-in torch package on PYTHONPATH (no torch /
// a fixed torch), so every branch runs a real probe.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { clearTorchrunCache, resolveTorchrun, TorchrunUnavailableError, type ResolvedTorchrun } from '../../../electron/core/torchrun/resolve';
import { RESOURCES, SCRIPT, torchrunOrFail } from './harness';

const REAL_PYTHON = '/usr/bin/python3';

/** A python3 wrapper that puts `site` first on sys.path, and (optionally) a sibling torchrun. */
function fakeInterpreter(torchPackage: Record<string, string> | null, withTorchrun: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'lal-fakepy-'));
  const site = join(dir, 'site');
  mkdirSync(site);
  if (torchPackage) {
    for (const [rel, body] of Object.entries(torchPackage)) {
      mkdirSync(join(site, rel, '..'), { recursive: true });
      writeFileSync(join(site, rel), body);
    }
  } else {
    writeFileSync(join(site, 'torch.py'), 'raise ImportError("No module named \'torch\' (test stand-in)")\n');
  }
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const python = join(bin, 'python3');
  writeFileSync(python, `#!/bin/sh\nPYTHONPATH=${site} exec ${REAL_PYTHON} "$@"\n`);
  chmodSync(python, 0o755);
  if (withTorchrun) {
    writeFileSync(join(bin, 'torchrun'), `#!${python}\nimport sys\nfrom torch.distributed.run import main\nsys.exit(main())\n`);
    chmodSync(join(bin, 'torchrun'), 0o755);
  }
  return python;
}

// A torch whose elastic Std/to_map behave (what torch >= 2.x ships): values found by value.
const FIXED_TORCH = {
  'torch/__init__.py': '__version__ = "9.9.9-test"\n',
  'torch/distributed/__init__.py': '',
  'torch/distributed/run.py': 'def main():\n    print("fake torchrun")\n',
  'torch/distributed/elastic/__init__.py': '',
  'torch/distributed/elastic/multiprocessing/__init__.py': '',
  'torch/distributed/elastic/multiprocessing/api.py': [
    'from enum import IntFlag',
    'class Std(IntFlag):',
    '    NONE = 0',
    '    OUT = 1',
    '    ERR = 2',
    '    ALL = 3',
    '    @classmethod',
    '    def from_str(cls, vm):',
    '        if ":" not in vm:',
    '            return cls(int(vm))',
    '        return {int(k): cls(int(v)) for k, v in (p.split(":") for p in vm.split(","))}',
    'def to_map(val_or_map, n):',
    '    if isinstance(val_or_map, Std):',
    '        return {i: val_or_map for i in range(n)}',
    '    return {i: val_or_map.get(i, Std.NONE) for i in range(n)}',
    '',
  ].join('\n'),
};

describe('resolveTorchrun', () => {
  let machine: ResolvedTorchrun;
  beforeAll(async () => {
    clearTorchrunCache();
    machine = await torchrunOrFail();
  });

  it("finds this machine's torchrun, probes the real to_map and picks the wrapper only because it is broken", async () => {
    const probe = await execa(machine.python, ['-c', 'import sys, torch; print(sys.version_info[:2] >= (3, 11), torch.__version__)']);
    const [py311, version] = probe.stdout.trim().split(' ');
    const expectBroken = py311 === 'True' && /^1\./.test(version);
    expect(machine.patched).toBe(expectBroken);
    if (expectBroken) {
      expect(machine.argv).toEqual([machine.python, join(RESOURCES, 'torchrun', 'lal_torchrun.py')]);
      expect(machine.reason).toMatch(/to_map fails \(AttributeError: 'NoneType' object has no attribute 'get'\)/);
    }
  });

  it('the wrapper honours --tee 3 (a to_map-only fix would drop it) and runs a real 2-rank job', async () => {
    const r = await execa(machine.argv[0], [...machine.argv.slice(1), '--nproc_per_node', '2', '--tee', '3', '--monitor_interval', '0.5', SCRIPT, '--help'], { reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^\[default0\]:usage: rehearsal\.py/m);
    expect(r.stdout).toMatch(/^\[default1\]:usage: rehearsal\.py/m);
  });

  it('caches the answer per interpreter', async () => {
    const t0 = performance.now();
    const again = await resolveTorchrun({ python: process.env.LAL_TEST_PYTHON, resourcesDir: RESOURCES });
    expect(performance.now() - t0).toBeLessThan(50);
    expect(again).toBe(machine);
  });

  it('an interpreter with a sound torch gets its own torchrun, unpatched', async () => {
    const python = fakeInterpreter(FIXED_TORCH, true);
    const r = await resolveTorchrun({ python, resourcesDir: RESOURCES });
    expect(r).toMatchObject({ argv: [join(python, '..', 'torchrun')], python, patched: false });
    expect(r.reason).toContain('torch 9.9.9-test');
  });

  it('without a torchrun script it falls back to python -m torch.distributed.run', async () => {
    const python = fakeInterpreter(FIXED_TORCH, false);
    const r = await resolveTorchrun({ python, resourcesDir: RESOURCES });
    expect(r).toMatchObject({ argv: [python, '-m', 'torch.distributed.run'], patched: false });
  });

  it('an interpreter without torch is an error that says how to install it', async () => {
    const python = fakeInterpreter(null, false);
    const err = await resolveTorchrun({ python, resourcesDir: RESOURCES }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TorchrunUnavailableError);
    expect((err as Error).message).toContain("No module named 'torch' (test stand-in)");
    expect((err as Error).message).toContain('apt-get install -y python3-torch python3-tqdm');
  });
});

/**
 * A tee thread (TailLog) that nobody stopped keeps a torch 1.13 agent alive forever in interpreter
 * shutdown: CI caught one after the launcher was SIGKILLed. The wrapper tells every TailLog to finish
 * on the way out; this runs both ways so the test proves the hang is real, not just the fix.
 */
describe('lal_torchrun.py finishes --tee threads at exit', () => {
  const script = (finish: boolean) => `
import sys, tempfile
sys.path.insert(0, ${JSON.stringify(join(RESOURCES, 'torchrun'))})
import lal_torchrun as w
w._track_tails()
from torch.distributed.elastic.multiprocessing.tail_log import TailLog
f = tempfile.NamedTemporaryFile('w', delete=False); f.write('line\\n'); f.close()
TailLog('default', {0: f.name}, sys.stdout).start()
${finish ? 'w._finish_tails()' : ''}
print('main done', flush=True)
`;
  beforeAll(() => torchrunOrFail());

  it('without the hook the interpreter never exits; with it, at once', async () => {
    const hung = await execa(REAL_PYTHON, ['-c', script(false)], { reject: false, timeout: 4000 });
    expect(hung.stdout).toContain('main done');
    expect(hung.timedOut).toBe(true);
    const t0 = Date.now();
    const ok = await execa(REAL_PYTHON, ['-c', script(true)], { reject: false, timeout: 20_000 });
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toContain('[default0]:line');
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
});
