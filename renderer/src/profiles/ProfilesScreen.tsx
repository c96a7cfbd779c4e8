import { useTranslation } from 'react-i18next';
import { ImportPanel } from './ImportPanel';
import { ProfileList } from './ProfileList';
import '../styles/profiles.css';

/** The profile library and the import desk: share setups as data, open strangers' ones safely. */
export function ProfilesScreen() {
  const { t } = useTranslation();
  return (
    <div className="profiles-screen" data-testid="profiles-screen">
      <header className="screen-head">
        <h1>{t('library:title')}</h1>
        <p className="muted">{t('library:intro')}</p>
      </header>
      <ProfileList />
      <ImportPanel />
    </div>
  );
}
