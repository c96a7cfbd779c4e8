import { describe, expect, it } from 'vitest';
import { explainApi } from '../../../electron/core/explain/api';
import { explainPaths } from '../../../electron/core/explain';
import { expectNoProcesses, launcherHarness } from './support';

/**
 * A collective timeout through the real launcher (CPU, gloo, the rehearsal's 5-process TPP layout):
 * rank 2 hangs, the others' collectives give up after `collective_timeout_sec`, torchrun ends the
 * job. The run manager's recorded verdict, the explain API by id and `lal explain <folder>` name the
 * same rank. On a GPU, `share_gpu` runs the same layout with real NCCL on one card
 * (docs/validation.md, round 4). Rank 0 is slowed so its wait starts late and torchrun stops it
 * before its own timeout, as happened by chance in CI: then ranks 0, 1 and 2 are all silent, and
 * only the launcher's progress says rank 2 got least far.
 */
describe('collective_timeout_sec: the timeout cascade through the launcher', () => {
  const { ctx, api, ev } = launcherHarness('lal-ctimeout-');

  it('rank 2 hangs in clip 2, rank 0 is slow: the first card blames rank 2 everywhere, within the timeout given', async () => {
    const { runId } = await api.startRun({
      spec: { recipe: 'rehearsal', mode: 'tpp-5gpu', settings: { device: 'cpu', scale: 'tiny', num_clip: 2, inject: 'hang@2:1:2,slow@2:1:0', collective_timeout_sec: 4, stall_after_sec: 600 } },
    });
    const exit = await ev.exit(runId, 180_000);
    expect(exit.status).toBe('failed');
    const { record } = await api.getRun({ runId });
    expect(record.plan.argv).toEqual(expect.arrayContaining(['--collective_timeout_sec', '4']));
    expect(record.stall?.last).toBeUndefined();
    const recorded = record.diagnoses.map((d) => [d.code, d.rank]);
    expect(record.diagnoses[0]).toMatchObject({ rank: 2 });
    expect((await explainApi(ctx).explain({ runId })).map((d) => [d.code, d.rank])).toEqual(recorded);
    expect((await explainPaths([record.runDir])).diagnoses.map((d) => [d.code, d.rank])).toEqual(recorded);
    await expectNoProcesses(runId);
  }, 240_000);
});
