import { describe, expect, it } from 'vitest';
import { S2V_14B, blockParams, ditFp8Params, ditParams, loraParams, t5Params } from '../../../shared/recipes/s2v-dims';
import { getRecipe } from '../../../shared/recipes';

/** upstream-notes §3.1–§3.6: the component sizes every estimate rests on. */
describe('S2V-14B parameter counts', () => {
  it('DiT: 351,394,304 per block, 16,295,755,609 in all (32.59 GB bf16)', () => {
    expect(blockParams(S2V_14B)).toBe(351_394_304);
    expect(ditParams(S2V_14B)).toBe(16_295_755_609);
    expect((ditParams(S2V_14B) * 2) / 1e9).toBeCloseTo(32.59, 2);
  });
  it('fp8 quantises 15,938,355,200 linear weights: DiT 16.65 GB with --fp8', () => {
    expect(ditFp8Params(S2V_14B)).toBe(15_938_355_200);
    const bytes = ditFp8Params(S2V_14B) + (ditParams(S2V_14B) - ditFp8Params(S2V_14B)) * 2;
    expect(bytes / 1e9).toBeCloseTo(16.65, 2);
  });
  it('umT5-XXL encoder 5,680,910,336 (11.36 GB), LoRA 676,331,520 (1.35 GB)', () => {
    expect(t5Params(S2V_14B)).toBe(5_680_910_336);
    expect(loraParams(S2V_14B)).toBe(676_331_520);
  });
  it('the Live Avatar recipe carries these sizes', () => {
    const dit = getRecipe('liveavatar-s2v-14b')!.components.find((c) => c.name === 'dit')!;
    expect(dit.params).toBe(16_295_755_609);
    expect(dit.fp8Params).toBe(15_938_355_200);
  });
});
