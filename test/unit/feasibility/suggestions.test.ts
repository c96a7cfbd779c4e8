import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiFailure } from '../../../shared/api/result';
import { resolveSpec } from '../../../shared/feasibility/resolve';
import { smallestFit, suggest, type Recheck } from '../../../shared/feasibility/suggest';
import { repoRoot } from '../../support/temp';
import { describe, expect, it } from 'vitest';
import { checkFeasibility, parseHardwareSpec } from '../../../shared/feasibility';
import type { SettingValue } from '../../../shared/run/types';
import { weightsAndCaches } from './helpers';

const CASES: [string, string, string, Record<string, SettingValue>][] = [
  ['liveavatar-s2v-14b', 'tpp-5gpu', '5xL40S', { fp8: false }],
  ['liveavatar-s2v-14b', 'tpp-5gpu', '5xL40S', {}],
  ['liveavatar-s2v-14b', 'tpp-5gpu', '4xH100', {}],
  ['liveavatar-s2v-14b', 'single-offload', '1xH100', { fp8: false }],
  ['liveavatar-s2v-14b', 'single-offload', '1xA100-80GB', {}],
  ['liveavatar-s2v-14b', 'tpp-5gpu', '5xH200', { size: '1280*720' }],
  ['rehearsal', 'tpp-5gpu', '5xRTX 4090', { scale: 'full' }],
  ['rehearsal', 'fsdp-ulysses', '4xRTX 4090', { scale: 'full', ulysses_size: 2 }],
  ['wan22-s2v-14b', 'fsdp-ulysses', '4xRTX 4090', { ulysses_size: 4 }],
];

describe('suggestions fit when re-checked', () => {
  for (const [recipe, mode, hw, settings] of CASES) {
    it(`${recipe} ${mode} on ${hw} ${JSON.stringify(settings)}`, () => {
      const hardware = parseHardwareSpec(hw);
      const r = checkFeasibility({ spec: { recipe, mode, settings }, hardware });
      expect(r.verdict).not.toBe('fits');
      for (const s of r.suggestions) {
        const { mode: newMode, ...change } = s.change;
        const again = checkFeasibility({ spec: { recipe, mode: typeof newMode === 'string' ? newMode : mode, settings: { ...settings, ...change } }, hardware, suggestions: false });
        expect(again.verdict).toBe(s.verdict);
        expect(again.verdict).not.toBe('does-not-fit');
        expect(s.message.length).toBeGreaterThan(10);
        expect(s.messageZh).toMatch(/[\u4e00-\u9fff]/);
      }
    });
  }

  it('"--fp8 saves 15.9 GB per DiT rank": the fp8 suggestion on 48 GB cards says how much, measured on the fullest GPU', () => {
    const hardware = parseHardwareSpec('5xL40S');
    const spec = { recipe: 'liveavatar-s2v-14b', mode: 'tpp-5gpu', settings: { fp8: false, t5_cpu: true } };
    const r = checkFeasibility({ spec, hardware });
    const fp8 = r.suggestions.find((s) => s.id === 'fp8=true')!;
    expect(fp8).toBeDefined();
    expect(r.suggestions[0].id).toBe('fp8=true'); // the cheapest change comes first
    const after = checkFeasibility({ spec: { ...spec, settings: { ...spec.settings, fp8: true } }, hardware, suggestions: false });
    // Per DiT rank while denoising: the 15.94 GB of quantised weights.
    const denoise = (fp8: boolean) => weightsAndCaches('liveavatar-s2v-14b', 'tpp-5gpu', { fp8, t5_cpu: true }, 'denoise')[1];
    expect(denoise(false) - denoise(true)).toBeCloseTo(15.94, 2);
    // On the fullest GPU less is saved: with --fp8 the load phase still holds the bf16 DiT.
    const max = (x: typeof r) => Math.max(...x.perGpu.map((g) => g.requiredBytes));
    expect(fp8.savesBytes).toBe(max(r) - max(after));
    expect(fp8.message).toMatch(/^--set fp8=true: saves \d+\.\d GB on the fullest GPU; then it fits/);
  });

  it('a too-large size is fixed by a size that meets the 3000-token rule', () => {
    const r = checkFeasibility({ spec: { recipe: 'liveavatar-s2v-14b', mode: 'tpp-5gpu', settings: { size: '1280*720' } }, hardware: parseHardwareSpec('5xH200') });
    expect(r.suggestions[0].change.size).toBe('704*384');
  });

  it('no GPU at all: the rehearsal suggests its CPU mode', () => {
    const r = checkFeasibility({ spec: { recipe: 'rehearsal', mode: 'tpp-4gpu', settings: {} }, hardware: [] });
    expect(r.verdict).toBe('does-not-fit');
    expect(r.suggestions.some((s) => s.change.device === 'cpu' && s.verdict === 'fits')).toBe(true);
  });
});

describe('the suggestion search catches only what it expects (issue 17 §5)', () => {
  const spec = { recipe: 'liveavatar-s2v-14b', mode: 'tpp-5gpu', settings: {} };
  const input = { spec, hardware: parseHardwareSpec('4xRTX 4090') };
  const resolved = resolveSpec(spec);
  const report = checkFeasibility({ ...input, suggestions: false });
  it('a candidate the recipe refuses (BAD_INPUT) is skipped', () => {
    const refuse: Recheck = (i) => {
      if (i.spec.mode !== spec.mode) throw new ApiFailure({ code: 'BAD_INPUT', field: 'settings.x', message: 'refused' });
      return checkFeasibility(i);
    };
    expect(() => suggest({ input, resolved, report, recheck: refuse })).not.toThrow();
  });
  it('a programming error in a re-check surfaces instead of silently dropping the suggestions', () => {
    const broken: Recheck = () => {
      throw new TypeError('cannot read properties of undefined');
    };
    expect(() => suggest({ input, resolved, report, recheck: broken })).toThrow(TypeError);
    expect(() => smallestFit({ input, resolved, recheck: broken })).toThrow(TypeError);
  });
  it('check.ts and suggest.ts no longer import each other', () => {
    const src = readFileSync(join(repoRoot, 'shared', 'feasibility', 'suggest.ts'), 'utf8');
    expect(src).not.toMatch(/from '\.\/check'/);
  });
});
