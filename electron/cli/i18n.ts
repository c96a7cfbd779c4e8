import i18next, { type TFunction } from 'i18next';
import { pickLanguage, resources, type Lang } from '../../shared/i18n';

let ready: TFunction | null = null;

/** The CLI speaks the system language (LANG / LC_ALL) unless --lang says otherwise. */
export function systemLang(env: NodeJS.ProcessEnv = process.env): Lang {
  return pickLanguage(env.LAL_LANG || env.LC_ALL || env.LC_MESSAGES || env.LANG);
}

export function cliT(lang: Lang = systemLang()): TFunction {
  if (!ready || i18next.language !== lang) {
    void i18next.init({ lng: lang, fallbackLng: 'en', resources: wrap(resources()), initAsync: false, interpolation: { escapeValue: false } });
    ready = i18next.t.bind(i18next);
  }
  return ready;
}

function wrap(r: ReturnType<typeof resources>) {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [lng, namespaces] of Object.entries(r)) out[lng] = namespaces as Record<string, unknown>;
  return out as Parameters<typeof i18next.init>[0] extends { resources?: infer R } ? R : never;
}
