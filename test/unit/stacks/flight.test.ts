import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { collectStacks } from '../../../electron/core/runs/stacks';
import { readFlight } from '../../../electron/core/explain/flight';
import { parsePickle, PickleError } from '../../../shared/stacks/pickle';
import { flightRankOf, summarizeFlight } from '../../../shared/stacks/flight';
import { describeFlight } from '../../../shared/stacks/explain';
import { repoRoot, tempDir } from '../../support/temp';

/**
 * Real dumps come from test/fixtures/gpu-h200-cascades (torch 2.11 on one H200). The recorder
 * cannot run on CPU (gloo has none), so the other layouts are constructed here in
 * the layout pytorch ProcessGroupNCCL.cpp writes (version "2.x": entries with profiling_name,
 * collective_seq_id / p2p_seq_id, state, process_group, frames; pg_status), pickled by Python,
 * and read back by shared/stacks/pickle.ts exactly as a run's dump would be.
 */
const PY = '/usr/bin/python3';

const makeDump = (file: string, entries: string) =>
  execaSync(PY, ['-c', `import pickle,sys\nd={"version":"2.4","pg_config":{"0":{"name":"0","desc":"default_pg","ranks":"[0, 1, 2, 3]"}},"pg_status":{"0":{"last_enqueued_collective":7,"last_started_collective":7,"last_completed_collective":6}},"entries":[${entries}]}\nopen(sys.argv[1],"wb").write(pickle.dumps(d))`, file]);

const entry = (seq: number, op: string, state: string, p2p = false) =>
  `{"record_id":${seq},"pg_id":0,"process_group":("0","default_pg"),"collective_seq_id":${p2p ? 0 : seq},"p2p_seq_id":${p2p ? seq : 0},"op_id":${seq},"profiling_name":"${op}","time_created_ns":${seq}000,"input_sizes":[[4,4]],"output_sizes":[[4,4]],"state":"${state}","time_discovered_started_ns":None,"time_discovered_completed_ns":None,"retired":False,"timeout_ms":600000,"is_p2p":${p2p ? 'True' : 'False'},"frames":[{"name":"all_reduce","filename":"x.py","line":1}]}`;

describe('NCCL flight recorder reader', () => {
  const dir = tempDir('lal-flight-');
  afterAll(() => dir.remove());

  it('real dumps (torch 2.11, version "2.10", one H200): the rank that fell behind never enqueued the collective the others wait in', async () => {
    const flight = await readFlight(join(repoRoot, 'test/fixtures/gpu-h200-cascades/straggler-middle'));
    expect(flight.map((f) => f.rank)).toEqual([0, 1, 2, 3]);
    for (const r of [0, 1, 3]) {
      expect(flight[r]).toMatchObject({ lastEnqueued: { op: 'nccl:all_reduce', seq: 4, state: 'scheduled' }, lastCompleted: { op: 'nccl:all_reduce', seq: 3, state: 'completed' } });
    }
    expect(flight[2]).toMatchObject({ lastEnqueued: { seq: 3, state: 'completed' }, lastCompleted: { seq: 3 } });
    expect(describeFlight(flight[2], 'en')).toBe('NCCL flight recorder, rank 2: last enqueued nccl:all_reduce #3 (completed), last completed nccl:all_reduce #3 (completed)');
    // No rank fell behind in Python: every rank enqueued #4 and none finished it.
    const gpu = await readFlight(join(repoRoot, 'test/fixtures/gpu-h200-cascades/no-straggler-gpu'));
    expect(gpu.map((f) => [f.rank, f.lastEnqueued?.seq, f.lastEnqueued?.state, f.lastCompleted?.seq])).toEqual([0, 1, 2, 3].map((r) => [r, 4, 'scheduled', 3]));
  });

  it('pickle → last enqueued and last completed per rank', async () => {
    makeDump(join(dir.path, 'nccl_trace_rank_0'), [entry(5, 'nccl:all_reduce', 'completed'), entry(6, 'nccl:send', 'completed', true), entry(7, 'nccl:all_gather', 'started')].join(','));
    makeDump(join(dir.path, 'nccl_trace_rank_1'), [entry(5, 'nccl:all_reduce', 'completed'), entry(6, 'nccl:recv', 'scheduled', true)].join(','));
    writeFileSync(join(dir.path, 'nccl_trace_rank_x'), 'not a rank');
    const flight = await readFlight(dir.path);
    expect(flight.map((f) => f.rank)).toEqual([0, 1]);
    expect(flight[0]).toMatchObject({
      lastEnqueued: { op: 'nccl:all_gather', seq: 7, state: 'started', pg: '0' },
      lastCompleted: { op: 'nccl:send', seq: 6, state: 'completed' },
    });
    expect(flight[1]).toMatchObject({ lastEnqueued: { op: 'nccl:recv', seq: 6, state: 'scheduled' }, lastCompleted: { op: 'nccl:all_reduce', seq: 5 } });
    expect(describeFlight(flight[1], 'en')).toBe('NCCL flight recorder, rank 1: last enqueued nccl:recv #6 (scheduled), last completed nccl:all_reduce #5 (completed)');
  });

  it('a stall report carries them: one line per rank next to the stacks', async () => {
    const rep = await collectStacks({ runDir: dir.path, targets: [], progress: new Map(), pipeline: true, nproc: 2 });
    expect(rep.flight.map((f) => f.rank)).toEqual([0, 1]);
    expect(rep.folder).toBe(join(dir.path, 'stacks'));
  });

  it('a pickle that names any global is refused, never run; a truncated one is an error, not a crash', async () => {
    const evil = join(dir.path, 'evil');
    mkdirSync(evil);
    const bad = join(evil, 'nccl_trace_rank_0');
    const marker = join(dir.path, 'pwned');
    execaSync(PY, ['-c', `import pickle,os,sys\nclass E:\n  def __reduce__(self): return (os.system, ("touch ${marker}",))\nopen(sys.argv[1],"wb").write(pickle.dumps({"entries":[E()]}))`, bad]);
    writeFileSync(join(evil, 'nccl_trace_rank_1'), Buffer.from([0x80, 0x04, 0x95]));
    expect(() => parsePickle(readFileSync(bad))).toThrow(/refusing opcode 0x(63|93)/);
    expect(() => parsePickle(readFileSync(join(evil, 'nccl_trace_rank_1')))).toThrow(PickleError);
    expect(await readFlight(evil)).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });

  it('file names and shapes that are not dumps', () => {
    expect(flightRankOf('nccl_trace_rank_12')).toBe(12);
    expect(flightRankOf('nccl_trace_rank_')).toBeNull();
    expect(flightRankOf('other_3')).toBeNull();
    expect(summarizeFlight(0, 'f', 'text')).toBeNull();
    expect(summarizeFlight(0, 'f', { entries: 'no' })).toBeNull();
  });
});
