import { useTranslation } from 'react-i18next';
import { LoadableView } from '../components/LoadableView';
import { StatusBadge } from '../components/StatusBadge';
import { duration, runSeconds } from '../lib/format';
import { useApp } from '../state/context';

export function RecentRuns() {
  const { t } = useTranslation();
  const runs = useApp((s) => s.runs);
  const navigate = useApp((s) => s.navigate);
  return (
    <section className="panel" aria-labelledby="recent-title">
      <header className="row between">
        <h2 id="recent-title">{t('home.recent.title')}</h2>
        <button type="button" className="link" onClick={() => navigate({ name: 'history' })}>{t('home.recent.all')}</button>
      </header>
      <LoadableView value={runs} what={t('what.runs')}>
        {(list) =>
          list.length === 0 ? (
            <p className="muted">{t('home.recent.empty')}</p>
          ) : (
            <ul className="recent">
              {[...list].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, 5).map((r) => (
                <li key={r.runId}>
                  <button type="button" className="row-button" onClick={() => navigate({ name: 'run', runId: r.runId })}>
                    <StatusBadge status={r.status} />
                    <span>{r.spec.recipe} · {r.spec.mode}</span>
                    <span className="muted small">{new Date(r.startedAt).toLocaleString()} · {duration(runSeconds(r.startedAt, r.endedAt))}</span>
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </LoadableView>
    </section>
  );
}
