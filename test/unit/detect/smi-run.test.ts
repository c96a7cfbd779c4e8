// detectGpus against small stand-in scripts for cases the fixture stand-in does not cover.
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { detectGpus, forgetStaticSmi } from '../../../electron/core/detect';
import { repoRoot, tempDir } from '../../support/temp';
import { h200 } from './fixtures';

const tmp = tempDir('lal-smi-run-');
afterAll(() => tmp.remove());

function script(name: string, body: string, mode = 0o755): string {
  const p = join(tmp.path, name);
  writeFileSync(p, body);
  chmodSync(p, mode);
  return p;
}

describe('detectGpus', { timeout: 30_000 }, () => {
  it('one GPU fell off the bus: the others are reported, the lost one named', async () => {
    const rows = h200('query-gpu.csv').trimEnd().split('\n');
    rows[2] = 'Unable to determine the device handle for GPU0000:00:08.0: GPU is lost.  Reboot the system to recover this GPU';
    const csv = join(tmp.path, 'lost.csv');
    writeFileSync(csv, rows.join('\n') + '\n');
    const smi = script('lost-smi', `#!/bin/sh\ncase "$1" in --query-gpu=*) cat ${csv};; --query-compute-apps=*) exit 0;; *) exit 3;; esac\n`);
    const r = await detectGpus({ nvidiaSmi: smi });
    expect(r.nvidiaSmi.status).toBe('ok');
    expect(r.gpus.map((g) => g.index)).toEqual([0, 1, 3]);
    expect(r.lostGpus).toEqual([{ busId: '0000:00:08.0', detail: 'GPU is lost.  Reboot the system to recover this GPU' }]);
    expect(r.problems).toEqual([]);
  });

  it('a configured nvidia-smi that exists but cannot be run is not "not found"', async () => {
    const smi = script('noexec-smi', '#!/bin/sh\n', 0o644);
    const r = await detectGpus({ nvidiaSmi: smi });
    expect(r.nvidiaSmi).toMatchObject({ status: 'error', path: smi });
    expect(r.nvidiaSmi.message).toContain(`nvidia-smi at ${smi} cannot be run`);
    const gone = await detectGpus({ nvidiaSmi: join(tmp.path, 'missing') });
    expect(gone.nvidiaSmi.status).toBe('nvidia-smi-not-found');
  });
});

describe('detectGpus: one pass per refresh', { timeout: 60_000 }, () => {
  const fake = join(repoRoot, 'test/support/fake-nvidia-smi/nvidia-smi');
  const log = join(tmp.path, 'calls.log');
  // Logs every argv, then answers like the fixture stand-in.
  const smi = script('logging-smi', `#!/bin/sh\necho "[$*]" >> ${log}\nexec ${JSON.stringify(process.execPath)} ${fake} "$@"\n`);
  const calls = (): string[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.slice(1, -1).split(/[ =]/)[0]!) : []);
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...process.env, LAL_FAKE_SMI_MODE: '', ...extra });
  const STATIC = ['topo', ''];

  beforeEach(() => {
    forgetStaticSmi();
    rmSync(log, { force: true });
  });

  it('asks topology, P2P and the table once; later refreshes run only the query and the holders', async () => {
    const first = await detectGpus({ nvidiaSmi: smi, env: env() });
    expect(calls().sort()).toEqual(['', '--query-compute-apps', '--query-gpu', 'topo', 'topo']);
    expect(first.topology?.links.length).toBeGreaterThan(0);
    expect(first.driver).toEqual({ version: '580.159.04', cudaVersion: '13.0' });

    rmSync(log);
    const state = join(tmp.path, 'state.json');
    writeFileSync(state, JSON.stringify({ apps: [{ pid: 4242, process_name: 'python', used_memory: 1000, gpu_index: 1 }] }));
    const second = await detectGpus({ nvidiaSmi: smi, env: env({ LAL_FAKE_SMI_STATE: state }) });
    expect(calls().sort()).toEqual(['--query-compute-apps', '--query-gpu']);
    expect(second.timings.smiStaticCached).toBe(1);
    expect(second.topology).toEqual(first.topology);
    expect(second.driver).toEqual(first.driver);
    expect(second.gpus.map((g) => g.migEnabled)).toEqual(first.gpus.map((g) => g.migEnabled));
    // What changes while the app runs is asked every time.
    expect(second.gpus[1]!.processes.map((p) => p.pid)).toEqual([4242]);
    expect(first.gpus[1]!.processes).toEqual([]);
  });

  it('the cached topology is a copy, and other cards or an explicit refresh ask again', async () => {
    const first = await detectGpus({ nvidiaSmi: smi, env: env() });
    first.topology!.links.length = 0;
    rmSync(log);
    expect((await detectGpus({ nvidiaSmi: smi, env: env() })).topology!.links.length).toBeGreaterThan(0);
    expect(calls().filter((c) => STATIC.includes(c))).toEqual([]);

    rmSync(log);
    const two = await detectGpus({ nvidiaSmi: smi, env: env({ LAL_FAKE_SMI_GPUS: '2' }) });
    expect(two.gpus).toHaveLength(2);
    expect(calls().filter((c) => STATIC.includes(c))).toHaveLength(3);

    rmSync(log);
    await detectGpus({ nvidiaSmi: smi, env: env({ LAL_FAKE_SMI_GPUS: '2' }), refreshStatic: true });
    expect(calls().filter((c) => STATIC.includes(c))).toHaveLength(3);
  });

  it('a failure forgets the cache, and a damaged answer never uses or fills it', async () => {
    await detectGpus({ nvidiaSmi: smi, env: env() });
    const down = await detectGpus({ nvidiaSmi: smi, env: env({ LAL_FAKE_SMI_MODE: 'no-driver' }) });
    expect(down.nvidiaSmi.status).not.toBe('ok');
    rmSync(log);
    await detectGpus({ nvidiaSmi: smi, env: env() });
    expect(calls().filter((c) => STATIC.includes(c))).toHaveLength(3);

    rmSync(log);
    const garbled = await detectGpus({ nvidiaSmi: smi, env: env({ LAL_FAKE_SMI_MODE: 'garbled' }) });
    expect(garbled.problems.length).toBeGreaterThan(0);
    expect(calls().filter((c) => STATIC.includes(c))).toHaveLength(3);
    rmSync(log);
    forgetStaticSmi();
    await detectGpus({ nvidiaSmi: smi, env: env({ LAL_FAKE_SMI_MODE: 'garbled' }) });
    rmSync(log);
    await detectGpus({ nvidiaSmi: smi, env: env() });
    expect(calls().filter((c) => STATIC.includes(c))).toHaveLength(3);
  });
});
