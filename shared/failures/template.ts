/**
 * Catalog text templates: `{name}` is replaced by a field; `[[ ... ]]` is an optional part that is
 * dropped when any field it names is missing. Log formats differ by torch version (the ≤2.0 OOM
 * line has no "this process has X in use"), so one sentence must read well with or without a number.
 */
export type Fields = Record<string, string | number>;

/** Innermost optional part first, so parts may nest. */
const OPTIONAL = /\[\[([^[\]]*)\]\]/g;
const PLACEHOLDER = /\{(\w+)\}/g;

export function render(template: string, fields: Fields): string {
  let withOptional = template;
  for (let depth = 0; depth < 4 && withOptional.includes('[['); depth++) {
    withOptional = withOptional.replace(OPTIONAL, (_m, inner: string) => {
      for (const p of inner.matchAll(PLACEHOLDER)) if (fields[p[1]] === undefined || fields[p[1]] === '') return '';
      return inner;
    });
  }
  return withOptional
    .replace(PLACEHOLDER, (m, name: string) => (fields[name] === undefined ? m : String(fields[name])))
    .replace(/ {2,}/g, ' ')
    .replace(/ ([,.;:)])/g, '$1')
    .replace(/（ /g, '（')
    .trim();
}
