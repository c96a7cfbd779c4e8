import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppInfo } from '../../shared/api/contract';
import { api } from './api';
import { setLanguage } from './i18n';

/** App shell; the UI feature fills in home, wizard, run view and history. */
export function App() {
  const { t, i18n } = useTranslation('common');
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api().appInfo(undefined).then(setInfo, (e: Error) => setError(e.message));
  }, []);

  return (
    <div className="app" data-testid="app-shell">
      <header>
        <h1>{t('appName')}</h1>
        <p>{t('tagline')}</p>
        <label>
          {t('language')}{' '}
          <select aria-label={t('language')} value={i18n.language} onChange={(e) => setLanguage(e.target.value as 'en' | 'zh-CN')}>
            <option value="en">English</option>
            <option value="zh-CN">简体中文</option>
          </select>
        </label>
      </header>
      {error && <p role="alert">{error}</p>}
      {info && <footer data-testid="app-version">v{info.version} · {info.transport}</footer>}
    </div>
  );
}
