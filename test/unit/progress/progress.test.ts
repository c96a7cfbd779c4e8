import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { LineSplitter, type Segment } from '../../../shared/progress/lines';
import { parseTqdm } from '../../../shared/progress/tqdm';
import { splitRankPrefix } from '../../../shared/progress/prefix';
import { ProgressTracker, type TrackerConfig } from '../../../shared/progress/tracker';
import { judgeStall, defaultStallRule } from '../../../shared/progress/stall';
import { stallDiagnosis } from '../../../shared/failures/stall';
import { fixturesRoot } from '../../support/temp';

const fixture = readFileSync(`${fixturesRoot}/logs/progress-nccl-info.log`, 'utf8');

function splitAll(chunks: string[]): Segment[] {
  const s = new LineSplitter();
  return [...chunks.flatMap((c) => s.push(c)), ...s.flush()];
}

describe('LineSplitter (CR-aware)', () => {
  it('separates tqdm overwrites from committed lines', () => {
    const segs = splitAll(['a\n\r  0%|   | 0/4 [00:00<?, ?it/s]\r 25%|#  | 1/4 [00:00<00:00,  9.95it/s]\r100%|###| 4/4 [00:00<00:00]\nb\r\n']);
    expect(segs).toEqual([
      { text: 'a', kind: 'line' },
      { text: '', kind: 'cr' },
      { text: '  0%|   | 0/4 [00:00<?, ?it/s]', kind: 'cr' },
      { text: ' 25%|#  | 1/4 [00:00<00:00,  9.95it/s]', kind: 'cr' },
      { text: '100%|###| 4/4 [00:00<00:00]', kind: 'line' },
      { text: 'b', kind: 'line' },
    ]);
  });

  it('gives the same segments however the stream is chunked (\\r\\n split across chunks included)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', '\r', '\n', '\r\n', 'é', ' 5/9 ['), { maxLength: 40 }), fc.array(fc.nat(40), { maxLength: 6 }), (parts, cuts) => {
        const text = parts.join('');
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((x, y) => x - y);
        const chunks: string[] = [];
        let prev = 0;
        for (const p of points) {
          chunks.push(text.slice(prev, p));
          prev = p;
        }
        chunks.push(text.slice(prev));
        expect(splitAll(chunks)).toEqual(splitAll([text]));
      }),
    );
  });

  it('exposes the bar currently on screen (tqdm draws "\\r<bar>" with no terminator yet)', () => {
    const s = new LineSplitter();
    s.push('\r 50%|##  | 2/4 [00:01<00:01]');
    expect(s.peek()).toBe(' 50%|##  | 2/4 [00:01<00:01]');
  });
});

describe('parseTqdm', () => {
  it('reads the default format, s/it rates and descriptions', () => {
    expect(parseTqdm(' 25%|██▌       | 1/4 [00:00<00:00,  9.95it/s]')).toMatchObject({ n: 1, total: 4, pct: 25, rate: 9.95, desc: '' });
    expect(parseTqdm('100%|██████████| 4/4 [01:02<00:00, 15.50s/it]')).toMatchObject({ n: 4, total: 4, elapsedSec: 62, remainingSec: 0, rate: 1 / 15.5 });
    expect(parseTqdm('Loading checkpoint shards:  50%|█████     | 2/4 [00:03<00:03,  1.6s/it]')).toMatchObject({ desc: 'Loading checkpoint shards', n: 2 });
    expect(parseTqdm('vm:1963:1963 [0] NCCL INFO Channel 00/0 : 0[0] -> 1[1] via P2P/CUMEM')).toBeNull();
    expect(parseTqdm('12it [00:01, 9.9it/s]')).toBeNull();
  });

  it('reads the real 4-rank log: 3 bars of 4 steps among 200+ NCCL INFO lines, final state drawn twice', () => {
    const segs = splitAll([fixture]);
    const bars = segs.map((s) => parseTqdm(s.text)).filter((b) => b !== null);
    expect(bars).toHaveLength(18);
    expect(new Set(bars.map((b) => b!.total))).toEqual(new Set([4]));
    const t = new ProgressTracker({ nproc: 1, clips: 3, barsPerClip: 1, frameRanks: [0], framesPerBar: 12, realtimeFps: 25, phases: [] });
    segs.forEach((s, i) => t.feed(0, s, i * 10));
    expect(t.snapshot()).toMatchObject({ clip: 3, clips: 3, fraction: 1 });
    expect(t.snapshot().ranks[0].barsDone).toBe(3);
  });
});

describe('splitRankPrefix', () => {
  it('handles --tee and torch 2.x rank prefixes', () => {
    expect(splitRankPrefix('[default3]:[rank3]: Traceback (most recent call last):')).toEqual({ rank: 3, text: 'Traceback (most recent call last):' });
    expect(splitRankPrefix('[default0]:world_size: 5')).toEqual({ rank: 0, text: 'world_size: 5' });
    expect(splitRankPrefix('plain')).toEqual({ rank: null, text: 'plain' });
  });
});

const cfg: TrackerConfig = {
  nproc: 5,
  clips: 2,
  barsPerClip: 2,
  frameRanks: [4],
  framesPerBar: 12,
  realtimeFps: 25,
  phases: [
    { phase: 'loading', match: 'Creating WanS2V pipeline' },
    { phase: 'saving', match: 'Saving generated video' },
  ],
};

function bar(t: ProgressTracker, rank: number, at: number, steps = 4) {
  const evs = [];
  for (let i = 0; i <= steps; i++) {
    evs.push(...t.feed(rank, { text: `${(i * 100) / steps}%|#| ${i}/${steps} [00:00<00:00]`, kind: i === steps ? 'line' : 'cr' }, at + i * 100));
  }
  return evs;
}

describe('ProgressTracker', () => {
  it('counts clips on the frame rank and derives FPS and ETA from bar spacing', () => {
    const t = new ProgressTracker(cfg);
    expect(t.feed(0, { text: '[..] INFO: Creating WanS2V pipeline.', kind: 'line' }, 0)).toEqual([{ kind: 'phase', rank: 0, phase: 'loading' }]);
    bar(t, 4, 1000);
    expect(t.snapshot()).toMatchObject({ clip: 1, clips: 2, fraction: 0.25, fps: null });
    bar(t, 4, 2000);
    bar(t, 4, 3000);
    const s = t.snapshot();
    expect(s.clip).toBe(2);
    expect(s.fraction).toBe(0.75);
    // 12 frames per bar, bars 1 s apart (the first clip's interval is excluded once clip 2 exists).
    expect(s.fps).toBeCloseTo(12, 5);
    expect(s.etaSec).toBeCloseTo(1, 5);
    bar(t, 4, 4000);
    expect(t.snapshot()).toMatchObject({ clip: 2, clips: 2, fraction: 1, etaSec: 0 });
    expect(t.allFramesDone()).toBe(true);
  });

  it('does not count a bar twice when tqdm redraws the final state on close, and ignores described bars', () => {
    const t = new ProgressTracker(cfg);
    bar(t, 4, 0);
    t.feed(4, { text: '100%|#| 4/4 [00:00<00:00]', kind: 'line' }, 600);
    t.feed(4, { text: 'Loading checkpoint shards: 100%|#| 4/4 [00:01<00:00]', kind: 'line' }, 700);
    expect(t.snapshot().ranks[4].barsDone).toBe(1);
  });

  it('grows the clip count when the workload announces its real shape (LAL_PLAN)', () => {
    const t = new ProgressTracker({ ...cfg, clips: 1 });
    t.setShape({ clips: 3, barsPerClip: 4 });
    expect(t.snapshot().clips).toBe(3);
  });
});

describe('judgeStall', () => {
  const base = { phase: 'generating' as const, barsDone: 3, step: 1, medianStepSec: 0.5 };
  it('uses max(30 s, 3× median step) after the first progress, the startup budget before', () => {
    const now = 100_000;
    const v = judgeStall(
      [
        { ...base, rank: 0, lastProgressAt: now - 10_000 },
        { ...base, rank: 1, lastProgressAt: now - 31_000, step: 0 },
        { ...base, rank: 2, lastProgressAt: now - 40_000, medianStepSec: 20 },
        { ...base, rank: 3, lastProgressAt: null, medianStepSec: null },
      ],
      now,
      now - 50_000,
      { ...defaultStallRule, startupBudgetSec: 45 },
    );
    // Rank 2 (40 s idle, limit 60 s) is silent longer than rank 1, which tripped at 31 s.
    expect(v.stalled).toEqual([1, 2, 3]);
    expect(v.advanced).toEqual([0]);
    expect(v.behind).toEqual([1]);
    expect(v.idleSec).toBe(50);
    // Without rank 1, rank 3 trips at 50 s and rank 2 (40 s) is within its own limit and silent for less.
    const w = judgeStall(
      [
        { ...base, rank: 0, lastProgressAt: now - 10_000 },
        { ...base, rank: 2, lastProgressAt: now - 40_000, medianStepSec: 20 },
        { ...base, rank: 3, lastProgressAt: null, medianStepSec: null },
      ],
      now,
      now - 50_000,
      { ...defaultStallRule, startupBudgetSec: 45 },
    );
    expect(w.stalled).toEqual([3]);
    expect(w.advanced).toEqual([0, 2]);
  });

  it('a hung rank with a slow cadence is stalled once a peer waiting on it trips, and is the culprit', () => {
    // TPP over two nodes, hang@2:1:3: the VAE rank draws once per block (median 4 s → limit 12 s),
    // the DiT ranks each step; they block in their next send/recv a moment after rank 3 stops.
    const now = 100_000;
    const v = judgeStall(
      [
        { ...base, rank: 0, barsDone: 4, step: 2, lastProgressAt: now - 8_500 },
        { ...base, rank: 1, barsDone: 4, step: 2, lastProgressAt: now - 8_400 },
        { ...base, rank: 2, barsDone: 4, step: 2, lastProgressAt: now - 5_000 },
        { ...base, rank: 3, barsDone: 4, step: 0, lastProgressAt: now - 9_500, medianStepSec: 4 },
      ],
      now,
      0,
      { ...defaultStallRule, floorSec: 8 },
    );
    expect(v.stalled).toEqual([0, 1, 3]);
    expect(v.advanced).toEqual([2]);
    expect(v.behind).toEqual([3]);
    expect(v.idleSec).toBe(9.5);
    expect(stallDiagnosis({ ranks: v.stalled, advanced: v.advanced, behind: v.behind, idleSec: v.idleSec }).rank).toBe(3);
  });

  it('ranks whose last lines arrived a poll or two after the tripped ones belong to the same stall', () => {
    // Ranks 2 and 3 are on the second node: their last lines came over ssh 1.2 s later.
    const now = 100_000;
    const ranks = [
      { ...base, rank: 0, barsDone: 9, step: 2, lastProgressAt: now - 8_100 },
      { ...base, rank: 1, barsDone: 9, step: 1, lastProgressAt: now - 8_100 },
      { ...base, rank: 2, barsDone: 9, step: 0, lastProgressAt: now - 6_900 },
      { ...base, rank: 3, barsDone: 9, step: 0, lastProgressAt: now - 6_900 },
    ];
    const v = judgeStall(ranks, now, 0, { ...defaultStallRule, floorSec: 8 });
    expect(v.stalled).toEqual([0, 1, 2, 3]);
    expect(v.idleSec).toBe(8.1);
    // The window is 2 s (at most a quarter of the floor): a rank 2.6 s fresher is still advancing.
    const fresher = ranks.map((r) => (r.rank >= 2 ? { ...r, lastProgressAt: now - 5_500 } : r));
    expect(judgeStall(fresher, now, 0, { ...defaultStallRule, floorSec: 8 }).stalled).toEqual([0, 1]);
  });

  it('gives ranks still in a compiling first clip the startup budget', () => {
    const r = [{ ...base, rank: 0, barsDone: 1, lastProgressAt: 0 }];
    expect(judgeStall(r, 60_000, 0, { ...defaultStallRule, startupBudgetSec: 600, compileInFirstClip: true }, undefined, () => true).stalled).toEqual([]);
    expect(judgeStall(r, 60_000, 0, { ...defaultStallRule, startupBudgetSec: 600, compileInFirstClip: true }, undefined, () => false).stalled).toEqual([0]);
    expect(judgeStall(r, 60_000, 0, { ...defaultStallRule, startupBudgetSec: 600 }, undefined, () => true).stalled).toEqual([0]);
  });

  it('orders the least-advanced ranks by who stopped first', () => {
    const v = judgeStall(
      [
        { ...base, rank: 0, barsDone: 5, lastProgressAt: 9_000 },
        { ...base, rank: 2, barsDone: 4, step: 0, lastProgressAt: 8_000 },
        { ...base, rank: 3, barsDone: 4, step: 0, lastProgressAt: 5_000 },
      ],
      100_000,
      0,
      defaultStallRule,
    );
    expect(v.behind).toEqual([3, 2]);
  });

  it('never judges ranks that are saving, done or finished', () => {
    const v = judgeStall([{ ...base, rank: 4, phase: 'saving', lastProgressAt: 0 }, { ...base, rank: 0, lastProgressAt: 0 }], 1e9, 0, defaultStallRule, (r) => r === 0);
    expect(v.stalled).toEqual([]);
  });
});
