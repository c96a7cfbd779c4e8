import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCalibration, recordCalibration } from '../../../electron/core/check/calibration';

describe('calibration store', () => {
  it('stores measured peaks next to the prediction with the error, newest last', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lal-calib-'));
    expect(readCalibration(dir)).toEqual([]);
    const e = recordCalibration(dir, {
      runId: 'r1', recipe: 'rehearsal', mode: 'tpp-4gpu', settings: { scale: 'full' },
      predictedBytes: { '0': 44e9, '3': 30e9 },
      peaksMiB: { '0': 40_000, '3': 30_000, '5': 100 },
      roles: { '0': 'dit', '3': 'vae' },
    })!;
    expect(e.gpus.map((g) => g.index)).toEqual([0, 3]);
    expect(e.gpus[0].errorPct).toBeCloseTo(((44e9 - 40_000 * 2 ** 20) / (40_000 * 2 ** 20)) * 100, 1);
    expect(e.gpus[0].role).toBe('dit');
    expect(e.maxAbsErrorPct).toBe(Math.max(...e.gpus.map((g) => Math.abs(g.errorPct))));
    recordCalibration(dir, { runId: 'r2', recipe: 'rehearsal', mode: 'single-offload', predictedBytes: { '0': 60e9 }, peaksMiB: { '0': 58_000 } });
    expect(readCalibration(dir).map((x) => x.runId)).toEqual(['r1', 'r2']);
    expect(readCalibration(dir, { mode: 'single-offload' }).map((x) => x.runId)).toEqual(['r2']);
    // Re-recording a run replaces it; nothing to compare records nothing.
    recordCalibration(dir, { runId: 'r1', recipe: 'rehearsal', mode: 'tpp-4gpu', predictedBytes: { '0': 41e9 }, peaksMiB: { '0': 40_000 } });
    expect(readCalibration(dir).map((x) => x.runId)).toEqual(['r2', 'r1']);
    expect(recordCalibration(dir, { runId: 'r3', recipe: 'x', mode: 'y', predictedBytes: { '0': 1 }, peaksMiB: {} })).toBeNull();
  });
});
