import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkFeasibility, GPU_TABLE, parseHardwareSpec } from '../../../shared/feasibility';
import { getRecipe } from '../../../shared/recipes';

const la = getRecipe('liveavatar-s2v-14b')!;
const RANK: Record<string, number> = { fits: 0, tight: 1, 'does-not-fit': 2 };

describe('report invariants over random Live Avatar settings and hardware (property)', () => {
  it('breakdowns sum to the need, the verdict follows the reasons and headroom, suggestions improve it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...la.modes.map((m) => m.id)),
        fc.constantFrom('720*400', '704*384', '688*368', '384*256', '1280*720'),
        fc.constantFrom(24, 48, 72, 80),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(...GPU_TABLE.map((g) => g.name)),
        fc.integer({ min: 1, max: 6 }),
        (mode, size, frames, fp8, t5Cpu, offloadKv, gpu, count) => {
          const settings = { size, infer_frames: frames, fp8, t5_cpu: t5Cpu, ...(mode === 'single-offload' ? { offload_kv_cache: offloadKv } : {}) };
          const r = checkFeasibility({ spec: { recipe: la.id, mode, settings }, hardware: parseHardwareSpec(`${count}x${gpu}`) });
          for (const g of r.perGpu) {
            expect(g.breakdown.reduce((a, p) => a + p.bytes, 0)).toBe(g.requiredBytes);
            if (g.band) expect(g.band.lowBytes).toBeLessThanOrEqual(g.requiredBytes);
            if (g.band) expect(g.band.highBytes).toBeGreaterThan(g.requiredBytes);
          }
          if (r.verdict === 'does-not-fit' && r.perGpu.some((g) => g.requiredBytes > g.availableBytes)) expect(r.smallestFit === null || r.smallestFit!.memoryMiB > 0).toBe(true);
          const errors = r.reasons.filter((x) => (x.severity ?? 'error') === 'error');
          if (errors.length) expect(r.verdict).toBe('does-not-fit');
          else {
            // "fits" only when the upper edge of every rank's error band fits; inside the band: tight.
            const tight = r.perGpu.some((g) => !g.missing && (g.band?.highBytes ?? g.requiredBytes) > g.availableBytes);
            expect(r.verdict).toBe(tight ? 'tight' : 'fits');
          }
          for (const s of r.suggestions) expect(RANK[s.verdict]).toBeLessThan(RANK[r.verdict]);
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);
});
