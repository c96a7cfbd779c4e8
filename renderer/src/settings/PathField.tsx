import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { PathKey } from './draft';

export interface PathFieldProps {
  name: PathKey;
  value: string;
  /** What "automatic" resolves to today, when detection found it. */
  autoValue: string | null;
  error: string | null;
  /** The last Browse… here found no dialog (a browser): say why nothing opened. */
  noPicker: boolean;
  onChange: (value: string) => void;
  onBrowse: () => void;
  /** Extra controls under the field (the detected Pythons). */
  children?: ReactNode;
}

/** One path setting: free text, a Browse… button, its help and the error that names it. */
export function PathField({ name, value, autoValue, error, noPicker, onChange, onBrowse, children }: PathFieldProps) {
  const { t } = useTranslation();
  const id = `settings-${name}`;
  const label = t(`settings:fields.${name}.label`);
  const describedBy = [`${id}-help`, noPicker ? `${id}-nopicker` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field settings-path${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <span className="row">
        <input id={id} type="text" spellCheck={false} autoComplete="off" value={value} data-testid={id}
          placeholder={autoValue ? t('settings:autoFound', { path: autoValue }) : t('settings:auto')}
          aria-invalid={error ? true : undefined} aria-describedby={describedBy} onChange={(e) => onChange(e.target.value)} />
        <button type="button" className="secondary small" onClick={onBrowse} aria-label={t('settings:browseFor', { field: label })} data-testid={`browse-${name}`}>
          {t('settings:browse')}
        </button>
      </span>
      <p id={`${id}-help`} className="help">{t(`settings:fields.${name}.help`)}</p>
      {noPicker && <p id={`${id}-nopicker`} className="help" data-testid={`nopicker-${name}`}>{t('settings:noPicker')}</p>}
      {error && <p id={`${id}-error`} className="field-error" role="alert" data-testid={`error-${name}`}>{error}</p>}
      {children}
    </div>
  );
}
