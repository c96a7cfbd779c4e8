import { parentPort } from 'node:worker_threads';
import { ApiFailure } from '../../../shared/api/result';
import { runJob, type ExplainJob } from './job';

/**
 * The worker thread's side (pool.ts starts it): one job per message, the report or the error back.
 * Matching a 100 MB log takes a CPU core for a while; here it never holds up Electron's main
 * process or the HTTP server's event loop.
 */
parentPort?.on('message', (msg: { id: number; job: ExplainJob }) => {
  runJob(msg.job).then(
    (report) => parentPort?.postMessage({ id: msg.id, ok: true, report }),
    (e: unknown) => {
      const error = e instanceof ApiFailure ? e.error : { code: 'INTERNAL' as const, message: e instanceof Error ? e.message : String(e) };
      parentPort?.postMessage({ id: msg.id, ok: false, error });
    },
  );
});

// Jobs are posted only after this: a worker loaded through a TypeScript loader takes a moment.
parentPort?.postMessage({ ready: true });
