import { describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildPlan } from '../../../electron/core/runs/plan';
import { parseSets } from '../../../electron/cli/commands/run';
import { OutputCoalescer, collapseOverwrites } from '../../../electron/core/runs/output';
import { parseStartTime, procStartTimeSync, environHas } from '../../../electron/core/runs/proc';
import { parseGpuLine, parseComputeApps } from '../../../electron/core/runs/gpu-sampler';
import { newRunId, RUN_ID_RE } from '../../../electron/core/runs/run-id';
import { tinyRecipe } from '../../integration/run/tiny-recipe';
import { rehearsal } from '../../../shared/recipes/rehearsal';
import { fixturesRoot } from '../../support/temp';
import type { RunOutputBatch } from '../../../shared/run/types';

const torchrun = { argv: ['/usr/bin/python3', '/res/torchrun/lal_torchrun.py'], python: '/usr/bin/python3', patched: true, reason: '' };
const base = { recipe: tinyRecipe, runId: '20261122-000000-abcdef', runDir: '/data/runs/20261122-000000-abcdef', resourcesDir: '/res', torchrun, port: 29611 };

describe('plan builder', () => {
  it("the rehearsal's share_gpu: every rank on GPU 0 (CUDA_VISIBLE_DEVICES=0), the flag passed on", () => {
    const { plan } = buildPlan({ ...base, recipe: rehearsal, spec: { recipe: 'rehearsal', mode: 'tpp-4gpu', settings: { device: 'cuda', share_gpu: true, collective_timeout_sec: 10 } } });
    expect(plan.env.CUDA_VISIBLE_DEVICES).toBe('0');
    expect(plan.argv).toContain('--share_gpu');
    expect(plan.argv[plan.argv.indexOf('--collective_timeout_sec') + 1]).toBe('10');
    expect(plan.argv[plan.argv.indexOf('--nproc_per_node') + 1]).toBe('4');
    const four = buildPlan({ ...base, recipe: rehearsal, spec: { recipe: 'rehearsal', mode: 'tpp-4gpu', settings: { device: 'cuda' } } });
    expect(four.plan.env.CUDA_VISIBLE_DEVICES).toBe('0,1,2,3');
    expect(four.plan.argv).not.toContain('--share_gpu');
  });

  it('builds torchrun argv with per-rank logs, rendezvous port, recipe flags; env with run id and flight recorder', () => {
    const { plan, nproc } = buildPlan({ ...base, spec: { recipe: 'tiny', mode: 'four', settings: { num_clip: '3', prompt: 'a b' }, gpus: [2, 3] } });
    expect(nproc).toBe(4);
    expect(plan.argv.slice(0, 2)).toEqual(torchrun.argv);
    const at = (flag: string) => plan.argv[plan.argv.indexOf(flag) + 1];
    expect(at('--nproc_per_node')).toBe('4');
    expect(at('--master_port')).toBe('29611');
    expect(at('--log_dir')).toBe(`${base.runDir}/logs`);
    expect(at('--redirects')).toBe('3');
    expect(at('--tee')).toBe('3');
    expect(at('--num_clip')).toBe('3');
    expect(at('--prompt')).toBe('a b');
    expect(at('--save_file')).toBe(`${base.runDir}/output.mp4`);
    expect(plan.env).toMatchObject({
      LAL_RUN_ID: base.runId,
      PYTHONUNBUFFERED: '1',
      TORCH_NCCL_DEBUG_INFO_TEMP_FILE: `${base.runDir}/nccl_trace_rank_`,
      TORCH_NCCL_DUMP_ON_TIMEOUT: '1',
      TORCH_NCCL_TRACE_BUFFER_SIZE: '2000',
      // device=cpu (the tiny recipe's default) hides GPUs even when some were chosen.
      CUDA_VISIBLE_DEVICES: '',
    });
    expect(plan.cwd).toBe(base.runDir);
  });

  it('maps gpus to CUDA_VISIBLE_DEVICES and runner keys out of the workload argv', () => {
    const { plan, spec, runner } = buildPlan({ ...base, spec: { recipe: 'tiny', mode: 'two', settings: { device: 'cuda', gpus: '1,3', stall_action: 'stop', stall_after_sec: '45', nccl_p2p_disable: 'true', nccl_debug: 'info' } } });
    expect(plan.env.CUDA_VISIBLE_DEVICES).toBe('1,3');
    expect(plan.env.CUDA_DEVICE_ORDER).toBe('PCI_BUS_ID');
    expect(plan.env.NCCL_P2P_DISABLE).toBe('1');
    expect(plan.env.NCCL_DEBUG).toBe('INFO');
    expect(spec.stallAction).toBe('stop');
    expect(runner.stallFloorSec).toBe(45);
    expect(plan.argv.join(' ')).not.toMatch(/stall|gpus|nccl/);
  });

  it('keeps LAL_RUN_ID and the trace path even when the user env names them', () => {
    const { plan } = buildPlan({ ...base, allowEnv: ['LAL_RUN_ID'], spec: { recipe: 'tiny', mode: 'two', settings: {}, env: { LAL_RUN_ID: 'x', TINY_OK: '1' } } });
    expect(plan.env.LAL_RUN_ID).toBe(base.runId);
    expect(plan.env.TINY_OK).toBe('1');
  });

  it('refuses bad input with the field named', () => {
    const err = (settings: Record<string, string>, mode = 'two') => {
      try {
        buildPlan({ ...base, spec: { recipe: 'tiny', mode, settings } });
      } catch (e) {
        return (e as { error: { code: string; field?: string } }).error;
      }
      return null;
    };
    expect(err({ num_clip: 'two' })).toMatchObject({ code: 'BAD_INPUT', field: 'settings.num_clip' });
    expect(err({ device: 'tpu' })).toMatchObject({ code: 'BAD_INPUT', field: 'settings.device' });
    expect(err({ stall_action: 'panic' })).toMatchObject({ code: 'BAD_INPUT', field: 'settings.stall_action' });
    expect(err({ gpus: 'a,b' })).toMatchObject({ code: 'BAD_INPUT', field: 'settings.gpus' });
    expect(err({}, 'seven')).toMatchObject({ code: 'BAD_INPUT', field: 'mode' });
    expect(err({ whatever: '1' })).toMatchObject({ code: 'BAD_INPUT', field: 'settings.whatever' });
  });
});

describe('lal run --set parsing', () => {
  it('splits at the first = only, keeps the value verbatim, and joins repeated inject', () => {
    expect(parseSets(['prompt=a=b "c" $(d)', '--num-clip=2', 'inject=hang@2:1:3', 'inject=slow@1:1'], 'en')).toEqual({ prompt: 'a=b "c" $(d)', num_clip: '2', inject: 'hang@2:1:3,slow@1:1' });
    expect(() => parseSets(['novalue'], 'en')).toThrow(/KEY=VALUE/);
  });
});

// torchrun's exit lines and the root-cause pick: test/unit/failures/picker.test.ts (one picker, shared/failures/verdict.ts).

describe('output coalescer', () => {
  it('batches at most one message per tick, keeps order, and serves a tail for reconnects', () => {
    vi.useFakeTimers();
    const got: RunOutputBatch[] = [];
    const c = new OutputCoalescer('r', (b) => got.push(b), { intervalMs: 50 });
    for (let i = 0; i < 1000; i++) c.push(`line ${i}\n`);
    vi.advanceTimersByTime(60);
    expect(got).toHaveLength(1);
    expect(got[0].chunks.map((x) => x.data).join('')).toContain('line 999\n');
    expect(c.tail()).toMatch(/^line 0\n/);
    vi.useRealTimers();
  });

  it('collapses tqdm redraws and counts what it dropped when a tick is over budget', () => {
    const got: RunOutputBatch[] = [];
    const c = new OutputCoalescer('r', (b) => got.push(b), { maxBytesPerTick: 100 });
    c.push('\r 10%|#| 1/10' .repeat(50) + '\n');
    c.flush();
    expect(got[0].dropped).toBeGreaterThan(0);
    expect(got[0].chunks[0].data.length).toBeLessThanOrEqual(100);
    expect(collapseOverwrites('a\rb\rc\nd')).toBe('\rc\nd');
  });
});

describe('/proc and nvidia-smi parsing', () => {
  it('reads start time past a comm with spaces and parens', () => {
    const stat = '1234 (tricky ) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10';
    expect(parseStartTime(stat)).toBe('987654');
    expect(procStartTimeSync(process.pid)).toMatch(/^\d+$/);
  });

  it('never signals 0, ±1 or a non-integer (a failed spawn or bad record must not become kill(-1))', async () => {
    const { signalQuiet } = await import('../../../electron/core/runs/proc');
    for (const p of [0, 1, -1, NaN, 1.5]) expect(signalQuiet(p, 'SIGCONT')).toBe(false);
    expect(signalQuiet(process.pid, 'SIGCONT')).toBe(true);
  });

  it('matches whole environment entries only', async () => {
    // /proc/self/environ is the environment at exec time, so only check something set then.
    expect(await environHas(process.pid, `PATH=${process.env.PATH}`)).toBe(true);
    expect(await environHas(process.pid, 'PAT')).toBe(false);
  });

  it('parses -lms query lines and compute apps', () => {
    expect(parseGpuLine('0, 1234, 81559, 97', 5)).toEqual({ t: 5, index: 0, memoryUsedMiB: 1234, memoryTotalMiB: 81559, utilizationPct: 97 });
    expect(parseGpuLine('1, 10, 81559, [N/A]', 5)?.utilizationPct).toBeNull();
    const apps = readFileSync(`${fixturesRoot}/h200x4/busy-apps.csv`, 'utf8');
    expect(apps.length).toBeGreaterThan(0);
    expect(parseComputeApps('4242, GPU-aaa, 2048\n', new Map([['GPU-aaa', 1]]))).toEqual([{ pid: 4242, index: 1, usedMiB: 2048 }]);
  });

  it('makes sortable unique run ids', () => {
    const id = newRunId(new Date(Date.UTC(2026, 10, 22, 8, 45, 1)));
    expect(id).toMatch(/^20261122-084501-[0-9a-f]{6}$/);
    expect(RUN_ID_RE.test(id)).toBe(true);
  });
});

describe('driving audio length', () => {
  it('reads a PCM WAV header; anything else is null', async () => {
    const { wavSeconds } = await import('../../../electron/core/runs/audio');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/lal-wav-`);
    const rate = 16000;
    const data = Buffer.alloc(rate * 2 * 3); // 3 s of 16-bit mono
    const h = Buffer.alloc(44);
    h.write('RIFF', 0, 'ascii');
    h.writeUInt32LE(36 + data.length, 4);
    h.write('WAVE', 8, 'ascii');
    h.write('fmt ', 12, 'ascii');
    h.writeUInt32LE(16, 16);
    h.writeUInt16LE(1, 20);
    h.writeUInt16LE(1, 22);
    h.writeUInt32LE(rate, 24);
    h.writeUInt32LE(rate * 2, 28);
    h.writeUInt16LE(2, 32);
    h.writeUInt16LE(16, 34);
    h.write('data', 36, 'ascii');
    h.writeUInt32LE(data.length, 40);
    writeFileSync(`${dir}/a.wav`, Buffer.concat([h, data]));
    writeFileSync(`${dir}/b.wav`, 'not a wav');
    expect(wavSeconds(`${dir}/a.wav`)).toBeCloseTo(3, 5);
    expect(wavSeconds(`${dir}/b.wav`)).toBeNull();
    expect(wavSeconds(`${dir}/missing.wav`)).toBeNull();
  });
});
