import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { FlagSpec } from '../../../shared/recipes/types';
import type { SettingValue } from '../../../shared/run/types';
import { useLang } from '../lib/use-lang';

export interface FlagFieldProps {
  flag: FlagSpec;
  value: SettingValue | undefined;
  error: string | null;
  /** Electron has a native dialog; a browser types paths that live on the server. */
  canPick: boolean;
  onChange: (v: SettingValue | undefined) => void;
  onPick?: () => void;
}

/** One recipe flag as the right control: switch, number, choice, path or text. */
export function FlagField({ flag, value, error, canPick, onChange, onPick }: FlagFieldProps) {
  const { t } = useTranslation();
  const { bi } = useLang();
  const id = useId();
  const helpId = `${id}-help`;
  const errId = `${id}-err`;
  const describedBy = [flag.help ? helpId : '', error ? errId : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy, 'data-flag': flag.name } as const;
  const label = bi(flag.label) || flag.name;

  let control;
  if (flag.type === 'bool') {
    return (
      <div className={`field switch-field${error ? ' invalid' : ''}`}>
        <label className="switch">
          <input type="checkbox" role="switch" {...common} checked={value === true || value === 'true'} onChange={(e) => onChange(e.target.checked)} />
          <span>{label}</span> <code className="flag">--{flag.name}</code>
        </label>
        {flag.help && <p id={helpId} className="help">{bi(flag.help)}</p>}
        {error && <p id={errId} className="field-error" role="alert">{error}</p>}
      </div>
    );
  }
  if (flag.type === 'enum' && flag.choices) {
    control = (
      <select {...common} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value || undefined)}>
        {flag.default === undefined && <option value="">{t('wizard.inputs.unset')}</option>}
        {flag.choices.map((c) => <option key={c} value={c}>{c}</option>)}
      </select>
    );
  } else if (flag.type === 'int') {
    control = (
      <input type="number" inputMode="numeric" step={1} {...common} value={value === undefined ? '' : String(value)}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number.isNaN(e.target.valueAsNumber) ? e.target.value : e.target.valueAsNumber)} />
    );
  } else if (flag.name === 'prompt') {
    control = <textarea rows={3} {...common} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value)} />;
  } else {
    control = (
      <span className="row">
        <input type="text" spellCheck={false} {...common} value={value === undefined ? '' : String(value)}
          placeholder={flag.type === 'path' ? t('wizard.inputs.pathPlaceholder') : undefined} onChange={(e) => onChange(e.target.value)} />
        {flag.type === 'path' && canPick && onPick && <button type="button" className="secondary small" onClick={onPick}>{t('wizard.inputs.browse')}</button>}
      </span>
    );
  }
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label} <code className="flag">--{flag.name}</code></label>
      {control}
      {flag.help && <p id={helpId} className="help">{bi(flag.help)}</p>}
      {error && <p id={errId} className="field-error" role="alert">{error}</p>}
    </div>
  );
}
