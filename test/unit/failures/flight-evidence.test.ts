import { describe as group, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { explainLogs } from '../../../shared/failures/explain';
import { describe } from '../../../shared/failures/describe';
import { withFlightRecorder } from '../../../shared/failures/flight-evidence';
import type { FlightRank } from '../../../shared/stacks/types';
import { repoRoot } from '../../support/temp';

/** Each rank's last enqueued / completed collective, as shared/stacks/flight.ts summarises a dump. */
const rank = (r: number, enq: number, done: number, op = 'nccl:all_reduce'): FlightRank => ({
  rank: r,
  file: `nccl_trace_rank_${r}`,
  lastEnqueued: { op, seq: enq, pg: '0', state: enq > done ? 'scheduled' : 'completed' },
  lastCompleted: { op, seq: done, pg: '0', state: 'completed' },
});

group('the flight recorder on the timeout card', () => {
  const noStraggler = explainLogs([{ name: 'console.log', text: readFileSync(join(repoRoot, 'test/unit/failures/fixtures/complete/watchdog-2.4-no-straggler.log'), 'utf8') }]);

  it('the logs named no rank that fell behind and the dumps do: that rank is the laggard, in both languages', () => {
    expect(noStraggler[0]).toMatchObject({ code: 'NCCL_WATCHDOG_TIMEOUT', rank: 0, fields: { lookAt: 0 } });
    const d = withFlightRecorder(noStraggler, [rank(0, 8, 7), rank(1, 8, 7), rank(2, 8, 7), rank(3, 7, 7)])[0];
    expect(d).toMatchObject({ rank: 3, fields: { laggard: 3, laggardEnqueued: 7, flightBehind: '3', flightSeq: 8, flightRanks: 4 } });
    expect(d.fields?.lookAt).toBeUndefined();
    expect(describe(d, 'en').explanation).toMatch(/^Rank 3 fell behind: .* \(the last one it issued was #7\)\..* Rank 3 never enqueued nccl:all_reduce #8, which the other ranks did/);
    expect(describe(d, 'zh-CN').explanation).toMatch(/^rank 3 落后了.*rank 3 从未发出 nccl:all_reduce 第 8 次/);
  });

  it('never overrides the laggard the logs named; two ranks behind are both named', () => {
    const named = noStraggler.map((x, i) => (i === 0 ? { ...x, rank: 1, fields: { ...x.fields, laggard: 1 } } : x));
    const d = withFlightRecorder(named, [rank(0, 8, 7), rank(1, 7, 7), rank(2, 7, 7), rank(3, 8, 7)])[0];
    expect(d).toMatchObject({ rank: 1, fields: { laggard: 1, flightBehind: '1,2' } });
    expect(describe(d, 'en').explanation).toContain('Ranks 1, 2 never enqueued nccl:all_reduce #8');
  });

  it('send/recv or mixed process groups cannot be compared: only where the dumps are', () => {
    for (const flight of [
      [rank(0, 8, 7), rank(1, 5, 5, 'nccl:recv')],
      [rank(0, 8, 7), { ...rank(1, 7, 7), lastEnqueued: { op: 'nccl:all_reduce', seq: 7, pg: '1', state: 'completed' } }],
    ]) {
      const d = withFlightRecorder(noStraggler, flight)[0];
      expect(d.fields).toMatchObject({ flightRanks: 2, lookAt: 0 });
      expect(d.fields?.flightBehind).toBeUndefined();
      expect(d.fields?.flightSeq).toBeUndefined();
      expect(describe(d, 'en').fix).toContain("The flight recorder's dumps (2 ranks) are in the run folder");
    }
  });

  it('no dumps, or no timeout card: nothing changes', () => {
    expect(withFlightRecorder(noStraggler, [])).toBe(noStraggler);
    const oom = [{ code: 'CUDA_OOM', rank: 0, evidence: null, fields: {} }];
    expect(withFlightRecorder(oom, [rank(0, 1, 0)])).toBe(oom);
  });
});
