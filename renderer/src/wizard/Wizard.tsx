import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { valueOf } from '../lib/loadable';
import { useApp } from '../state/context';
import { WIZARD_STEPS } from '../state/app-store';
import { HardwareStep } from './HardwareStep';
import { MachinesStep } from './MachinesStep';
import { InputsStep } from './InputsStep';
import { ModeStep } from './ModeStep';
import { ReviewStep } from './ReviewStep';
import { Stepper } from './Stepper';
import { WizardReadiness } from '../setup/WizardReadiness';

/** Hardware → Mode → Inputs → Review → Run. Each step is reachable; Run waits for a plan. */
export function Wizard() {
  const { t } = useTranslation();
  const step = useApp((s) => s.wizard.step);
  const setStep = useApp((s) => s.setStep);
  const launch = useApp((s) => s.launch);
  const launching = useApp((s) => s.wizard.launching);
  const launchError = useApp((s) => s.wizard.launchError);
  const plan = useApp((s) => s.wizard.plan);
  const verdict = useApp((s) => valueOf(s.wizard.checks[s.wizard.spec.mode])?.verdict);
  const heading = useRef<HTMLDivElement>(null);
  const at = WIZARD_STEPS.indexOf(step);

  // Moving between steps puts focus on the new step, so keyboard and screen-reader users follow.
  useEffect(() => {
    heading.current?.querySelector<HTMLElement>('h2')?.focus();
  }, [step]);

  const canRun = plan?.state === 'ready' && !launching;
  return (
    <div className="wizard" data-testid="wizard" data-step={step}>
      <Stepper current={step} onSelect={setStep} />
      <div className="panel step-body" ref={heading}>
        {step === 'hardware' && (
          <>
            <HardwareStep />
            <MachinesStep />
          </>
        )}
        {step === 'mode' && <ModeStep />}
        {step === 'inputs' && <InputsStep />}
        {step === 'review' && <ReviewStep />}
      </div>
      {step === 'review' && <WizardReadiness />}
      {launchError && launchError.state !== 'ready' && launchError.state !== 'loading' && (
        <p className="note error" role="alert" data-testid="launch-error">
          {launchError.state === 'error' ? t('wizard.launchFailed', { message: launchError.error.message })
            : launchError.state === 'unavailable' ? t('wizard.launchUnavailable', { message: launchError.message }) : t('shell.unauthorizedShort')}
        </p>
      )}
      <div className="wizard-nav row between">
        <button type="button" className="secondary" disabled={at === 0} onClick={() => setStep(WIZARD_STEPS[at - 1])}>{t('wizard.back')}</button>
        {step !== 'review' ? (
          <button type="button" onClick={() => setStep(WIZARD_STEPS[at + 1])} data-testid="wizard-next">{t('wizard.next')}</button>
        ) : (
          <button type="button" className={`primary${verdict === 'does-not-fit' ? ' danger' : ''}`} disabled={!canRun} onClick={() => void launch()} data-testid="run-button">
            {launching ? t('wizard.starting') : verdict === 'does-not-fit' ? t('wizard.runAnyway') : t('wizard.run')}
          </button>
        )}
      </div>
    </div>
  );
}
