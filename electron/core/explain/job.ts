import { explainLogs } from '../../../shared/failures/explain';
import { explainPaths, explainRunFolderReport, type ExplainReport } from './index';

/**
 * One explain job as plain data, so it can cross to a worker thread (worker.ts) and back. The same
 * function runs it in the worker or, where no worker can start, in the caller.
 */
export type ExplainJob =
  | { kind: 'text'; text: string }
  | { kind: 'folder'; dir: string; exitTimes?: [number, number][]; progressOrder?: number[] }
  | { kind: 'paths'; paths: string[] };

export async function runJob(job: ExplainJob): Promise<ExplainReport> {
  switch (job.kind) {
    case 'text':
      return { diagnoses: explainLogs([{ name: 'pasted text', text: job.text }]), notes: [], scanned: [{ file: 'pasted text', lines: 0, bytes: job.text.length }], rootExit: null };
    case 'folder':
      return explainRunFolderReport(job.dir, { ...(job.exitTimes ? { exitTimes: new Map(job.exitTimes) } : {}), ...(job.progressOrder ? { progressOrder: job.progressOrder } : {}) });
    case 'paths':
      return explainPaths(job.paths);
  }
}
