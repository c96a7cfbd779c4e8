import type { Lang, Namespace } from '../i18n';
import { translate } from '../i18n/translate';

/**
 * Catalog sentences with optional parts, on top of translate(): `{{name}}` is i18next's placeholder
 * and `[[ ... ]]` is an optional part that is dropped when any field it names is missing or empty.
 * Log formats differ by torch version (the ≤2.0 OOM line has no "this process has X in use"), so
 * one sentence must read well with or without a number; i18next has no such construct, and a
 * context key per combination would multiply the catalog.
 *
 * `render` is the same rule over a literal `{name}` template. Every namespace now renders through
 * renderKey; `render` stays only so tests can pin the nesting rule on a literal, without a locale key.
 */
export type Fields = Record<string, string | number>;

/** Innermost optional part first, so parts may nest. */
const OPTIONAL = /\[\[([^[\]]*)\]\]/g;
const PLACEHOLDER = /\{(\w+)\}/g;
/**
 * Stand in for a field while optional parts are judged, so values are never parsed as syntax
 * (private-use characters): given, and given but empty (which drops its optional part like a missing one).
 */
const MARK = /\uE000(\d+)\uE001/g;
const EMPTY = /\uE002(\w+)\uE003/g;

const present = (v: string | number | undefined): v is string | number => v !== undefined && v !== '';

function dropOptional(template: string, missing: (inner: string) => boolean): string {
  let out = template;
  for (let depth = 0; depth < 4 && out.includes('[['); depth++) out = out.replace(OPTIONAL, (_m, inner: string) => (missing(inner) ? '' : inner));
  return out;
}

function tidy(text: string): string {
  return text
    .replace(/ {2,}/g, ' ')
    .replace(/ ([,.;:)])/g, '$1')
    .replace(/（ /g, '（')
    .trim();
}

/** The words under `key` in `ns`, in `lang`, with its optional parts kept only where their fields are given. */
export function renderKey(ns: Namespace, key: string, fields: Fields, lang: Lang): string {
  const values: Array<string | number> = [];
  const marks: Record<string, string> = {};
  for (const [name, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    if (v === '') {
      marks[name] = `\uE002${name}\uE003`;
      continue;
    }
    marks[name] = `\uE000${values.length}\uE001`;
    values.push(v);
  }
  // A field not given stays `{{name}}` (translate's rule), which is what marks its optional part missing.
  const text = dropOptional(translate(ns, key, marks, lang), (inner) => /\{\{\w+\}\}|\uE002/.test(inner));
  return tidy(text.replace(EMPTY, '').replace(MARK, (_m, i: string) => String(values[Number(i)])));
}

export function render(template: string, fields: Fields): string {
  const withOptional = dropOptional(template, (inner) => [...inner.matchAll(PLACEHOLDER)].some((p) => !present(fields[p[1]])));
  return tidy(withOptional.replace(PLACEHOLDER, (m, name: string) => (fields[name] === undefined ? m : String(fields[name]))));
}
