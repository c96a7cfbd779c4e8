import { describe, expect, it } from 'vitest';
import { GpuSampler } from '../../../electron/core/runs/gpu-sampler';
import type { GpuSample, GpuProcessSample } from '../../../shared/run/types';

const fake = new URL('./fixtures/mini-nvidia-smi', import.meta.url).pathname;

describe('GPU sampler', () => {
  it('keeps one -lms process, groups one tick per event, tracks peaks and per-process VRAM, and stops it', async () => {
    const ticks: GpuSample[][] = [];
    const procs: GpuProcessSample[][] = [];
    const s = new GpuSampler({ nvidiaSmi: fake, gpus: [], onSamples: (x) => ticks.push(x), onProcesses: (p) => procs.push(p), processIntervalMs: 100 });
    expect(await s.start()).toBe(true);
    for (let i = 0; i < 100 && ticks.length < 4; i++) await new Promise((r) => setTimeout(r, 20));
    s.stop();
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    for (const t of ticks.slice(0, -1)) expect(t.map((x) => x.index)).toEqual([0, 1]);
    expect(ticks[0][1].utilizationPct).toBeNull();
    expect(s.peaks()['0']).toBeGreaterThan(1000);
    expect(s.peaks()['1']).toBe(2000);
    expect(procs[0]).toEqual([{ pid: 4242, index: 1, usedMiB: 2048 }]);
    const n = ticks.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(ticks.length).toBe(n);
  });

  it('reports unavailable, without throwing, when nvidia-smi is missing', async () => {
    const s = new GpuSampler({ nvidiaSmi: '/nonexistent/nvidia-smi', gpus: [] });
    expect(await s.start()).toBe(false);
    expect(s.available).toBe(false);
    expect(await s.sampleProcesses()).toEqual([]);
    s.stop();
  });
});
