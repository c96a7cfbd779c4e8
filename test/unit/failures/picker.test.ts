import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe as group, expect, it } from 'vitest';
import { explainApi } from '../../../electron/core/explain/api';
import { explainPaths } from '../../../electron/core/explain';
import { explainOffThread, stopExplainWorker } from '../../../electron/core/explain/pool';
import type { CoreContext } from '../../../electron/core/context';
import { describe } from '../../../shared/failures/describe';
import { explainLogs, Explainer } from '../../../shared/failures/explain';
import { rankExitDiagnosis } from '../../../shared/failures/verdict';
import type { Diagnosis } from '../../../shared/failures/types';
import { lal } from '../../support/cli';
import { repoRoot, tempDir } from '../../support/temp';
import { allFixtures } from './fixture-list';

/**
 * One root-cause picker (shared/failures/verdict.ts) for the run manager, the run view, `lal
 * explain` and the records. Its clock: error.json timestamps, the launcher's process-exit times,
 * line timestamps, stream order.
 */
let tmp: ReturnType<typeof tempDir> | null = null;
afterEach(() => tmp?.remove());
afterAll(() => stopExplainWorker());

const verdictOf = (d: Diagnosis[]) => d.map((x) => `${x.code}@${x.rank}`);

group('torchrun exits and the blamed exit line', () => {
  const table = [
    'ERROR:torch.distributed.elastic.multiprocessing.api:failed (exitcode: -15) local_rank: 0 (pid: 100) of binary: /usr/bin/python3',
    'Failures:',
    '[1]:',
    '  rank      : 3 (local_rank: 3)',
    '  exitcode  : -9 (pid: 103)',
    'Root Cause (first observed failure):',
    '[0]:',
    '  time      : 2026-11-22_07:08:26',
    '  rank      : 0 (local_rank: 0)',
    '  exitcode  : -15 (pid: 100)',
  ].join('\n');

  it('reads the failed line and the ChildFailedError table; a SIGTERM victim is never the root cause', () => {
    const ex = new Explainer();
    const s = ex.source('console.log');
    s.push(table);
    s.end();
    const v = ex.verdict();
    expect(v.exits.map((x) => [x.rank, x.exitCode]).sort()).toEqual([
      [0, -15],
      [3, -9],
    ]);
    expect(v.diagnoses[0]).toMatchObject({ code: 'HOST_OOM_KILLED', rank: 3 });
    expect(v.rootExit?.rank).toBe(3);
  });

  it('the launcher saw rank 2 die first: its exit time beats stream order (no error.json, no line times)', () => {
    const sources = [
      { name: 'logs/x/attempt_0/1/stderr.log', rank: 1, text: "ModuleNotFoundError: No module named 'flash_attn'" },
      { name: 'logs/x/attempt_0/2/stderr.log', rank: 2, text: 'Traceback (most recent call last):\nRuntimeError: CUDA error: an illegal memory access was encountered' },
    ];
    // Separate files and no clock: the more specific code leads.
    expect(explainLogs(sources)[0]).toMatchObject({ code: 'FLASH_ATTN_MISSING', rank: 1 });
    const d = explainLogs(sources, { exitTimes: new Map([[2, 1000], [1, 1600]]) });
    expect(d[0]).toMatchObject({ code: 'ILLEGAL_MEMORY_ACCESS', rank: 2 });
  });

  it('error.json timestamps come before the exit times', () => {
    const ef = (msg: string, ts: number) => JSON.stringify({ message: { message: msg, extraInfo: { py_callstack: msg, timestamp: String(ts) } } });
    const d = explainLogs(
      [
        { name: 'logs/x/attempt_0/1/error.json', rank: 1, text: ef('RuntimeError: CUDA error: an illegal memory access was encountered', 1700000000) },
        { name: 'logs/x/attempt_0/2/error.json', rank: 2, text: ef("ModuleNotFoundError: No module named 'flash_attn'", 1700000050) },
      ],
      { exitTimes: new Map([[2, 1000], [1, 1600]]) },
    );
    expect(d[0]).toMatchObject({ code: 'ILLEGAL_MEMORY_ACCESS', rank: 1 });
  });

  it('the exit line is worded at the edge, in both languages', () => {
    const x = { rank: 3, exitCode: -9, pid: 9, errorFile: null, source: 'console.log', line: 4, text: 'row', rootCause: false };
    const d = rankExitDiagnosis(x);
    expect(d).toMatchObject({ code: 'RANK_EXIT', rank: 3, fields: { exitCode: -9, signal: 'SIGKILL' } });
    expect(d.title).toBeUndefined();
    expect(describe(d, 'en').title).toBe('Rank 3 exited with code -9 (SIGKILL)');
    expect(describe(d, 'zh-CN').explanation).toMatch(/内存/);
  });
});

group('the run view, the run manager and `lal explain` agree on every fixture', () => {
  it('explain API by run id (what the run view asks), the session path and explainPaths give the same verdict', async () => {
    tmp = tempDir();
    const ctx = { dataDir: tmp.path, settings: { get: () => ({ language: 'en' }) } } as unknown as CoreContext;
    const api = explainApi(ctx);
    const fixtures = allFixtures();
    expect(fixtures.length).toBeGreaterThan(15);
    let n = 0;
    for (const f of fixtures) {
      const isDir = statSync(f).isDirectory();
      const cli = verdictOf((await explainPaths([f])).diagnoses);
      if (!isDir) continue;
      // A run id whose record points at the fixture folder, as the run manager writes it.
      const runId = `20261122-0900${String(n).padStart(2, '0')}-abcdef`;
      n++;
      mkdirSync(join(tmp.path, 'runs', runId), { recursive: true });
      writeFileSync(join(tmp.path, 'runs', runId, 'run.json'), JSON.stringify({ runId, runDir: f }));
      const view = verdictOf(await api.explain({ runId }));
      const session = verdictOf((await explainOffThread({ kind: 'folder', dir: f })).diagnoses);
      expect(view, f).toEqual(cli);
      expect(session, f).toEqual(cli);
    }
    expect(n).toBeGreaterThan(4);
  }, 120_000);

  it('`lal explain --json` (the real command) names the same root cause as the run view', async () => {
    const run = join(repoRoot, 'test/fixtures/gpu-h200/crash-rank1');
    const r = await lal(['explain', '--json', run]);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(String(r.stdout)) as { diagnoses: { code: string; rank: number | null }[] };
    tmp = tempDir();
    const runId = '20261122-090000-abcdef';
    mkdirSync(join(tmp.path, 'runs', runId), { recursive: true });
    writeFileSync(join(tmp.path, 'runs', runId, 'run.json'), JSON.stringify({ runId, runDir: run }));
    const view = await explainApi({ dataDir: tmp.path, settings: { get: () => ({ language: 'en' }) } } as unknown as CoreContext).explain({ runId });
    expect(out.diagnoses.map((d) => `${d.code}@${d.rank}`)).toEqual(verdictOf(view));
  }, 60_000);
});
