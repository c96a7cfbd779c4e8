import type { FeasibilityReport, GpuPlan } from './types';

/** Fullest GPU: the one with least headroom (missing GPUs count as having none). */
export function fullest(perGpu: GpuPlan[]): GpuPlan | undefined {
  let best: GpuPlan | undefined;
  for (const g of perGpu) if (!best || g.availableBytes - g.requiredBytes < best.availableBytes - best.requiredBytes) best = g;
  return best;
}

/** The largest need over the GPUs of a report. */
export const maxRequired = (r: FeasibilityReport): number => Math.max(0, ...r.perGpu.map((g) => g.requiredBytes));
