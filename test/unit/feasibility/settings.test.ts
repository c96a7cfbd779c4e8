import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildArgs, getRecipe, recipes, resolveNproc, resolveSettings, findMode, envNameAllowed } from '../../../shared/recipes';
import { ApiFailure } from '../../../shared/api/result';

const la = getRecipe('liveavatar-s2v-14b')!;
const rehearsal = getRecipe('rehearsal')!;

const badField = (fn: () => unknown): { field?: string; message: string } => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiFailure) return { field: e.error.field, message: e.error.message };
    throw e;
  }
  throw new Error('no error');
};

describe('recipes as data', () => {
  it('has the five recipes with their modes', () => {
    expect(recipes.map((r) => r.id)).toEqual(['liveavatar-s2v-14b', 'wan22-s2v-14b', 'step-video-t2v', 'rehearsal', 'step-video-rehearsal']);
    expect(la.modes.map((m) => m.id)).toEqual(['single-offload', 'tpp-4gpu', 'tpp-5gpu']);
    expect(rehearsal.modes.map((m) => m.id)).toEqual(['single-offload', 'tpp-4gpu', 'tpp-5gpu', 'fsdp-ulysses']);
    expect(rehearsal.entry).toBe('resource:workloads/rehearsal.py');
  });
  it('"5-GPU FSDP" is an alias of tpp-5gpu whose description says what upstream does', () => {
    const m = findMode(la, '5-GPU FSDP')!;
    expect(m.id).toBe('tpp-5gpu');
    expect(m.description.en).toMatch(/time-pipeline parallel \(TPP\)/);
    expect(m.description.zh).toMatch(/时间流水线并行/);
  });
  it('the 4-GPU layout is 3 DiT ranks with 3 steps plus a VAE rank', () => {
    const m = findMode(la, 'tpp-4gpu')!;
    expect(m.roles).toEqual(['dit', 'dit', 'dit', 'vae']);
    expect(m.flags).toMatchObject({ num_gpus_dit: 3, sample_steps: 3, enable_vae_parallel: true });
  });
  it('env allow-list: NCCL/CUDA knobs yes, code-loading variables never', () => {
    for (const r of recipes) {
      expect(envNameAllowed(r.envAllow, 'NCCL_P2P_DISABLE')).toBe(true);
      // Exact names only: a name the list does not hold needs consent (issue 14).
      expect(envNameAllowed(r.envAllow, 'NCCL_SOMETHING_NEW')).toBe(false);
      expect(r.envAllow.filter((n) => n.includes('*'))).toEqual([]);
      expect(envNameAllowed(r.envAllow, 'PYTORCH_CUDA_ALLOC_CONF')).toBe(true);
      for (const k of ['LD_PRELOAD', 'PYTHONPATH', 'LD_LIBRARY_PATH']) {
        expect(envNameAllowed(r.envAllow, k)).toBe(false);
        expect(r.envAllow).not.toContain(k);
      }
    }
  });
});

describe('buildArgs / resolveSettings', () => {
  it('builds the shipped 5-GPU command line (upstream-notes §2) with the right bool styles', () => {
    const args = buildArgs(la, 'tpp-5gpu', { prompt: 'a cat' });
    const s = args.join(' ');
    expect(args.slice(0, 2)).toEqual(['--task', 's2v-14B']);
    expect(s).toContain('--size 704*384');
    expect(s).toContain('--infer_frames 48');
    expect(s).toContain('--sample_steps 4');
    expect(s).toContain('--num_gpus_dit 4');
    expect(s).toContain('--offload_model False');
    expect(args).toContain('--enable_vae_parallel');
    expect(args).toContain('--fp8');
    expect(args).not.toContain('--t5_cpu');
    expect(args).not.toContain('--single_gpu');
    expect(s).toContain('--lora_path_dmd ckpt/LiveAvatar/liveavatar.safetensors');
  });
  it('single GPU: offload_model True by default, the user may change it', () => {
    expect(buildArgs(la, 'single-offload', {}).join(' ')).toContain('--offload_model True');
    expect(buildArgs(la, 'single-offload', { offload_model: 'false' }).join(' ')).toContain('--offload_model False');
    expect(buildArgs(la, 'single-offload', {})).toContain('--single_gpu');
  });
  it('errors name the key: unknown setting, bad value, mode conflict, mode-owned flag', () => {
    expect(badField(() => buildArgs(la, 'tpp-5gpu', { fp9: true }))).toMatchObject({ field: 'settings.fp9' });
    expect(badField(() => buildArgs(la, 'tpp-5gpu', { infer_frames: 'many' }))).toMatchObject({ field: 'settings.infer_frames' });
    expect(badField(() => buildArgs(la, 'tpp-5gpu', { fp8: 'perhaps' })).message).toContain('fp8 must be true or false');
    expect(badField(() => buildArgs(la, 'tpp-5gpu', { size: '999*999' })).message).toContain('size must be one of');
    expect(badField(() => buildArgs(la, 'tpp-5gpu', { sample_steps: 3 }))).toMatchObject({ field: 'settings.sample_steps' });
    expect(badField(() => buildArgs(la, 'single-offload', { num_gpus_dit: 4 }))).toMatchObject({ field: 'settings.num_gpus_dit' });
    expect(badField(() => buildArgs(la, 'nope', {}))).toMatchObject({ field: 'mode' });
  });
  it('fsdp-ulysses takes its process count from ulysses_size', () => {
    const m = findMode(rehearsal, 'fsdp-ulysses')!;
    const v = resolveSettings(rehearsal, m, { ulysses_size: 4 });
    expect(resolveNproc(m, v)).toBe(4);
    expect(buildArgs(rehearsal, m, { ulysses_size: 4 }).join(' ')).toMatch(/--ulysses_size 4.*--dit_fsdp --t5_fsdp/);
    expect(buildArgs(rehearsal, m, { ulysses_size: 2, t5_fsdp: false })).not.toContain('--t5_fsdp');
    const wan = getRecipe('wan22-s2v-14b')!;
    expect(resolveNproc(findMode(wan, 'fsdp-ulysses')!, resolveSettings(wan, 'fsdp-ulysses', { ulysses_size: 8 }))).toBe(8);
  });
  it('rehearsal extras: scale, device, repeated --inject', () => {
    const args = buildArgs(rehearsal, 'tpp-4gpu', { scale: 'full', device: 'cpu', inject: 'crash@1:2,hang@2:1:3' });
    expect(args.join(' ')).toContain('--scale full --device cpu --inject crash@1:2 --inject hang@2:1:3');
    expect(badField(() => buildArgs(rehearsal, 'tpp-4gpu', { scale: 'huge' }))).toMatchObject({ field: 'settings.scale' });
  });
  it('a prompt reaches argv as one entry, byte for byte (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80 }), (prompt) => {
        const args = buildArgs(la, 'single-offload', { prompt });
        expect(args[args.indexOf('--prompt') + 1]).toBe(prompt);
      }),
    );
  });
});
