import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { pickLanguage, resources, type Lang } from '../../shared/i18n';

const LANG_KEY = 'lal.lang';

export function initialLanguage(): Lang {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return pickLanguage(navigator.language);
}

export function setLanguage(lang: Lang): void {
  localStorage.setItem(LANG_KEY, lang);
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
