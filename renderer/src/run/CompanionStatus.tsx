import { useTranslation } from 'react-i18next';
import type { CompanionState } from '../../../shared/run/types';
import type { LiveRun } from '../state/live-run';

/**
 * One chip per companion service (Step-Video's caption/VAE server) beside the run's status: it is
 * started before the ranks, so "starting" here explains a run with no rank output yet.
 */
export function CompanionStatus({ live }: { live: LiveRun }) {
  const { t } = useTranslation();
  const fromRecord = Object.fromEntries((live.record?.companions ?? []).map((c) => [c.name, { state: c.state, port: c.port, detail: undefined as string | undefined }]));
  // Pushed events are newer than the record while the run is live.
  const all = { ...fromRecord, ...(live.companions ?? {}) };
  const names = Object.keys(all);
  if (!names.length) return null;
  const bad = (s: CompanionState) => s === 'failed' || s === 'exited' || s === 'unhealthy';
  return (
    <ul className="rank-chips" aria-label={t('companion:ui.tab', { name: '' }).replace(/[:：]\s*$/, '')} data-testid="companions">
      {names.map((name) => {
        const c = all[name];
        return (
          <li key={name} className={`chip${bad(c.state) ? ' failing' : c.state === 'ready' ? ' phase-done' : ''}`} data-testid="companion-chip" data-state={c.state} title={t('companion:ui.port', { port: c.port })}>
            {t('companion:ui.chip', { name, state: t(`companion:ui.state.${c.state}`) })}
          </li>
        );
      })}
    </ul>
  );
}
