import { nodes } from '../../../shared/i18n/locales/nodes';
import type { Lang } from '../../../shared/i18n';

/** Core-side lookup of the nodes namespace (core has no i18next instance). */
export function trNodes(lang: Lang, key: string, vars: Record<string, string | number> = {}): string {
  let node: unknown = lang === 'zh-CN' ? nodes.zh : nodes.en;
  for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  const text = typeof node === 'string' ? node : key;
  return text.replace(/\{\{(\w+)\}\}/g, (_, k: string) => (k in vars ? String(vars[k]) : `{{${k}}}`));
}
