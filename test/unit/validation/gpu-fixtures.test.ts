import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainRunFolder } from '../../../electron/core/explain';
import { describe as words } from '../../../shared/failures/describe';
import { ProgressTracker } from '../../../shared/progress/tracker';
import { judgeStall, type StallRule } from '../../../shared/progress/stall';
import { getRecipe } from '../../../shared/recipes';
import { checkFeasibility } from '../../../shared/feasibility';
import { parseHardwareSpec } from '../../../shared/feasibility/hardware';
import { LineSplitter } from '../../../shared/progress/lines';
import { parseTqdm } from '../../../shared/progress/tqdm';
import type { RunRecord } from '../../../shared/run/types';
import { repoRoot } from '../../support/temp';

/** What real H200 runs produced (test/fixtures/gpu-h200/README.md), replayed through our code. */
const dir = (name: string) => join(repoRoot, 'test', 'fixtures', 'gpu-h200', name);
const record = (name: string) => JSON.parse(readFileSync(join(dir(name), 'run.json'), 'utf8')) as RunRecord & {
  workloadPeaks?: Record<string, { device_used_peak: number | null }>;
};
const events = (name: string) =>
  readFileSync(join(dir(name), 'events.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { t: string; type: string; rank?: number; ranks?: number[]; clip?: number; step?: number });

/** Per-rank files from torchrun's --log-dir tree (stdout then stderr), keyed by rank. */
function rankFilesOf(name: string, file: 'stdout.log' | 'stderr.log'): Map<number, string> {
  const out = new Map<number, string>();
  const logs = join(dir(name), 'logs');
  for (const rdzv of readdirSync(logs)) {
    const attempt = join(logs, rdzv, 'attempt_0');
    for (const rank of readdirSync(attempt)) out.set(Number(rank), readFileSync(join(attempt, rank, file), 'utf8'));
  }
  return out;
}

/** Per-rank stderr files from torchrun's --log-dir tree, keyed by rank. */
function rankStderr(name: string): Map<number, string> {
  const out = new Map<number, string>();
  const logs = join(dir(name), 'logs');
  for (const rdzv of readdirSync(logs)) {
    const attempt = join(logs, rdzv, 'attempt_0');
    for (const rank of readdirSync(attempt)) out.set(Number(rank), readFileSync(join(attempt, rank, 'stderr.log'), 'utf8'));
  }
  return out;
}

describe('real GPU failures are explained with the right rank and numbers', () => {
  it('CUDA OOM on GPU 2: code, rank and the amounts torch printed', async () => {
    const [first] = await explainRunFolder(dir('oom-rank2'));
    expect(first.code).toBe('CUDA_OOM');
    expect(first.rank).toBe(2);
    expect(first.fields).toMatchObject({ requested: '140.80 GiB', total: '139.80 GiB', gpu: '2' });
    expect(words(first, 'zh-CN').explanation).toMatch(/[\u4e00-\u9fff]/);
    expect(words(first, 'zh-CN').explanation).toContain('140.80 GiB');
  });

  it('an exception on rank 1 is blamed on rank 1, not on the ranks torchrun then stopped', async () => {
    const diagnoses = await explainRunFolder(dir('crash-rank1'));
    expect(diagnoses[0].rank).toBe(1);
    expect(diagnoses.every((d) => d.rank === 1 || d.rank === null)).toBe(true);
  });
});

describe('the 5-GPU hang of the VAE rank', () => {
  it('was reported as a stall of rank 4 alone, within 30 s of its last progress', () => {
    const ev = events('hang-vae-rank4-5gpu');
    const stall = ev.find((e) => e.type === 'stall')!;
    expect(stall.ranks).toEqual([4]);
    const last4 = Math.max(...ev.filter((e) => e.type === 'progress' && e.rank === 4).map((e) => Date.parse(e.t)));
    const after = (Date.parse(stall.t) - last4) / 1000;
    expect(after).toBeGreaterThan(20);
    expect(after).toBeLessThanOrEqual(30.5);
    expect(record('hang-vae-rank4-5gpu').status).toBe('failed');
  });

  it('replaying its per-rank logs at the recorded times through the stall rule stalls rank 4 alone, when the run did', () => {
    // The run manager's pipeline, offline: each rank's stderr/stdout through the progress tracker
    // (the rehearsal's LAL_PLAN line sets the shape, as the session does), each progress update
    // stamped with the time the run recorded for it, then the stall rule judged every 0.5 s as the
    // session's timer does, with the rule the run record kept.
    const rec = record('hang-vae-rank4-5gpu');
    const recipe = getRecipe(rec.spec.recipe)!;
    const p = recipe.progress;
    const tracker = new ProgressTracker({ nproc: 5, clips: 3, barsPerClip: 4, frameRanks: [4], framesPerBar: p.framesPerBar, realtimeFps: p.realtimeFps, phases: p.phases });
    const ev = events('hang-vae-rank4-5gpu');
    const recorded = new Map<number, { t: number; clip: number; step: number }[]>();
    for (const e of ev) if (e.type === 'progress') recorded.set(e.rank!, [...(recorded.get(e.rank!) ?? []), { t: Date.parse(e.t), clip: e.clip!, step: e.step! }]);
    const startedAt = Date.parse(rec.startedAt);
    for (const [rank, text] of rankFilesOf('hang-vae-rank4-5gpu', 'stdout.log')) {
      for (const seg of new LineSplitter().push(text + '\n')) {
        const m = /^LAL_PLAN (\{.*\})\s*$/.exec(seg.text);
        if (m) tracker.setShape({ clips: (JSON.parse(m[1]) as { geometry: { clips: number; num_blocks: number } }).geometry.clips, barsPerClip: 4 });
        void rank;
      }
    }
    const lastSeen = new Map<number, number>();
    for (const [rank, text] of rankFilesOf('hang-vae-rank4-5gpu', 'stderr.log')) {
      const mine = recorded.get(rank) ?? [];
      let at = 0;
      let t = mine[0]?.t ?? startedAt;
      for (const seg of new LineSplitter().push(text + '\n')) {
        for (const x of tracker.feed(rank, seg, t)) {
          if (x.kind !== 'progress') continue;
          // The matching recorded event (the session throttles non-final steps to 4 a second).
          const k = mine.slice(at, at + 3).findIndex((r) => r.clip === x.update.clip && r.step === x.update.step);
          if (k >= 0) {
            at += k + 1;
            t = mine[at - 1].t;
          }
        }
      }
      lastSeen.set(rank, t);
    }
    // The stamps the tracker kept are the recorded times of each rank's last progress.
    const snap = tracker.snapshot();
    for (const r of snap.ranks) {
      expect(r.lastProgressAt, `rank ${r.rank}`).not.toBeNull();
      expect(r.lastProgressAt!, `rank ${r.rank}`).toBeLessThanOrEqual(lastSeen.get(r.rank)!);
    }
    const rule: StallRule = { floorSec: rec.stall!.floorSec, multiplier: rec.stall!.multiplier, startupBudgetSec: rec.stall!.startupBudgetSec };
    const total = snap.clips * 4;
    const finished = (rank: number) => (snap.ranks[rank]?.barsDone ?? 0) >= total;
    const firstClip = (rank: number) => (snap.ranks[rank]?.barsDone ?? 0) < 4;
    const stallAt = Date.parse(ev.find((e) => e.type === 'stall')!.t);
    const from = Math.max(...snap.ranks.map((r) => r.lastProgressAt ?? 0));
    let first: { t: number; stalled: number[] } | null = null;
    for (let now = from; now <= stallAt + 5000 && !first; now += 500) {
      const v = judgeStall(snap.ranks, now, startedAt, rule, finished, firstClip);
      if (v.stalled.length) first = { t: now, stalled: v.stalled };
    }
    expect(first).not.toBeNull();
    expect(first!.stalled).toEqual([4]);
    expect(snap.ranks[4].barsDone ?? 0).toBeLessThan(snap.ranks[0].barsDone ?? 0);
    // Not before the 30 s floor after rank 4's own last progress: the rule, not the replay, decided.
    expect(first!.t - snap.ranks[4].lastProgressAt!).toBeGreaterThan(rule.floorSec * 1000);
    // Within one tick of the session's 0.5 s timer of when the real run raised it.
    expect(Math.abs(first!.t - stallAt)).toBeLessThanOrEqual(1000);
  });

  it('its per-rank logs show the VAE rank finished fewer tqdm bars than every DiT rank', () => {
    const done = new Map<number, number>();
    for (const [rank, text] of rankStderr('hang-vae-rank4-5gpu')) {
      let n = 0;
      for (const seg of new LineSplitter().push(text + '\n')) {
        const bar = parseTqdm(seg.text);
        if (bar && bar.n === bar.total) n++;
      }
      done.set(rank, n);
    }
    const vae = done.get(4)!;
    for (const r of [0, 1, 2, 3]) expect(done.get(r)!).toBeGreaterThan(vae);
  });
});

describe('feasibility against the measured peaks of a clean 5-GPU run', () => {
  it('predicts every GPU within ±10% of the device peak', () => {
    const r = record('tpp5-ok');
    const report = checkFeasibility({ spec: r.spec, hardware: parseHardwareSpec('5xH200') });
    expect(report.perGpu).toHaveLength(5);
    for (const g of report.perGpu) {
      const smi = (r.peaksMiB[String(g.index)] ?? 0) * 2 ** 20;
      const nvml = r.workloadPeaks?.[String(g.index)]?.device_used_peak ?? 0;
      const measured = Math.max(smi, nvml);
      expect(Math.abs(g.requiredBytes - measured) / measured).toBeLessThan(0.1);
    }
  });
});
