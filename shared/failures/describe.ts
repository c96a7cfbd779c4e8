import type { Lang } from '../i18n';
import { failures } from '../i18n/locales/failures';
import { run } from '../i18n/locales/run';
import { nodes as nodeWords } from '../i18n/locales/nodes';
import { companionText, isCompanionCode } from './companion';
import { renderKey, type Fields } from './template';
import { translate } from '../i18n/translate';

/** A required field the decision did not have shows as '?', never as a raw `{{placeholder}}`. */
const unknown = (text: string): string => text.replace(/\{\{\w+\}\}|\{\w+\}/g, '?');
/** Words under `key` in the failures namespace (catalog prose), optional parts per template.ts. */
const say = (key: string, vars: Fields, lang: Lang): string => unknown(renderKey('failures', key, vars, lang));
import type { Diagnosis, DiagnosisText } from './types';

/**
 * Words for a diagnosis in the reader's language, rendered at the edge (the renderer's failure
 * card, `lal explain`, `lal run`). Diagnoses are decided once without language; this is the only
 * place that turns their code and fields into sentences. Old run records that stored their words
 * (before this) are shown as they were stored, in the reader's language when they kept both.
 */
type Words = (typeof failures)['en'];
type CodeKey = keyof Words['codes'];
type Unit = 'elements' | 'minutes' | 'seconds' | 'milliseconds';

const words = (lang: Lang): Words => (lang === 'zh-CN' ? failures.zh : failures.en) as Words;

export function describe(d: Diagnosis, lang: Lang): DiagnosisText {
  if (d.title !== undefined) {
    const stored = d.texts?.[lang];
    return stored ?? { title: d.title, explanation: d.explanation ?? '', fix: d.fix ?? '' };
  }
  if (d.code === 'RANK_EXIT' || d.code === 'OUTPUT_MISSING') return runManagerText(d, lang);
  if (d.code in nodeWords.en.codes) return nodeText(d, lang);
  if (isCompanionCode(d.code)) return companionText(d, lang, varsOf(d, lang, {}));
  const known = d.code in failures.en.codes;
  const code = (known ? d.code : 'UNKNOWN') as CodeKey;
  const vars = varsOf(d, lang, known ? {} : { message: d.code });
  return { title: say(`codes.${code}.title`, vars, lang), explanation: say(`codes.${code}.explanation`, vars, lang), fix: say(`codes.${code}.fix`, vars, lang) };
}

/** `count` with its unit, in the plural form the language wants (i18next's `_one`/`_other` keys). */
export function unit(lang: Lang, name: Unit, count: number): string {
  const form = new Intl.PluralRules(lang === 'zh-CN' ? 'zh' : 'en').select(count) === 'one' ? 'one' : 'other';
  return say(`units.${name}_${form}`, { count: count.toLocaleString(lang === 'zh-CN' ? 'zh-CN' : 'en-US') }, lang);
}

/** A timeout as people say it: whole minutes, else seconds, else milliseconds. */
export function duration(lang: Lang, ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return unit(lang, 'minutes', ms / 60_000);
  if (ms >= 1000) return unit(lang, 'seconds', Math.round(ms / 100) / 10);
  return unit(lang, 'milliseconds', ms);
}

function varsOf(d: Diagnosis, lang: Lang, extra: Fields): Fields {
  const w = words(lang);
  const f: Fields = { ...(d.fields ?? {}), ...extra };
  const list = (v: string | number | undefined) => (v === undefined ? undefined : String(v).split(',').filter(Boolean).join(w.units.listSeparator));
  const vars: Fields = { ...f, who: who(d.rank, f.ranks, lang) };
  vars.advice = typeof f.advice === 'string' && f.advice in w.advice ? say(`advice.${f.advice}`, f, lang) : '';
  const timeoutMs = Number(f.timeoutMs);
  if (Number.isFinite(timeoutMs) && timeoutMs > 0) vars.timeout = duration(lang, timeoutMs);
  const numel = Number(f.numelIn);
  if (f.numelIn !== undefined && Number.isFinite(numel) && numel >= 0) vars.numel = unit(lang, 'elements', numel);
  if (f.lookAt !== undefined) vars.lookAt = say('lookAt.rank', { rank: f.lookAt }, lang);
  if (d.code === 'NCCL_WATCHDOG_TIMEOUT') {
    // Suggest the flight recorder only when its dumps are not already there (flight-evidence.ts).
    vars.frEnable = f.flightRanks === undefined ? `TORCH_NCCL_TRACE_BUFFER_SIZE=2000${w.units.listSeparator}TORCH_NCCL_DUMP_ON_TIMEOUT=1` : '';
    const behind = String(f.flightBehind ?? '').split(',').filter(Boolean);
    if (behind.length) vars.flightBehindRanks = say(behind.length === 1 ? 'ranksLabel_one' : 'ranksLabel_other', { ranks: list(f.flightBehind) ?? '' }, lang);
  }
  if (d.code === 'STALL') {
    const ranks = String(f.ranks ?? '').split(',').filter(Boolean);
    vars.stalledRanks = say(ranks.length === 1 ? 'ranksLabel_one' : 'ranksLabel_other', { ranks: list(f.ranks) || '?' }, lang);
    vars.idleTime = unit(lang, 'seconds', Number(f.idleSec) || 0);
    vars.advanced = list(f.advanced) ?? '';
    vars.rank = d.rank ?? '?';
  }
  return vars;
}

function who(rank: number | null, ranks: string | number | undefined, lang: Lang): string {
  if (rank === null) return say('who.none', {}, lang);
  const others = String(ranks ?? '')
    .split(',')
    .filter((r) => r !== '' && Number(r) !== rank);
  return say(others.length ? 'who.many' : 'who.one', { rank, others: others.join(', ') }, lang);
}

/** RANK_EXIT and OUTPUT_MISSING are the run manager's codes; their words live in the run namespace. */
function runManagerText(d: Diagnosis, lang: Lang): DiagnosisText {
  const f = d.fields ?? {};
  // The run namespace's words have no optional parts: plain translate(), every variable given.
  const diag = (key: string, vars: Fields) => translate('run', `diag.${key}`, vars, lang);
  if (d.code === 'OUTPUT_MISSING') {
    const vars = { file: f.file ?? '' };
    return { title: diag('outputMissingTitle', vars), explanation: diag('outputMissingExplain', vars), fix: diag('outputMissingFix', vars) };
  }
  const code = Number(f.exitCode);
  if (code === -15 || code === -2 || code === -1) {
    // A victim (the straggler of a collective timeout, or a sibling torchrun stopped): never "ended first".
    const vars: Fields = { rank: d.rank ?? '?', code, signal: f.signal !== undefined ? `, ${f.signal}` : '' };
    return { title: say('stoppedExit.title', vars, lang), explanation: say('stoppedExit.explanation', vars, lang), fix: diag('rankExitFix', { rank: d.rank ?? '?' }) };
  }
  const meanings = run.en.diag.meaning as Record<string, string>;
  const meaning = String(code) in meanings ? diag(`meaning.${code}`, {}) : 'other' in meanings ? diag('meaning.other', {}) : '';
  const vars: Fields = { rank: d.rank ?? '?', code: Number.isFinite(code) ? code : '?', signal: f.signal !== undefined ? ` (${f.signal})` : '', meaning };
  return { title: diag('rankExitTitle', vars), explanation: diag('rankExitExplain', vars), fix: diag('rankExitFix', vars) };
}

/** Runs across machines (nodes.ts): words from the nodes namespace, naming the node. */
function nodeText(d: Diagnosis, lang: Lang): DiagnosisText {
  const vars = varsOf(d, lang, {});
  const part = (name: string) => unknown(renderKey('nodes', `codes.${d.code}.${name}`, vars, lang));
  return { title: part('title'), explanation: part('explanation'), fix: part('fix') };
}
