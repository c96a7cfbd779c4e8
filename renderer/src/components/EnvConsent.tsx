import { useTranslation } from 'react-i18next';

/**
 * One checkbox per environment variable that can change which code runs. Shared by the import
 * preview and the wizard's Review, so consent looks and reads the same wherever it is asked.
 */
export function EnvConsent({ names, env, allowed, onToggle, onRemove }: {
  names: string[];
  env: Record<string, string>;
  allowed: readonly string[];
  onToggle: (name: string, allow: boolean) => void;
  onRemove: (name: string) => void;
}) {
  const { t, i18n } = useTranslation();
  if (!names.length) return null;
  const why = (name: string) => (i18n.exists(`library:consent.why.${name}`) ? t(`library:consent.why.${name}`) : t('library:consent.why.other'));
  return (
    <fieldset className="consent note warn" data-testid="env-consent">
      <legend>{t('library:consent.title')}</legend>
      <p className="small">{t('library:consent.help')}</p>
      <ul className="consent-list">
        {names.map((name) => (
          <li key={name} data-env={name}>
            <label className="row">
              <input type="checkbox" checked={allowed.includes(name)} onChange={(e) => onToggle(name, e.target.checked)} data-testid="consent-box" />
              <span>{t('library:consent.allow', { name })}</span>
            </label>
            <code className="consent-value" aria-label={`${name} ${t('library:consent.value')}`}>{name}={env[name] ?? ''}</code>
            <span className="muted small">{why(name)}</span>
            <button type="button" className="link small" onClick={() => onRemove(name)} data-testid="consent-remove">{t('library:consent.remove')}</button>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
