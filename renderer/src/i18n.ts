import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { pickLanguage, resources, type Lang } from '../../shared/i18n';

const LANG_KEY = 'lal.lang';
export type LangPref = Lang | 'auto';

export function savedLanguagePref(): LangPref {
  const saved = localStorage.getItem(LANG_KEY);
  return saved === 'en' || saved === 'zh-CN' ? saved : 'auto';
}

export function initialLanguage(): Lang {
  const saved = savedLanguagePref();
  return saved === 'auto' ? pickLanguage(navigator.language) : saved;
}

/** "auto" follows the browser/system language; an explicit choice sticks across reloads. */
export function setLanguage(pref: LangPref): void {
  if (pref === 'auto') localStorage.removeItem(LANG_KEY);
  else localStorage.setItem(LANG_KEY, pref);
  const lang = pref === 'auto' ? pickLanguage(navigator.language) : pref;
  void i18next.changeLanguage(lang);
  document.documentElement.lang = lang;
}

void i18next.use(initReactI18next).init({
  lng: initialLanguage(),
  fallbackLng: 'en',
  defaultNS: 'ui',
  ns: Object.keys(resources().en),
  resources: resources() as never,
  interpolation: { escapeValue: false },
  initAsync: false,
});
document.documentElement.lang = i18next.language;

export default i18next;
