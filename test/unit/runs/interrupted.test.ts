import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../../shared/run/types';
import { createCore } from '../../../electron/core/app';
import { RunRecords } from '../../../electron/core/runs/records';
import { findLeftovers } from '../../../electron/core/runs/reaper';
import { procStartTimeSync } from '../../../electron/core/runs/proc';
import { newRunId } from '../../../electron/core/runs/run-id';
import { tempDir } from '../../support/temp';

/** A launcher that has come and gone: a real process, finished, so its pid is free (or reused). */
async function deadLauncher(): Promise<{ pid: number; startTime: string | null }> {
  const child = execa('sh', ['-c', 'exit 0'], { reject: false, stdio: 'ignore' });
  const pid = child.pid!;
  const startTime = procStartTimeSync(pid);
  await child;
  return { pid, startTime };
}

function record(dataDir: string, launcherPid: number, launcherStartTime: string | null, status: RunRecord['status'] = 'running'): RunRecord {
  const runId = newRunId();
  return {
    runId,
    spec: { recipe: 'rehearsal', mode: 'single-offload', settings: {} },
    plan: { argv: ['torchrun'], env: {}, cwd: '/' },
    status,
    pid: null,
    pgid: null,
    procStartTime: null,
    launcherPid,
    launcherStartTime,
    startedAt: new Date().toISOString(),
    endedAt: null,
    exitCode: null,
    signal: null,
    runDir: join(dataDir, 'runs', runId),
    peaksMiB: {},
    predictedBytes: {},
    diagnoses: [],
    progress: null,
  };
}

const onDisk = (rec: RunRecord) => JSON.parse(readFileSync(join(rec.runDir, 'run.json'), 'utf8')) as RunRecord;

describe('runs of a launcher that died', () => {
  const dir = tempDir('lal-int-');
  afterAll(() => dir.remove());

  it('the next start marks them interrupted on disk, saying which launcher is gone', async () => {
    const data = join(dir.path, 'a');
    const records = new RunRecords(data);
    const gone = await deadLauncher();
    const orphan = record(data, gone.pid, gone.startTime);
    const stopping = record(data, gone.pid, gone.startTime, 'stopping');
    const finished = record(data, gone.pid, gone.startTime, 'succeeded');
    const mine = record(data, process.pid, procStartTimeSync(process.pid));
    for (const r of [orphan, stopping, finished, mine]) records.register(r);

    // Starting core (serve, the app, any lal command) reads the records once.
    const core = createCore({ transport: 'in-process', dataDir: data, nvidiaSmi: '/nonexistent' });
    try {
      for (const r of [orphan, stopping]) {
        const saved = onDisk(r);
        expect(saved.status).toBe('interrupted');
        expect(saved.endedAt).not.toBeNull();
        expect(saved.interruption).toMatchObject({ reason: 'launcher-gone', launcherPid: gone.pid, detectedByPid: process.pid });
      }
      expect(onDisk(finished).status).toBe('succeeded');
      expect(onDisk(mine).status).toBe('running');
      expect((await core.api.getRun({ runId: orphan.runId })).record.status).toBe('interrupted');
      const listed = await core.api.listRuns(undefined);
      expect(listed.find((r) => r.runId === orphan.runId)?.status).toBe('interrupted');
    } finally {
      await core.dispose();
    }
  });

  it('a live pid with another start time is not the launcher (pids are reused)', () => {
    const data = join(dir.path, 'b');
    const records = new RunRecords(data);
    const reused = record(data, process.pid, '1');
    records.register(reused);
    expect(records.get(reused.runId)?.status).toBe('interrupted');
  });

  it('the leftover scan marks an interrupted run with no process left, and skips it after', async () => {
    const data = join(dir.path, 'c');
    const records = new RunRecords(data);
    const gone = await deadLauncher();
    const orphan = record(data, gone.pid, gone.startTime);
    records.register(orphan);
    expect(await findLeftovers(records, new Set())).toEqual([]);
    expect(onDisk(orphan).interruption?.noProcessesLeft).toBe(true);
    expect(onDisk(orphan).status).toBe('interrupted');
  });
});
