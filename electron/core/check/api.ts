import type { Api } from '../../../shared/api/contract';
import type { CoreContext } from '../context';
import { checkFeasibility } from '../../../shared/feasibility/check';
import { hardwareFromDetect, parseHardwareSpec } from '../../../shared/feasibility/hardware';

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
        return checkFeasibility({ spec, hardware: parseHardwareSpec(hardware), hardwareSource: 'spec' });
      }
      const detect = await ctx.detect();
      return checkFeasibility({ spec, hardware: hardwareFromDetect(detect), detect, hardwareSource: 'detected' });
    },
  };
}
