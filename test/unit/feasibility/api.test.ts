import { describe, expect, it } from 'vitest';
import { checkApi } from '../../../electron/core/check/api';
import type { CoreContext } from '../../../electron/core/context';
import type { DetectReport, GpuInfo } from '../../../shared/detect/types';
import { ApiFailure } from '../../../shared/api/result';

const gpu = (index: number, freeMiB: number): GpuInfo => ({
  index, uuid: `GPU-${index}`, name: 'NVIDIA GeForce RTX 4090', pciBusId: '', driverVersion: '550', memoryTotalMiB: 24564, memoryUsedMiB: 24564 - freeMiB,
  memoryFreeMiB: freeMiB, utilizationPct: 0, temperatureC: null, powerDrawW: null, powerLimitW: null, computeCapability: '8.9', pcieGen: 4, pcieWidth: 16, processes: [],
});

function ctx(report: DetectReport): CoreContext {
  return { dataDir: '/nonexistent', resourcesDir: '/nonexistent', events: undefined as never, settings: undefined as never, detect: async () => report, overrides: {} };
}

const report: DetectReport = {
  takenAt: '', nvidiaSmi: { path: '/usr/bin/nvidia-smi', status: 'ok' }, gpus: [gpu(0, 24000), gpu(1, 2000)], driver: null, topology: null,
  host: { os: 'linux', platform: 'linux', cpuModel: '', cpuCores: 16, ramTotalBytes: 128e9, ramAvailableBytes: 100e9, shmBytes: null, outputDir: null, outputDirFreeBytes: null },
  python: [], checkout: null, warnings: [],
};

describe('contract method check', () => {
  it('without hardware: the detected GPUs with their free memory now', async () => {
    const r = await checkApi(ctx(report)).check({ spec: { recipe: 'rehearsal', mode: 'tpp-4gpu', settings: {} } });
    expect(r.hardwareSource).toBe('detected');
    expect(r.perGpu[0].availableBytes).toBe(24000 * 2 ** 20);
    expect(r.perGpu[1].availableBytes).toBe(2000 * 2 ** 20);
    expect(r.reasons.find((x) => x.code === 'GPU_COUNT')).toBeDefined(); // 2 of 4 GPUs
  });
  it('with hardware: a what-if that ignores this machine', async () => {
    const r = await checkApi(ctx(report)).check({ spec: { recipe: 'rehearsal', mode: 'tpp-4gpu', settings: {} }, hardware: '4xH100' });
    expect(r.hardwareSource).toBe('spec');
    expect(r.verdict).toBe('fits');
    expect(r.hardware).toHaveLength(4);
  });
  it('bad input is BAD_INPUT naming the field', async () => {
    const api = checkApi(ctx(report));
    await expect(api.check({ spec: { recipe: 'rehearsal', mode: 'tpp-4gpu', settings: {} }, hardware: '4xGTX 1080' })).rejects.toMatchObject({ error: { code: 'BAD_INPUT', field: 'hardware' } });
    await expect(api.check({ spec: { recipe: 'rehearsal', mode: 'tpp-4gpu', settings: { size: 'huge' } } })).rejects.toBeInstanceOf(ApiFailure);
    await expect(api.check({ spec: { recipe: 'rehearsal', mode: 'tpp-4gpu', settings: { size: 'huge' } } })).rejects.toMatchObject({ error: { field: 'settings.size' } });
  });
  it("share_gpu (every rank on GPU 0) is refused by name: the model places one rank per GPU; one rank alone is still judged", async () => {
    const api = checkApi(ctx(report));
    await expect(api.check({ spec: { recipe: 'rehearsal', mode: 'tpp-4gpu', settings: { device: 'cuda', share_gpu: true } }, hardware: '1xH100' })).rejects.toMatchObject({
      error: { code: 'BAD_INPUT', field: 'settings.share_gpu', message: expect.stringContaining('4 ranks on GPU 0') },
    });
    const one = await api.check({ spec: { recipe: 'rehearsal', mode: 'single-offload', settings: { device: 'cuda', share_gpu: true } }, hardware: '1xH100' });
    expect(one.perGpu).toHaveLength(1);
  });
});

describe('check shows the last measured run next to the prediction', () => {
  it('attaches the newest calibration entry of the same recipe and mode', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { recordCalibration } = await import('../../../electron/core/check/calibration');
    const dir = mkdtempSync(join(tmpdir(), 'lal-measured-'));
    recordCalibration(dir, { runId: 'old', recipe: 'rehearsal', mode: 'tpp-4gpu', predictedBytes: { '0': 40e9 }, peaksMiB: { '0': 39_000 } });
    recordCalibration(dir, { runId: 'new', recipe: 'rehearsal', mode: 'tpp-4gpu', predictedBytes: { '0': 42e9 }, peaksMiB: { '0': 40_000 } });
    recordCalibration(dir, { runId: 'other', recipe: 'rehearsal', mode: 'single-offload', predictedBytes: { '0': 42e9 }, peaksMiB: { '0': 40_000 } });
    const c = { ...ctx(report), dataDir: dir };
    const r = await checkApi(c).check({ spec: { recipe: 'rehearsal', mode: 'tpp-4gpu', settings: {} }, hardware: '4xH100' });
    expect(r.lastMeasured?.runId).toBe('new');
    expect(r.lastMeasured?.gpus[0].errorPct).toBeCloseTo(((42e9 - 40_000 * 2 ** 20) / (40_000 * 2 ** 20)) * 100, 1);
    const none = await checkApi(c).check({ spec: { recipe: 'rehearsal', mode: 'tpp-5gpu', settings: {} }, hardware: '5xH100' });
    expect(none.lastMeasured).toBeNull();
  });
});

describe('contract method check: calibration from this machine, not for a what-if', () => {
  it('applies the records in dataDir to a detected check, and the calibration method shows and resets them', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { recordCalibration } = await import('../../../electron/core/check/calibration');
    const dataDir = mkdtempSync(join(tmpdir(), 'lal-calib-api-'));
    const h100: GpuInfo = { ...gpu(0, 81079), name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559, memoryUsedMiB: 480, computeCapability: '9.0' };
    const detect: DetectReport = { ...report, gpus: [h100] };
    const c: CoreContext = { ...ctx(detect), dataDir };
    const spec = { recipe: 'rehearsal', mode: 'single-offload', settings: { device: 'cuda', scale: 'full', fp8: false, load_lora: true } };
    const api = checkApi(c);
    const before = await api.check({ spec });
    expect(before.calibration).toBeUndefined();
    // A real H100 run of these settings (docs/validation-data/h100x1-allocator: bf16, 48 frames, expandable).
    recordCalibration(dataDir, { runId: 'r1', recipe: 'rehearsal', mode: 'single-offload', settings: spec.settings, predictedBytes: { '0': before.perGpu[0]!.requiredBytes }, peaksMiB: { '0': 74495 }, roles: { '0': 'single' }, gpuName: h100.name, env: { PYTORCH_CUDA_ALLOC_CONF: 'expandable_segments:True' }, status: 'succeeded' });
    const after = await api.check({ spec });
    expect(after.calibration).toMatchObject({ runs: 1, match: 'exact' });
    expect(after.calibration!.message).toMatch(/^Calibrated from 1 runs on this machine \(same settings\)/);
    expect(after.perGpu[0]!.requiredBytes).toBe(74495 * 2 ** 20);
    expect(after.perGpu[0]!.uncalibratedBytes).toBe(before.perGpu[0]!.requiredBytes);
    // A what-if on the same machine ignores its history.
    expect((await api.check({ spec, hardware: '1xH100' })).calibration).toBeUndefined();
    expect((await api.calibration({ action: 'show' })).entries.map((e) => e.runId)).toEqual(['r1']);
    expect(await api.calibration({ action: 'reset' })).toMatchObject({ removed: 1, entries: [] });
    expect((await api.check({ spec })).calibration).toBeUndefined();
  });
});
