import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainRunFolder } from '../../../electron/core/explain';
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
    .map((l) => JSON.parse(l) as { t: string; type: string; rank?: number; ranks?: number[] });

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
    const [first] = await explainRunFolder(dir('oom-rank2'), 'en');
    expect(first.code).toBe('CUDA_OOM');
    expect(first.rank).toBe(2);
    expect(first.fields).toMatchObject({ requested: '140.80 GiB', total: '139.80 GiB', gpu: '2' });
    const zh = await explainRunFolder(dir('oom-rank2'), 'zh-CN');
    expect(zh[0].explanation).toMatch(/[\u4e00-\u9fff]/);
  });

  it('an exception on rank 1 is blamed on rank 1, not on the ranks torchrun then stopped', async () => {
    const diagnoses = await explainRunFolder(dir('crash-rank1'), 'en');
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
