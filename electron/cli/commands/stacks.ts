import type { Command } from 'commander';
import { EXIT, printJson, type GlobalOptions, type RunAction } from '../output';
import { cliCore } from '../core';
import { systemLang } from '../i18n';
import type { Lang } from '../../../shared/i18n';
import { translate } from '../../../shared/i18n/translate';
import { describeFlight, describeRank } from '../../../shared/stacks/explain';
import type { StacksReport } from '../../../shared/stacks/types';

/**
 * `lal runs stacks RUN_ID`: "Where is it now?" from a terminal (issue 22). Every rank of a running
 * run dumps its Python stacks (SIGUSR1 → faulthandler, see resources/stacks/README.md); prints one
 * line per rank, the sentence of the stall card, and the folder with the full dumps. `--json`: the
 * whole report. Works for a run started by any launcher on this machine.
 */
export function registerStacks(program: Command, run: RunAction): void {
  const runs = program.commands.find((c) => c.name() === 'runs') ?? program.command('runs');
  runs
    .command('stacks')
    .description('where is each rank of a running run now: Python stacks and the collective it waits on')
    .argument('<runId>', 'the run id (see `lal runs`)')
    .option('--lang <lang>', 'language: en or zh')
    .action((runId: string, opts: { lang?: string }) => run((g) => stacksCommand(g, runId, opts)));
}

function langOf(g: GlobalOptions, opts: { lang?: string }): Lang {
  const l = opts.lang ?? g.lang;
  if (l === undefined) return systemLang();
  return /^zh/i.test(l) ? 'zh-CN' : 'en';
}

export function renderStacks(runId: string, rep: StacksReport, lang: Lang): string {
  const t = (key: string, vars: Record<string, string | number>) => translate('stacks', key, vars, lang);
  const out = [t('cli.header', { runId, count: rep.ranks.length, ms: rep.dumpMs }), t('cli.where', { summary: lang === 'zh-CN' ? rep.summary.zh : rep.summary.en })];
  for (const r of rep.ranks) out.push(`  rank ${r.rank}${r.pid !== null ? ` (pid ${r.pid})` : ''}: ${describeRank(r, lang)}`);
  for (const f of rep.flight) out.push(`  ${describeFlight(f, lang)}`);
  out.push(t('cli.folder', { folder: rep.folder }));
  return out.join('\n') + '\n';
}

async function stacksCommand(g: GlobalOptions, runId: string, opts: { lang?: string }): Promise<number> {
  const lang = langOf(g, opts);
  const core = cliCore(g);
  try {
    const rep = await core.api.dumpStacks({ runId });
    if (g.json) printJson(rep);
    else process.stdout.write(renderStacks(runId, rep, lang));
    return EXIT.OK;
  } finally {
    await core.dispose();
  }
}
