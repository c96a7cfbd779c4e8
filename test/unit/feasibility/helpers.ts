import { checkFeasibility, parseHardwareSpec, planMemory, resolveSpec, type FeasibilityReport } from '../../../shared/feasibility';
import type { SettingValue } from '../../../shared/run/types';

export const GBn = 1e9;

export function check(recipe: string, mode: string, hardware: string, settings: Record<string, SettingValue> = {}): FeasibilityReport {
  return checkFeasibility({ spec: { recipe, mode, settings }, hardware: parseHardwareSpec(hardware) });
}

/** Weights + caches of each rank in one phase (default: its peak phase), in GB: what upstream-notes §3.8 counts. */
export function weightsAndCaches(recipe: string, mode: string, settings: Record<string, SettingValue> = {}, phase?: string): number[] {
  const r = resolveSpec({ recipe, mode, settings });
  const plan = planMemory({ recipe: r.recipe, mode: r.mode, values: r.values, nproc: r.nproc, profile: r.profile!, components: r.components, env: {}, cpu: false });
  const keep = (k: string) => k.startsWith('weights.') || k === 'kv_cache' || k === 'cond_cache';
  return plan.ranks.map((rk) => {
    const parts = phase ? rk.phaseParts?.[phase] ?? [] : rk.parts;
    return parts.filter((p) => keep(p.key)).reduce((a, p) => a + p.bytes, 0) / GBn;
  });
}
