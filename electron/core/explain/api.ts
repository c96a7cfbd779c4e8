import type { Api, AppInfo } from '../../../shared/api/contract';
import { ApiFailure } from '../../../shared/api/result';
import type { CoreContext } from '../context';
import { RunRecords } from '../runs/records';
import { RUN_ID_RE } from '../runs/run-id';
import { runDirOf } from './index';
import { isDir } from './files';
import { explainOffThread } from './pool';
import { recordedVerdict } from '../../../shared/failures/diagnosis-schema';

/**
 * The failure explainer over the contract: pasted text, or a run by id. Diagnoses come back
 * without language (the client words them in its own); `lang` is accepted for older clients.
 * The matching runs on a worker thread, so other requests are answered meanwhile. A run the
 * launcher finished keeps the verdict it recorded (one picker, decided once); older runs, or runs
 * with no diagnoses recorded, are explained from their folder with the record's exit times.
 */
/**
 * Explaining files by path reads this machine's disk, so only the in-process client (the CLI, run
 * by the user on their own files) may ask; a client over HTTP or IPC names no paths.
 */
export function explainPathsApi(transport: AppInfo['transport']): Pick<Api, 'explainPaths'> {
  return {
    explainPaths: async ({ paths }) => {
      if (transport !== 'in-process') throw new ApiFailure({ code: 'BAD_INPUT', field: 'paths', message: 'explaining files by path is only for the local command line; send the text or a run id' });
      const { diagnoses, notes, scanned } = await explainOffThread({ kind: 'paths', paths });
      return { diagnoses, notes, scanned };
    },
  };
}

export function explainApi(ctx: CoreContext): Pick<Api, 'explain'> {
  return {
    explain: async ({ text, runId }) => {
      if (text !== undefined && runId !== undefined) throw new ApiFailure({ code: 'BAD_INPUT', field: 'text', message: 'give either text or runId, not both' });
      if (text !== undefined) {
        if (text.includes('\0')) throw new ApiFailure({ code: 'BAD_INPUT', field: 'text', message: 'the text contains binary data, not a log' });
        return (await explainOffThread({ kind: 'text', text })).diagnoses;
      }
      if (runId === undefined) throw new ApiFailure({ code: 'BAD_INPUT', field: 'runId', message: 'give text or runId' });
      if (!RUN_ID_RE.test(runId)) throw new ApiFailure({ code: 'BAD_INPUT', field: 'runId', message: `not a run id: ${runId}` });
      const record = new RunRecords(ctx.dataDir).get(runId);
      // Decided once: a finished run's recorded verdict is the answer, by the same rule as for a folder,
      // so the run view, the record and `lal explain <folder>` agree.
      const recorded = record ? recordedVerdict(record) : null;
      if (recorded) return recorded;
      const dir = await runDirOf(ctx.dataDir, runId, record?.runDir ?? null);
      if (!(await isDir(dir))) throw new ApiFailure({ code: 'NOT_FOUND', field: 'runId', message: `no run folder for ${runId}` });
      return (await explainOffThread({ kind: 'folder', dir })).diagnoses;
    },
  };
}
