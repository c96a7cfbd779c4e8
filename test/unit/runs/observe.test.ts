import { describe, expect, it } from 'vitest';
import { ProgressEvents, parseProtocolLine, stallRuleFor, trackerConfigFor, expectedClips } from '../../../electron/core/runs/observe-progress';
import { WorkerWatch, rankInEnviron } from '../../../electron/core/runs/observe-workers';
import { StallWatch } from '../../../electron/core/runs/observe-stall';
import { gpuSamplerFor } from '../../../electron/core/runs/observe-gpus';
import { GpuSampler } from '../../../electron/core/runs/gpu-sampler';
import { buildPlan } from '../../../electron/core/runs/plan';
import { tinyRecipe } from '../../integration/run/tiny-recipe';
import type { RankProgress, RunEvent } from '../../../shared/run/types';
import type { TrackerEvent } from '../../../shared/progress/tracker';

const torchrun = { argv: ['/usr/bin/python3', '/res/torchrun/lal_torchrun.py'], python: '/usr/bin/python3', patched: true, reason: '' };
const base = { recipe: tinyRecipe, runId: '20261206-000000-abcdef', runDir: '/data/runs/20261206-000000-abcdef', resourcesDir: '/res', torchrun, port: 29611 };

describe('observe: what the tracker and the stall rule expect', () => {
  it('clips come from --num_clip without audio; the rule takes the runner stall floor over 30 s', () => {
    const built = buildPlan({ ...base, spec: { recipe: 'tiny', mode: 'four', settings: { num_clip: '3', stall_after_sec: 4 } } });
    expect(expectedClips(built)).toBe(3);
    const cfg = trackerConfigFor(built, tinyRecipe);
    expect(cfg.nproc).toBe(built.nproc);
    expect(cfg.clips).toBe(3);
    const rule = stallRuleFor(built, tinyRecipe);
    expect(rule.multiplier).toBe(3);
    expect(rule.floorSec).toBe(built.runner.stallFloorSec ?? 30);
  });
});

describe('observe: launcher protocol lines', () => {
  it('LAL_PLAN gives the real clip and block counts; LAL_PEAK the rank peak object', () => {
    expect(parseProtocolLine('LAL_PLAN {"geometry":{"clips":5,"num_blocks":2}}')).toEqual({ kind: 'plan', clips: 5, barsPerClip: 2 });
    expect(parseProtocolLine('LAL_PEAK {"allocated":123}')).toEqual({ kind: 'peak', peak: { allocated: 123 } });
  });

  it('torn, foreign or ill-typed lines are ignored rather than failing the run', () => {
    expect(parseProtocolLine('LAL_PLAN {"geometry":{"clips":5')).toBeNull();
    expect(parseProtocolLine('LAL_OTHER {}')).toBeNull();
    expect(parseProtocolLine('LAL_PEAK [1,2]')).toBeNull();
    expect(parseProtocolLine('LAL_PLAN {"geometry":{"clips":"many"}}')).toEqual({ kind: 'plan', clips: undefined, barsPerClip: undefined });
  });
});

describe('observe: tracker events → run events', () => {
  const upd = (rank: number, step: number, barDone = false): TrackerEvent => ({
    kind: 'progress',
    barDone,
    update: { rank, clip: 1, clips: 2, step, steps: 10, fraction: step / 20, fps: null, etaSec: null },
  });

  it('throttles each rank to one event per 250 ms but keeps every finished bar and every phase', () => {
    const out: RunEvent[] = [];
    const p = new ProgressEvents('r1', (e) => out.push(e));
    p.push([upd(0, 1), upd(1, 1)], 1000);
    p.push([upd(0, 2)], 1100);
    p.push([upd(0, 10, true)], 1150);
    p.push([{ kind: 'phase', rank: 0, phase: 'saving' }], 1160);
    p.push([upd(0, 3)], 1300);
    expect(out.map((e) => (e.type === 'progress' ? `${e.rank}:${e.step}` : e.type))).toEqual(['0:1', '1:1', '0:10', 'phase']);
    expect(out[0]).toMatchObject({ type: 'progress', runId: 'r1', eta: null, etaSec: null });
  });
});

describe('observe: which pid is which rank', () => {
  it('reads RANK from a NUL-separated environment, not LOCAL_RANK or GROUP_RANK', () => {
    expect(rankInEnviron('PATH=/bin\0LOCAL_RANK=1\0RANK=5\0')).toBe(5);
    expect(rankInEnviron('LOCAL_RANK=1\0GROUP_RANK=0')).toBeNull();
  });

  it('maps new pids to ranks once and stamps a rank gone when its pid disappears', async () => {
    let pids = [100, 101, 102];
    let now = 1000;
    const ranks: Record<number, number | null> = { 100: null, 101: 0, 102: 1 };
    const w = new WorkerWatch('r1', { pidsOf: async () => pids, rankOf: async (p) => ranks[p] ?? null, startTimeOf: (p) => `st${p}`, now: () => now });
    await w.poll();
    expect([...w.workers]).toEqual([[0, { pid: 101, startTime: 'st101' }], [1, { pid: 102, startTime: 'st102' }]]);
    expect(w.goneAt.size).toBe(0);
    pids = [100, 101];
    now = 2000;
    await w.poll();
    now = 3000;
    await w.poll();
    expect([...w.goneAt]).toEqual([[1, 2000]]);
    expect(w.ours([{ pid: 101, gpu: 0, usedMiB: 1 }, { pid: 999, gpu: 0, usedMiB: 1 }] as never)).toEqual([{ pid: 101, gpu: 0, usedMiB: 1 }]);
  });
});

describe('observe: the stall rule raised once per new set of stuck ranks', () => {
  const rank = (r: number, lastProgressAt: number | null, barsDone = 1): RankProgress => ({ rank: r, phase: 'denoising' as RankProgress['phase'], clip: 1, clips: 2, step: 3, steps: 10, lastProgressAt, barsDone, medianStepSec: 0.1 });
  const rule = { floorSec: 4, multiplier: 3, startupBudgetSec: 60 };

  it('names the rank idle past the floor, then stays quiet until the set changes or clears', () => {
    const s = new StallWatch(rule, 0);
    const snap = { clips: 2, ranks: [rank(0, 9000), rank(1, 1000)] };
    expect(s.check(snap, 2, new Map(), 4500)).toBeNull();
    const v = s.check(snap, 2, new Map(), 10_000);
    expect(v?.stalled).toEqual([1]);
    expect(s.check(snap, 2, new Map(), 10_500)).toBeNull();
    expect(s.check({ clips: 2, ranks: [rank(0, 10_500), rank(1, 10_500)] }, 2, new Map(), 11_000)).toBeNull();
    expect(s.check(snap, 2, new Map(), 12_000)?.stalled).toEqual([1]);
  });

  it('a rank whose process the watch saw go, or that drew all its bars, is not stalled', () => {
    const s = new StallWatch(rule, 0);
    expect(s.check({ clips: 2, ranks: [rank(0, 9000), rank(1, 1000)] }, 2, new Map([[1, 5000]]), 10_000)).toBeNull();
    expect(s.check({ clips: 2, ranks: [rank(0, 9000), rank(1, 1000, 4)] }, 2, new Map(), 10_000)).toBeNull();
  });
});

describe('observe: which GPU sampler a run gets', () => {
  it('none on CPU or without nvidia-smi; a local sampler over the visible GPUs otherwise', () => {
    const cpu = buildPlan({ ...base, spec: { recipe: 'tiny', mode: 'four', settings: {} } });
    expect(cpu.values.device).toBe('cpu');
    expect(gpuSamplerFor(cpu, '/usr/bin/nvidia-smi', () => undefined)).toBeNull();
    const gpu = buildPlan({ ...base, spec: { recipe: 'tiny', mode: 'four', settings: { device: 'cuda' }, gpus: [2, 3] } });
    expect(gpuSamplerFor(gpu, null, () => undefined)).toBeNull();
    expect(gpuSamplerFor(gpu, '/usr/bin/nvidia-smi', () => undefined)).toBeInstanceOf(GpuSampler);
  });
});
