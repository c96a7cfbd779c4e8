import type { Lang } from '../i18n';
import { translate } from '../i18n/translate';

/**
 * Bilingual messages from the check namespace, filled in the engine so every report carries both
 * `message` (en) and `messageZh`; clients pick by language. `{{name}}` placeholders, i18next style.
 */
export type Vars = Record<string, string | number>;

/** The check namespace through the one translate() (zh falls back to en, then to the key). */
export function tCheck(lang: Lang, key: string, vars: Vars = {}): string {
  return translate('check', key, vars, lang);
}

/** Label of a breakdown key (`weights.dit` → i18n key `part.weights_dit`, `kv_cache` ...). */
export function partLabel(lang: Lang, key: string): string {
  const id = `part.${key.replace(/\./g, '_')}`;
  const label = translate('check', id, {}, lang);
  return label === id ? key : label;
}

export function both(key: string, vars: Vars = {}, varsZh: Vars = vars): { message: string; messageZh: string } {
  return { message: tCheck('en', key, vars), messageZh: tCheck('zh-CN', key, varsZh) };
}

/** Decimal GB with one decimal, as the facts doc and nvidia-smi-minded users read them. */
export const gb = (bytes: number): string => (bytes / 1e9).toFixed(1);
