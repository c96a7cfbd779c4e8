import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { repoRoot, tempDir } from '../../support/temp';
import { pidsWithRunId } from '../../../electron/core/runs/proc';
import type { RunRecord } from '../../../shared/run/types';
import { SSH_CONFIG, namespacesUsable, netnsDown, netnsUp } from './netns';

/**
 * `lal runs --reap` reaches nodes (issue 18): a multi-node run whose launcher is gone, with a
 * process of the run still alive on one node, is swept over ssh and marked stopped.
 */
const usable = namespacesUsable();
const title = usable.ok ? 'lal runs --reap on a multi-node run' : `lal runs --reap on a multi-node run — SKIPPED: cannot create network namespaces here (${usable.why})`;

describe.skipIf(!usable.ok)(title, () => {
  const dir = tempDir('lal-reap-nodes-');
  beforeAll(() => netnsUp(2), 60_000);
  afterAll(() => {
    netnsDown();
    dir.remove();
  });

  it('kills what carries the run id on each node and marks the run stopped', async () => {
    const runId = '20260101-000000-abcdef';
    // A leftover on node 1: a process with the run's LAL_RUN_ID and that node's LAL_NODE.
    execaSync('ssh', ['-F', SSH_CONFIG, '-o', 'BatchMode=yes', 'lal-n1', `LAL_RUN_ID=${runId} LAL_NODE=lal-n1 setsid sleep 600 >/dev/null 2>&1 < /dev/null &`]);
    // A decoy on node 0 with the run id but another node's name: not this node's to kill.
    execaSync('ssh', ['-F', SSH_CONFIG, '-o', 'BatchMode=yes', 'lal-n0', `LAL_RUN_ID=${runId} setsid sleep 600 >/dev/null 2>&1 < /dev/null &`]);
    await new Promise((r) => setTimeout(r, 300));
    expect((await pidsWithRunId(runId)).length).toBe(2);
    const runDir = join(dir.path, 'runs', runId);
    mkdirSync(runDir, { recursive: true });
    const rec: Partial<RunRecord> = {
      runId,
      spec: { recipe: 'rehearsal', mode: 'tpp-4gpu', settings: {}, python: '/usr/bin/python3', nodes: [{ host: 'lal-n0' }, { host: 'lal-n1' }] },
      plan: { argv: ['python3'], env: {}, cwd: runDir },
      status: 'running',
      pid: null,
      pgid: null,
      procStartTime: null,
      launcherPid: 999_999_999,
      launcherStartTime: '1',
      startedAt: new Date().toISOString(),
      endedAt: null,
      exitCode: null,
      signal: null,
      runDir,
      peaksMiB: {},
      predictedBytes: {},
      diagnoses: [],
      progress: null,
    };
    writeFileSync(join(runDir, 'run.json'), JSON.stringify(rec));
    // lal in its own PID namespace: the nodes' processes are out of its local sweep's sight, as on other machines.
    const r = await execa('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', 'node', '--import', 'tsx', `${repoRoot}/electron/cli/main.ts`, 'runs', '--reap', '--json'], {
      cwd: repoRoot,
      reject: false,
      timeout: 60_000,
      env: { ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent-electron-dist', LAL_DATA_DIR: dir.path, LAL_SSH_CONFIG: SSH_CONFIG },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const left = await pidsWithRunId(runId);
    expect(left.length).toBe(1); // the decoy without LAL_NODE=lal-n0 is not the run's
    expect((JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunRecord).status).toBe('stopped');
    for (const p of left) process.kill(p, 'SIGKILL');
  });
});
