import { describe, expect, it } from 'vitest';
import { explainLogs } from '../../../shared/failures/explain';
import { describe as words } from '../../../shared/failures/describe';
import { FAILURE_CODES } from '../../../shared/failures/types';
import { EXCERPTS } from './excerpts';

describe('explainLogs: every code on real excerpts', () => {
  for (const ex of EXCERPTS) {
    it(`${ex.code} ← ${ex.name}`, () => {
      const d = explainLogs([{ name: 'log', text: ex.text, rank: ex.rankFile ?? null }]);
      expect(d.length).toBeGreaterThan(0);
      expect(d[0].code).toBe(ex.code);
      expect(d[0].rank).toBe(ex.rank);
      for (const [k, v] of Object.entries(ex.fields ?? {})) expect(d[0].fields?.[k], k).toBe(v);
      expect(d[0].evidence?.text.length).toBeGreaterThan(0);
      for (const lang of ['en', 'zh-CN'] as const) {
        const w = words(d[0], lang);
        expect(w.explanation).not.toMatch(/\{\w+\}|\[\[|\?/);
        expect(w.fix).not.toMatch(/\{\w+\}|\[\[/);
      }
    });
  }

  it('covers every code the logs can raise (STALL comes from the run manager)', () => {
    const covered = new Set(EXCERPTS.map((e) => e.code));
    for (const code of FAILURE_CODES.filter((c) => c !== 'STALL')) expect(covered.has(code), code).toBe(true);
  });

  it('a normal 4-rank run with NCCL INFO noise and tqdm bars has nothing to explain', () => {
    // test/fixtures/captured/logs/progress-nccl-info.log: "rank 3 initialisedrank 0 initialised" collisions included.
    const d = explainLogs([{ name: 'progress', text: EXCERPTS.length ? readShared('logs/progress-nccl-info.log') : '' }]);
    expect(d).toEqual([]);
  });

  it('benign lines alone explain nothing (§0.4)', () => {
    const text = [
      'W1122 07:08:11.246000 1441 torch/distributed/run.py:851] Setting OMP_NUM_THREADS environment variable for each process to be 1 in default, to avoid your system being overloaded, please further tune the variable for optimal performance in your application as needed.',
      'Warning: PYTORCH_CUDA_ALLOC_CONF is deprecated, use PYTORCH_ALLOC_CONF instead',
      '[rank0]:[W1122 07:09:01.000000000 ProcessGroupNCCL.cpp:1250] Warning: WARNING: process group has NOT been destroyed before it is being destructed.',
      '/usr/lib/python3/dist-packages/torch/_utils.py:776: UserWarning: TypedStorage is deprecated.',
      "FutureWarning: `torch.cuda.amp.autocast(args...)` is deprecated. Please use `torch.amp.autocast('cuda', args...)` instead.",
      'vm:1963:1963 [0] NCCL INFO NCCL version 2.28.9+cuda13.0',
    ].join('\n');
    expect(explainLogs([{ name: 'x', text }])).toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../support/temp';
function readShared(p: string): string {
  return readFileSync(join(repoRoot, 'test/fixtures/captured', p), 'utf8');
}
