import i18next, { type i18n } from 'i18next';
import { resources, type Lang, type Namespace } from './index';

/**
 * The one way to turn a key into words outside React: `translate('run', 'diag.stallTitle',
 * {ranks: '3'}, 'zh-CN')`. One i18next instance of its own (the renderer's and anyone else's
 * global instance is left alone), every namespace loaded up front, `{{var}}` placeholders.
 *
 * - A variable not given stays as `{{var}}` in the text, so a missing value is visible, not blank.
 * - A key missing in zh-CN falls back to en; a key missing in both comes back as the key itself.
 * - Values are put in as they are (no HTML escaping: this is terminal and JSON text, and React
 *   escapes on its own), and never read as placeholders or nested keys themselves.
 */
export type Vars = Readonly<Record<string, string | number>>;

let instance: i18n | null = null;

function ready(): i18n {
  if (!instance) {
    instance = i18next.createInstance();
    void instance.init({
      lng: 'en',
      fallbackLng: 'en',
      resources: resources() as Parameters<i18n['init']>[0] extends { resources?: infer R } ? R : never,
      initAsync: false,
      nsSeparator: false,
      returnNull: false,
      interpolation: { escapeValue: false, skipOnVariables: true },
    });
  }
  return instance;
}

export function translate(ns: Namespace, key: string, vars: Vars = {}, lang: Lang = 'en'): string {
  const text = ready().t(key, { ns, lng: lang, replace: vars });
  return typeof text === 'string' && !text.startsWith(`key '${key} (`) ? text : key;
}

/** Both languages of one key, for reports that carry `{en, zh}` and let the client pick. */
export function translateBoth(ns: Namespace, key: string, vars: Vars = {}): { en: string; zh: string } {
  return { en: translate(ns, key, vars, 'en'), zh: translate(ns, key, vars, 'zh-CN') };
}
