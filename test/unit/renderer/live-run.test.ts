import { describe, expect, it } from 'vitest';
import type { RunEvent, RunRecord } from '../../../shared/run/types';
import { emptyLive, firstFailingRank, foldEvent, GPU_HISTORY, mergeRecord } from '../../../renderer/src/state/live-run';

const R = 'run1';
const fold = (events: RunEvent[]) => events.reduce(foldEvent, emptyLive(R));
const progress = (rank: number, clip: number, step: number): RunEvent => ({ type: 'progress', runId: R, rank, clip, clips: 3, step, steps: 4, fraction: (clip - 1) / 3 + step / 12, fps: 20, etaSec: 30, eta: 30 });
const stall = (action: 'notify' | 'stop'): RunEvent => ({ type: 'stall', runId: R, ranks: [2, 3], advanced: [0, 1], behind: [2], idleSec: 31, gpus: [], action });

describe('live run reducer', () => {
  it('folds progress into clip i/N, step, FPS and ETA, and never moves the bar backwards', () => {
    const l = fold([{ type: 'start', runId: R, plan: { argv: [], env: {}, cwd: '/' }, runDir: '/runs/1' }, progress(4, 2, 3), progress(4, 1, 1)]);
    expect(l.status).toBe('running');
    expect(l.runDir).toBe('/runs/1');
    expect(l.clip).toBe(1);
    expect(l.fraction).toBeCloseTo(1 / 3 + 3 / 12);
    expect(l.fps).toBe(20);
    expect(l.etaSec).toBe(30);
  });

  it('the phase is the least advanced rank’s, and any failed rank makes it failed', () => {
    const l = fold([{ type: 'phase', runId: R, rank: 0, phase: 'generating' }, { type: 'phase', runId: R, rank: 1, phase: 'loading' }]);
    expect(l.phase).toBe('loading');
    expect(foldEvent(l, { type: 'phase', runId: R, rank: 1, phase: 'failed' }).phase).toBe('failed');
  });

  it('a notify stall clears when a stuck rank advances; a stop stall stays after the exit', () => {
    let l = fold([progress(2, 2, 1), stall('notify')]);
    expect(l.stall?.ranks).toEqual([2, 3]);
    expect(foldEvent(l, progress(2, 2, 1)).stall).not.toBeNull();
    expect(foldEvent(l, progress(2, 2, 2)).stall).toBeNull();
    l = fold([progress(2, 2, 1), stall('stop'), progress(2, 2, 2), { type: 'exit', runId: R, status: 'stopped', exitCode: null }]);
    expect(l.stall).not.toBeNull();
    expect(l.status).toBe('stopped');
  });

  it('keeps a bounded per-GPU history for the charts', () => {
    let l = emptyLive(R);
    for (let t = 0; t < GPU_HISTORY + 10; t++) {
      l = foldEvent(l, { type: 'gpu', runId: R, samples: [0, 1].map((index) => ({ t, index, memoryUsedMiB: t, memoryTotalMiB: 143771, utilizationPct: 50 })) });
    }
    expect(l.gpu[0]).toHaveLength(GPU_HISTORY);
    expect(l.gpu[1].at(-1)!.t).toBe(GPU_HISTORY + 9);
  });

  it('the first failing rank is the explainer’s root cause, else a failed rank, else the rank that fell behind', () => {
    const base = fold([stall('notify')]);
    expect(firstFailingRank(base)).toBe(2);
    const withFailed = foldEvent(base, { type: 'phase', runId: R, rank: 3, phase: 'failed' });
    expect(firstFailingRank(withFailed)).toBe(3);
    const diag = foldEvent(withFailed, { type: 'diagnosis', runId: R, code: 'oom', rank: 1, diagnosis: { code: 'oom', rank: 1, title: 'OOM', explanation: '', fix: '', evidence: null } });
    expect(firstFailingRank(diag)).toBe(1);
    expect(foldEvent(diag, { type: 'diagnosis', runId: R, code: 'oom', rank: 1, diagnosis: diag.diagnoses[0] }).diagnoses).toHaveLength(1);
  });

  it('a record opened later restores status, progress and the last stall', () => {
    const record = {
      runId: R, status: 'failed', runDir: '/runs/1', exitCode: 1, diagnoses: [], startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T00:01:00Z',
      stall: { floorSec: 30, multiplier: 3, startupBudgetSec: 600, action: 'stop', last: { at: 'x', ranks: [3], behind: [3] } },
      progress: { clip: 2, clips: 3, step: 1, steps: 4, fraction: 0.4, fps: 10, realtimeFps: 25, etaSec: null, phase: 'generating', ranks: [] },
    } as unknown as RunRecord;
    const l = mergeRecord(emptyLive(R), record);
    expect(l.status).toBe('failed');
    expect(l.phase).toBe('failed');
    expect(l.clip).toBe(2);
    expect(l.stall?.ranks).toEqual([3]);
    expect(firstFailingRank(l)).toBe(3);
  });
});
