import { useTranslation } from 'react-i18next';
import type { Settings } from '../../../shared/api/contract';

const ACTIONS: Settings['stallAction'][] = ['notify', 'stop'];

/** What a new run does when the stall detector fires: radios, so arrow keys move between them. */
export function StallActionField({ value, onChange }: { value: Settings['stallAction']; onChange: (v: Settings['stallAction']) => void }) {
  const { t } = useTranslation();
  return (
    <fieldset className="settings-group" aria-describedby="settings-stall-help">
      <legend>{t('settings:stall.legend')}</legend>
      <p id="settings-stall-help" className="help">{t('settings:stall.help')}</p>
      <div className="stall-choices">
        {ACTIONS.map((a) => (
          <label key={a} className="stall-choice">
            <input type="radio" name="stallAction" value={a} checked={value === a} onChange={() => onChange(a)}
              aria-describedby={`settings-stall-${a}-help`} data-testid={`stall-${a}`} />
            <span>
              <span className="stall-label">{t(`settings:stall.${a}`)}</span>
              <span id={`settings-stall-${a}-help`} className="help">{t(`settings:stall.${a}Help`)}</span>
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
