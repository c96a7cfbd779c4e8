import type { Api } from '../../../shared/api/contract';
import { ApiFailure } from '../../../shared/api/result';
import { explainLogs } from '../../../shared/failures/explain';
import type { Lang } from '../../../shared/i18n';
import type { CoreContext } from '../context';
import { RunRecords } from '../runs/records';
import { RUN_ID_RE } from '../runs/run-id';
import { explainRunFolderReport, runDirOf } from './index';
import { isDir } from './files';

/** The failure explainer over the contract: pasted text, or a run by id. */
export function explainApi(ctx: CoreContext): Pick<Api, 'explain'> {
  return {
    explain: async ({ text, runId, lang }) => {
      const settingsLang = ctx.settings.get().language;
      const l: Lang = lang ?? (settingsLang === 'zh-CN' ? 'zh-CN' : 'en');
      if (text !== undefined && runId !== undefined) throw new ApiFailure({ code: 'BAD_INPUT', field: 'text', message: 'give either text or runId, not both' });
      if (text !== undefined) {
        if (text.includes('\0')) throw new ApiFailure({ code: 'BAD_INPUT', field: 'text', message: 'the text contains binary data, not a log' });
        return explainLogs([{ name: 'pasted text', text }], { lang: l });
      }
      if (runId === undefined) throw new ApiFailure({ code: 'BAD_INPUT', field: 'runId', message: 'give text or runId' });
      if (!RUN_ID_RE.test(runId)) throw new ApiFailure({ code: 'BAD_INPUT', field: 'runId', message: `not a run id: ${runId}` });
      const record = new RunRecords(ctx.dataDir).get(runId);
      const dir = await runDirOf(ctx.dataDir, runId, record?.runDir ?? null);
      if (!(await isDir(dir))) throw new ApiFailure({ code: 'NOT_FOUND', field: 'runId', message: `no run folder for ${runId}` });
      return (await explainRunFolderReport(dir, l)).diagnoses;
    },
  };
}
