import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFeasibility, parseHardwareSpec, VALIDATION_ROWS, type FeasibilityReport } from '../../../shared/feasibility';
import { applyCalibration, type CalibrationRecord } from '../../../shared/feasibility/calibrate';
import { calibrationEntry, readCalibration, recordCalibration, resetCalibration } from '../../../electron/core/check/calibration';
import type { RunRecord, RunSpec } from '../../../shared/run/types';
import { lal } from '../../support/cli';
import { repoRoot } from '../../support/temp';

/**
 * Calibration from this machine's history, on real runs: the 1x H100 measurements
 * (docs/validation-data/h100x1-allocator) and a whole 5x H200 run record (test/fixtures/gpu-h200).
 */
const H100 = 'NVIDIA H100 80GB HBM3';
const ndjson = readFileSync(join(repoRoot, 'docs', 'validation-data', 'h100x1-allocator', 'results.ndjson'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { name: string; alloc_conf: string | null; exit: number; smi_used_peak_mib: number; peak: { device_used_peak: number } | null });

/** A calibration record as the run manager writes it, from one measured H100 run. */
function h100Record(name: string, gpuName = H100): CalibrationRecord {
  const row = VALIDATION_ROWS.find((r) => r.id === `h100-${name}`)!;
  const m = ndjson.find((x) => x.name === name)!;
  const measured = Math.max(m.smi_used_peak_mib * 2 ** 20, m.peak?.device_used_peak ?? 0);
  return {
    runId: name,
    recipe: row.spec.recipe,
    mode: row.spec.mode,
    settings: row.spec.settings ?? {},
    env: m.alloc_conf ? { PYTORCH_CUDA_ALLOC_CONF: m.alloc_conf } : {},
    status: m.exit === 0 ? 'succeeded' : 'failed',
    gpuName,
    gpuCount: 1,
    at: `2026-12-06T20:00:${String(ndjson.indexOf(m)).padStart(2, '0')}Z`,
    gpus: [{ index: 0, role: 'single', predictedBytes: 1, measuredBytes: measured, errorPct: 0 }],
  };
}

function detectedCheck(spec: RunSpec, hw: string, gpuName: string): FeasibilityReport {
  const hardware = parseHardwareSpec(hw).map((g) => ({ ...g, name: gpuName }));
  return checkFeasibility({ spec, hardware, hardwareSource: 'detected', suggestions: false });
}

const specOf = (name: string): RunSpec => VALIDATION_ROWS.find((r) => r.id === `h100-${name}`)!.spec;
const measuredOf = (name: string) => h100Record(name).gpus[0]!.measuredBytes;
const err = (predicted: number, measured: number) => Math.abs(predicted - measured) / measured;

describe('calibration from real H100 runs', () => {
  it('a run of other settings improves a held-out prediction (half its correction carries over)', () => {
    const held = 'bf16-f48-exp';
    const before = detectedCheck(specOf(held), '1xH100', H100);
    const after = applyCalibration(before, specOf(held), [h100Record('bf16-f36-exp')]);
    expect(after.calibration).toMatchObject({ runs: 1, match: 'layout' });
    expect(after.calibration!.message).toMatch(/^Calibrated from 1 runs on this machine \(same layout, other settings\): ×0\.99\d, fullest GPU 78\.\d → 78\.\d GB\.$/);
    expect(after.perGpu[0]!.uncalibratedBytes).toBe(before.perGpu[0]!.requiredBytes);
    expect(err(after.perGpu[0]!.requiredBytes, measuredOf(held))).toBeLessThan(err(before.perGpu[0]!.requiredBytes, measuredOf(held)));
  });

  it('runs of the same settings carry their whole correction and narrow the band to their spread', () => {
    const held = 'bf16-f48-offloadkv-exp';
    const before = detectedCheck(specOf(held), '1xH100', H100);
    const after = applyCalibration(before, specOf(held), [h100Record(held)]);
    expect(after.calibration).toMatchObject({ runs: 1, match: 'exact' });
    expect(err(after.perGpu[0]!.requiredBytes, measuredOf(held))).toBeLessThan(0.001);
    expect(after.perGpu[0]!.band!.upPct).toBe(1);
  });

  it('poisoned records are ignored: an OOMed run, another GPU model, another allocator, a broken sample', () => {
    const held = 'bf16-f48-exp';
    const before = detectedCheck(specOf(held), '1xH100', H100);
    const good = applyCalibration(before, specOf(held), [h100Record('bf16-f36-exp')]);
    const oom = { ...h100Record('fp8-f72-default'), settings: specOf(held).settings!, env: { PYTORCH_CUDA_ALLOC_CONF: 'expandable_segments:True' } };
    const h200 = { ...h100Record(held, 'NVIDIA H200'), runId: 'h200' };
    const otherAlloc = { ...h100Record('bf16-f36-default'), runId: 'default-alloc' };
    const broken = { ...h100Record(held), runId: 'broken', gpus: [{ index: 0, role: 'single', predictedBytes: 1, measuredBytes: 30e9, errorPct: 0 }] };
    const noEnv: CalibrationRecord = { ...h100Record(held), runId: 'old-record' };
    delete noEnv.env;
    const poisoned = applyCalibration(before, specOf(held), [h100Record('bf16-f36-exp'), oom, h200, otherAlloc, broken, noEnv]);
    expect(poisoned.perGpu[0]!.requiredBytes).toBe(good.perGpu[0]!.requiredBytes);
    expect(poisoned.calibration).toMatchObject({ runs: 1, match: 'layout' });
    // With nothing usable left, nothing is applied.
    expect(applyCalibration(before, specOf(held), [oom, h200, otherAlloc, broken, noEnv]).perGpu[0]!.requiredBytes).toBe(before.perGpu[0]!.requiredBytes);
  });
});

describe('calibration from a real 5x H200 run record', () => {
  const rec = JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'gpu-h200', 'tpp5-ok', 'run.json'), 'utf8')) as RunRecord & { workloadPeaks: Record<string, { device_used_peak: number }> };
  const roles = { '0': 'dit', '1': 'dit', '2': 'dit', '3': 'dit', '4': 'vae' };
  const workloadPeakBytes = Object.fromEntries(Object.entries(rec.workloadPeaks).map(([k, v]) => [k, v.device_used_peak]));
  const entry = calibrationEntry({ runId: rec.runId, recipe: rec.spec.recipe, mode: rec.spec.mode, settings: rec.spec.settings, predictedBytes: rec.predictedBytes, peaksMiB: rec.peaksMiB, roles, gpuName: 'NVIDIA H200', env: rec.plan.env, status: rec.status, workloadPeakBytes })!;

  it('the run manager keeps the inputs: the env the model reads, the status and the larger of both peaks', () => {
    expect(entry.env).toEqual({});
    expect(entry.status).toBe('succeeded');
    expect(entry.gpuCount).toBe(5);
    expect(entry.gpus[0]!.measuredBytes).toBe(Math.max(rec.peaksMiB['0']! * 2 ** 20, workloadPeakBytes['0']!));
  });

  it('applies to the same layout and allocator (it ran without expandable_segments), and not to the recipe default', () => {
    const spec: RunSpec = { ...rec.spec, env: { PYTORCH_CUDA_ALLOC_CONF: '' } };
    const before = detectedCheck(spec, '5xH200', 'NVIDIA H200');
    const after = applyCalibration(before, spec, [entry]);
    expect(after.calibration).toMatchObject({ runs: 1, match: 'exact' });
    after.perGpu.forEach((g, i) => {
      const measured = entry.gpus[i]!.measuredBytes;
      expect(err(g.requiredBytes, measured)).toBeLessThanOrEqual(err(before.perGpu[i]!.requiredBytes, measured) + 1e-9);
      expect(err(g.requiredBytes, measured)).toBeLessThan(0.006);
    });
    const recipeDefault = detectedCheck(rec.spec, '5xH200', 'NVIDIA H200');
    expect(applyCalibration(recipeDefault, rec.spec, [entry]).calibration).toBeNull();
  });
});

describe('calibration store and `lal check --calibration`', () => {
  it('shows the records with why one is ignored, and resets them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lal-calib-cli-'));
    recordCalibration(dir, { runId: 'ok-run', recipe: 'rehearsal', mode: 'single-offload', predictedBytes: { '0': 60e9 }, peaksMiB: { '0': 58_000 }, gpuName: H100, env: { PYTORCH_CUDA_ALLOC_CONF: 'expandable_segments:True', PATH: '/bin' }, status: 'succeeded' });
    recordCalibration(dir, { runId: 'oom-run', recipe: 'rehearsal', mode: 'single-offload', predictedBytes: { '0': 80e9 }, peaksMiB: { '0': 81_000 }, gpuName: H100, env: {}, status: 'failed' });
    expect(readCalibration(dir)[0]!.env).toEqual({ PYTORCH_CUDA_ALLOC_CONF: 'expandable_segments:True' });
    const env = { LAL_DATA_DIR: dir, LANG: 'en_US.UTF-8' };
    const show = await lal(['check', '--calibration', 'show'], { env });
    expect(show.exitCode).toBe(0);
    expect(String(show.stdout)).toContain(`Calibration records in ${join(dir, 'calibration.json')}: 2`);
    expect(String(show.stdout)).toMatch(/oom-run rehearsal\/single-offload on NVIDIA H100 80GB HBM3: GPU0 80\.0\/84\.9 GB .*\(ignored: the run did not finish \(OOM or error\)\)/);
    const reset = await lal(['check', '--calibration', 'reset'], { env });
    expect(String(reset.stdout)).toContain('Calibration reset: 2 records removed.');
    expect(readCalibration(dir)).toEqual([]);
    expect(resetCalibration(dir)).toBe(0);
    const bad = await lal(['check', '--calibration', 'maybe'], { env });
    expect(bad.exitCode).toBe(2);
  }, 60_000);
});
