import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { methodNames } from '../../../shared/api/contract';
import { createCore, type Core } from '../../../electron/core/app';
import { startServer, type RunningServer } from '../../../electron/server/server';
import { rawRequest } from '../../support/raw-http';
import { tempDir } from '../../support/temp';

/**
 * Hostile bytes against a real server on 127.0.0.1 (any local process or web page can send these):
 * request lines, targets, headers and bodies drawn by fast-check. The server must answer every one
 * with a status below 500 or close the connection, never die, and its memory must stay bounded.
 *
 * Memory: process.memoryUsage() of this process (the server runs in it) after a warm-up batch and
 * again after a second, larger batch of the same mix, each read after the event loop settled; the
 * growth must stay under MAX_GROWTH. A leak per request (a listener, a buffered body, an SSE client
 * that is never dropped) grows with the request count and fails this.
 */
const MAX_GROWTH = 64 * 1024 * 1024;
const methods = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'GéT', ''];
const noFraming = (name: string) => !/^(content-length|transfer-encoding|expect|connection|upgrade)$/i.test(name.trim());

describe('server fuzz (bounded)', () => {
  let core: Core;
  let server: RunningServer;
  const dir = tempDir();

  beforeAll(async () => {
    const renderer = join(dir.path, 'renderer');
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>x</title>');
    core = createCore({ transport: 'http', dataDir: join(dir.path, 'data'), nvidiaSmi: '/nonexistent' });
    server = await startServer(core, { port: 0, rendererDir: renderer });
  });
  afterAll(async () => {
    await server.close();
    await core.dispose();
    dir.remove();
  });

  // `{PORT}` becomes the server's port when the request is sent (it is not known before beforeAll).
  const hostArb = fc.oneof(
    fc.constantFrom('127.0.0.1:{PORT}', 'localhost:{PORT}', '[::1]:{PORT}', 'attacker.example:{PORT}', '127.0.0.1.attacker.example:{PORT}'),
    fc.string({ maxLength: 40 }),
  );
  const targetArb = fc.oneof(
    fc.string({ maxLength: 60 }).map((s) => `/${s}`),
    fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 12 }).map((bytes) => '/' + bytes.map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
    fc.constantFrom(...methodNames, 'events', 'nope', '__proto__', 'constructor', '%ff', '').map((m) => `/api/${m}`),
    fc.constantFrom('*', 'http://attacker.example/', '//x', '/%', '/%ff', '/a%00b', '/..%2f..%2fetc%2fpasswd', '/?token=%ff', '/' + 'a'.repeat(9000)),
    fc.string({ maxLength: 30, unit: 'binary' }),
  );
  const headerArb = fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom('origin', 'authorization', 'cookie', 'x-forwarded-for', 'accept', 'content-type', 'host'), fc.string({ minLength: 1, maxLength: 20 })).filter(noFraming),
      fc.oneof(fc.string({ maxLength: 80 }), fc.string({ maxLength: 40, unit: 'binary' }), fc.constantFrom('http://attacker.example', 'null', 'Bearer ', 'Bearer x')),
    ),
    { maxLength: 6 },
  );
  const bodyArb = fc.oneof(fc.constant(''), fc.json({ maxDepth: 3 }), fc.string({ maxLength: 200 }), fc.string({ maxLength: 100, unit: 'binary' }));

  const requestArb = fc.record({ method: fc.constantFrom(...methods), target: targetArb, host: fc.option(hostArb, { nil: undefined }), headers: headerArb, body: bodyArb, token: fc.boolean() });
  type Req = typeof requestArb extends fc.Arbitrary<infer R> ? R : never;

  const bytesOf = (r: Req): Buffer => {
    const lines = [`${r.method} ${r.target} HTTP/1.1`];
    if (r.host !== undefined) lines.push(`host: ${r.host.replace('{PORT}', String(server.port))}`);
    if (r.token) lines.push(`authorization: Bearer ${server.token}`);
    for (const [k, v] of r.headers) lines.push(`${k}: ${v}`);
    const body = Buffer.from(r.body, 'utf8');
    lines.push(`content-length: ${body.length}`, 'connection: close');
    return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body]);
  };

  let answered = 0;
  let closed = 0;
  const fire = async (r: Req) => {
    const a = await rawRequest(server.port, bytesOf(r), 3000);
    if (a.status === 0) closed++;
    else answered++;
    expect(a.status, `${r.method} ${JSON.stringify(r.target).slice(0, 80)} → ${a.status}`).toBeLessThan(500);
  };

  const alive = async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/appInfo`, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${server.token}` } });
    expect(res.status).toBe(200);
  };

  const settle = async () => {
    await new Promise((r) => setTimeout(r, 200));
    (globalThis as { gc?: () => void }).gc?.();
    return process.memoryUsage();
  };

  it('answers every drawn request below 500 and keeps serving; memory stays bounded', { timeout: 240_000 }, async () => {
    // Warm-up: JIT, module caches, the first detect of each method.
    await fc.assert(fc.asyncProperty(requestArb, fire), { numRuns: 300, seed: 14 });
    await alive();
    const before = await settle();

    await fc.assert(fc.asyncProperty(requestArb, fire), { numRuns: 1500, seed: 1414 });
    // Oversized ones too: declared and streamed bodies over the cap, headers over the limit.
    for (let i = 0; i < 20; i++) {
      await rawRequest(server.port, `POST /api/previewImport HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\nauthorization: Bearer ${server.token}\r\ncontent-length: 99999999\r\n\r\n`);
      await rawRequest(server.port, `GET / HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\nx: ${'a'.repeat(40_000)}\r\n\r\n`);
    }
    await alive();
    const after = await settle();

    const growth = after.rss - before.rss;
    console.log(`fuzz: ${answered} answered, ${closed} closed without a status; rss ${(before.rss / 2 ** 20).toFixed(1)} → ${(after.rss / 2 ** 20).toFixed(1)} MiB, heapUsed ${(before.heapUsed / 2 ** 20).toFixed(1)} → ${(after.heapUsed / 2 ** 20).toFixed(1)} MiB`);
    expect(growth).toBeLessThan(MAX_GROWTH);
    expect(after.heapUsed - before.heapUsed).toBeLessThan(MAX_GROWTH);
    expect(answered).toBeGreaterThan(1000);
  });
});
