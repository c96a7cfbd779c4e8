import { useTranslation } from 'react-i18next';
import { pick, type Bilingual, type Lang } from '../../../shared/i18n';

/** The UI language plus a picker for bilingual data (recipes, messages carrying `messageZh`). */
export function useLang(): { lang: Lang; bi: (text: Bilingual | undefined) => string; zhOr: (en: string, zh?: string) => string } {
  const { i18n } = useTranslation();
  const lang: Lang = i18n.language === 'zh-CN' ? 'zh-CN' : 'en';
  return {
    lang,
    bi: (text) => (text ? pick(text, lang) : ''),
    zhOr: (en, zh) => (lang === 'zh-CN' && zh ? zh : en),
  };
}
