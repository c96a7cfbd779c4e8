// The rehearsal workload under real torchrun (Debian torch on CPU, gloo): layouts, log lines,
// LAL_PEAK, the y4m output, every injected fault and upstream's asserts. Budget: about a minute.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedTorchrun } from '../../../electron/core/torchrun/resolve';
import { finishedBars, indexOfLine, livePidsWith, newDir, parse, readY4m, RESOURCES, runJob, SINGLE, startJob, torchrunOrFail, TPP4, TPP5, type JobResult } from './harness';

let tr: ResolvedTorchrun;
beforeAll(async () => {
  tr = await torchrunOrFail();
});

// 3 clips (4 s of pretend audio at 48 frames per clip) x 4 blocks; 3*48-3 frames written.
const CLIPS = 3;
const BLOCKS = 4;
const FRAMES = CLIPS * 48 - 3;

function expectInOrder(text: string, needles: Array<string | RegExp>): void {
  const positions = needles.map((n) => indexOfLine(text, n));
  needles.forEach((n, i) => expect(positions[i], `missing line: ${n}`).toBeGreaterThanOrEqual(0));
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
}

function expectAllOk(r: JobResult, world: number): void {
  expect(r.exitCode, r.stderr.slice(-3000)).toBe(0);
  expect(r.peaks.map((p) => p.rank)).toEqual([...Array(world).keys()]);
  for (const p of r.peaks) {
    expect(p).toMatchObject({ world_size: world, device: 'cpu', status: 'ok', torch_allocated_peak: null, torch_reserved_peak: null, device_used_peak: null });
    expect(p.host_rss_peak).toBeGreaterThan(50e6);
    expect(p.timings.load).toBeGreaterThan(0);
    expect(p.timings.total).toBeGreaterThanOrEqual(p.timings.load ?? 0);
  }
}

describe('layouts', () => {
  it('1 rank: single-GPU layout, upstream lines in order, one bar per block, y4m of N*48-3 frames', async () => {
    const r = await runJob(tr, 1, SINGLE);
    expectAllOk(r, 1);
    expectInOrder(r.stdout, [
      'world_size: 1',
      'INFO: offload_model is not specified, set to True.',
      'Using single GPU inference with offload mode: True',
      'INFO: Creating WanS2V pipeline.',
      'INFO: Generating video ...',
      'complete prepare conditional inputs',
      'complete full-sequence generation',
      'loading VAE to cuda for final decode of remaining clips',
      'denoising video done',
      /^rank: 0$/,
      'INFO: Saving generated video to',
      'INFO: Finished.',
      'LAL_PEAK ',
    ]);
    expect(finishedBars(r.stderr, 4)).toBe(CLIPS * BLOCKS);
    expect(r.peaks[0].timings.first_clip).toBeGreaterThan(0);
    expect(r.plans).toHaveLength(1);
    expect(r.plans[0]).toMatchObject({ layout: 'single', role: 'single', geometry: { num_blocks: BLOCKS, clips: CLIPS } });
    expect(readY4m(r.video)).toEqual({ width: 64, height: 48, frames: FRAMES });
  });

  it('4 ranks: TPP with 3 DiT steps + a VAE rank (issue #11 layout); the VAE rank writes the video', async () => {
    const r = await runJob(tr, 4, TPP4);
    expectAllOk(r, 4);
    expect(r.stdout.match(/Using TPP distributed inference\./g)).toHaveLength(4);
    expect(r.stdout.match(/world_size: 4/g)).toHaveLength(4);
    expect(r.stdout.match(/denoising video done/g)).toHaveLength(4);
    expect(r.stdout.match(/INFO: Finished\./g)).toHaveLength(1);
    // Rank 3 saves, and like upstream its INFO lines are suppressed (only rank 0 logs INFO).
    expect(r.stdout).not.toContain('Saving generated video to');
    for (let k = 0; k < 4; k++) expect(r.stdout).toContain(`rank ${k} start destroying process group...`);
    expect(finishedBars(r.stderr, 3)).toBe(4 * CLIPS * BLOCKS);
    expect(r.plans.map((p) => p.role).sort()).toEqual(['dit', 'dit', 'dit', 'vae']);
    expect(readY4m(r.video).frames).toBe(FRAMES);
  });

  it("5 ranks: the shipped multi-GPU script's own flags parse; a 3 s WAV gives upstream's 2 clips", async () => {
    const dir = newDir();
    const wav = join(dir, 'voice.wav');
    writeFileSync(wav, silentWav(3.0));
    // infinite_inference_multi_gpu.sh, flag for flag (docs/upstream-notes.md §2), plus the CI scale.
    const shipped = [
      '--ulysses_size', '1', '--task', 's2v-14B', '--size', '720*400', '--base_seed', '420',
      '--training_config', 'liveavatar/configs/s2v_causal_sft.yaml', '--offload_model', 'False', '--convert_model_dtype',
      '--prompt', 'A stout, cheerful dwarf laughing in his forge', '--image', 'examples/dwarven_blacksmith.jpg', '--audio', wav,
      '--infer_frames', '48', '--load_lora', '--lora_path_dmd', 'Quark-Vision/Live-Avatar', '--sample_steps', '4',
      '--sample_guide_scale', '0', '--num_clip', '10000', '--num_gpus_dit', '4', '--sample_solver', 'euler',
      '--enable_vae_parallel', '--ckpt_dir', 'ckpt/Wan2.2-S2V-14B/', '--fp8',
    ];
    const r = await runJob(tr, 5, [...shipped, '--scale', 'tiny', '--device', 'cpu', '--upstream_cli_asserts'], {}, dir);
    expectAllOk(r, 5);
    expect(r.stdout.match(/Using TPP distributed inference\./g)).toHaveLength(5);
    expect(r.stdout.match(/Use LoRA: lora path: Quark-Vision\/Live-Avatar, lora rank: \d+ , lora alpha: {2}[\d.]+/g)).toHaveLength(5);
    expect(r.stdout).toContain('INFO: loading ckpt/Wan2.2-S2V-14B/models_t5_umt5-xxl-enc-bf16.pth');
    // ⌊0.6·(⌊(48000−400)/320⌋+1) / (1.2·48)⌋ + 1 = 2 clips (docs/upstream-notes.md §5.4)
    expect(r.plans.every((p) => p.geometry.clips === 2)).toBe(true);
    expect(finishedBars(r.stderr, 4)).toBe(5 * 2 * BLOCKS);
    expect(readY4m(r.video).frames).toBe(2 * 48 - 3);
  });
});

describe('without tqdm', () => {
  it('the vendored progress printer draws the same bars (GPU boxes often lack tqdm)', async () => {
    const shadow = mkdtempSync(join(tmpdir(), 'lal-notqdm-'));
    writeFileSync(join(shadow, 'tqdm.py'), 'raise ImportError("No module named \'tqdm\' (test stand-in)")\n');
    // The stand-in really hides tqdm from the workload's interpreter...
    const probe = await execa(tr.python, ['-c', 'from lalwork import progress; print(progress._tqdm is None)'], {
      cwd: join(RESOURCES, 'workloads'),
      env: { PYTHONPATH: shadow },
    });
    expect(probe.stdout.trim()).toBe('True');
    // ...and the bars still come out in tqdm's format.
    const r = await runJob(tr, 1, [...SINGLE, '--num_clip', '1'], { PYTHONPATH: shadow });
    expectAllOk(r, 1);
    expect(finishedBars(r.stderr, 4)).toBe(BLOCKS);
    expect(r.stderr).toMatch(/\r {2}0%\| {10}\| 0\/4 \[00:00<\?, \?it\/s\]/);
  });
});

describe('fault injection (--inject KIND@CLIP:STEP[:RANK])', () => {
  it('crash: the rank that owns the step raises; torchrun exits 1 and names it as the root cause', async () => {
    const r = await runJob(tr, 4, [...TPP4, '--inject', 'crash@1:2']);
    expect(r.exitCode).toBe(1);
    expect(r.injected).toEqual([expect.objectContaining({ kind: 'crash', rank: 1, clip: 1, step: 2 })]);
    expect(r.stderr).toContain('RuntimeError: LAL rehearsal: injected crash (--inject crash@1:2) on rank 1 at clip 1, step 2');
    expect(r.rootCause).toEqual({ rank: 1, exitcode: 1 });
    expect(r.peaks.find((p) => p.rank === 1)).toMatchObject({ status: 'error' });
    expect(existsSync(r.video)).toBe(false);
  });

  it('sigkill: the rank dies without a traceback; torchrun reports exitcode -9', async () => {
    const r = await runJob(tr, 4, [...TPP4, '--inject', 'sigkill@2:1:1']);
    expect(r.exitCode).toBe(1);
    expect(r.injected).toEqual([expect.objectContaining({ kind: 'sigkill', rank: 1, clip: 2, step: 1 })]);
    expect(r.rootCause).toEqual({ rank: 1, exitcode: -9 });
    expect(r.stderr).toMatch(/Signal 9 \(SIGKILL\) received by PID \d+/);
    expect(r.peaks.find((p) => p.rank === 1)).toBeUndefined();
  });

  it("oom: on CPU the rank raises torch's own CUDA OOM type and wording (fixtures/logs/fail-oom.log)", async () => {
    const r = await runJob(tr, 4, [...TPP4, '--inject', 'oom@1:3']);
    expect(r.exitCode).toBe(1);
    expect(r.rootCause).toEqual({ rank: 2, exitcode: 1 });
    // docs/upstream-notes.md §10.1 (C01, the 2.1+ wording), as the diagnosis engineer matches it.
    expect(r.stderr).toMatch(
      /(?:torch\.OutOfMemoryError|torch\.cuda\.OutOfMemoryError): CUDA out of memory\. Tried to allocate [\d.]+ MiB\. GPU 2 has a total capacity of 79\.25 GiB of which [\d.]+ MiB is free\. Including non-PyTorch memory, this process has [\d.]+ GiB memory in use\. Of the allocated memory [\d.]+ GiB is allocated by PyTorch, and [\d.]+ MiB is reserved by PyTorch but unallocated\. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation\. {2}See documentation for Memory Management {2}\(https:\/\/docs\.pytorch\.org\/docs\/stable\/notes\/cuda\.html#optimizing-memory-usage-with-pytorch-cuda-alloc-conf\)/,
    );
    expect(r.peaks.find((p) => p.rank === 2)).toMatchObject({ status: 'error' });
  });

  it('hang: one rank sleeps forever, its peers block in recv; nothing finishes until torchrun is stopped', async () => {
    const { proc, dir, video } = await startJob(tr, 4, [...TPP4, '--inject', 'hang@1:2:1']);
    let stderr = '';
    proc.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    let stdout = '';
    proc.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
    const t0 = Date.now();
    while (!stderr.includes('LAL_INJECT {"kind": "hang"') && Date.now() - t0 < 30_000) await sleep(100);
    expect(stderr).toContain('LAL_INJECT {"kind": "hang", "rank": 1, "clip": 1, "step": 2');
    await sleep(3000);
    // Still running three seconds later, and no rank got past its blocked send/recv.
    expect(proc.exitCode).toBeNull();
    expect(livePidsWith(video).length).toBeGreaterThanOrEqual(4);
    expect(stdout).not.toContain('denoising video done');
    expect(stdout).not.toContain('LAL_PEAK');
    // Stop it the way the run manager does: SIGTERM to the agent, which stops its workers.
    proc.kill('SIGTERM');
    const r = await proc;
    expect(r.exitCode === 0).toBe(false);
    await waitFor(() => livePidsWith(video).length === 0, 10_000);
    expect(livePidsWith(video)).toEqual([]);
    expect(parse(r.exitCode, String(r.stdout), String(r.stderr), dir, video).peaks).toEqual([]);
  });

  it('slow: every step from the fault on sleeps --slow_seconds; the run still completes', async () => {
    const r = await runJob(tr, 1, [...SINGLE, '--num_clip', '1', '--inject', 'slow@1:1', '--slow_seconds', '0.2']);
    expectAllOk(r, 1);
    expect(r.injected).toEqual([expect.objectContaining({ kind: 'slow', rank: 0 })]);
    // 4 blocks x 4 steps, each 0.2 s slower.
    expect(r.peaks[0].timings.first_clip).toBeGreaterThanOrEqual(3.2);
    expect(readY4m(r.video).frames).toBe(48 - 3);
  });

  it('5 ranks: a crash on the VAE rank, and a crash while loading on a 2-rank TPP', async () => {
    const vae = await runJob(tr, 5, [...TPP5, '--num_clip', '1', '--inject', 'crash@1:1:4']);
    expect(vae.exitCode).toBe(1);
    expect(vae.rootCause).toEqual({ rank: 4, exitcode: 1 });
    const load = await runJob(tr, 2, ['--scale', 'tiny', '--device', 'cpu', '--size', '704*384', '--infer_frames', '48', '--num_gpus_dit', '1', '--sample_steps', '1', '--enable_vae_parallel', '--inject', 'crash@0:0']);
    expect(load.exitCode).toBe(1);
    expect(load.rootCause).toEqual({ rank: 0, exitcode: 1 });
    expect(load.stderr).toContain('injected crash (--inject crash@0:0) on rank 0 at clip 0, step 0');
    expect(load.stdout).not.toContain('Generating video ...');
  });
});

describe("upstream's asserts, with upstream's messages", () => {
  const cases: Array<[string, number, string[], string]> = [
    ['TPP steps != DiT ranks', 4, [...SINGLE, '--num_gpus_dit', '3', '--enable_vae_parallel'], 'AssertionError: TPP runs exactly one denoising step per DiT rank: sample_steps (4) must equal num_gpus_dit (3).'],
    ['CLI rules on 4 GPUs', 4, [...TPP4, '--upstream_cli_asserts'], 'AssertionError: At least 5 GPUs are supported for distributed inference.'],
    ['TPP without a VAE rank', 4, [...SINGLE, '--num_gpus_dit', '4'], 'AssertionError: VAE parallel is required for distributed inference.'],
    ['heads not divisible by ulysses_size', 3, [...SINGLE, '--ulysses_size', '3'], 'AssertionError: `cfg.num_heads=40` cannot be divided evenly by `args.ulysses_size=3`.'],
    ['FSDP on CPU', 2, [...SINGLE, '--dit_fsdp', '--ulysses_size', '2'], 'RuntimeError: FSDP + Ulysses (--dit_fsdp / --ulysses_size > 1) needs CUDA GPUs with NCCL'],
    ['FSDP flags on one process', 1, [...SINGLE, '--dit_fsdp'], 'AssertionError: t5_fsdp and dit_fsdp are not supported in non-distributed environments.'],
    ['size too large for the cond cache (issues #14/#15)', 1, [...SINGLE, '--size', '1280*720'], 'RuntimeError: The expanded size of the tensor (2800) must match the existing size (8800) at non-singleton dimension 1.  Target sizes: [1, 2800, 40, 128].  Tensor sizes: [8800, 40, 128]'],
    ['more than 4 steps on one GPU', 1, [...SINGLE, '--sample_steps', '5', '--num_clip', '1'], "KeyError: '5'"],
  ];
  for (const [name, world, flags, message] of cases) {
    it(`${name} (${world} rank${world > 1 ? 's' : ''})`, async () => {
      const r = await runJob(tr, world, flags);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain(message);
      expect(r.rootCause?.exitcode).toBe(1);
      expect(existsSync(r.video)).toBe(false);
    });
  }

  it('a malformed --inject is an argparse error (exit code 2 in the table)', async () => {
    const r = await runJob(tr, 1, [...SINGLE, '--inject', 'explode@1']);
    expect(r.rootCause).toEqual({ rank: 0, exitcode: 2 });
    expect(r.stderr).toContain("argument --inject: invalid value 'explode@1'");
  });
});

/** A mono 16 kHz 16-bit PCM WAV of silence: upstream counts clips from the audio length. */
function silentWav(seconds: number): Buffer {
  const samples = Math.round(seconds * 16000);
  const b = Buffer.alloc(44 + samples * 2);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + samples * 2, 4);
  b.write('WAVEfmt ', 8, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(16000, 24);
  b.writeUInt32LE(32000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(samples * 2, 40);
  return b;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const t0 = Date.now();
  while (!cond() && Date.now() - t0 < ms) await sleep(100);
}
