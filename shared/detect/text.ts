import type { Lang } from '../i18n';
import { translate, translateBoth } from '../i18n/translate';

type Params = Record<string, string | number>;

/**
 * A `detect` string outside React (core, CLI JSON), through the one translate(): detection prose
 * lives in locales/detect.ts, so reports carry both languages.
 */
export function detectText(key: string, params: Params = {}, lang: Lang = 'en'): string {
  return translate('detect', key, params, lang);
}

/** Both languages of one message key: `{ en, zh }`. */
export function bilingual(key: string, params: Params = {}): { en: string; zh: string } {
  return translateBoth('detect', key, params);
}
