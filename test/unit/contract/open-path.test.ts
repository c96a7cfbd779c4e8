import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../../shared/run/types';
import { createCore, type NativeCapabilities } from '../../../electron/core/app';
import { RunRecords } from '../../../electron/core/runs/records';
import { newRunId } from '../../../electron/core/runs/run-id';
import { procStartTimeSync } from '../../../electron/core/runs/proc';
import { tempDir } from '../../support/temp';

function finishedRun(dataDir: string, runDir?: string): RunRecord {
  const runId = newRunId();
  return {
    runId, spec: { recipe: 'rehearsal', mode: 'single-offload', settings: {} }, plan: { argv: ['torchrun'], env: {}, cwd: '/' },
    status: 'succeeded', pid: null, pgid: null, procStartTime: null, launcherPid: process.pid, launcherStartTime: procStartTimeSync(process.pid),
    startedAt: new Date().toISOString(), endedAt: new Date().toISOString(), exitCode: 0, signal: null, runDir: runDir ?? join(dataDir, 'runs', runId),
    peaksMiB: {}, predictedBytes: {}, diagnoses: [], progress: null,
  };
}

/** Electron's native capabilities sit behind the contract: validated input, and only a run's own folder. */
describe('pickPath and openPath through core', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());
  const calls: { pick: unknown[]; open: string[] } = { pick: [], open: [] };
  const native: NativeCapabilities = {
    pickPath: async (input) => (calls.pick.push(input), { path: '/picked', supported: true }),
    openFolder: async (path) => (calls.open.push(path), true),
  };
  const core = createCore({ transport: 'electron', dataDir: dir.path, nvidiaSmi: '/nonexistent', native });
  const records = new RunRecords(dir.path);

  it('opens the folder of the run named by id, and nothing else', async () => {
    const run = finishedRun(dir.path);
    records.register(run);
    expect(await core.api.openPath({ runId: run.runId })).toEqual({ opened: true });
    expect(calls.open).toEqual([run.runDir]);
  });

  it('never hands a file to the file manager (it would run it)', async () => {
    const file = join(dir.path, 'evil.desktop');
    writeFileSync(file, '[Desktop Entry]\nExec=sh\n');
    const runDir = join(dir.path, 'elsewhere');
    mkdirSync(runDir);
    const run = finishedRun(dir.path, runDir);
    records.register(run);
    // A run.json rewritten to point its folder at a file.
    writeFileSync(join(runDir, 'run.json'), JSON.stringify({ ...run, runDir: file }));
    calls.open.length = 0;
    const r = await core.api.openPath({ runId: run.runId }).catch((e: unknown) => e);
    expect(calls.open).toEqual([]);
    expect(r).not.toEqual({ opened: true });
  });

  it('refuses a path, an unknown run, and a bad pickPath before any native call', async () => {
    await expect(core.api.openPath({ path: '/etc' } as never)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(core.api.openPath({ runId: 'r-20000101-000000-nope' })).rejects.toMatchObject({ code: 'NOT_FOUND', field: 'runId' });
    await expect(core.api.pickPath({ kind: 'device' } as never)).rejects.toMatchObject({ code: 'BAD_INPUT', field: 'kind' });
    await expect(core.api.pickPath({ kind: 'file', title: 'x'.repeat(500) })).rejects.toMatchObject({ code: 'BAD_INPUT', field: 'title' });
    expect(calls.pick).toEqual([]);
    expect(await core.api.pickPath({ kind: 'folder', title: 'Checkout' })).toEqual({ path: '/picked', supported: true });
    expect(calls.pick).toEqual([{ kind: 'folder', title: 'Checkout' }]);
  });

  it('without Electron: pickPath says unsupported, openPath opens nothing', async () => {
    const plain = createCore({ transport: 'http', dataDir: dir.path, nvidiaSmi: '/nonexistent' });
    const run = finishedRun(dir.path);
    records.register(run);
    expect(await plain.api.pickPath({ kind: 'file' })).toEqual({ path: null, supported: false });
    expect(await plain.api.openPath({ runId: run.runId })).toEqual({ opened: false });
    await plain.dispose();
  });
});
