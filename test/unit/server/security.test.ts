import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCore, type Core } from '../../../electron/core/app';
import { startServer, type RunningServer } from '../../../electron/server/server';
import { tempDir } from '../../support/temp';

describe('loopback server security', () => {
  let core: Core;
  let server: RunningServer;
  let base: string;
  const dir = tempDir();

  beforeAll(async () => {
    const renderer = join(dir.path, 'renderer');
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>x</title>');
    core = createCore({ transport: 'http', dataDir: join(dir.path, 'data'), nvidiaSmi: '/nonexistent' });
    server = await startServer(core, { port: 0, rendererDir: renderer });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server.close();
    dir.remove();
  });

  const post = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });

  it('binds to 127.0.0.1 and prints a URL carrying the token', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('answers 401 without the token, or with a wrong one', async () => {
    expect((await post('/api/appInfo')).status).toBe(401);
    expect((await post('/api/appInfo', { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await fetch(`${base}/api/events`)).status).toBe(401);
  });

  it('accepts the token as a bearer header or as ?token=', async () => {
    const a = await post('/api/appInfo', { authorization: `Bearer ${server.token}` });
    expect(a.status).toBe(200);
    expect(((await a.json()) as { ok: boolean }).ok).toBe(true);
    const b = await post(`/api/appInfo?token=${server.token}`);
    expect(b.status).toBe(200);
  });

  it('answers 403 to a foreign Origin even with the token', async () => {
    const res = await post('/api/appInfo', { authorization: `Bearer ${server.token}`, origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    const same = await post('/api/appInfo', { authorization: `Bearer ${server.token}`, origin: base });
    expect(same.status).toBe(200);
  });

  it('answers 404 for a method the contract does not declare', async () => {
    const res = await post('/api/rmRf', { authorization: `Bearer ${server.token}` });
    expect(res.status).toBe(404);
  });

  it('serves the renderer with a strict CSP and refuses path traversal', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const trav = await fetch(`${base}/..%2f..%2fetc%2fpasswd`);
    expect(await trav.text()).not.toContain('root:');
  });

  it('refuses a non-loopback address unless allowRemote is given', async () => {
    await expect(startServer(core, { host: '0.0.0.0', port: 0, rendererDir: dir.path })).rejects.toThrow(/allow-remote/);
  });
});
