import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { File } from 'sh-syntax';

/**
 * mvdan/sh (sh-syntax's wasm) on a worker thread. A launch script is untrusted input: parsing it on
 * the main thread would let a hostile one stall the server's event loop (every other request, the
 * SSE stream, a run's teardown). The worker is started on first use and kept (compiling the wasm
 * takes about a second), runs one script at a time with a deadline and a heap limit, and is killed
 * and replaced when a script overruns. It never keeps the process alive while idle.
 */
export type RawParse = { ok: true; file: File } | { ok: false; line: number; message: string; syntax: boolean; deadline?: boolean };

/** Longer than any real script needs (a 256 KB one parses in well under a second). */
export const PARSE_DEADLINE_MS = 10_000;

// Plain CommonJS evaluated in the worker: no TypeScript loader and no separate file to bundle.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { parse } = require(workerData.module);
parentPort.on('message', ({ id, text }) => {
  parse(text, { keepComments: false }).then(
    (file) => parentPort.postMessage({ id, ok: true, file }),
    (e) => parentPort.postMessage({ id, ok: false, syntax: !!(e && typeof e.Text === 'string'), line: (e && e.Pos && e.Pos.Line) || 1, message: String((e && (e.Text || e.message)) || e) }),
  );
});
`;

interface Pending {
  resolve: (r: RawParse) => void;
  timer: NodeJS.Timeout;
  /** The worker that holds this script: a replaced worker's exit must not fail the next one's. */
  worker: Worker;
}

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function modulePath(): string | null {
  try {
    return createRequire(import.meta.url).resolve('sh-syntax');
  } catch {
    return null;
  }
}

function failAll(w: Worker, message: string): void {
  for (const [id, p] of pending) {
    if (p.worker !== w) continue;
    clearTimeout(p.timer);
    p.resolve({ ok: false, line: 1, message, syntax: false });
    pending.delete(id);
  }
}

function start(): Worker | null {
  if (worker) return worker;
  const module = modulePath();
  if (!module) return null;
  const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module }, resourceLimits: { maxOldGenerationSizeMb: 256 } });
  w.on('message', (m: RawParse & { id: number }) => {
    const p = pending.get(m.id);
    if (!p) return;
    clearTimeout(p.timer);
    pending.delete(m.id);
    const { id: _id, ...result } = m;
    p.resolve(result);
    if (![...pending.values()].some((x) => x.worker === w)) w.unref();
  });
  w.on('error', (e) => {
    if (worker === w) worker = null;
    failAll(w, `the shell parser stopped: ${e.message}`);
  });
  w.on('exit', () => {
    if (worker === w) worker = null;
    failAll(w, 'the shell parser stopped');
  });
  w.unref();
  worker = w;
  return w;
}

/** Parse on the worker; null when no worker can be started here (the caller parses in-thread). */
export function parseOnWorker(text: string, deadlineMs = PARSE_DEADLINE_MS): Promise<RawParse> | null {
  const w = start();
  if (!w) return null;
  const id = nextId++;
  return new Promise<RawParse>((resolve) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      resolve({ ok: false, line: 1, message: `reading the script took longer than ${deadlineMs / 1000} s`, syntax: false, deadline: true });
      // A parser stuck on one script is of no use to the next: replace it.
      if (worker === w) worker = null;
      void w.terminate();
    }, deadlineMs);
    pending.set(id, { resolve, timer, worker: w });
    // Keep the process alive while a script is being read, not after.
    w.ref();
    w.postMessage({ id, text });
  });
}

/** Stop the worker (tests; a clean shutdown does not need it, the worker is unref'd when idle). */
export async function stopShWorker(): Promise<void> {
  const w = worker;
  worker = null;
  if (w) await w.terminate();
}
