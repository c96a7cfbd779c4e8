import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { once } from 'node:events';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { RunRecord } from '../../../shared/run/types';
import { RunRecords } from '../../../electron/core/runs/records';
import { newRunId } from '../../../electron/core/runs/run-id';
import { rawGet, rawRequest } from '../../support/raw-http';
import { repoRoot, tempDir } from '../../support/temp';

const STRONG = 'f3a1c9e07b5d4e2a9c8b7a6f5e4d3c2b';
const env = (dataDir: string, extra: Record<string, string> = {}) => ({ LAL_DATA_DIR: dataDir, ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent-electron-dist', LANG: 'C', ...extra });
const lal = (args: string[], dataDir: string, extra: Record<string, string> = {}) =>
  execa('node', ['--import', 'tsx', 'electron/cli/main.ts', ...args], { cwd: repoRoot, env: env(dataDir, extra), reject: false, timeout: 60_000 });

/** Reads the first stdout line (the URL) of a `lal serve` that is meant to start. */
async function firstLine(child: ResultPromise): Promise<string> {
  const rl = createInterface({ input: child.stdout! });
  const [line] = (await once(rl, 'line')) as [string];
  rl.close();
  return line.trim();
}

/** A run record whose launcher is gone: what `kill -9` of a launcher leaves behind. */
async function orphanRun(dataDir: string): Promise<RunRecord> {
  const dead = execa('sh', ['-c', 'exit 0'], { reject: false, stdio: 'ignore' });
  const pid = dead.pid!;
  await dead;
  const runId = newRunId();
  const rec: RunRecord = {
    runId, spec: { recipe: 'rehearsal', mode: 'single-offload', settings: {} }, plan: { argv: ['torchrun'], env: {}, cwd: '/' },
    status: 'running', pid: null, pgid: null, procStartTime: null, launcherPid: pid, launcherStartTime: '1',
    startedAt: new Date().toISOString(), endedAt: null, exitCode: null, signal: null, runDir: join(dataDir, 'runs', runId),
    peaksMiB: {}, predictedBytes: {}, diagnoses: [], progress: null,
  };
  new RunRecords(dataDir).register(rec);
  return rec;
}

/** `lal serve` as a real process: the acceptance points of the headless mode. */
describe('lal serve (real process)', () => {
  const dir = tempDir();
  let child: ResultPromise;
  let url: URL;
  let orphan: RunRecord;

  beforeAll(async () => {
    orphan = await orphanRun(dir.path);
    child = execa('node', ['--import', 'tsx', 'electron/cli/main.ts', 'serve', '--port', '0'], { cwd: repoRoot, env: env(dir.path), reject: false });
    url = new URL(await firstLine(child));
  });
  afterAll(async () => {
    child.kill('SIGTERM');
    await child;
    dir.remove();
  });

  const port = () => Number(url.port);
  const token = () => url.searchParams.get('token')!;
  const stillServing = async () => {
    const res = await fetch(`${url.origin}/api/appInfo`, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${token()}` } });
    expect(res.status).toBe(200);
    expect(child.exitCode ?? null).toBeNull();
  };

  it('prints one line with a loopback URL and a 256-bit random token', () => {
    expect(url.hostname).toBe('127.0.0.1');
    expect(port()).toBeGreaterThan(0);
    expect(token()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('answers 401 without the token and 403 for a foreign Origin', async () => {
    const api = `${url.origin}/api/appInfo`;
    expect((await fetch(api, { method: 'POST', body: '{}' })).status).toBe(401);
    const foreign = await fetch(api, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${token()}`, origin: 'https://attacker.example' } });
    expect(foreign.status).toBe(403);
    await stillServing();
  });

  // Issue 14: `GET /%ff` with no token made `lal serve` exit (and every run it started with it).
  it('answers GET /%ff with 400 and keeps running', async () => {
    expect((await rawGet(port(), '/%ff')).status).toBe(400);
    expect((await rawGet(port(), '/api/%ff')).status).toBe(401);
    expect((await rawRequest(port(), 'GET /%ff%fe HTTP/1.1\r\n\r\n')).status).toBeGreaterThanOrEqual(400);
    await stillServing();
  });

  // Issue 14: with the token, Host and Origin `attacker.example:PORT` got 200 (DNS rebinding).
  it('refuses a rebinding Host and Origin even with the token', async () => {
    const evil = `attacker.example:${port()}`;
    const r = await rawRequest(
      port(),
      `POST /api/appInfo HTTP/1.1\r\nhost: ${evil}\r\norigin: http://${evil}\r\nauthorization: Bearer ${token()}\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}`,
    );
    expect(r.status).toBe(421);
    await stillServing();
  });

  it('marked the runs of a launcher that died "interrupted" when it started, saying why', () => {
    const saved = JSON.parse(readFileSync(join(orphan.runDir, 'run.json'), 'utf8')) as RunRecord;
    expect(saved.status).toBe('interrupted');
    expect(saved.interruption).toMatchObject({ reason: 'launcher-gone', launcherPid: orphan.launcherPid });
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

describe('lal serve access tokens', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  // Issue 14: `--token a` was accepted, and a token in argv is readable by every user (ps).
  it('refuses --token in argv, even a strong one, pointing at LAL_TOKEN and --token-file', async () => {
    for (const t of ['a', STRONG]) {
      const r = await lal(['serve', '--port', '0', '--token', t], dir.path);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/LAL_TOKEN/);
      expect(r.stderr).toMatch(/--token-file/);
    }
  });

  it('refuses a short or repetitive token from LAL_TOKEN, in the user\'s language', async () => {
    const short = await lal(['serve', '--port', '0'], dir.path, { LAL_TOKEN: 'a' });
    expect(short.exitCode).toBe(2);
    expect(short.stderr).toMatch(/128 bits/);
    const zh = await lal(['--lang', 'zh-CN', 'serve', '--port', '0'], dir.path, { LAL_TOKEN: 'a'.repeat(40) });
    expect(zh.exitCode).toBe(2);
    expect(zh.stderr).toMatch(/随机/);
  });

  it('takes a strong token from LAL_TOKEN, and never shows it in argv', async () => {
    const child = execa('node', ['--import', 'tsx', 'electron/cli/main.ts', 'serve', '--port', '0', '--json'], { cwd: repoRoot, env: env(dir.path, { LAL_TOKEN: STRONG }), reject: false });
    try {
      const { url } = JSON.parse(await firstLine(child)) as { url: string };
      expect(new URL(url).searchParams.get('token')).toBe(STRONG);
      expect(readFileSync(`/proc/${child.pid}/cmdline`, 'utf8')).not.toContain(STRONG);
      const ok = await fetch(new URL('/api/appInfo', url), { method: 'POST', body: '{}', headers: { authorization: `Bearer ${STRONG}` } });
      expect(ok.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await child;
    }
  });

  it('takes a token from --token-file only when other users cannot read the file', async () => {
    const file = join(dir.path, 'token');
    writeFileSync(file, `${STRONG}\n`);
    chmodSync(file, 0o644);
    const open = await lal(['serve', '--port', '0', '--token-file', file], dir.path);
    expect(open.exitCode).toBe(2);
    expect(open.stderr).toMatch(/chmod 600/);
    chmodSync(file, 0o600);
    const child = execa('node', ['--import', 'tsx', 'electron/cli/main.ts', 'serve', '--port', '0', '--json', '--token-file', file], { cwd: repoRoot, env: env(dir.path), reject: false });
    try {
      const { url } = JSON.parse(await firstLine(child)) as { url: string };
      expect(new URL(url).searchParams.get('token')).toBe(STRONG);
    } finally {
      child.kill('SIGTERM');
      await child;
    }
  });
});
