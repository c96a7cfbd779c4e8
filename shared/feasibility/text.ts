import { check } from '../i18n/locales/check';
import type { Lang } from '../i18n';

/**
 * Bilingual messages from the check namespace, filled in the engine so every report carries both
 * `message` (en) and `messageZh`; clients pick by language. `{{name}}` placeholders, i18next style.
 */
export type Vars = Record<string, string | number>;

function lookup(tree: unknown, key: string): string | undefined {
  let node: unknown = tree;
  for (const k of key.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[k];
  }
  return typeof node === 'string' ? node : undefined;
}

export function fill(template: string, vars: Vars): string {
  return template.replace(/\{\{(\w+)\}\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

export function tCheck(lang: Lang, key: string, vars: Vars = {}): string {
  const tree = lang === 'zh-CN' ? check.zh : check.en;
  return fill(lookup(tree, key) ?? lookup(check.en, key) ?? key, vars);
}

/** Label of a breakdown key (`weights.dit` → i18n key `part.weights_dit`, `kv_cache` ...). */
export function partLabel(lang: Lang, key: string): string {
  const parts = (lang === 'zh-CN' ? check.zh.part : check.en.part) as Record<string, string>;
  return parts[key.replace(/\./g, '_')] ?? key;
}

export function both(key: string, vars: Vars = {}, varsZh: Vars = vars): { message: string; messageZh: string } {
  return { message: tCheck('en', key, vars), messageZh: tCheck('zh-CN', key, varsZh) };
}

/** Decimal GB with one decimal, as the facts doc and nvidia-smi-minded users read them. */
export const gb = (bytes: number): string => (bytes / 1e9).toFixed(1);
