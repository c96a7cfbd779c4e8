// The stand-in other suites put first on PATH: its answers must parse like the real captures.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { APPS_QUERY_ARGS, GPU_QUERY_ARGS, classifySmiFailure, parseComputeApps, parseP2p, parseQueryGpuCsv, parseSmiTable, parseTopoMatrix } from '../../../shared/detect';
import { repoRoot, tempDir } from '../../support/temp';
import { h200 } from './fixtures';

const SMI = join(repoRoot, 'test/support/fake-nvidia-smi/nvidia-smi');
const tmp = tempDir('lal-fake-smi-');
afterAll(() => tmp.remove());
const smi = (args: string[], env: Record<string, string> = {}) => execa(SMI, args, { reject: false, env, timeout: 10_000 });

// Each test spawns real processes; on a loaded 2-core box that can pass the 5 s default.
describe('fake nvidia-smi', { timeout: 30_000 }, () => {
  it('replays the query byte for byte', async () => {
    const r = await smi(GPU_QUERY_ARGS);
    expect(r.exitCode).toBe(0);
    expect(r.stdout + '\n').toBe(h200('query-gpu.csv'));
    expect(parseQueryGpuCsv(r.stdout).gpus).toHaveLength(4);
  });

  it('answers any field subset, -i, header and units like the real tool', async () => {
    const r = await smi(['--query-gpu=index,memory.used,memory.total,utilization.gpu', '--format=csv', '-i', '1,3']);
    expect(r.stdout.split('\n')).toEqual(['index, memory.used [MiB], memory.total [MiB], utilization.gpu [%]', '1, 0 MiB, 143771 MiB, 0 %', '3, 0 MiB, 143771 MiB, 0 %']);
    const bad = await smi(['--query-gpu=index,bogus', '--format=csv']);
    expect([bad.exitCode, bad.stdout.trim()]).toEqual([2, 'Field "bogus" is not a valid field to query.']);
  });

  it('topology, P2P, table, -L and -q -x', async () => {
    expect(parseTopoMatrix((await smi(['topo', '-m'])).stdout).links.every((l) => l.raw === 'NV18')).toBe(true);
    expect(parseP2p((await smi(['topo', '-p2p', 'r'])).stdout).p2p).toHaveLength(6);
    expect(parseSmiTable((await smi([])).stdout).gpus).toHaveLength(4);
    expect((await smi(['-L'])).stdout.split('\n')[0]).toBe('GPU 0: NVIDIA H200 (UUID: GPU-3904918e-d192-5616-6b46-b30908912707)');
    expect((await smi(['-q', '-x'])).stdout).toContain('<driver_version>580.159.04</driver_version>');
  });

  it('busy mode: holders keyed to the same uuids as the query, memory from the busy table', async () => {
    const env = { LAL_FAKE_SMI_MODE: 'busy' };
    const gpus = parseQueryGpuCsv((await smi(GPU_QUERY_ARGS, env)).stdout).gpus;
    const apps = parseComputeApps((await smi(APPS_QUERY_ARGS, env)).stdout).processes;
    expect(gpus.map((g) => g.memoryUsedMiB)).toEqual([529, 5299, 4, 4]);
    expect(apps.map((a) => [a.pid, a.usedMiB, gpus.findIndex((g) => g.uuid === a.gpuUuid)])).toEqual([[840, 520, 0], [840, 5290, 1]]);
    expect((await smi(APPS_QUERY_ARGS)).stdout).toBe('');
  });

  it('failure modes print the real texts with the real exit codes', async () => {
    for (const [mode, status, code] of [['no-driver', 'no-driver', 9], ['mismatch', 'driver-mismatch', 18], ['no-devices', 'no-devices', 6]] as const) {
      const r = await smi(GPU_QUERY_ARGS, { LAL_FAKE_SMI_MODE: mode });
      expect(r.exitCode).toBe(code);
      expect(classifySmiFailure({ exitCode: r.exitCode ?? null, stdout: r.stdout, stderr: r.stderr }).status).toBe(status);
    }
  });

  it('garbled and truncated answers parse partially', async () => {
    const g = parseQueryGpuCsv((await smi(GPU_QUERY_ARGS, { LAL_FAKE_SMI_MODE: 'garbled' })).stdout);
    expect(g.gpus.map((x) => x.index)).toEqual([0, 2, 3]);
    expect(g.problems.length).toBe(2);
    const t = parseQueryGpuCsv((await smi(GPU_QUERY_ARGS, { LAL_FAKE_SMI_MODE: 'truncated' })).stdout);
    expect(t.gpus.map((x) => x.index)).toEqual([0]);
    expect(t.problems).toHaveLength(1);
  });

  it('LAL_FAKE_SMI_STATE moves memory and adds holders while a loop runs', async () => {
    const state = join(tmp.path, 'state.json');
    writeFileSync(state, JSON.stringify({ gpus: { 1: { 'memory.used': 1000 } } }));
    const child = execa(SMI, ['--query-gpu=index,memory.used,memory.free', '--format=csv,noheader,nounits', '-i', '1', '-lms', '100'], { reject: false, env: { LAL_FAKE_SMI_STATE: state } });
    let out = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    const until = (n: number) =>
      new Promise<void>((res) => {
        const t = setInterval(() => {
          if (out.split('\n').filter(Boolean).length < n) return;
          clearInterval(t);
          res();
        }, 20);
      });
    await until(1);
    writeFileSync(state, JSON.stringify({ gpus: { 1: { 'memory.used': 90000 } }, apps: [{ pid: 4242, used_memory: 89000, gpu_index: 1 }] }));
    await until(4);
    child.kill('SIGTERM');
    await child;
    const rows = out.split('\n').filter(Boolean);
    expect(rows[0]).toBe('1, 1000, 142156');
    expect(rows.at(-1)).toBe('1, 90000, 53156');
    const apps = await smi(['--query-compute-apps=pid,used_memory,gpu_uuid', '--format=csv,noheader,nounits'], { LAL_FAKE_SMI_STATE: state });
    expect(apps.stdout).toBe('4242, 89000, GPU-3860b93c-ebaf-e6b4-7dbf-216caacf5849');
  });

  it('-lms loops until killed, one line per GPU per tick; LAL_FAKE_SMI_GPUS limits the GPUs', async () => {
    const child = execa(SMI, ['--query-gpu=index,memory.used', '--format=csv,noheader,nounits', '-lms', '100'], { reject: false, env: { LAL_FAKE_SMI_GPUS: '2' } });
    let out = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    await new Promise<void>((res) => {
      const t = setInterval(() => {
        if (out.split('\n').filter(Boolean).length >= 6) {
          clearInterval(t);
          res();
        }
      }, 20);
    });
    child.kill('SIGTERM');
    await child;
    expect(out.split('\n').filter(Boolean).slice(0, 6)).toEqual(['0, 0', '1, 0', '0, 0', '1, 0', '0, 0', '1, 0']);
  });
});
