import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { repoRoot, tempDir } from '../../support/temp';

/** `lal serve` as a real process: the acceptance points of the headless mode. */
describe('lal serve (real process)', () => {
  const dir = tempDir();
  let child: ResultPromise;
  let url: URL;

  beforeAll(async () => {
    child = execa('node', ['--import', 'tsx', 'electron/cli/main.ts', 'serve', '--port', '0'], {
      cwd: repoRoot,
      env: { LAL_DATA_DIR: dir.path, ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent-electron-dist' },
      reject: false,
    });
    const rl = createInterface({ input: child.stdout! });
    const [line] = (await once(rl, 'line')) as [string];
    url = new URL(line.trim());
  });
  afterAll(async () => {
    child.kill('SIGTERM');
    await child;
    dir.remove();
  });

  it('prints one line with a loopback URL and a random token', () => {
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBeGreaterThan(0);
    expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{32,}$/);
  });

  it('answers 401 without the token and 403 for a foreign Origin', async () => {
    const api = `${url.origin}/api/appInfo`;
    expect((await fetch(api, { method: 'POST', body: '{}' })).status).toBe(401);
    const token = url.searchParams.get('token')!;
    const foreign = await fetch(api, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${token}`, origin: 'https://attacker.example' } });
    expect(foreign.status).toBe(403);
    const good = await fetch(api, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${token}` } });
    expect(good.status).toBe(200);
  });

  it('serves the app shell', async () => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root">');
  });

  it('stops cleanly on SIGTERM', async () => {
    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode).toBe(0);
  });
});
