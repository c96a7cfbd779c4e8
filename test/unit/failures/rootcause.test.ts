import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { explainLogs } from '../../../shared/failures/explain';
import { stallDiagnosis } from '../../../shared/failures/stall';
import { describe as words } from '../../../shared/failures/describe';
import { explainRunFolder } from '../../../electron/core/explain';
import { repoRoot } from '../../support/temp';
import { shared } from './excerpts';

const fx = (p: string) => join(repoRoot, 'test/unit/failures/fixtures', p);
const AGENT = (rank: number, code: number, pid: number) =>
  `E1122 07:08:17.250000 1441 torch/distributed/elastic/multiprocessing/api.py:986] failed (exitcode: ${code}) local_rank: ${rank} (pid: ${pid}) of binary: /usr/bin/python`;
const WD = (rank: number, seq: number, enq: number, comp: number) =>
  [
    `[rank${rank}]:[E1016 03:31:38.877036871 ProcessGroupNCCL.cpp:616] [Rank ${rank}] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=${seq}, OpType=ALLTOALL_BASE, NumelIn=1000, NumelOut=1000, Timeout(ms)=600000) ran for 600020 milliseconds before timing out.`,
    `[rank${rank}]:[E1016 03:31:38.877300000 ProcessGroupNCCL.cpp:1785] [PG 1 Rank ${rank}] Exception (either an error or timeout) detected by watchdog at work: ${seq}, last enqueued NCCL work: ${enq}, last completed NCCL work: ${comp}.`,
  ].join('\n');

describe('root cause', () => {
  it('never blames the rank that was only sent SIGTERM (fixture fail-oom.log: rank 0 is -15)', () => {
    const d = explainLogs([{ name: 'c', text: shared('logs/fail-oom.log') }]);
    expect(d.map((x) => x.rank)).not.toContain(0);
    expect(d[0]).toMatchObject({ code: 'CUDA_OOM', rank: 1 });
  });

  it('OOM on one rank, watchdog on the others: the OOM is the cause, the timeout a consequence', () => {
    const text = [WD(0, 50, 51, 49), WD(2, 50, 51, 49), shared('logs/fail-oom.log')].join('\n');
    const d = explainLogs([{ name: 'c', text }]);
    expect(d[0]).toMatchObject({ code: 'CUDA_OOM', rank: 1 });
    const wd = d.find((x) => x.code === 'NCCL_WATCHDOG_TIMEOUT');
    expect(wd?.consequence).toBe(true);
    expect(wd?.fields?.laggard).toBe(1); // rank 1 printed no watchdog line: it is the one missing
  });

  it('collective timeout: the rank whose last enqueued work is lowest fell behind', () => {
    const text = [WD(0, 7753, 7755, 7752), WD(1, 7753, 7755, 7752), WD(2, 7752, 7752, 7751), WD(3, 7753, 7755, 7752)].join('\n');
    const d = explainLogs([{ name: 'c', text }]);
    expect(d[0]).toMatchObject({ code: 'NCCL_WATCHDOG_TIMEOUT', rank: 2 });
    expect(d[0].fields).toMatchObject({ laggard: 2, laggardEnqueued: 7752, op: 'ALLTOALL_BASE' });
    expect(words(d[0], 'zh-CN').explanation).toContain('rank 2');
  });

  it('error files: the earliest timestamp wins over stream order', () => {
    const ef = (msg: string, ts: number) => JSON.stringify({ message: { message: msg, extraInfo: { py_callstack: `Traceback (most recent call last):\n  File "x.py", line 1\n${msg}\n`, timestamp: String(ts) } } });
    const d = explainLogs(
      [
        { name: 'logs/x/attempt_0/0/error.json', rank: 0, text: ef('ModuleNotFoundError: No module named \'flash_attn\'', 1700000100) },
        { name: 'logs/x/attempt_0/3/error.json', rank: 3, text: ef('AssertionError: Only 4 GPUs are supported for distributed inference.', 1700000050) },
      ],
    );
    expect(d[0]).toMatchObject({ code: 'ARG_ASSERTION', rank: 3 });
    expect(d[0].fixes).toEqual([{ kind: 'set', key: 'num_gpus_dit', value: 4 }]);
    expect(d[1]).toMatchObject({ code: 'FLASH_ATTN_MISSING', rank: 0 });
  });

  it('line timestamps order failures printed on different ranks', () => {
    const text = [
      '[rank3]:[E1122 07:09:10.000000000 ProcessGroupNCCL.cpp:1] [Rank 3] NCCL WARN nothing',
      '[rank3]: RuntimeError: CUDA error: an illegal memory access was encountered',
      '[rank1]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 1 has a total capacity of 23.65 GiB of which 1.06 MiB is free. Including non-PyTorch memory, this process has 23.20 GiB memory in use. Of the allocated memory 22.79 GiB is allocated by PyTorch, and 35.00 MiB is reserved by PyTorch but unallocated.',
    ].join('\n');
    const d = explainLogs([{ name: 'c', text }]);
    // Same stream, no times on the error lines: arrival order decides (rank 3 printed first).
    expect(d[0]).toMatchObject({ code: 'ILLEGAL_MEMORY_ACCESS', rank: 3 });
  });

  it('-9 escalated after SIGTERM is a victim, not host OOM', () => {
    const text = [
      shared('logs/fail-crash.log'),
      'W1122 07:08:56.000000 1542 torch/distributed/elastic/multiprocessing/api.py:900] Unable to shutdown process 1620 via Signals.SIGTERM, forcefully exiting via Signals.SIGKILL',
      AGENT(0, -9, 1620),
    ].join('\n');
    const d = explainLogs([{ name: 'c', text }]);
    expect(d.map((x) => x.code)).not.toContain('HOST_OOM_KILLED');
    expect(d[0]).toMatchObject({ code: 'UNKNOWN', rank: 1 });
  });

  it('-7 without a message is shared memory; torch 1.13 table layout', () => {
    const d = explainLogs([{ name: 'c', text: 'ERROR:torch.distributed.elastic.multiprocessing.api:failed (exitcode: -7) local_rank: 2 (pid: 99) of binary: /usr/bin/python3' }]);
    expect(d[0]).toMatchObject({ code: 'NCCL_SHM', rank: 2 });
  });

  it('a run folder in torch 1.13 layout: error.json + per-rank logs + console (own CPU run)', async () => {
    const d = await explainRunFolder(fx('run-crash'));
    expect(d[0]).toMatchObject({ code: 'SIZE_TOO_LARGE', rank: 1 });
    expect(d[0].evidence?.file).toContain('attempt_0');
    expect(d.filter((x) => x.code === 'SIZE_TOO_LARGE')).toHaveLength(1);
  });

  it('a run folder where rank 1 never joined the collective (gloo timeout, own CPU run)', async () => {
    const d = await explainRunFolder(fx('run-timeout'));
    expect(d[0]).toMatchObject({ code: 'NCCL_WATCHDOG_TIMEOUT', rank: 1 });
  });

  it('stallDiagnosis names the stalled rank that is behind', () => {
    const d = stallDiagnosis({ ranks: [3, 1], advanced: [0, 2], idleSec: 312.4, behind: [3] });
    expect(d).toMatchObject({ code: 'STALL', rank: 3, fields: { idleSec: 312, ranks: '1,3' } });
    const zh = words(d, 'zh-CN');
    expect(zh.explanation).toMatch(/312 秒/);
    expect(zh.explanation).toMatch(/rank 1、3/);
    expect(words(d, 'en').explanation).toMatch(/^Ranks 1, 3 printed no progress for 312 seconds/);
    expect(stallDiagnosis({ ranks: [], advanced: [], idleSec: 5 }).rank).toBeNull();
  });
});
