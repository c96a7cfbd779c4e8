import { describe, expect, it } from 'vitest';
import type { RecipeSummary } from '../../../shared/api/contract';
import type { FlagSpec } from '../../../shared/recipes/types';
import { applyChange, applyFixes, defaultMode, defaultRecipe, validateSetting } from '../../../renderer/src/state/spec';
import { commandLine, shellQuote } from '../../../renderer/src/lib/format';

const la: RecipeSummary = {
  id: 'liveavatar-s2v-14b', label: { en: 'Live Avatar', zh: 'Live Avatar' },
  modes: [
    { id: 'single-offload', label: { en: '1', zh: '1' }, gpus: 1, nproc: 1 },
    { id: 'tpp-4gpu', label: { en: '4', zh: '4' }, gpus: 4, nproc: 4 },
    { id: 'tpp-5gpu', label: { en: '5', zh: '5' }, gpus: 5, nproc: 5 },
  ],
};

describe('run spec helpers', () => {
  it('picks Live Avatar and the biggest layout the machine holds', () => {
    expect(defaultRecipe([{ ...la, id: 'rehearsal' }, la])?.id).toBe('liveavatar-s2v-14b');
    expect(defaultMode(la, 4)).toBe('tpp-4gpu');
    expect(defaultMode(la, 8)).toBe('tpp-5gpu');
    expect(defaultMode(la, 1)).toBe('single-offload');
    expect(defaultMode(la, 0)).toBe('single-offload');
  });

  it('a suggestion may move the mode and set flags in one go', () => {
    const s = applyChange({ recipe: 'r', mode: 'tpp-5gpu', settings: { size: '704*384' } }, { mode: 'single-offload', offload_kv_cache: true });
    expect(s.mode).toBe('single-offload');
    expect(s.settings).toEqual({ size: '704*384', offload_kv_cache: true });
  });

  it('a diagnosis’s fixes become settings, a mode, and consented env names', () => {
    const { spec, allowEnv } = applyFixes({ recipe: 'r', mode: 'a', settings: {} }, [
      { kind: 'set', key: 'fp8', value: false },
      { kind: 'env', name: 'TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC', value: '86400' },
      { kind: 'mode', mode: 'b' },
      { kind: 'port' },
    ]);
    expect(spec).toEqual({ recipe: 'r', mode: 'b', settings: { fp8: false }, env: { TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC: '86400' } });
    expect(allowEnv).toEqual(['TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC']);
  });

  it('validates what needs no service', () => {
    const clips: FlagSpec = { name: 'num_clip', type: 'int', label: { en: '', zh: '' } };
    const seed: FlagSpec = { name: 'base_seed', type: 'int', label: { en: '', zh: '' } };
    const size: FlagSpec = { name: 'size', type: 'enum', choices: ['704*384'], label: { en: '', zh: '' } };
    expect(validateSetting(clips, 0)).toBe('notPositive');
    expect(validateSetting(clips, '2.5')).toBe('notInteger');
    expect(validateSetting(clips, 3)).toBeNull();
    expect(validateSetting(seed, -1)).toBeNull();
    expect(validateSetting(size, '1280*720')).toBe('badChoice');
    expect(validateSetting(clips, undefined)).toBeNull();
  });

  it('shows argv as a copyable shell line without changing a byte of the prompt', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('--size')).toBe('--size');
    expect(commandLine(['torchrun', '--prompt', 'a cat; rm -rf /'], { A: 'b c' })).toBe(`A='b c' \\\n  torchrun \\\n  --prompt \\\n  'a cat; rm -rf /'`);
  });
});

describe('hash routes', () => {
  it('round-trips every screen, so a reload or a shared tunnel link lands on the same one', async () => {
    const { hashFromRoute, routeFromHash } = await import('../../../renderer/src/lib/hash-route');
    for (const r of [{ name: 'home' }, { name: 'history' }, { name: 'wizard' }, { name: 'run', runId: '20261122-090326-b9de0c' }] as const) {
      expect(routeFromHash(hashFromRoute(r))).toEqual(r);
    }
    expect(routeFromHash('')).toEqual({ name: 'home' });
    expect(routeFromHash('#/nonsense')).toEqual({ name: 'home' });
  });
});
