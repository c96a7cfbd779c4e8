import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GPU_TABLE, hardwareFromDetect, parseHardwareSpec } from '../../../shared/feasibility';
import { ApiFailure } from '../../../shared/api/result';

const failure = (spec: string): ApiFailure => {
  try {
    parseHardwareSpec(spec);
  } catch (e) {
    if (e instanceof ApiFailure) return e;
    throw e;
  }
  throw new Error(`"${spec}" parsed`);
};

describe('parseHardwareSpec', () => {
  it('reads the examples of the issue, case-insensitively', () => {
    const h800 = parseHardwareSpec('5xH800');
    expect(h800).toHaveLength(5);
    expect(h800.map((g) => g.index)).toEqual([0, 1, 2, 3, 4]);
    expect(h800[0]).toMatchObject({ name: 'H800', memoryBytes: 81559 * 2 ** 20, computeCapability: '9.0' });
    expect(parseHardwareSpec('4xRTX 4090')[3]).toMatchObject({ name: 'RTX 4090', memoryBytes: 24564 * 2 ** 20, computeCapability: '8.9' });
    expect(parseHardwareSpec('4 x h200')).toHaveLength(4);
    expect(parseHardwareSpec('4 X rtx4090')[0].name).toBe('RTX 4090');
    expect(parseHardwareSpec('2×NVIDIA GeForce RTX 3090')[0].computeCapability).toBe('8.6');
    expect(parseHardwareSpec('H100')).toHaveLength(1);
    expect(parseHardwareSpec('1x48GiB@8.9')[0]).toMatchObject({ memoryBytes: 48 * 2 ** 30, computeCapability: '8.9' });
    expect(parseHardwareSpec('2x80GB')[0]).toMatchObject({ memoryBytes: 80e9, computeCapability: null });
    expect(parseHardwareSpec('1xH100+1xRTX 4090').map((g) => g.name)).toEqual(['H100', 'RTX 4090']);
  });
  it('knows every GPU the issue lists', () => {
    for (const name of ['RTX 3090', 'RTX 4090', 'RTX 5090', 'RTX 6000 Ada', 'L40S', 'A100-40GB', 'A100-80GB', 'H100', 'H800', 'H20', 'H200', 'B200']) {
      expect(parseHardwareSpec(`1x${name}`)[0].name).toBe(name);
      expect(parseHardwareSpec(`1x${name.toLowerCase()}`)[0].name).toBe(name);
    }
    expect(GPU_TABLE.every((g) => /^\d+\.\d$/.test(g.cc) && g.memoryMiB > 20000)).toBe(true);
  });
  it('refuses bad specs, naming the part', () => {
    expect(failure('5xH8000').error).toMatchObject({ code: 'BAD_INPUT', field: 'hardware' });
    expect(failure('5xH8000').message).toContain('"H8000"');
    expect(failure('0xH100').message).toContain('"0"');
    expect(failure('1x48GiB@89').message).toContain('"89"');
    expect(failure('1x0GiB').message).toContain('"0"');
    expect(failure('2xA100').message).toMatch(/ambiguous.*A100-40GB or A100-80GB/);
    expect(failure('').message).toMatch(/empty/);
    expect(failure('4xRTX 4090+banana').message).toContain('"banana"');
  });
  it('never throws anything but a BAD_INPUT naming hardware (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        try {
          const gpus = parseHardwareSpec(s);
          expect(gpus.length).toBeGreaterThan(0);
        } catch (e) {
          expect(e).toBeInstanceOf(ApiFailure);
          expect((e as ApiFailure).error.field).toBe('hardware');
        }
      }),
    );
  });
});

describe('hardwareFromDetect', () => {
  it('uses the memory free now, not the total', () => {
    const gpus = hardwareFromDetect({
      gpus: [
        { index: 0, uuid: 'a', name: 'NVIDIA H100 80GB HBM3', pciBusId: '', driverVersion: '', memoryTotalMiB: 81559, memoryUsedMiB: 20000, memoryFreeMiB: 61000, utilizationPct: 0, temperatureC: null, powerDrawW: null, powerLimitW: null, computeCapability: '9.0', pcieGen: null, pcieWidth: null, processes: [] },
      ],
    });
    expect(gpus[0]).toMatchObject({ index: 0, memoryBytes: 81559 * 2 ** 20, availableBytes: 61000 * 2 ** 20, computeCapability: '9.0' });
    expect(hardwareFromDetect(null)).toEqual([]);
  });
});
