import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ApiFailure, type ApiError } from '../../../shared/api/result';
import type { ExplainReport } from './index';
import { runJob, type ExplainJob } from './job';

/**
 * Explaining off the main thread: one long-lived worker thread runs the jobs in turn, so the
 * Electron main process and the HTTP server keep answering while a 100 MB log is matched. The
 * worker is the bundled `explain-worker.mjs` beside this code in a build, or worker.ts from the
 * source tree (through tsx) in development and tests. Where neither can start, the job runs here.
 */
type Reply = { id: number; ok: true; report: ExplainReport } | { id: number; ok: false; error: ApiError } | { ready: true; id?: undefined };

let worker: Worker | null = null;
let ready: Promise<void> | null = null;
let nextId = 1;
const pending = new Map<number, { job: ExplainJob; resolve: (r: ExplainReport) => void; reject: (e: Error) => void }>();
/** Set once the worker said it loaded: a worker that dies before that falls back to this thread. */
let loaded = false;

function workerEntry(): { file: string; eval?: boolean } | null {
  let here: string;
  try {
    here = dirname(fileURLToPath(import.meta.url));
  } catch {
    return null;
  }
  const bundled = join(here, 'explain-worker.mjs');
  if (existsSync(bundled)) return { file: bundled };
  const source = join(here, 'worker.ts');
  if (!existsSync(source)) return null;
  try {
    // The source needs a TypeScript loader in the thread (tsx, a dev dependency), registered
    // inside it: a worker does not take process-wide --import loaders.
    const api = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx')), 'esm', 'api', 'index.mjs')).href;
    const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(source).href)}); });`;
    return { file: code, eval: true };
  } catch {
    return null;
  }
}

function failAll(e: Error): void {
  const jobs = [...pending.values()];
  pending.clear();
  const neverLoaded = !loaded;
  worker = null;
  ready = null;
  loaded = false;
  // A worker that could not even load (no TypeScript loader, a broken bundle): do the jobs here.
  for (const p of jobs) {
    if (neverLoaded) runJob(p.job).then(p.resolve, p.reject);
    else p.reject(e);
  }
}

function getWorker(): Worker | null {
  if (worker) return worker;
  const entry = workerEntry();
  if (!entry) return null;
  try {
    const w = new Worker(entry.file, { eval: entry.eval ?? false });
    let markReady: () => void = () => undefined;
    ready = new Promise<void>((r) => (markReady = r));
    w.on('message', (m: Reply) => {
      if ('ready' in m) {
        loaded = true;
        return markReady();
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.report);
      else p.reject(new ApiFailure(m.error));
      if (!pending.size) w.unref();
    });
    w.on('error', (e) => failAll(e));
    w.on('exit', (code) => {
      if (worker === w) failAll(new Error(`explain worker exited with code ${code}`));
    });
    w.unref();
    worker = w;
    return w;
  } catch {
    return null;
  }
}

/** Run one explain job on the worker thread (in this thread when no worker can start). */
export function explainOffThread(job: ExplainJob): Promise<ExplainReport> {
  const w = getWorker();
  if (!w) return runJob(job);
  const id = nextId++;
  const started = ready ?? Promise.resolve();
  return new Promise<ExplainReport>((resolve, reject) => {
    pending.set(id, { job, resolve, reject });
    // Referenced while a job is in flight, so a CLI waiting on it does not exit early.
    w.ref();
    void started.then(() => w.postMessage({ id, job }));
  });
}

/** The worker thread's id while one is running (null: jobs run in the caller's thread). */
export function explainWorkerThreadId(): number | null {
  return worker?.threadId ?? null;
}

/** Stop the worker (tests, shutdown). The next job starts a fresh one. */
export async function stopExplainWorker(): Promise<void> {
  const w = worker;
  worker = null;
  ready = null;
  loaded = false;
  if (w) await w.terminate();
}
