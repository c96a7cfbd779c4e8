import { useTranslation } from 'react-i18next';
import type { RunEvent } from '../../../shared/run/types';

type Stall = Extract<RunEvent, { type: 'stall' }>;

/** A run that stopped moving: which ranks, for how long, and what the launcher did about it. */
export function StallBanner({ stall, active, onStop }: { stall: Stall; active: boolean; onStop: () => void }) {
  const { t } = useTranslation();
  const culprit = stall.behind?.length ? stall.behind : stall.ranks;
  return (
    <div className="banner stall" role="alert" data-testid="stall-banner">
      <div>
        <strong>{t('run.stall.title', { seconds: Math.round(stall.idleSec) })}</strong>
        <p>{t('run.stall.ranks', { ranks: stall.ranks.join(', ') })}{culprit.length ? ` ${t('run.stall.behind', { ranks: culprit.join(', ') })}` : ''}</p>
        <p className="small">{stall.action === 'stop' ? t('run.stall.stopped') : t('run.stall.notify')}</p>
      </div>
      {active && <button type="button" className="danger" onClick={onStop}>{t('run.stop')}</button>}
    </div>
  );
}
