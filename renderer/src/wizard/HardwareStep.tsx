import { useTranslation } from 'react-i18next';
import { LoadableView } from '../components/LoadableView';
import { gibFromMiB } from '../lib/format';
import { useApp } from '../state/context';
import { WarningsPanel } from '../home/WarningsPanel';

/** Which GPUs this run may use. No choice means "the first N", which the mode decides. */
export function HardwareStep() {
  const { t } = useTranslation();
  const detect = useApp((s) => s.detect);
  const gpus = useApp((s) => s.wizard.spec.gpus);
  const patchSpec = useApp((s) => s.patchSpec);
  return (
    <section aria-labelledby="hw-step-title">
      <h2 id="hw-step-title" tabIndex={-1}>{t('wizard.hardware.title')}</h2>
      <LoadableView value={detect} what={t('what.detect')}>
        {(report) => {
          const all = report.gpus.map((g) => g.index);
          const chosen = gpus ?? all;
          const toggle = (i: number) => {
            const next = chosen.includes(i) ? chosen.filter((x) => x !== i) : [...chosen, i].sort((a, b) => a - b);
            patchSpec({ gpus: next.length === all.length ? undefined : next });
          };
          return (
            <>
              {report.gpus.length === 0 ? (
                <p className="note info">{t('wizard.hardware.noGpu')}</p>
              ) : (
                <fieldset className="gpu-pick">
                  <legend>{t('wizard.hardware.choose')}</legend>
                  {report.gpus.map((g) => {
                    const busy = g.processes.length > 0;
                    return (
                      <label key={g.index} className="check-card">
                        <input type="checkbox" checked={chosen.includes(g.index)} onChange={() => toggle(g.index)} data-testid="gpu-choice" />
                        <span>
                          <strong>GPU {g.index}</strong> {g.name}
                          <span className="muted small"> · {t('wizard.hardware.freeOf', { free: gibFromMiB(g.memoryFreeMiB), total: gibFromMiB(g.memoryTotalMiB, 0) })}</span>
                          {busy && <span className="warn-text small"> · {t('wizard.hardware.busy', { count: g.processes.length })}</span>}
                        </span>
                      </label>
                    );
                  })}
                  <p className="muted small">{t('wizard.hardware.chosen', { count: chosen.length })}</p>
                </fieldset>
              )}
              <h3 className="sub">{t('home.warnings.title')}</h3>
              <WarningsPanel warnings={report.warnings} />
            </>
          );
        }}
      </LoadableView>
    </section>
  );
}
