import type { Api } from '../../../shared/api/contract';
import type { CoreContext } from '../context';
import { checkFeasibility } from '../../../shared/feasibility/check';
import { applyCalibration, type CalibrationView } from '../../../shared/feasibility/calibrate';
import { hardwareFromDetect, parseHardwareSpec } from '../../../shared/feasibility/hardware';
import type { FeasibilityReport } from '../../../shared/feasibility/types';
import type { RunSpec } from '../../../shared/run/types';
import { calibrationFile, readCalibration, resetCalibration, type CalibrationEntry } from './calibration';

/**
 * Feasibility over the contract.
 * - With `hardware` it is a what-if ("what should I buy?"): only the given GPUs count, and nothing
 *   of this machine (its RAM, Python env, checkout, past runs) is mixed in, so the answer is the
 *   same anywhere.
 * - Without it: the detected GPUs with the memory free right now, plus detection's flash-attn,
 *   checkout-layout and host-RAM facts, the checkpoint's real component sizes, the detected
 *   topology, and a correction learned from this machine's finished runs (shared/feasibility/calibrate.ts).
 */
export function checkApi(ctx: CoreContext): Pick<Api, 'check' | 'calibration'> {
  return {
    check: async ({ spec, hardware }) => {
      if (hardware !== undefined) {
        return withMeasured(ctx, checkFeasibility({ spec, hardware: parseHardwareSpec(hardware), hardwareSource: 'spec' }));
      }
      const detect = await ctx.detect();
      const report = checkFeasibility({ spec, hardware: hardwareFromDetect(detect), detect, hardwareSource: 'detected' });
      return withMeasured(ctx, calibrated(ctx, report, spec));
    },
    calibration: async ({ action }) => {
      if (action === 'reset') return { file: calibrationFile(ctx.dataDir), entries: [], removed: resetCalibration(ctx.dataDir) };
      return { file: calibrationFile(ctx.dataDir), entries: view(readCalibration(ctx.dataDir)) };
    },
  };
}

/** Entries with why the check would ignore each one, judged against the entry's own recipe and mode. */
function view(entries: CalibrationEntry[]): CalibrationView['entries'] {
  return entries.map((e) => {
    const out: CalibrationView['entries'][number] = { ...e };
    if (e.status !== undefined && e.status !== 'succeeded') out.ignored = 'status';
    else if (!e.env) out.ignored = 'allocator';
    return out;
  });
}

function calibrated(ctx: CoreContext, report: FeasibilityReport, spec: RunSpec): FeasibilityReport {
  const records = readCalibration(ctx.dataDir, { recipe: report.recipe, mode: report.mode });
  if (!records.length || !report.perGpu.length) return report;
  return applyCalibration(report, spec, records);
}

/** The last measured run of the same recipe and mode, so a prediction is shown next to reality. */
function withMeasured(ctx: CoreContext, report: FeasibilityReport): FeasibilityReport {
  let last = null;
  try {
    last = readCalibration(ctx.dataDir, { recipe: report.recipe, mode: report.mode }).at(-1) ?? null;
  } catch {
    // an unreadable calibration file must not break the check
  }
  return { ...report, lastMeasured: last ? { runId: last.runId, at: last.at, settings: last.settings, gpus: last.gpus, maxAbsErrorPct: last.maxAbsErrorPct } : null };
}
