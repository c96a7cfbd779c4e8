import i18next, { type TFunction } from 'i18next';
import { languageFromEnv, resources, type Lang } from '../../shared/i18n';

let ready: TFunction | null = null;

/** The CLI speaks the system language (LAL_LANG / LC_ALL / LANG) unless --lang says otherwise; read here, at the edge. */
export function systemLang(env: NodeJS.ProcessEnv = process.env): Lang {
  return languageFromEnv(env);
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
