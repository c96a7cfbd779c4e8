import { describe, expect, it } from 'vitest';
import { check } from './helpers';
import { getRecipe } from '../../../shared/recipes';

/** Issue #13: "Each graphics card should have at least 80 GB of VRAM". Every Live Avatar mode on 24 GB cards. */
describe('Live Avatar on 4× and 5× RTX 4090 (24 GB) does not fit, with per-GPU numbers', () => {
  const la = getRecipe('liveavatar-s2v-14b')!;
  for (const mode of la.modes) {
    for (const hw of ['4xRTX 4090', '5xRTX 4090']) {
      for (const fp8 of [true, false]) {
        it(`${mode.id} on ${hw}, fp8=${fp8}`, () => {
          const r = check(la.id, mode.id, hw, { fp8 });
          expect(r.verdict).toBe('does-not-fit');
          expect(r.perGpu.length).toBe(mode.nproc);
          // Every rank needs more than a 24 GB card has, and says so per GPU with its role.
          for (const g of r.perGpu) {
            expect(g.requiredBytes).toBeGreaterThan(24_564 * 2 ** 20);
            expect(g.breakdown.reduce((a, p) => a + p.bytes, 0)).toBe(g.requiredBytes);
            expect(g.role).toBe(mode.roles[g.rank ?? 0]);
          }
          const memory = r.reasons.filter((x) => x.code === 'MEMORY');
          expect(memory.length).toBeGreaterThanOrEqual(Math.min(mode.nproc, Number(hw[0])));
          expect(memory[0].message).toMatch(/needs \d+\.\d GB at \w+ but has 25\.8 GB available/);
          expect(memory[0].messageZh).toMatch(/需要 \d+\.\d GB，但只有 25\.8 GB 可用/);
          // Nothing suggested may be a change that still does not fit.
          for (const s of r.suggestions) expect(s.verdict).not.toBe('does-not-fit');
        });
      }
    }
  }
  it('the DiT ranks of the 5-GPU layout need about twice a 4090 (fp8, T5 resident)', () => {
    const r = check(la.id, 'tpp-5gpu', '5xRTX 4090', { fp8: true });
    for (const g of r.perGpu.slice(1, 4)) expect(g.requiredBytes / 1e9).toBeGreaterThan(44);
  });
});
