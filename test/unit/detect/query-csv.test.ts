import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { attachProcesses, GPU_QUERY_ARGS, parseComputeApps, parseQueryGpuCsv } from '../../../shared/detect';
import { h200, other, section } from './fixtures';

describe('parseQueryGpuCsv on the real H200 capture', () => {
  const { gpus, problems } = parseQueryGpuCsv(h200('query-gpu.csv'));

  it('reads four H200s with every field of the one query', () => {
    expect(problems).toEqual([]);
    expect(gpus.map((g) => g.index)).toEqual([0, 1, 2, 3]);
    expect(gpus[0]).toEqual({
      index: 0,
      uuid: 'GPU-3904918e-d192-5616-6b46-b30908912707',
      name: 'NVIDIA H200',
      pciBusId: '00000000:00:06.0',
      driverVersion: '580.159.04',
      memoryTotalMiB: 143771,
      memoryUsedMiB: 0,
      memoryFreeMiB: 143156,
      utilizationPct: 0,
      temperatureC: 38,
      powerDrawW: 81.28,
      powerLimitW: 700,
      computeCapability: '9.0',
      pcieGen: 5,
      pcieWidth: 16,
      processes: [],
    });
    for (const g of gpus) expect([g.name, g.memoryTotalMiB, g.computeCapability]).toEqual(['NVIDIA H200', 143771, '9.0']);
  });

  it('asks nvidia-smi for exactly the fields the capture was taken with', () => {
    expect(GPU_QUERY_ARGS[0]).toBe(
      '--query-gpu=index,uuid,name,pci.bus_id,driver_version,memory.total,memory.used,memory.free,utilization.gpu,temperature.gpu,power.draw,power.limit,compute_cap,pcie.link.gen.current,pcie.link.width.current',
    );
    expect(GPU_QUERY_ARGS[1]).toBe('--format=csv,noheader,nounits');
  });

  it('reads the header-and-units form (query-gpu-header.csv, misc.txt)', () => {
    const withHeader = parseQueryGpuCsv(h200('query-gpu-header.csv'));
    expect(withHeader.problems).toEqual([]);
    expect(withHeader.gpus.map((g) => [g.index, g.name, g.memoryTotalMiB])).toEqual([0, 1, 2, 3].map((i) => [i, 'NVIDIA H200', 143771]));
    const misc = parseQueryGpuCsv(section(h200('misc.txt'), 'csv with header+units'));
    expect(misc.problems).toEqual([]);
    expect(misc.gpus.map((g) => [g.memoryTotalMiB, g.memoryUsedMiB, g.memoryFreeMiB, g.utilizationPct, g.powerDrawW])).toEqual([
      [143771, 0, 143771, 0, 79.29],
      [143771, 0, 143771, 0, 77.57],
      [143771, 0, 143771, 0, 79.52],
      [143771, 0, 143771, 0, 87.46],
    ]);
  });

  it('reads the 212-field capture with [N/A] and deprecated cells by its header', () => {
    const { gpus: [g], problems: p } = parseQueryGpuCsv(other('csv-1xh100-mig-query-gpu-full-1.txt'));
    expect(p).toEqual([]);
    expect(g).toMatchObject({ index: 0, name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559, memoryUsedMiB: 11125, memoryFreeMiB: 69956, computeCapability: '9.0', pciBusId: '00000000:00:09.0', pcieGen: 5, pcieWidth: 16, driverVersion: '590.48.01' });
  });
});

describe('damaged query output gives a partial answer, never an exception', () => {
  const good = h200('query-gpu.csv');

  it('a row cut short is reported and the others kept', () => {
    const cut = good.slice(0, good.indexOf('\n', good.indexOf('\n') + 1) + 40);
    const r = parseQueryGpuCsv(cut);
    expect(r.gpus.map((g) => g.index)).toEqual([0, 1]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.line).toBe(3);
    expect(r.problems[0]!.reason).toMatch(/of 15 fields/);
  });

  it('garbage lines and [Unknown Error] cells are skipped with a reason', () => {
    const lines = good.trimEnd().split('\n');
    lines[1] = lines[1]!.replace('143771', '[Unknown Error]');
    lines.splice(2, 0, '\u00ff\u00fe junk \u0007');
    const r = parseQueryGpuCsv(lines.join('\n'));
    expect(r.gpus.map((g) => g.index)).toEqual([0, 2, 3]);
    expect(r.problems.map((p) => p.reason)).toEqual(['no name or total memory', '1 of 15 fields']);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const r = parseQueryGpuCsv(s);
        expect(Array.isArray(r.gpus)).toBe(true);
        parseComputeApps(s);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseComputeApps', () => {
  it('an idle machine prints nothing (compute-apps.csv)', () => {
    expect(parseComputeApps(h200('compute-apps.csv'))).toEqual({ processes: [], problems: [] });
  });

  it('reads the busy capture and joins holders to GPUs by uuid, else by bus id', () => {
    const { processes, problems } = parseComputeApps(h200('busy-apps.csv'));
    expect(problems).toEqual([]);
    expect(processes).toEqual([
      { pid: 840, name: 'python3', usedMiB: 520, gpuUuid: 'GPU-1c98acf2-2372-f6ea-e898-fcde7e9615f5', gpuBusId: '00000000:00:06.0' },
      { pid: 840, name: 'python3', usedMiB: 5290, gpuUuid: 'GPU-68d377f9-1887-c3c8-4e03-10b9ae90fe23', gpuBusId: '00000000:00:07.0' },
    ]);
    // busy-apps.csv comes from a sister machine: its uuids are not in query-gpu.csv, its bus ids are.
    const { gpus } = parseQueryGpuCsv(h200('query-gpu.csv'));
    expect(attachProcesses(gpus, processes)).toEqual([]);
    expect(gpus.map((g) => g.processes.map((p) => p.usedMiB))).toEqual([[520], [5290], [], []]);
  });

  it('keeps a process name that contains commas, and [N/A] memory (Windows WDDM)', () => {
    const r = parseComputeApps('4242, C:\\Program Files, Inc\\app.exe, [N/A], GPU-abc, 00000000:01:00.0\n');
    expect(r.processes).toEqual([{ pid: 4242, name: 'C:\\Program Files, Inc\\app.exe', usedMiB: null, gpuUuid: 'GPU-abc', gpuBusId: '00000000:01:00.0' }]);
  });
});
