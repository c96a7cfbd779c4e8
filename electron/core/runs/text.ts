import { run } from '../../../shared/i18n/locales/run';
import type { Lang } from '../../../shared/i18n';

/** Core-side lookup of run strings (core has no i18next instance): `tr('en', 'diag.stallTitle', {ranks: '3'})`. */
export function tr(lang: Lang, key: string, vars: Record<string, string | number> = {}): string {
  let node: unknown = lang === 'zh-CN' ? run.zh : run.en;
  for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  const text = typeof node === 'string' ? node : key;
  return text.replace(/\{\{(\w+)\}\}/g, (_, k: string) => (k in vars ? String(vars[k]) : `{{${k}}}`));
}
