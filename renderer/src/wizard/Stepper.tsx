import { useTranslation } from 'react-i18next';
import { WIZARD_STEPS, type WizardStep } from '../state/app-store';

/** The wizard's steps as a list of buttons; any step can be revisited, the current one is marked. */
export function Stepper({ current, onSelect }: { current: WizardStep; onSelect: (s: WizardStep) => void }) {
  const { t } = useTranslation();
  const at = WIZARD_STEPS.indexOf(current);
  return (
    <nav aria-label={t('wizard.steps')}>
      <ol className="stepper">
        {WIZARD_STEPS.map((s, i) => (
          <li key={s} className={i < at ? 'done' : i === at ? 'current' : ''}>
            <button type="button" aria-current={i === at ? 'step' : undefined} onClick={() => onSelect(s)} data-testid={`step-${s}`}>
              <span className="step-no" aria-hidden="true">{i + 1}</span> {t(`wizard.step.${s}`)}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
