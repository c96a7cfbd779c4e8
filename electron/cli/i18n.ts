import { languageFromEnv, type Lang, type Namespace } from '../../shared/i18n';
import { translate, type Vars } from '../../shared/i18n/translate';

/** The CLI speaks the system language (LAL_LANG / LC_ALL / LANG) unless --lang says otherwise; read here, at the edge. */
export function systemLang(env: NodeJS.ProcessEnv = process.env): Lang {
  return languageFromEnv(env);
}

/** `t('ns:key', vars)` in one language, through the one translate(); a key without `ns:` is in `common`. */
export type CliT = (key: string, vars?: Vars) => string;

export function cliT(lang: Lang = systemLang()): CliT {
  return (key, vars = {}) => {
    const i = key.indexOf(':');
    return i < 0 ? translate('common', key, vars, lang) : translate(key.slice(0, i) as Namespace, key.slice(i + 1), vars, lang);
  };
}
