import { describe as group, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { explainPaths } from '../../../electron/core/explain';
import { describe } from '../../../shared/failures/describe';
import { explainLogs } from '../../../shared/failures/explain';
import { progressOrder } from '../../../shared/progress/order';
import { repoRoot } from '../../support/temp';

/**
 * Several ranks silent in a collective timeout (test/unit/failures/fixtures/README.md,
 * run-gloo-silent-peers): rank 2 hung, torchrun stopped ranks 0 and 1 before their own waits ran
 * out. Seen in CI, where the lowest silent rank, 0, was blamed. The launcher's progress tracker
 * tells them apart: rank 2 got least far.
 */
const DIR = join(repoRoot, 'test/unit/failures/fixtures/run-gloo-silent-peers');

group('the rank that fell behind among several silent ranks', () => {
  it('the run folder (its run.json keeps each rank\'s progress): rank 2, in both languages', async () => {
    const { diagnoses } = await explainPaths([DIR]);
    expect(diagnoses[0]).toMatchObject({ code: 'NCCL_WATCHDOG_TIMEOUT', rank: 2, fields: { laggard: 2, reportingRanks: '3,4' } });
    expect(describe(diagnoses[0], 'en').explanation).toMatch(/^Rank 2 fell behind/);
    expect(describe(diagnoses[0], 'zh-CN').explanation).toMatch(/^rank 2 落后了/);
  });

  it('the logs alone cannot tell three silent ranks apart; the progress order does', () => {
    const text = readFileSync(join(DIR, 'console.log'), 'utf8');
    const run = JSON.parse(readFileSync(join(DIR, 'run.json'), 'utf8')) as { progress: { ranks: { rank: number; barsDone: number; step: number; lastProgressAt: number }[] } };
    const order = progressOrder(run.progress.ranks);
    expect(order).toEqual([2, 1, 0, 3, 4]);
    expect(explainLogs([{ name: 'console.log', text }])[0]).toMatchObject({ rank: 0 });
    expect(explainLogs([{ name: 'console.log', text }], { progressOrder: order })[0]).toMatchObject({ rank: 2, fields: { laggard: 2 } });
  });

  it('progress order: fewest bars, then steps, then earliest last progress; never-progressed first', () => {
    const p = (rank: number, barsDone: number, step: number, lastProgressAt: number | null) => ({ rank, barsDone, step, lastProgressAt });
    expect(progressOrder([p(0, 5, 0, 10), p(1, 4, 3, 9), p(2, 4, 3, 8), p(3, 4, 3, null), p(4, 4, 1, 20)])).toEqual([4, 3, 2, 1, 0]);
  });
});
