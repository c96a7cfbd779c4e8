import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/app';
import { explainWorkerThreadId, stopExplainWorker } from '../../../electron/core/explain/pool';
import { startServer, type RunningServer } from '../../../electron/server/server';
import { makeExplainLog } from '../../../bench/explain-log';
import { tempDir } from '../../support/temp';

/**
 * Explaining runs on a worker thread: while a 100 MB run folder is explained, the loopback server
 * keeps answering other requests and its event loop keeps ticking.
 */
group('explaining off the main thread', () => {
  const dir = tempDir();
  const runId = '20261122-101010-abcdef';
  let core: Core;
  let server: RunningServer;

  beforeAll(async () => {
    const runDir = join(dir.path, 'data', 'runs', runId);
    mkdirSync(runDir, { recursive: true });
    // 100 MB: varied filler (8 MB drawn once, written 12 times), then a watchdog cascade.
    const filler = makeExplainLog(8 * 1024 * 1024, 11);
    const cut = filler.indexOf('# reconstructed:');
    const noise = Buffer.from(filler.slice(0, cut));
    const fd = openSync(join(runDir, 'console.log'), 'w');
    for (let i = 0; i < 12; i++) writeSync(fd, noise);
    writeSync(fd, Buffer.from(filler.slice(cut)));
    closeSync(fd);
    writeFileSync(join(runDir, 'run.json'), JSON.stringify({ runId, runDir }));
    const renderer = join(dir.path, 'renderer');
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>x</title>');
    core = createCore({ transport: 'http', dataDir: join(dir.path, 'data'), nvidiaSmi: '/nonexistent' });
    server = await startServer(core, { port: 0, rendererDir: renderer });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await core?.dispose();
    await stopExplainWorker();
    dir.remove();
  });

  const call = (method: string, body: unknown) =>
    fetch(`http://127.0.0.1:${server.port}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` }, body: JSON.stringify(body) });

  it('the server answers appInfo while a 100 MB explain runs, and the explain still names the straggler', async () => {
    // Warm the worker so the measured window is the matching, not the thread's start.
    expect((await call('explain', { text: 'warm up' })).status).toBe(200);
    // The matching happens on a worker thread, not on the server's.
    expect(explainWorkerThreadId()).toBeGreaterThan(0);
    let done = false;
    let maxGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 20);
    const t0 = performance.now();
    const explained = call('explain', { runId }).then(async (r) => {
      done = true;
      return { status: r.status, body: (await r.json()) as { ok: boolean; value: { code: string; rank: number | null }[] } };
    });
    const answered: number[] = [];
    while (!done) {
      const s = performance.now();
      const r = await call('appInfo', {});
      expect(r.status).toBe(200);
      await r.json();
      if (!done) answered.push(performance.now() - s);
      await new Promise((res) => setTimeout(res, 25));
    }
    const result = await explained;
    clearInterval(ticker);
    const took = performance.now() - t0;
    expect(result.status).toBe(200);
    expect(result.body.value[0]).toMatchObject({ code: 'NCCL_WATCHDOG_TIMEOUT', rank: 2 });
    // Several answers came back while it ran, each in a fraction of the explain's own time.
    expect(answered.length, `explain took ${took.toFixed(0)} ms`).toBeGreaterThanOrEqual(3);
    expect(Math.max(...answered)).toBeLessThan(Math.max(500, took / 3));
    // The server's event loop never stalled for the length of the explain.
    expect(maxGap).toBeLessThan(Math.max(500, took / 3));
  }, 180_000);
});
