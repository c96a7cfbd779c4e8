import { describe, expect, it } from 'vitest';
import { check } from './helpers';
import { checkFeasibility, parseHardwareSpec } from '../../../shared/feasibility';
import type { DetectReport } from '../../../shared/detect/types';

const LA = 'liveavatar-s2v-14b';
const codes = (r: { reasons: { code: string; severity?: string }[] }, sev = 'error') => r.reasons.filter((x) => (x.severity ?? 'error') === sev).map((x) => x.code);

function detect(over: Partial<DetectReport>): DetectReport {
  return {
    takenAt: '', nvidiaSmi: { path: null, status: 'ok' }, gpus: [], driver: null, topology: null,
    host: { os: '', platform: '', cpuModel: '', cpuCores: 0, ramTotalBytes: 0, ramAvailableBytes: 0, shmBytes: null, outputDir: null, outputDirFreeBytes: null },
    python: [], checkout: null, warnings: [], ...over,
  };
}

describe('rules, in upstream wording', () => {
  it('GPU_COUNT: the 5-GPU layout on 4 GPUs quotes the CLI assert', () => {
    const r = check(LA, 'tpp-5gpu', '4xH100');
    expect(codes(r)).toContain('GPU_COUNT');
    expect(r.reasons.find((x) => x.code === 'GPU_COUNT')!.message).toContain('At least 5 GPUs are supported for distributed inference.');
    expect(r.perGpu[4].missing).toBe(true);
    expect(r.suggestions.some((s) => s.change.mode === 'tpp-4gpu')).toBe(true);
  });
  it('FP8_UNSUPPORTED below compute capability 8.9, with the torch error text', () => {
    const r = check(LA, 'tpp-5gpu', '5xA100-80GB', { fp8: true });
    expect(codes(r)).toContain('FP8_UNSUPPORTED');
    expect(r.reasons.find((x) => x.code === 'FP8_UNSUPPORTED')!.message).toContain('compute capability >= 9.0 or 8.9');
    expect(codes(check(LA, 'tpp-5gpu', '5x80GiB@8.9', { fp8: true }))).not.toContain('FP8_UNSUPPORTED');
    // The fix is offered and proven: bf16 on 80 GB A100s.
    expect(r.suggestions[0].change.fp8).toBe(false);
  });
  it('SIZE_TOO_LARGE: 2.5·(H/16)·(W/16) over 3000 (TPP) or 2800 (single)', () => {
    const big = check(LA, 'tpp-5gpu', '5xH200', { size: '1280*720' });
    expect(codes(big)).toContain('SIZE_TOO_LARGE');
    expect(big.reasons.find((x) => x.code === 'SIZE_TOO_LARGE')!.message).toContain('existing size (8800)');
    expect(codes(check(LA, 'tpp-5gpu', '5xH200', { size: '480*832' }))).toContain('SIZE_TOO_LARGE'); // 3640
    expect(codes(check(LA, 'single-offload', '1xH200', { size: '720*400' }))).not.toContain('SIZE_TOO_LARGE'); // 2640
    expect(codes(check(LA, 'tpp-5gpu', '5xH200', { size: '688*368' }))).not.toContain('SIZE_TOO_LARGE');
  });
  it('STEPS_MISMATCH: single GPU takes 1–4 steps (KeyError: \'5\'); TPP steps are forced by the mode', () => {
    const r = check(LA, 'single-offload', '1xH200', { sample_steps: 5 });
    expect(codes(r)).toContain('STEPS_MISMATCH');
    expect(r.reasons.find((x) => x.code === 'STEPS_MISMATCH')!.message).toContain("KeyError: '5'");
    expect(() => check(LA, 'tpp-5gpu', '5xH200', { sample_steps: 3 })).toThrow(/sample_steps is fixed to 4 by mode tpp-5gpu/);
  });
  it('ULYSSES_HEADS: 40 heads do not split over 3 (Wan2.2 wording)', () => {
    const r = check('wan22-s2v-14b', 'fsdp-ulysses', '3xH100', { ulysses_size: 3 });
    expect(codes(r)).toContain('ULYSSES_HEADS');
    expect(r.reasons.find((x) => x.code === 'ULYSSES_HEADS')!.message).toBe('`cfg.num_heads=40` cannot be divided evenly by `args.ulysses_size=3`.');
  });
  it('Step-Video: ranks = ulysses × ring × tp, plus one server GPU; 48 heads must split', () => {
    const ok = check('step-video-t2v', 'xdit-parallel', '5xH100', { ulysses_degree: 2, tensor_parallel_degree: 2 });
    expect(ok.nproc).toBe(4);
    expect(ok.perGpu.map((g) => g.role)).toEqual(['dit', 'dit', 'dit', 'dit', 'server']);
    const short = check('step-video-t2v', 'xdit-parallel', '4xH100', { ulysses_degree: 2, tensor_parallel_degree: 2 });
    expect(codes(short)).toContain('GPU_COUNT');
    expect(short.reasons[0].message).toContain('caption/VAE server');
    expect(codes(check('step-video-t2v', 'xdit-parallel', '6xH100', { ulysses_degree: 5, tensor_parallel_degree: 1 }))).toContain('ULYSSES_HEADS');
  });
  it('FLASH_ATTN_MISSING when detection found no flash-attn in the Python env', () => {
    const d = detect({ python: [{ path: '/opt/py/bin/python', source: 'venv', ok: true, flashAttn: null }] });
    const r = checkFeasibility({ spec: { recipe: LA, mode: 'tpp-5gpu', settings: {} }, hardware: parseHardwareSpec('5xH200'), detect: d });
    expect(codes(r)).toContain('FLASH_ATTN_MISSING');
    expect(r.reasons.find((x) => x.code === 'FLASH_ATTN_MISSING')!.message).toContain('/opt/py/bin/python');
    const withFa = detect({ python: [{ path: '/opt/py/bin/python', source: 'venv', ok: true, flashAttn: '2.8.3' }] });
    expect(codes(checkFeasibility({ spec: { recipe: LA, mode: 'tpp-5gpu', settings: {} }, hardware: parseHardwareSpec('5xH200'), detect: withFa }))).not.toContain('FLASH_ATTN_MISSING');
    // The rehearsal needs no flash-attn.
    expect(codes(checkFeasibility({ spec: { recipe: 'rehearsal', mode: 'tpp-5gpu', settings: {} }, hardware: parseHardwareSpec('5xH200'), detect: d }))).not.toContain('FLASH_ATTN_MISSING');
  });
  it('CHECKOUT_LAYOUT: the 4-GPU layout needs a checkout that supports it', () => {
    const stock = detect({ checkout: { path: '/src/LiveAvatar', entryScripts: [], supportedModes: ['single-offload', 'tpp-5gpu'], components: [], missing: [] } });
    const r = checkFeasibility({ spec: { recipe: LA, mode: 'tpp-4gpu', settings: {} }, hardware: parseHardwareSpec('4xH200'), detect: stock });
    expect(codes(r)).toContain('CHECKOUT_LAYOUT');
    expect(r.reasons.find((x) => x.code === 'CHECKOUT_LAYOUT')!.message).toContain('Only 4 GPUs are supported for distributed inference.');
    const patched = detect({ checkout: { path: '/src/fork', entryScripts: [], supportedModes: ['tpp-4gpu'], components: [], missing: [] } });
    expect(codes(checkFeasibility({ spec: { recipe: LA, mode: 'tpp-4gpu', settings: {} }, hardware: parseHardwareSpec('4xH200'), detect: patched }))).not.toContain('CHECKOUT_LAYOUT');
    // Unknown checkout: a warning, not a refusal.
    const unknown = check(LA, 'tpp-4gpu', '4xH200');
    expect(codes(unknown, 'warning')).toContain('CHECKOUT_LAYOUT');
    expect(unknown.verdict).not.toBe('does-not-fit');
  });
  it('HOST_RAM: 5 processes building T5 in fp32 need ~130+ GB of host RAM', () => {
    const d = detect({ host: { os: '', platform: 'linux', cpuModel: '', cpuCores: 32, ramTotalBytes: 64e9, ramAvailableBytes: 60e9, shmBytes: null, outputDir: null, outputDirFreeBytes: null } });
    const r = checkFeasibility({ spec: { recipe: LA, mode: 'tpp-5gpu', settings: {} }, hardware: parseHardwareSpec('5xH200'), detect: d });
    expect(r.hostRamBytes! / 1e9).toBeGreaterThan(130);
    expect(codes(r)).toContain('HOST_RAM');
  });
  it('warnings that do not block: infer_frames not a multiple of 12, offload_kv_cache in TPP', () => {
    const r = check(LA, 'tpp-5gpu', '5xH200', { infer_frames: 80, offload_kv_cache: true });
    expect(codes(r, 'warning')).toEqual(expect.arrayContaining(['INFER_FRAMES', 'OFFLOAD_KV_IGNORED']));
  });
  it('rehearsal on the CPU needs no GPU, but FSDP + Ulysses cannot run there', () => {
    const cpu = check('rehearsal', 'tpp-4gpu', '1x1GiB', { device: 'cpu' });
    expect(cpu.perGpu).toEqual([]);
    expect(cpu.verdict).toBe('fits');
    expect(codes(check('rehearsal', 'fsdp-ulysses', '1x1GiB', { device: 'cpu' }))).toContain('CPU_UNSUPPORTED');
  });
  it('rehearsal tiny is tiny: about a CUDA context per GPU', () => {
    const r = check('rehearsal', 'tpp-5gpu', '5xRTX 3090', { scale: 'tiny' });
    expect(r.verdict).toBe('fits');
    for (const g of r.perGpu) expect(g.requiredBytes / 2 ** 30).toBeLessThan(1.5);
  });
});

describe('component sizes from the checkout', () => {
  it('uses the safetensors parameter count of the detected DiT (and leaves .pth components at the recipe size)', () => {
    const base = checkFeasibility({ spec: { recipe: LA, mode: 'tpp-5gpu', settings: { fp8: false } }, hardware: parseHardwareSpec('5xH200') });
    const bigger = detect({
      checkout: {
        path: '/src/LiveAvatar', entryScripts: [], supportedModes: ['tpp-5gpu'], missing: [],
        components: [
          { name: 'dit', files: [], bytesByDtype: { BF16: 2 * 17_295_755_609 }, totalBytes: 2 * 17_295_755_609, params: 17_295_755_609 },
          { name: 't5', files: ['models_t5_umt5-xxl-enc-bf16.pth'], bytesByDtype: {}, totalBytes: 11_400_000_000, params: 0 },
        ],
      },
    });
    const r = checkFeasibility({ spec: { recipe: LA, mode: 'tpp-5gpu', settings: { fp8: false } }, hardware: parseHardwareSpec('5xH200'), detect: bigger });
    const dit = (x: typeof r) => x.perGpu[1].breakdown.find((p) => p.key === 'weights.dit')!.bytes;
    const t5 = (x: typeof r) => x.perGpu[1].breakdown.find((p) => p.key === 'weights.t5')!.bytes;
    expect(dit(r) - dit(base)).toBe(2e9);
    expect(t5(r)).toBe(t5(base));
  });
});
