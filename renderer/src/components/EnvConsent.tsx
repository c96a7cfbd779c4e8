import { useTranslation } from 'react-i18next';
import { envNameNamesPath } from '../../../shared/profiles/consent';

/** A path the run would read or write outside the output and trusted folders. */
export interface FlaggedPath {
  field: string;
  path: string;
}

/**
 * One checkbox per environment variable that can change which code runs, and one per path outside
 * the user's folders. Shared by the import preview and the wizard's Review, so consent looks and
 * reads the same wherever it is asked. The names and paths come from core (the same rule the CLI
 * applies), never decided here.
 */
export function EnvConsent({ names, env, allowed, onToggle, onRemove, paths = [], allowedPaths = [], onTogglePath }: {
  names: string[];
  env: Record<string, string>;
  allowed: readonly string[];
  onToggle: (name: string, allow: boolean) => void;
  onRemove: (name: string) => void;
  paths?: readonly FlaggedPath[];
  allowedPaths?: readonly string[];
  onTogglePath?: (path: string, allow: boolean) => void;
}) {
  const { t, i18n } = useTranslation();
  if (!names.length && !paths.length) return null;
  const why = (name: string) => {
    if (i18n.exists(`library:consent.why.${name}`)) return t(`library:consent.why.${name}`);
    return envNameNamesPath(name) ? t('library:consent.why.loads') : t('library:consent.why.other');
  };
  return (
    <fieldset className="consent note warn" data-testid="env-consent">
      {names.length > 0 && (
        <>
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
        </>
      )}
      {paths.length > 0 && (
        <div data-testid="path-consent">
          {names.length > 0 ? <h4 className="sub">{t('library:consent.pathsTitle')}</h4> : <legend>{t('library:consent.pathsTitle')}</legend>}
          <p className="small">{t('library:consent.pathsHelp')}</p>
          <ul className="consent-list">
            {paths.map((p) => (
              <li key={`${p.field}\u0000${p.path}`} data-path-field={p.field}>
                <label className="row">
                  <input type="checkbox" checked={allowedPaths.includes(p.path)} disabled={!onTogglePath}
                    onChange={(e) => onTogglePath?.(p.path, e.target.checked)} data-testid="path-consent-box" />
                  <span>{t('library:consent.allowPath', { field: p.field })}</span>
                </label>
                <code className="consent-value">{p.path}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
    </fieldset>
  );
}
