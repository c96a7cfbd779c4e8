import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lal } from '../../support/cli';

const env = { LAL_DATA_DIR: mkdtempSync(join(tmpdir(), 'lal-check-')), LANG: 'en_US.UTF-8' };

describe('lal check', () => {
  it('JSON: verdict, perGpu, reasons, suggestions; exit 1 when it does not fit', async () => {
    const r = await lal(['check', '--recipe', 'liveavatar-s2v-14b', '--mode', 'tpp-5gpu', '--hardware', '4xRTX 4090', '--json'], { env });
    expect(r.exitCode).toBe(1);
    const j = JSON.parse(String(r.stdout));
    expect(j.verdict).toBe('does-not-fit');
    expect(j.perGpu).toHaveLength(5);
    for (const g of j.perGpu) expect(Object.keys(g)).toEqual(expect.arrayContaining(['index', 'role', 'requiredBytes', 'availableBytes', 'breakdown']));
    expect(j.reasons.map((x: { code: string }) => x.code)).toEqual(expect.arrayContaining(['GPU_COUNT', 'MEMORY']));
    expect(Array.isArray(j.suggestions)).toBe(true);
  }, 60_000);

  it('exit 0 when it fits; human output in Chinese with --lang zh-CN', async () => {
    const r = await lal(['--lang', 'zh-CN', 'check', '--recipe', 'liveavatar-s2v-14b', '--mode', '5-GPU FSDP', '--hardware', '5xL40S'], { env });
    expect(r.exitCode).toBe(0);
    const out = String(r.stdout);
    expect(out).toContain('能跑，但很紧');
    expect(out).toMatch(/GPU 0 {2}DiT\s+46\.\d \/ 47\.7 GB/);
    expect(out).toContain('误差带');
    expect(out).toContain('PCIe P2P');
    expect(out).toContain('这样可以跑：');
  }, 60_000);

  it('--profile: the shipped 5-GPU launch script, imported by the profiles feature, checked on 5× RTX 6000 Ada', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lal-check-profile-'));
    const script = join(dir, 'infinite_inference_multi_gpu.sh');
    writeFileSync(
      script,
      [
        'CUDA_VISIBLE_DEVICES=0,1,2,3,4 torchrun --nproc_per_node=5 --master_port=29102 minimal_inference/s2v_streaming_interact.py \\',
        '  --ulysses_size 1 --task s2v-14B --size "720*400" --base_seed 420 --training_config liveavatar/configs/s2v_causal_sft.yaml \\',
        '  --offload_model False --convert_model_dtype --infer_frames 48 --load_lora --lora_path_dmd "Quark-Vision/Live-Avatar" \\',
        '  --sample_steps 4 --sample_guide_scale 0 --num_clip 10000 --num_gpus_dit 4 --sample_solver euler --enable_vae_parallel \\',
        '  --ckpt_dir ckpt/Wan2.2-S2V-14B/ --fp8',
        '',
      ].join('\n'),
    );
    const r = await lal(['check', '--profile', script, '--hardware', '5xRTX 6000 Ada', '--json'], { env });
    expect(r.exitCode).toBe(0);
    const j = JSON.parse(String(r.stdout));
    expect(j).toMatchObject({ recipe: 'liveavatar-s2v-14b', mode: 'tpp-5gpu', allocator: 'expandable' });
    expect(j.link.labels).toEqual(['PCIe P2P']);
    // Every GPU's prediction fits; the verdict follows the band's upper edge ("tight" past it).
    const gpus = j.perGpu as { requiredBytes: number; availableBytes: number; band: { highBytes: number } }[];
    for (const g of gpus) expect(g.requiredBytes).toBeLessThan(g.availableBytes);
    const over = gpus.some((g) => g.band.highBytes > g.availableBytes);
    expect(j.verdict).toBe(over ? 'tight' : 'fits');
    if (over) expect(j.suggestions[0].verdict).toBe('fits');
  }, 60_000);

  it('an unquoted "--hardware 4xRTX 4090" still means 4× RTX 4090', async () => {
    const r = await lal(['check', '--recipe', 'liveavatar-s2v-14b', '--mode', 'tpp-4gpu', '--hardware', '4xRTX', '4090', '--json'], { env });
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(String(r.stdout)).hardware[0].name).toBe('RTX 4090');
  }, 60_000);

  it('exit 2 for bad input, naming the field', async () => {
    const hw = await lal(['check', '--recipe', 'rehearsal', '--mode', 'tpp-4gpu', '--hardware', '4xH8000'], { env });
    expect(hw.exitCode).toBe(2);
    expect(String(hw.stderr)).toContain('H8000');
    const set = await lal(['check', '--recipe', 'rehearsal', '--mode', 'tpp-4gpu', '--set', 'fp9=1', '--hardware', '4xH100'], { env });
    expect(set.exitCode).toBe(2);
    expect(String(set.stderr)).toContain('fp9');
    const noEq = await lal(['check', '--recipe', 'rehearsal', '--mode', 'tpp-4gpu', '--set', 'fp8', '--hardware', '4xH100'], { env });
    expect(noEq.exitCode).toBe(2);
    const recipe = await lal(['check', '--recipe', 'nope', '--mode', 'x', '--hardware', '1xH100'], { env });
    expect(recipe.exitCode).toBe(2);
    expect(String(recipe.stderr)).toContain('recipe');
    const mode = await lal(['check', '--recipe', 'rehearsal', '--mode', 'x', '--hardware', '1xH100'], { env });
    expect(mode.exitCode).toBe(2);
    expect(String(mode.stderr)).toContain('mode');
    const stray = await lal(['check', '--recipe', 'rehearsal', '--mode', 'tpp-4gpu', 'oops'], { env });
    expect(stray.exitCode).toBe(2);
    const none = await lal(['check', '--hardware', '1xH100'], { env });
    expect(none.exitCode).toBe(2);
  }, 120_000);
});
