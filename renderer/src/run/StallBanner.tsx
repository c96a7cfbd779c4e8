import { useTranslation } from 'react-i18next';
import type { RunEvent } from '../../../shared/run/types';
import { useLang } from '../lib/use-lang';
import { StacksDetails } from './StacksPanel';

type Stall = Extract<RunEvent, { type: 'stall' }>;

/** A run that stopped moving: which ranks, for how long, and what the launcher did about it. */
export function StallBanner({ stall, active, onStop }: { stall: Stall; active: boolean; onStop: () => void }) {
  const { t } = useTranslation();
  const { lang } = useLang();
  const culprit = stall.behind?.length ? stall.behind : stall.ranks;
  // Where the ranks are, from their Python stacks (issue 22), when the launcher could take them.
  const where = stall.where;
  return (
    <div className="banner stall" role="alert" data-testid="stall-banner">
      <div>
        <strong>{t('run.stall.title', { seconds: Math.round(stall.idleSec) })}</strong>
        <p>{t('run.stall.ranks', { ranks: stall.ranks.join(', ') })}{culprit.length ? ` ${t('run.stall.behind', { ranks: culprit.join(', ') })}` : ''}</p>
        {where && <p data-testid="stall-where">{t('stacks:ui.summary', { summary: lang === 'zh-CN' ? where.summary.zh : where.summary.en })}</p>}
        {where && (
          <details>
            <summary className="small">{t('stacks:ui.title')}</summary>
            <StacksDetails report={where} />
          </details>
        )}
        <p className="small">{stall.action === 'stop' ? t('run.stall.stopped') : t('run.stall.notify')}</p>
      </div>
      {active && <button type="button" className="danger" onClick={onStop}>{t('run.stop')}</button>}
    </div>
  );
}
