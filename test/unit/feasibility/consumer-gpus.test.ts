import { describe, expect, it } from 'vitest';
import { check } from './helpers';
import { checkFeasibility, parseHardwareSpec } from '../../../shared/feasibility';
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
          expect(memory[0].message).toMatch(/needs \d+\.\d GB at \w+ but has 25\.1 GB available/);
          expect(memory[0].messageZh).toMatch(/需要 \d+\.\d GB，但只有 25\.1 GB 可用/);
          // Nothing suggested may be a change that still does not fit.
          for (const s of r.suggestions) expect(s.verdict).not.toBe('does-not-fit');
          // And the way out that needs other hardware: the smallest preset card that fits this layout,
          // re-checked with the band's upper edge, with the flags it needs.
          const smallest = r.smallestFit!;
          expect(smallest.memoryMiB).toBeGreaterThan(24_564);
          expect(smallest.message).toMatch(new RegExp(`^Smallest card for this layout: ${Math.max(mode.nproc, 1)}× `));
          expect(smallest.messageZh).toContain('此布局最小可用的卡');
          const again = checkFeasibility({
            spec: { recipe: la.id, mode: mode.id, settings: { fp8, ...smallest.change } },
            hardware: parseHardwareSpec(`${mode.nproc}x${smallest.gpu}`),
          });
          expect(again.verdict).toBe('fits');
        });
      }
    }
  }
  it('the DiT ranks of the 5-GPU layout need about twice a 4090 (fp8, T5 resident)', () => {
    const r = check(la.id, 'tpp-5gpu', '5xRTX 4090', { fp8: true });
    for (const g of r.perGpu.slice(1, 4)) expect(g.requiredBytes / 1e9).toBeGreaterThan(44);
  });
});

/** NCCL's own memory without P2P, from docs/validation-data/nccl-no-p2p-h200x4 (4× H200, NCCL_P2P_DISABLE=1). */
describe('NCCL memory over host shared memory (no P2P) is the measured, smaller figure', () => {
  const nccl = (hw: string, env?: Record<string, string>) => {
    const r = checkFeasibility({ spec: { recipe: 'liveavatar-s2v-14b', mode: 'tpp-4gpu', settings: { fp8: true }, env }, hardware: parseHardwareSpec(hw) });
    return r.perGpu.map((g) => (g.breakdown.find((p) => p.key === 'nccl')?.bytes ?? 0) / 1e9);
  };
  it('RTX 4090s (no P2P): 0.54 GB per rank whatever the peers, inside the 0.47–0.61 GB measured', () => {
    for (const gb of nccl('4xRTX 4090').filter((x) => x > 0)) {
      expect(gb).toBeGreaterThanOrEqual(0.53);
      expect(gb).toBeLessThanOrEqual(0.61);
    }
  });
  it('NCCL_P2P_DISABLE=1 on H200s switches to the same figure; without it NVLink ranks carry ~1.2–1.7 GB', () => {
    const nvlink = nccl('4xH200').filter((x) => x > 0);
    const shm = nccl('4xH200', { NCCL_P2P_DISABLE: '1' }).filter((x) => x > 0);
    expect(Math.min(...nvlink)).toBeGreaterThan(1.2);
    expect(Math.max(...shm)).toBeLessThanOrEqual(0.61);
    expect(shm.length).toBe(nvlink.length);
  });
});
