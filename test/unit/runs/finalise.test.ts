import { describe, expect, it } from 'vitest';
import { decideEnding, diagnoseRunFolder, finalRecord, workerList } from '../../../electron/core/runs/finalise';
import type { ExplainReport } from '../../../electron/core/explain/index';
import type { RunRecord, TeardownReport } from '../../../shared/run/types';

const none = () => false;
const yes = () => true;

describe('finalise: the end status', () => {
  it('a user or shutdown stop is stopped whatever the exit code, and nothing is explained', () => {
    for (const stopReason of ['user', 'shutdown'] as const) {
      expect(decideEnding({ stopReason, exitCode: 1, saveFile: '/o.mp4', companionStartFailed: false, outputOk: none })).toEqual({ status: 'stopped', diagnoses: [], explain: false });
    }
  });

  it('a stall stop is a failure the stall rule already worded: no explainer pass', () => {
    expect(decideEnding({ stopReason: 'stall', exitCode: null, saveFile: null, companionStartFailed: false })).toEqual({ status: 'failed', diagnoses: [], explain: false });
  });

  it('exit 0 with its output is a success; non-zero is a failure the explainer reads', () => {
    expect(decideEnding({ stopReason: null, exitCode: 0, saveFile: '/o.mp4', companionStartFailed: false, outputOk: yes })).toEqual({ status: 'succeeded', diagnoses: [], explain: false });
    expect(decideEnding({ stopReason: null, exitCode: 1, saveFile: '/o.mp4', companionStartFailed: false, outputOk: yes })).toEqual({ status: 'failed', diagnoses: [], explain: true });
  });

  it('exit 0 without the output file fails with OUTPUT_MISSING naming the file, and is explained', () => {
    const e = decideEnding({ stopReason: null, exitCode: 0, saveFile: '/runs/x/output.mp4', companionStartFailed: false, outputOk: none });
    expect(e.status).toBe('failed');
    expect(e.diagnoses).toEqual([{ code: 'OUTPUT_MISSING', rank: null, evidence: null, fields: { file: '/runs/x/output.mp4' } }]);
    expect(e.explain).toBe(true);
  });

  it('a run without a save file succeeds on exit 0 without looking for one', () => {
    expect(decideEnding({ stopReason: null, exitCode: 0, saveFile: undefined, companionStartFailed: false, outputOk: () => { throw new Error('not asked'); } }).status).toBe('succeeded');
  });

  it('companions that never started: failed, but their own diagnosis stands alone', () => {
    expect(decideEnding({ stopReason: null, exitCode: null, saveFile: null, companionStartFailed: true }).explain).toBe(false);
  });
});

describe('finalise: diagnoses from the run folder', () => {
  it('passes the folder and exit times, and appends the root exit card after the explainer findings', async () => {
    let asked: unknown = null;
    const report = {
      diagnoses: [{ code: 'CUDA_OOM', rank: 2, evidence: null, fields: {} }],
      rootExit: { rank: 2, exitCode: 1, pid: 42, errorFile: null, source: '/runs/a/console.log', line: 7, text: 'exitcode: 1', rootCause: true },
    } as unknown as ExplainReport;
    const out = await diagnoseRunFolder('/runs/a', [[2, 1000]], [2, 0, 1], async (job) => {
      asked = job;
      return report;
    });
    expect(asked).toEqual({ kind: 'folder', dir: '/runs/a', exitTimes: [[2, 1000]], progressOrder: [2, 0, 1] });
    expect(out.map((d) => d.code)).toEqual(['CUDA_OOM', 'RANK_EXIT']);
  });

  it('an explainer that throws leaves no diagnoses rather than failing the bookkeeping', async () => {
    await expect(diagnoseRunFolder('/runs/a', [], [], async () => { throw new Error('unreadable'); })).resolves.toEqual([]);
  });
});

describe('finalise: the last record', () => {
  it('lists workers in rank order with exit times where seen, and stamps the end', () => {
    const workers = new Map([[1, { pid: 11, startTime: 's1' }], [0, { pid: 10, startTime: null }]]);
    const list = workerList(workers, new Map([[1, 5000]]));
    expect(list).toEqual([{ rank: 0, pid: 10, startTime: null }, { rank: 1, pid: 11, startTime: 's1', exitedAtMs: 5000 }]);
    const rec = { runId: 'r', status: 'running', endedAt: null, diagnoses: [] } as unknown as RunRecord;
    const teardown = { steps: [] } as unknown as TeardownReport;
    const end = finalRecord(rec, { status: 'failed', exitCode: 3, signal: null, teardown, workers: list }, new Date('2026-12-06T21:00:00Z'));
    expect(end).toMatchObject({ runId: 'r', status: 'failed', exitCode: 3, signal: null, endedAt: '2026-12-06T21:00:00.000Z', teardown, workers: list });
    expect(rec.status).toBe('running');
  });
});
