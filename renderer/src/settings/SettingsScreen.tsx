import { useTranslation } from 'react-i18next';
import { LoadableView } from '../components/LoadableView';
import { useApp } from '../state/context';
import { SettingsForm } from './SettingsForm';
import { CalibrationSection } from './CalibrationSection';
import '../styles/settings.css';

/** Everything the app needs to know about this machine that detection cannot guess, set without a CLI. */
export function SettingsScreen() {
  const { t } = useTranslation();
  const settings = useApp((s) => s.settings);
  return (
    <div className="settings-screen" data-testid="settings-screen">
      <header className="screen-head">
        <h1>{t('settings:title')}</h1>
        <p className="muted">{t('settings:intro')}</p>
      </header>
      <LoadableView value={settings} what={t('settings:title')}>{(s) => <SettingsForm saved={s} />}</LoadableView>
      <CalibrationSection />
    </div>
  );
}
