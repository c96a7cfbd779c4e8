import { useTranslation } from 'react-i18next';
import type { Settings } from '../../../shared/api/contract';
import { savedLanguagePref, setLanguage, type LangPref } from '../i18n';
import { applyTheme, savedTheme } from '../lib/theme';
import { useApp } from '../state/context';
import { useState } from 'react';

/** Language and theme switches; both follow the system until the user picks. */
export function Preferences() {
  const { t } = useTranslation();
  const update = useApp((s) => s.updateSettings);
  const [lang, setLang] = useState<LangPref>(savedLanguagePref());
  const [theme, setTheme] = useState<Settings['theme']>(savedTheme());
  return (
    <div className="prefs">
      <label>
        <span className="sr-only">{t('common:language')}</span>
        <select aria-label={t('common:language')} value={lang} data-testid="lang-select"
          onChange={(e) => {
            const v = e.target.value as LangPref;
            setLang(v);
            setLanguage(v);
            void update({ language: v });
          }}>
          <option value="auto">{t('shell.langAuto')}</option>
          <option value="en">English</option>
          <option value="zh-CN">简体中文</option>
        </select>
      </label>
      <label>
        <span className="sr-only">{t('common:theme')}</span>
        <select aria-label={t('common:theme')} value={theme} data-testid="theme-select"
          onChange={(e) => {
            const v = e.target.value as Settings['theme'];
            setTheme(v);
            applyTheme(v);
            void update({ theme: v });
          }}>
          <option value="system">{t('common:themeSystem')}</option>
          <option value="light">{t('common:themeLight')}</option>
          <option value="dark">{t('common:themeDark')}</option>
        </select>
      </label>
    </div>
  );
}
