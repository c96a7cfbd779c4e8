import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { stacksApi } from '../../../electron/core/runs/stacks';
import { lal } from '../../support/cli';
import type { RunEvent } from '../../../shared/run/types';
import type { StacksReport } from '../../../shared/stacks/types';
import { expectNoProcesses, launcherHarness, sleep } from './support';

/**
 * Issue 22 on real torchrun (CPU, gloo) with the rehearsal workload at tiny scale: every rank
 * carries the launcher's sitecustomize, so a stall comes with each rank's Python stack and one
 * sentence saying who waits for whom; "Where is it now?" works on a running run.
 */
type Stall = Extract<RunEvent, { type: 'stall' }>;

describe('stacks of a stalled run (rehearsal, 5-process TPP layout on CPU)', () => {
  const h = launcherHarness('lal-stacks-');
  const { ctx, ev, dir } = h;
  const api = { ...h.api, ...stacksApi(ctx) };
  const FLOOR = 5;

  const firstStall = async (runId: string, timeoutMs = 120_000): Promise<Stall & { at: number }> => {
    const t0 = Date.now();
    for (;;) {
      const s = ev.all.find((e) => e.runId === runId && e.type === 'stall');
      if (s) return s as Stall & { at: number };
      if (ev.all.some((e) => e.runId === runId && e.type === 'exit')) throw new Error(`run ${runId} ended without a stall`);
      if (Date.now() - t0 > timeoutMs) throw new Error(`no stall in ${timeoutMs} ms`);
      await sleep(100);
    }
  };

  it('hang@2:1:3: the stall card names the waiting rank, dist.recv, its line, and rank 3 stuck in _fire; in time; "Where is it now?" and `lal runs stacks` agree; nothing left', async () => {
    const { runId } = await api.startRun({
      spec: { recipe: 'rehearsal', mode: 'tpp-5gpu', settings: { device: 'cpu', scale: 'tiny', num_clip: 2, inject: 'hang@2:1:3', stall_after_sec: FLOOR, stall_action: 'notify' } },
    });
    const stall = await firstStall(runId);
    const where = stall.where as StacksReport;
    expect(where, 'stall event without stacks').toBeDefined();
    const table = JSON.stringify(where.ranks.map((r) => ({ rank: r.rank, kind: r.kind, op: r.op, peer: r.peer, func: r.func, site: r.site, error: r.error })));
    expect(where.summary.en, table).toMatch(/^rank 4 waits in dist\.recv \(lalwork\/pipeline\.py:\d+\) for rank 3, which is at clip 2, step 1 in _fire \(lalwork\/faults\.py:\d+\)$/);
    expect(where.summary.zh).toContain('rank 4 在 dist.recv');
    expect(where.culprit).toBe(3);
    const r3 = where.ranks.find((r) => r.rank === 3)!;
    expect(r3).toMatchObject({ kind: 'compute', func: '_fire', error: null });
    expect(r3.site?.file).toMatch(/lalwork\/faults\.py$/);
    const r4 = where.ranks.find((r) => r.rank === 4)!;
    expect(r4).toMatchObject({ kind: 'comm', op: 'dist.recv', peer: 3 });
    expect(r4.site?.file).toMatch(/lalwork\/pipeline\.py$/);
    expect(r4.site?.func).toBe('run_tpp');
    // Every rank answered (all of them stall within one poll on a CPU run).
    expect(where.ranks.filter((r) => r.error === null).length).toBeGreaterThanOrEqual(4);

    // Timing: the rule fired on time (record.stall.last.at), and the dump added at most a few seconds.
    const { record } = await api.getRun({ runId });
    const detectedAt = Date.parse(record.stall!.last!.at);
    const lastStep = Math.max(...record.stall!.last!.ranks.map((r) => record.progress!.ranks[r].lastProgressAt ?? 0));
    expect(detectedAt - lastStep).toBeLessThanOrEqual(FLOOR * 1000 + 1500);
    const added = stall.at - detectedAt;
    console.log(`[stacks] dump ${where.dumpMs} ms; stall event ${added} ms after the rule fired`);
    expect(where.dumpMs).toBeLessThan(2500);
    expect(added).toBeLessThan(4000);
    expect(record.stall!.last!.where?.summary.en).toBe(where.summary.en);

    // "Where is it now?" on the running run, in-process and through the CLI.
    const now = await api.dumpStacks({ runId });
    expect(now.ranks.map((r) => r.rank)).toEqual([0, 1, 2, 3, 4]);
    expect(now.summary.en).toMatch(/rank 4 waits in dist\.recv .* for rank 3/);
    expect(readdirSync(now.folder).filter((f) => /^rank\d-\d+\.txt$/.test(f)).length).toBeGreaterThanOrEqual(5);
    const cli = await lal(['runs', 'stacks', runId, '--lang', 'en'], { env: { LAL_DATA_DIR: dir.path }, timeout: 60_000 });
    expect(cli.exitCode, String(cli.stderr)).toBe(0);
    expect(String(cli.stdout)).toMatch(/Where: rank 4 waits in dist\.recv/);
    expect(String(cli.stdout)).toMatch(/rank 3 .*_fire/);
    const json = await lal(['--json', 'runs', 'stacks', runId], { env: { LAL_DATA_DIR: dir.path }, timeout: 60_000 });
    expect((JSON.parse(String(json.stdout)) as StacksReport).culprit).toBe(3);

    await api.stopRun({ runId });
    await expectNoProcesses(runId);
    await sleep(2000);
    await expectNoProcesses(runId);
  });

  it('slow fault on the single-rank layout: "still computing in at_step", not a communication card', async () => {
    const { runId } = await api.startRun({
      spec: { recipe: 'rehearsal', mode: 'single-offload', settings: { device: 'cpu', scale: 'tiny', num_clip: 2, inject: 'slow@1:2', stall_after_sec: 1, stall_action: 'notify' } },
    });
    const stall = await firstStall(runId);
    const where = stall.where as StacksReport;
    expect(where).toBeDefined();
    expect(where.summary.en).toMatch(/^rank 0 is still computing in at_step \(lalwork\/faults\.py:\d+\), not waiting on another rank$/);
    expect(where.ranks.every((r) => r.kind !== 'comm')).toBe(true);
    await api.stopRun({ runId });
    await expectNoProcesses(runId);
  });

  it('slow@1:2:1 in the 5-process layout: rank 1 is "still computing … and advancing", the others wait for it', async () => {
    const { runId } = await api.startRun({
      spec: { recipe: 'rehearsal', mode: 'tpp-5gpu', settings: { device: 'cpu', scale: 'tiny', num_clip: 2, inject: 'slow@1:2:1', stall_after_sec: 1, stall_action: 'notify' } },
    });
    const stall = await firstStall(runId);
    const where = stall.where as StacksReport;
    const table = JSON.stringify(where?.ranks.map((r) => ({ rank: r.rank, kind: r.kind, op: r.op, peer: r.peer, func: r.func, advancing: r.advancing })));
    expect(where.summary.en, table).toMatch(/^rank 1 is still computing in at_step \(lalwork\/faults\.py:\d+\)/);
    expect(where.summary.en).not.toContain('which is');
    expect(where.culprit).toBe(1);
    expect(where.ranks.find((r) => r.rank === 1)).toMatchObject({ kind: 'compute', func: 'at_step', advancing: true });
    await api.stopRun({ runId });
    await expectNoProcesses(runId);
  });

  it('dumpStacks on a run that has ended is refused, naming the status', async () => {
    const runs = await api.listRuns(undefined as never);
    const ended = runs.find((r) => r.endedAt !== null)!;
    await expect(api.dumpStacks({ runId: ended.runId })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(api.dumpStacks({ runId: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
