import { common } from './locales/common';
import { detect } from './locales/detect';
import { check } from './locales/check';
import { run } from './locales/run';
import { explain } from './locales/explain';
import { failures } from './locales/failures';
import { profile } from './locales/profile';
import { ui } from './locales/ui';
import { library } from './locales/library';
import { settings } from './locales/settings';
import { setup } from './locales/setup';
import { serve } from './locales/serve';
import { stacks } from './locales/stacks';
import { nodes } from './locales/nodes';
import { companion } from './locales/companion';
import { probing } from './locales/probing';

/**
 * All user-facing text, zh-CN and en, one namespace per feature. i18next reads these resources in
 * the renderer and in the CLI; tests check that both languages have the same keys.
 */
export const namespaces = { common, detect, check, run, explain, failures, profile, ui, library, settings, stacks, serve, setup, nodes, companion, probing } as const;
export type Namespace = keyof typeof namespaces;
export type Lang = 'en' | 'zh-CN';
export const languages: Lang[] = ['en', 'zh-CN'];

export function resources(): Record<Lang, Record<string, unknown>> {
  const en: Record<string, unknown> = {};
  const zh: Record<string, unknown> = {};
  for (const [ns, value] of Object.entries(namespaces)) {
    en[ns] = value.en;
    zh[ns] = value.zh;
  }
  return { en, 'zh-CN': zh };
}

/** Map a system locale (LANG=zh_CN.UTF-8, navigator.language='zh-TW', ...) to one we ship. */
export function pickLanguage(locale: string | undefined | null): Lang {
  return locale && /^zh/i.test(locale) ? 'zh-CN' : 'en';
}

/**
 * The language the environment asks for, read once at the edge (the CLI's start, core's 'auto'
 * setting): LAL_LANG first, then the POSIX order LC_ALL, LC_MESSAGES, LANG. The caller passes the
 * environment in, so shared/ never reads process state.
 */
export function languageFromEnv(env: Readonly<Record<string, string | undefined>>): Lang {
  return pickLanguage(env.LAL_LANG || env.LC_ALL || env.LC_MESSAGES || env.LANG);
}

/** Bilingual text carried in data (recipes, catalog entries). */
export interface Bilingual {
  en: string;
  zh: string;
}
export const pick = (text: Bilingual, lang: Lang): string => (lang === 'zh-CN' ? text.zh : text.en);
