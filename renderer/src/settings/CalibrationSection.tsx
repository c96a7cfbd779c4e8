import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalibrationView } from '../../../shared/feasibility/calibrate';
import { ApiFailure } from '../../../shared/api/result';
import { useApp } from '../state/context';

/**
 * This machine's calibration records: one line per finished run (predicted / measured per GPU and
 * why the check would ignore it), and a button that forgets them all. Same data as
 * `lal check --calibration show|reset`.
 */
export function CalibrationSection() {
  const { t } = useTranslation();
  const api = useApp((s) => s.api);
  const [view, setView] = useState<CalibrationView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = (action: 'show' | 'reset') =>
    api
      .calibration({ action })
      .then((v) => (action === 'reset' ? api.calibration({ action: 'show' }) : v))
      .then((v) => {
        setView(v);
        setError(null);
      })
      .catch((e: unknown) => {
        // Only a refusal from core is shown here; anything else is a bug and must surface.
        if (!(e instanceof ApiFailure) && !(e && typeof e === 'object' && 'code' in e && 'message' in e)) throw e;
        setError(String((e as { message: string }).message));
      });
  useEffect(() => {
    void load('show');
  }, []);
  const gb = (b: number) => (b / 1e9).toFixed(1);
  return (
    <section className="settings-calibration" data-testid="settings-calibration">
      <h2>{t('check:calibration.title')}</h2>
      <p className="muted small">{t('check:calibration.intro')}</p>
      {error && <p className="bad small">{error}</p>}
      {view && (
        <>
          <p className="small">{t('check:calibration.show', { file: view.file, n: view.entries.length })}</p>
          <ul className="small" data-testid="calibration-entries">
            {view.entries.map((e) => (
              <li key={e.runId}>
                {t('check:calibration.entry', {
                  at: e.at.slice(0, 16).replace('T', ' '),
                  runId: e.runId,
                  recipe: e.recipe,
                  mode: e.mode,
                  gpu: e.gpuName ?? '?',
                  parts: e.gpus.map((g) => `GPU${g.index} ${gb(g.predictedBytes)}/${gb(g.measuredBytes)} GB`).join(', '),
                  ignored: e.ignored ? t('check:calibration.ignored', { why: t(`check:calibration.why.${e.ignored}`) }) : '',
                })}
              </li>
            ))}
          </ul>
          <button type="button" className="small" disabled={!view.entries.length} onClick={() => void load('reset')} data-testid="calibration-reset">
            {t('check:calibration.resetButton')}
          </button>
        </>
      )}
    </section>
  );
}
