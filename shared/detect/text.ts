import { detect as strings } from '../i18n/locales/detect';
import type { Lang } from '../i18n';

type Params = Record<string, string | number>;

/**
 * Renders a `detect` namespace string outside i18next (core, CLI JSON), with the same `{{x}}`
 * placeholders i18next fills in the renderer, so reports carry both languages.
 */
export function detectText(key: string, params: Params = {}, lang: Lang = 'en'): string {
  const root: unknown = lang === 'zh-CN' ? strings.zh : strings.en;
  let node: unknown = root;
  for (const part of key.split('.')) {
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  }
  if (typeof node !== 'string') return key;
  return node.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => (name in params ? String(params[name]) : ''));
}

/** Both languages of one message key: `{ en, zh }`. */
export function bilingual(key: string, params: Params = {}): { en: string; zh: string } {
  return { en: detectText(key, params, 'en'), zh: detectText(key, params, 'zh-CN') };
}
