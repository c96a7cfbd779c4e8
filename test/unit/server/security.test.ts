import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCore, type Core } from '../../../electron/core/app';
import { startServer, ServerRefused, type RunningServer } from '../../../electron/server/server';
import { hostHeaderOk, isLoopback, parseHostHeader } from '../../../electron/server/loopback';
import { tokenProblem } from '../../../electron/server/token';
import { rawGet, rawRequest } from '../../support/raw-http';
import { tempDir } from '../../support/temp';

/** A request with any Host and Origin (fetch will not let a test forge Host). */
function send(port: number, path: string, headers: Record<string, string>, body = '{}'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

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
    await core.dispose();
    dir.remove();
  });

  const post = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
  const alive = async () => expect((await post('/api/appInfo', { authorization: `Bearer ${server.token}` })).status).toBe(200);

  it('binds to 127.0.0.1 and prints a URL carrying a 256-bit random token', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
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
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    const same = await post('/api/appInfo', { authorization: `Bearer ${server.token}`, origin: base });
    expect(same.status).toBe(200);
    const nullOrigin = await post('/api/appInfo', { authorization: `Bearer ${server.token}`, origin: 'null' });
    expect(nullOrigin.status).toBe(403);
  });

  // Issue 14: with the token, Host and Origin `attacker.example:PORT` got 200 (DNS rebinding).
  it('refuses a rebinding Host (and its matching Origin) even with the token', async () => {
    const evil = `attacker.example:${server.port}`;
    const r = await send(server.port, '/api/appInfo', { host: evil, origin: `http://${evil}`, authorization: `Bearer ${server.token}` });
    expect(r.status).toBe(421);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    // Static files too: a rebinding page must not read the app either.
    expect((await rawGet(server.port, '/', { host: evil })).status).toBe(421);
    // Another port on loopback is a different origin, not us.
    expect((await send(server.port, '/api/appInfo', { host: `127.0.0.1:${server.port + 1}`, authorization: `Bearer ${server.token}` })).status).toBe(421);
    // A name that merely starts with 127.
    expect((await send(server.port, '/api/appInfo', { host: `127.0.0.1.attacker.example:${server.port}`, authorization: `Bearer ${server.token}` })).status).toBe(421);
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, `[::1]:${server.port}`, `LOCALHOST:${server.port}`]) {
      expect((await send(server.port, '/api/appInfo', { host, authorization: `Bearer ${server.token}` })).status, host).toBe(200);
    }
  });

  it('refuses a request without a Host', async () => {
    const r = await rawRequest(server.port, 'GET / HTTP/1.0\r\n\r\n');
    expect(r.status).toBe(421);
  });

  // Issue 14: `GET /%ff` with no token made `lal serve` exit.
  it('answers 400 to a path that is not valid percent-encoding, and keeps serving', async () => {
    for (const target of ['/%ff', '/%', '/%E0%A4%A', '/api/%ff', '/a%00b']) {
      const r = await rawGet(server.port, target);
      expect([400, 401, 404], target).toContain(r.status);
    }
    expect((await rawGet(server.port, '/%ff')).status).toBe(400);
    await alive();
  });

  it('answers 4xx to request targets and lines that are not origin-form HTTP', async () => {
    expect((await rawGet(server.port, '*')).status).toBe(400);
    expect((await rawGet(server.port, 'http://attacker.example/')).status).toBe(400);
    expect((await rawGet(server.port, '//attacker.example/x')).status).toBe(400);
    expect((await rawRequest(server.port, 'GARBAGE\r\n\r\n')).status).toBe(400);
    expect((await rawRequest(server.port, 'GET / HTTP/9.9\r\nhost: x\r\n\r\n')).status).toBeGreaterThanOrEqual(400);
    expect((await rawRequest(server.port, Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]))).status).toBe(400);
    await alive();
  });

  it('answers 431 to headers over the limit and 413 to a body over the limit', async () => {
    const big = await rawGet(server.port, '/', { 'x-big': 'a'.repeat(64 * 1024) });
    expect(big.status).toBe(431);
    const declared = await rawRequest(
      server.port,
      `POST /api/previewImport HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\nauthorization: Bearer ${server.token}\r\ncontent-length: 999999999\r\n\r\n{`,
    );
    expect(declared.status).toBe(413);
    const chunked = await send(server.port, '/api/previewImport', { authorization: `Bearer ${server.token}` }, 'x'.repeat(13 * 1024 * 1024)).catch(() => ({ status: 413, body: '' }));
    expect(chunked.status).toBe(413);
    await alive();
  });

  it('drops an SSE client that stops reading instead of queueing events for it without bound', async () => {
    const sock = connect({ host: '127.0.0.1', port: server.port });
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write(`GET /api/events HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\nauthorization: Bearer ${server.token}\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 200));
    sock.pause();
    const big = 'x'.repeat(10_000);
    // 30 MB of events to a client that reads nothing; a throwing write must not reach the emitter either.
    for (let i = 0; i < 3000; i++) core.events.emit('runsChanged', { runId: big });
    let received = 0;
    const closed = new Promise<void>((r) => sock.once('close', () => r()));
    sock.on('data', (b: Buffer) => (received += b.length));
    sock.on('error', () => undefined);
    sock.resume();
    await closed;
    expect(received).toBeLessThan(3000 * 10_000);
    await alive();
  });

  it('answers 400 with the envelope to a body that is not JSON', async () => {
    const r = await send(server.port, '/api/appInfo', { authorization: `Bearer ${server.token}` }, '{not json');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ ok: false, error: { code: 'BAD_INPUT', message: 'body is not valid JSON' } });
  });

  it('answers 404 for a method the contract does not declare, 405 for GET on a method', async () => {
    expect((await post('/api/rmRf', { authorization: `Bearer ${server.token}` })).status).toBe(404);
    expect((await post('/api/__proto__', { authorization: `Bearer ${server.token}` })).status).toBe(404);
    expect((await fetch(`${base}/api/appInfo`, { headers: { authorization: `Bearer ${server.token}` } })).status).toBe(405);
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
    await expect(startServer(core, { host: '127.0.0.1.nip.io', port: 0, rendererDir: dir.path })).rejects.toThrow(/allow-remote/);
  });

  // Issue 14: `--token a` was accepted.
  it('refuses a chosen token under 128 bits', async () => {
    for (const token of ['a', 'short-token', 'a'.repeat(64), 'has spaces in it and is long enough']) {
      const err = await startServer(core, { port: 0, rendererDir: dir.path, token }).then(() => null, (e: unknown) => e);
      expect(err, token).toBeInstanceOf(ServerRefused);
    }
    const good = await startServer(core, { port: 0, rendererDir: dir.path, token: '0123456789abcdef0123456789abcdef' });
    expect(good.token).toBe('0123456789abcdef0123456789abcdef');
    await good.close();
  });
});

describe('loopback by address, not by text', () => {
  it('knows 127.0.0.0/8, ::1 in any spelling and IPv4-mapped loopback', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::ffff:7f00:1', 'localhost', 'LocalHost']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['127.evil.example', '127.0.0.1.nip.io', '128.0.0.1', '0.0.0.0', '::', '::ffff:10.0.0.1', '10.0.0.1', 'localhost.', 'attacker.example', '']) expect(isLoopback(h), h).toBe(false);
  });

  it('parses Host headers and checks the port', () => {
    expect(parseHostHeader('[::1]:8080')).toEqual({ hostname: '::1', port: 8080 });
    expect(parseHostHeader('localhost')).toEqual({ hostname: 'localhost', port: null });
    expect(parseHostHeader('a:b:c')).toBeNull();
    expect(parseHostHeader('x:99999')).toBeNull();
    expect(parseHostHeader('user@127.0.0.1:80')).toBeNull();
    expect(hostHeaderOk('127.0.0.1:5000', 5000)).toBe(true);
    expect(hostHeaderOk('127.0.0.1', 5000)).toBe(false);
    expect(hostHeaderOk('localhost', 80)).toBe(true);
    expect(hostHeaderOk(undefined, 5000)).toBe(false);
  });

  it('rates tokens', () => {
    expect(tokenProblem('a')).toBe('short');
    expect(tokenProblem('ab'.repeat(20))).toBe('weak');
    expect(tokenProblem('0123456789abcdef0123456789abcdef')).toBeNull();
    expect(tokenProblem('0123456789abcdef012345/789abcdef')).toBe('charset');
  });
});
