import type { Api } from '../../../shared/api/contract';
import type { CoreContext } from '../context';
import { checkFeasibility } from '../../../shared/feasibility/check';
import { hardwareFromDetect, parseHardwareSpec } from '../../../shared/feasibility/hardware';
import type { FeasibilityReport } from '../../../shared/feasibility/types';
import { readCalibration } from './calibration';

/**
 * Feasibility over the contract.
 * - With `hardware` it is a what-if ("what should I buy?"): only the given GPUs count, and nothing
 *   of this machine (its RAM, Python env, checkout) is mixed in, so the answer is the same anywhere.
 * - Without it: the detected GPUs with the memory free right now, plus detection's flash-attn,
 *   checkout-layout and host-RAM facts and the checkpoint's real component sizes.
 */
export function checkApi(ctx: CoreContext): Pick<Api, 'check'> {
  return {
    check: async ({ spec, hardware }) => {
      if (hardware !== undefined) {
        return withMeasured(ctx, checkFeasibility({ spec, hardware: parseHardwareSpec(hardware), hardwareSource: 'spec' }));
      }
      const detect = await ctx.detect();
      return withMeasured(ctx, checkFeasibility({ spec, hardware: hardwareFromDetect(detect), detect, hardwareSource: 'detected' }));
    },
  };
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
