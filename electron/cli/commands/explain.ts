import type { Command } from 'commander';
import { EXIT, printable, printJson, type GlobalOptions, type RunAction } from '../output';
import { systemLang } from '../i18n';
import { cliCore } from '../core';
import type { PathsExplanation as ExplainReport } from '../../../shared/api/contract';
import { describe } from '../../../shared/failures/describe';
import type { explain as strings } from '../../../shared/i18n/locales/explain';
import { translate } from '../../../shared/i18n/translate';
import type { Diagnosis, FixAction } from '../../../shared/failures/types';
import type { Lang } from '../../../shared/i18n';

/**
 * `lal explain FILE_OR_RUN_FOLDER...`: what failed, on which rank first, and the fix.
 * Exit 0 when it explained something or found nothing wrong (it says which), 2 for bad input
 * (missing path, binary file). `--lang` is accepted here and as the global option.
 */
type Key = keyof typeof strings.en;

function t(lang: Lang, key: Key, vars: Record<string, string | number> = {}): string {
  return translate('explain', key, vars, lang);
}

export function registerExplain(program: Command, run: RunAction): void {
  program
    .command('explain')
    .description('explain the failure in logs or a run folder: root cause, rank, fix (zh/en)')
    .argument('<paths...>', 'log files (combined or per rank) and/or run folders')
    .option('--lang <lang>', 'language of the explanation: en or zh')
    .action((paths: string[], opts: { lang?: string }) => run((g) => explainCommand(g, paths, opts)));
}

function langOf(g: GlobalOptions, opts: { lang?: string }): Lang {
  const l = opts.lang ?? g.lang;
  if (l === undefined) return systemLang();
  return /^zh/i.test(l) ? 'zh-CN' : 'en';
}

async function explainCommand(g: GlobalOptions, paths: string[], opts: { lang?: string }): Promise<number> {
  const lang = langOf(g, opts);
  const core = cliCore(g);
  let rep: ExplainReport;
  try {
    rep = await core.api.explainPaths({ paths });
  } finally {
    await core.dispose();
  }
  if (g.json) {
    printJson({
      diagnoses: rep.diagnoses.map((d) => ({ code: d.code, rank: d.rank, ...describe(d, lang), evidence: d.evidence, fields: d.fields ?? {}, fixes: d.fixes ?? [], consequence: d.consequence ?? false })),
      notes: rep.notes,
      scanned: rep.scanned,
    });
    return EXIT.OK;
  }
  process.stdout.write(printable(renderReport(rep, lang)));
  return EXIT.OK;
}

export function renderReport(rep: ExplainReport, lang: Lang): string {
  const out: string[] = [];
  rep.diagnoses.forEach((d, i) => out.push(card(d, i, lang)));
  if (!rep.diagnoses.length) {
    const lines = rep.scanned.reduce((n, s) => n + s.lines, 0);
    out.push(rep.scanned.some((s) => s.bytes > 0) ? t(lang, 'nothingWrong', { count: rep.scanned.length, lines }) : t(lang, 'nothingRead'));
  }
  for (const n of rep.notes) out.push(`${t(lang, 'note')}: ${n.file}: ${noteText(n.kind, lang)}`);
  return out.join('\n\n') + '\n';
}

function noteText(kind: ExplainReport['notes'][number]['kind'], lang: Lang): string {
  const key: Key = kind === 'empty' ? 'noteEmpty' : kind === 'binary' ? 'noteBinary' : kind === 'long-lines' ? 'noteLongLines' : kind === 'no-logs' ? 'noteNoLogs' : 'noteUnreadable';
  return t(lang, key);
}

function card(d: Diagnosis, i: number, lang: Lang): string {
  const label = i === 0 ? t(lang, 'rootCause') : d.consequence ? t(lang, 'consequence') : t(lang, 'alsoSeen');
  const who = d.rank === null ? t(lang, 'anyRank') : t(lang, 'rank', { rank: d.rank });
  const text = describe(d, lang);
  const lines = [`■ ${label} · ${d.code} · ${who}`, `  ${text.title}`, wrap(text.explanation, '  ')];
  if (d.evidence) lines.push(`  ${t(lang, 'evidence')}: ${d.evidence.file}:${d.evidence.line}`, `    ${d.evidence.text.length > 200 ? d.evidence.text.slice(0, 199) + '…' : d.evidence.text}`);
  lines.push(`  ${t(lang, 'fix')}:`, wrap(text.fix, '    '));
  if (d.fixes?.length) lines.push(`  ${t(lang, 'apply')}: ${d.fixes.map(fixText).join(', ')}`);
  return lines.join('\n');
}

function fixText(f: FixAction): string {
  switch (f.kind) {
    case 'set':
      return f.value === true ? `--${f.key}` : f.value === false ? `no --${f.key}` : `--${f.key} ${f.value}`;
    case 'env':
      return `${f.name}=${f.value}`;
    case 'mode':
      return `mode ${f.mode}`;
    case 'port':
      return 'another port';
  }
}

/** Wrap at ~100 columns on spaces (CJK text has none, so it stays one line and the terminal wraps it). */
function wrap(text: string, indent: string): string {
  const words = text.split(' ');
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur && cur.length + w.length + 1 > 100) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines.map((l) => indent + l).join('\n');
}
