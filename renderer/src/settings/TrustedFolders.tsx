import { useState } from 'react';
import { useTranslation } from 'react-i18next';

export interface TrustedFoldersProps {
  folders: string[];
  /** Refusals by list index (core names them `trustedFolders.N`). */
  errors: Record<number, string>;
  /** A refusal about the list as a whole. */
  listError: string | null;
  noPicker: boolean;
  onChange: (folders: string[]) => void;
  onBrowse: () => void;
}

/** The folders imported profiles may point into without being flagged. */
export function TrustedFolders({ folders, errors, listError, noPicker, onChange, onBrowse }: TrustedFoldersProps) {
  const { t } = useTranslation();
  const [next, setNext] = useState('');
  const candidate = next.trim();
  const duplicate = candidate !== '' && folders.includes(candidate);
  const add = () => {
    if (!candidate || duplicate) return;
    onChange([...folders, candidate]);
    setNext('');
  };
  const describedBy = ['settings-trusted-help', duplicate ? 'settings-trusted-dup' : '', listError ? 'settings-trusted-error' : '', noPicker ? 'settings-trusted-nopicker' : ''].filter(Boolean).join(' ');

  return (
    <fieldset className="settings-group" data-testid="trusted-folders">
      <legend>{t('settings:trusted.legend')}</legend>
      <p id="settings-trusted-help" className="help">{t('settings:trusted.help')}</p>
      {folders.length === 0 ? (
        <p className="muted small">{t('settings:trusted.empty')}</p>
      ) : (
        <ul className="trusted-list">
          {folders.map((f, i) => (
            <li key={f} className={errors[i] ? 'invalid' : undefined} data-testid="trusted-row" data-path={f}>
              <code>{f}</code>
              <button type="button" id={`settings-trusted-${i}`} className="secondary small" aria-label={t('settings:trusted.removeFor', { path: f })}
                aria-describedby={errors[i] ? `settings-trusted-${i}-error` : undefined} data-testid="trusted-remove"
                onClick={() => onChange(folders.filter((_, j) => j !== i))}>
                {t('settings:trusted.remove')}
              </button>
              {errors[i] && <p id={`settings-trusted-${i}-error`} className="field-error" role="alert" data-testid={`error-trustedFolders.${i}`}>{errors[i]}</p>}
            </li>
          ))}
        </ul>
      )}
      <div className={`field${duplicate || listError ? ' invalid' : ''}`}>
        <label htmlFor="settings-trusted-new">{t('settings:trusted.new')}</label>
        <span className="row">
          <input id="settings-trusted-new" type="text" spellCheck={false} autoComplete="off" value={next} data-testid="trusted-new" placeholder="/srv/media"
            aria-describedby={describedBy} aria-invalid={duplicate || listError ? true : undefined} onChange={(e) => setNext(e.target.value)}
            // Enter adds the folder here; it should not submit the whole form half-edited.
            onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }} />
          <button type="button" className="secondary small" disabled={!candidate || duplicate} onClick={add} data-testid="trusted-add">{t('settings:trusted.add')}</button>
          <button type="button" className="secondary small" onClick={onBrowse} aria-label={t('settings:browseFor', { field: t('settings:trusted.legend') })} data-testid="browse-trusted">
            {t('settings:browse')}
          </button>
        </span>
        {duplicate && <p id="settings-trusted-dup" className="field-error">{t('settings:trusted.duplicate')}</p>}
        {noPicker && <p id="settings-trusted-nopicker" className="help" data-testid="nopicker-trusted">{t('settings:noPicker')}</p>}
        {listError && <p id="settings-trusted-error" className="field-error" role="alert" data-testid="error-trustedFolders">{listError}</p>}
      </div>
    </fieldset>
  );
}
