import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseSmiTable, parseSmiVersions } from '../../../shared/detect';
import { h200, other, otherTables, section } from './fixtures';

describe('parseSmiTable on the H200 captures', () => {
  it('reads versions and four idle GPUs from the default table', () => {
    const t = parseSmiTable(section(h200('nvidia-smi.txt'), 'nvidia-smi'));
    expect(t.problems).toEqual([]);
    expect([t.smiVersion, t.driverVersion, t.cudaVersion]).toEqual(['580.159.04', '580.159.04', '13.0']);
    expect(t.gpus.map((g) => [g.index, g.name, g.pciBusId, g.memoryUsedMiB, g.memoryTotalMiB, g.migEnabled])).toEqual([
      [0, 'NVIDIA H200', '00000000:00:06.0', 0, 143771, false],
      [1, 'NVIDIA H200', '00000000:00:07.0', 0, 143771, false],
      [2, 'NVIDIA H200', '00000000:00:08.0', 0, 143771, false],
      [3, 'NVIDIA H200', '00000000:00:09.0', 0, 143771, false],
    ]);
    expect(t.gpus[0]).toMatchObject({ temperatureC: 39, powerDrawW: 119, powerLimitW: 700, utilizationPct: 0 });
    expect(t.processes).toEqual([]);
  });

  it('reads the busy table with its processes', () => {
    const t = parseSmiTable(h200('busy-table.txt'));
    expect(t.gpus.map((g) => g.memoryUsedMiB)).toEqual([529, 5299, 4, 4]);
    expect(t.processes).toEqual([
      { gpu: 0, pid: 840, type: 'C', name: 'python3', usedMiB: 520 },
      { gpu: 1, pid: 840, type: 'C', name: 'python3', usedMiB: 5290 },
    ]);
  });

  it('reads versions from -q -x', () => {
    expect(parseSmiVersions(h200('nvidia-smi-q.xml'))).toEqual({ driverVersion: '580.159.04', cudaVersion: '13.0' });
  });
});

describe('parseSmiTable on tables from other machines', () => {
  const expected: Record<string, { driver: string; cuda: string; gpus: number; name: string; procs: number; total: number }> = {
    'table-4x4090-processes-1.txt': { driver: '535.183.01', cuda: '12.2', gpus: 4, name: 'NVIDIA GeForce RTX 4090', procs: 16, total: 24564 },
    'table-8xgeforce-truncname-1.txt': { driver: '515.65.01', cuda: '11.7', gpus: 8, name: 'NVIDIA GeForce ...', procs: 0, total: 24576 },
    'table-8xa100-sxm-1.txt': { driver: '550.127.08', cuda: '12.4', gpus: 8, name: 'NVIDIA A100-SXM4-80GB', procs: 1, total: 81920 },
    'table-8xa100-mig-1.txt': { driver: '550.127.08', cuda: '12.4', gpus: 8, name: 'NVIDIA A100-SXM4-80GB', procs: 0, total: 81920 },
    'table-8xh100-sxm-1.txt': { driver: '550.90.07', cuda: '12.4', gpus: 8, name: 'NVIDIA H100 80GB HBM3', procs: 0, total: 81559 },
    'table-1xh100-mig-processes-1.txt': { driver: '590.48.01', cuda: '13.1', gpus: 1, name: 'NVIDIA H100 80GB HBM3', procs: 3, total: 81559 },
    'table-5xmixed-consumer-1.txt': { driver: '560.35.03', cuda: '12.6', gpus: 5, name: 'NVIDIA GeForce RTX 2060', procs: 0, total: 6144 },
    'table-1x4060laptop-windows-1.txt': { driver: '572.61', cuda: '12.8', gpus: 1, name: 'NVIDIA GeForce RTX 4060 ...', procs: 1, total: 8188 },
    'table-1x2080super-drv610-kmd-1.txt': { driver: '610.57.04', cuda: '13.3', gpus: 1, name: 'NVIDIA GeForce RTX 2080 ...', procs: 2, total: 8192 },
  };

  it('covers every table fixture', () => {
    expect(otherTables().sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [file, e] of Object.entries(expected)) {
    it(file, () => {
      const t = parseSmiTable(other(file));
      expect([t.driverVersion, t.cudaVersion]).toEqual([e.driver, e.cuda]);
      expect(t.gpus.map((g) => g.index)).toEqual([...Array(e.gpus).keys()]);
      expect(t.gpus[0]!.name).toBe(e.name);
      expect(t.gpus[0]!.memoryTotalMiB).toBe(e.total);
      expect(t.processes).toHaveLength(e.procs);
      expect(t.problems).toEqual([]);
    });
  }

  it('sees the 610-series KMD / CUDA UMD header, truncated names, MIG and Windows details', () => {
    expect(parseSmiVersions(other('table-1x2080super-drv610-kmd-1.txt'))).toEqual({ driverVersion: '610.57.04', cudaVersion: '13.3' });
    expect(parseSmiTable(other('table-8xgeforce-truncname-1.txt')).gpus.every((g) => g.nameTruncated && g.memoryUsedMiB! > 23000)).toBe(true);
    expect(parseSmiTable(other('table-8xa100-mig-1.txt')).gpus.every((g) => g.migEnabled === true && g.utilizationPct === null)).toBe(true);
    const mig = parseSmiTable(other('table-1xh100-mig-processes-1.txt'));
    expect(mig.gpus).toHaveLength(1);
    expect(mig.processes.map((p) => [p.pid, p.name, p.usedMiB])).toEqual([[21180, '/root/tools/memhog', 2296], [21181, '/root/tools/memhog', 1272], [21198, './gpu_burn', 7484]]);
    const win = parseSmiTable(other('table-1x4060laptop-windows-1.txt'));
    expect(win.processes).toEqual([{ gpu: 0, pid: 55684, type: 'C+G', name: '...es\\Microsoft VS Code\\Code.exe', usedMiB: null }]);
    const mixed = parseSmiTable(other('table-5xmixed-consumer-1.txt'));
    expect(mixed.gpus.map((g) => g.name)).toEqual(['NVIDIA GeForce RTX 2060', 'NVIDIA GeForce RTX 3060', 'NVIDIA GeForce RTX 3060', 'NVIDIA GeForce RTX 3060 Ti', 'NVIDIA GeForce RTX 3070']);
  });

  it('never throws on arbitrary or cut-off text', () => {
    const text = other('table-4x4090-processes-1.txt');
    for (let n = 0; n < text.length; n += 97) parseSmiTable(text.slice(0, n));
    fc.assert(fc.property(fc.string({ maxLength: 500 }), (s) => void parseSmiTable(s)), { numRuns: 300 });
  });
});
