import { mkdirSync, writeFileSync, truncateSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inspectCheckout, layoutsFor, readSafetensorsHeader, scanAsserts } from '../../../electron/core/detect';
import { tempDir } from '../../support/temp';

/** A real safetensors file: 8-byte LE header length, JSON header, then the tensor bytes (zeros). */
function safetensors(file: string, tensors: Record<string, { dtype: string; shape: number[]; bytesPer: number }>): number {
  let off = 0;
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  for (const [name, t] of Object.entries(tensors)) {
    const n = t.shape.reduce((a, b) => a * b, 1) * t.bytesPer;
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + n] };
    off += n;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, Buffer.concat([len, json, Buffer.alloc(off)]));
  return off;
}

function touch(file: string, bytes = 16): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, Buffer.alloc(bytes));
}

// The upstream asserts, as docs/upstream-notes.md §1.1 quotes them (s2v_streaming_interact.py L372–374).
const CLI_SOURCE = [
  'def _init(args, world_size):',
  '    if world_size > 1:',
  '        assert world_size >= 5, "At least 5 GPUs are supported for distributed inference."',
  '        assert args.num_gpus_dit == 4, "Only 4 GPUs are supported for distributed inference."',
  '        assert args.enable_vae_parallel is True, "VAE parallel is required for distributed inference."',
].join('\n');
// gradio_app.py L336–338: the first two are commented out.
const GRADIO_SOURCE = [
  '    if world_size > 1:',
  '        # assert world_size >= 5, "At least 5 GPUs are supported for distributed inference."',
  '        # assert args.num_gpus_dit == 4, "Only 4 GPUs are supported for distributed inference."',
  '        assert args.enable_vae_parallel is True, "VAE parallel is required for distributed inference."',
].join('\n');

let dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const d of dirs) d.remove();
  dirs = [];
});

function checkout(): string {
  const d = tempDir('lal-checkout-');
  dirs.push(d);
  return d.path;
}

describe('readSafetensorsHeader', () => {
  it('counts exact tensor bytes by dtype from the header alone', async () => {
    const root = checkout();
    const f = join(root, 'm.safetensors');
    safetensors(f, { a: { dtype: 'BF16', shape: [64, 32], bytesPer: 2 }, b: { dtype: 'F32', shape: [10], bytesPer: 4 }, c: { dtype: 'BF16', shape: [3], bytesPer: 2 } });
    expect(await readSafetensorsHeader(f)).toEqual({ bytesByDtype: { BF16: 64 * 32 * 2 + 6, F32: 40 }, params: 64 * 32 + 10 + 3, tensors: 3 });
  });

  it('names a truncated download and a file that is not safetensors', async () => {
    const root = checkout();
    const f = join(root, 'cut.safetensors');
    safetensors(f, { a: { dtype: 'BF16', shape: [1000], bytesPer: 2 } });
    truncateSync(f, 500);
    await expect(readSafetensorsHeader(f)).rejects.toThrow(/truncated download/);
    touch(join(root, 'junk.safetensors'), 4);
    await expect(readSafetensorsHeader(join(root, 'junk.safetensors'))).rejects.toThrow(/too short/);
    writeFileSync(join(root, 'big.safetensors'), Buffer.concat([Buffer.from([255, 255, 255, 255, 0, 0, 0, 0]), Buffer.alloc(8)]));
    await expect(readSafetensorsHeader(join(root, 'big.safetensors'))).rejects.toThrow(/does not fit/);
  });
});

describe('layouts from the upstream asserts', () => {
  it('the CLI allows single-GPU and the 5-GPU TPP only', () => {
    const scan = scanAsserts(CLI_SOURCE);
    expect(scan).toEqual({ minWorld: { n: 5, line: 3 }, ditEquals: { n: 4, line: 4 }, vaeRequired: { line: 5 } });
    const l = layoutsFor('minimal_inference/s2v_streaming_interact.py', scan);
    expect(l.map((x) => [x.mode, x.nproc, x.allowed])).toEqual([['single-offload', 1, true], ['tpp-4gpu', 4, false], ['tpp-5gpu', 5, true]]);
    expect(l[1]!.reason).toBe('minimal_inference/s2v_streaming_interact.py:3: assert world_size >= 5');
  });

  it('gradio_app.py, with the asserts commented out, also allows 4 GPUs (3 DiT + VAE)', () => {
    const l = layoutsFor('minimal_inference/gradio_app.py', scanAsserts(GRADIO_SOURCE));
    expect(l.filter((x) => x.allowed).map((x) => x.mode)).toEqual(['single-offload', 'tpp-4gpu', 'tpp-5gpu']);
  });
});

describe('inspectCheckout', () => {
  it('a complete checkout: entries, layouts, components by dtype, nothing missing', async () => {
    const root = checkout();
    touch(join(root, 'minimal_inference/s2v_streaming_interact.py'));
    writeFileSync(join(root, 'minimal_inference/s2v_streaming_interact.py'), CLI_SOURCE);
    touch(join(root, 'minimal_inference/gradio_app.py'));
    writeFileSync(join(root, 'minimal_inference/gradio_app.py'), GRADIO_SOURCE);
    touch(join(root, 'infinite_inference_multi_gpu.sh'));
    const ck = join(root, 'ckpt/Wan2.2-S2V-14B');
    const d1 = safetensors(join(ck, 'diffusion_pytorch_model-00001-of-00002.safetensors'), { w: { dtype: 'BF16', shape: [128, 64], bytesPer: 2 } });
    const d2 = safetensors(join(ck, 'diffusion_pytorch_model-00002-of-00002.safetensors'), { w2: { dtype: 'BF16', shape: [64], bytesPer: 2 }, s: { dtype: 'F32', shape: [8], bytesPer: 4 } });
    writeFileSync(join(ck, 'diffusion_pytorch_model.safetensors.index.json'), JSON.stringify({ weight_map: { w: 'diffusion_pytorch_model-00001-of-00002.safetensors', w2: 'diffusion_pytorch_model-00002-of-00002.safetensors' } }));
    touch(join(ck, 'config.json'));
    touch(join(ck, 'models_t5_umt5-xxl-enc-bf16.pth'), 1234);
    mkdirSync(join(ck, 'google/umt5-xxl'), { recursive: true });
    touch(join(ck, 'Wan2.1_VAE.pth'), 777);
    safetensors(join(ck, 'wav2vec2-large-xlsr-53-english/model.safetensors'), { x: { dtype: 'F32', shape: [16], bytesPer: 4 } });
    safetensors(join(root, 'ckpt/LiveAvatar/liveavatar.safetensors'), { l: { dtype: 'BF16', shape: [32], bytesPer: 2 } });
    touch(join(root, 'liveavatar/configs/s2v_causal_sft.yaml'));

    const info = await inspectCheckout(root);
    expect(info.missing).toEqual([]);
    expect(info.entryScripts).toEqual(['minimal_inference/s2v_streaming_interact.py', 'minimal_inference/gradio_app.py', 'infinite_inference_multi_gpu.sh']);
    expect(info.supportedModes).toEqual(['single-offload', 'tpp-5gpu']);
    expect(info.layouts?.filter((l) => l.entry.endsWith('gradio_app.py') && l.allowed).map((l) => l.mode)).toContain('tpp-4gpu');
    const by = Object.fromEntries(info.components.map((c) => [c.name, c]));
    expect(by.dit).toMatchObject({ bytesByDtype: { BF16: 128 * 64 * 2 + 128, F32: 32 }, totalBytes: d1 + d2, params: 128 * 64 + 64 + 8 });
    expect(by.t5).toMatchObject({ totalBytes: 1234, bytesByDtype: {} });
    expect(by.vae?.totalBytes).toBe(777);
    expect(by.wav2vec2?.bytesByDtype).toEqual({ F32: 64 });
    expect(by.lora?.files).toEqual(['ckpt/LiveAvatar/liveavatar.safetensors']);
    expect(info.loraFile).toBe('ckpt/LiveAvatar/liveavatar.safetensors');
  });

  it('names every missing piece: T5, VAE, wav2vec2, LoRA, shards, tokenizer, config', async () => {
    const root = checkout();
    writeFileSync(join(root, 'README.md'), 'x');
    const ck = join(root, 'ckpt/Wan2.2-S2V-14B');
    safetensors(join(ck, 'diffusion_pytorch_model-00001-of-00002.safetensors'), { w: { dtype: 'BF16', shape: [4], bytesPer: 2 } });
    writeFileSync(join(ck, 'diffusion_pytorch_model.safetensors.index.json'), JSON.stringify({ weight_map: { w: 'diffusion_pytorch_model-00001-of-00002.safetensors', v: 'diffusion_pytorch_model-00002-of-00002.safetensors' } }));
    const info = await inspectCheckout(root);
    expect(info.supportedModes).toEqual([]);
    expect(info.missing).toEqual([
      'entry script (minimal_inference/s2v_streaming_interact.py)',
      'DiT shards (diffusion_pytorch_model-00002-of-00002.safetensors)',
      'DiT config (ckpt/Wan2.2-S2V-14B/config.json)',
      'T5 (ckpt/Wan2.2-S2V-14B/models_t5_umt5-xxl-enc-bf16.pth)',
      'T5 tokenizer (ckpt/Wan2.2-S2V-14B/google/umt5-xxl/)',
      'VAE (ckpt/Wan2.2-S2V-14B/Wan2.1_VAE.pth)',
      'wav2vec2 (ckpt/Wan2.2-S2V-14B/wav2vec2-large-xlsr-53-english/)',
      'LoRA (ckpt/LiveAvatar/liveavatar.safetensors)',
      'training config (liveavatar/configs/s2v_causal_sft.yaml)',
    ]);
  });

  it('finds the LoRA in the HF cache layout and reports a truncated shard', async () => {
    const root = checkout();
    const snap = join(root, 'ckpt/LiveAvatar/models--Quark-Vision--Live-Avatar/snapshots/abc123/liveavatar.safetensors');
    safetensors(snap, { l: { dtype: 'BF16', shape: [8], bytesPer: 2 } });
    const shard = join(root, 'ckpt/Wan2.2-S2V-14B/diffusion_pytorch_model-00001-of-00001.safetensors');
    safetensors(shard, { w: { dtype: 'BF16', shape: [1000], bytesPer: 2 } });
    truncateSync(shard, 300);
    const info = await inspectCheckout(root);
    expect(info.loraFile).toBe('ckpt/LiveAvatar/models--Quark-Vision--Live-Avatar/snapshots/abc123/liveavatar.safetensors');
    expect(info.missing.find((m) => m.startsWith('dit:'))).toMatch(/truncated download/);
  });

  it('an unreadable folder throws (detectAll turns it into a warning)', async () => {
    await expect(inspectCheckout('/nonexistent/liveavatar')).rejects.toThrow(/ENOENT/);
  });
});
