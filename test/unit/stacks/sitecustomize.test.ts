import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { catchesSigusr1, dumpStacks } from '../../../electron/core/runs/stacks';
import { isAlive, sleep } from '../../../electron/core/runs/proc';
import { repoRoot, tempDir } from '../../support/temp';

/**
 * resources/stacks/sitecustomize.py in a real interpreter (no torch needed): it registers the
 * handler, chains to the sitecustomize it shadows, never stops Python from starting, and the
 * launcher's dumpStacks signals only processes that carry it.
 */
const PY = '/usr/bin/python3';
const STACKS = join(repoRoot, 'resources', 'stacks');
const SCRIPT = 'import time\ndef deep_wait():\n    time.sleep(30)\ndeep_wait()\n';

describe('sitecustomize and dumpStacks', () => {
  const dir = tempDir('lal-site-');
  const started: { kill: () => void }[] = [];
  afterAll(() => {
    for (const c of started) c.kill();
    dir.remove();
  });

  const spawn = (env: Record<string, string>) => {
    const c = execa(PY, ['-c', SCRIPT], { env, extendEnv: true, reject: false });
    started.push(c);
    return c;
  };
  const waitFor = async (cond: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await cond()); i++) await sleep(50);
  };

  it('a rank dumps its stack on SIGUSR1 into stacks/rank<R>-<pid>.txt and keeps running', async () => {
    const out = join(dir.path, 'run1', 'stacks');
    const c = spawn({ PYTHONPATH: STACKS, LAL_STACKS_DIR: out, RANK: '3' });
    const pid = c.pid!;
    await waitFor(async () => catchesSigusr1(pid));
    expect(await catchesSigusr1(pid)).toBe(true);
    const t0 = Date.now();
    const [d] = await dumpStacks([{ rank: 3, pid }], out);
    const ms = Date.now() - t0;
    expect(d.error).toBeNull();
    expect(d.text).toMatch(/\(most recent call first\):\n {2}File "<string>", line 3 in deep_wait\n {2}File "<string>", line 4 in <module>/);
    expect(ms).toBeLessThan(1000);
    expect(readdirSync(out)).toEqual([`rank3-${pid}.txt`]);
    // A second dump returns only the new text.
    const [again] = await dumpStacks([{ rank: 3, pid }], out);
    expect(again.text!.match(/deep_wait/g)).toHaveLength(1);
    expect(await isAlive(pid)).toBe(true);
  });

  it('never signals a process without our handler (SIGUSR1 would kill it)', async () => {
    const c = spawn({ PYTHONPATH: '', LAL_STACKS_DIR: '' });
    await sleep(300);
    const [d] = await dumpStacks([{ rank: 0, pid: c.pid! }], join(dir.path, 'none'), 500);
    expect(d).toMatchObject({ text: null, error: 'no-handler' });
    expect(await isAlive(c.pid!)).toBe(true);
    const [gone] = await dumpStacks([{ rank: 0, pid: 999_999_999 }], dir.path, 100);
    expect(gone.error).toBe('gone');
  });

  it('chains to the sitecustomize it shadows, and starts Python whatever goes wrong', () => {
    const next = join(dir.path, 'next');
    mkdirSync(next);
    writeFileSync(join(next, 'sitecustomize.py'), 'import os\nNEXT_RAN = True\nopen(os.environ["MARK"], "w").write("ran")\n');
    const mark = join(dir.path, 'mark');
    const r = execaSync(PY, ['-c', 'import sitecustomize, faulthandler; print(sitecustomize.__file__)'], { env: { PYTHONPATH: `${STACKS}:${next}`, LAL_STACKS_DIR: join(dir.path, 's2'), MARK: mark } });
    expect(String(r.stdout)).toBe(join(STACKS, 'sitecustomize.py'));
    expect(readFileSync(mark, 'utf8')).toBe('ran');
    // Unwritable or relative folder, hostile RANK: Python still starts, nothing is written outside.
    writeFileSync(join(dir.path, 'afile'), '');
    for (const env of [{ LAL_STACKS_DIR: join(dir.path, 'afile', 'sub') }, { LAL_STACKS_DIR: 'relative/dir' }, { LAL_STACKS_DIR: join(dir.path, 's3'), RANK: '../../etc/x' }]) {
      const p = execaSync(PY, ['-c', 'print("up")'], { env: { PYTHONPATH: STACKS, ...env }, cwd: dir.path, reject: false });
      expect(p.exitCode).toBe(0);
      expect(String(p.stdout)).toBe('up');
    }
    expect(readdirSync(join(dir.path, 's3'))[0]).toMatch(/^proc-\d+\.txt$/);
    expect(() => readdirSync(join(dir.path, 'relative'))).toThrow();
  });
});
