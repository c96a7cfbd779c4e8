import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { runsApi } from '../../../electron/core/runs/api';
import { pidsWithRunId, procStartTimeSync } from '../../../electron/core/runs/proc';
import { tempDir, repoRoot } from '../../support/temp';
import { tinyContext } from '../run/tiny-recipe';
import { expectNoProcesses, requireTorch, sleep } from '../run/support';

/** A launcher SIGKILLed mid-run leaves its caption/VAE server beside the ranks: the next one finds and stops both. */
describe('the reaper knows companion services', () => {
  const dir = tempDir('lal-svreap-');
  beforeAll(() => requireTorch());
  afterAll(() => dir.remove());

  it('finds the server (proven: pid + start time + run id) with the ranks, and reaps them all', async () => {
    const child = execa('node', ['--import', 'tsx', `${repoRoot}/test/integration/stepvideo/fixtures/launch-stepvideo.ts`, dir.path, `${repoRoot}/resources`], {
      cwd: repoRoot,
      // Without pdeathsig, so the run outlives its launcher as after a crash on a box without setpriv.
      env: { LAL_NO_PDEATHSIG: '1', ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent-electron-dist' },
      reject: false,
      buffer: false,
    });
    const runId = await new Promise<string>((resolve, reject) => {
      let text = '';
      const t = setTimeout(() => reject(new Error(`launcher printed no run id and progress: ${text}`)), 120_000);
      child.stdout!.on('data', (b: Buffer) => {
        text += b.toString();
        const m = /"runId":"([^"]+)"/.exec(text);
        if (m && text.includes('"event":"progress"')) {
          clearTimeout(t);
          resolve(m[1]);
        }
      });
    });
    child.kill('SIGKILL');
    await child;
    await sleep(500);

    const ctx = tinyContext(dir.path, `${repoRoot}/resources`);
    const api = runsApi(ctx);
    const { record } = await api.getRun({ runId });
    const server = record.companions?.[0];
    expect(server?.state).toBe('ready');
    expect(server?.startTime).toBe(procStartTimeSync(server!.pid!));
    const left = (await api.findLeftovers(undefined as never)).find((l) => l.runId === runId);
    expect(left?.pids).toContain(server!.pid);
    expect((await api.reapLeftovers({})).stopped).toContain(runId);
    await sleep(300);
    expect(await pidsWithRunId(runId)).toEqual([]);
    await expectNoProcesses(runId);
    await api.dispose();
  }, 180_000);
});
