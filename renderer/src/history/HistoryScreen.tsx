import { useTranslation } from 'react-i18next';
import type { RunRecord } from '../../../shared/run/types';
import { LoadableView } from '../components/LoadableView';
import { StatusBadge } from '../components/StatusBadge';
import { duration, gib, gibFromMiB, runSeconds } from '../lib/format';
import { useApp } from '../state/context';

/** Peak against prediction on the GPU where the run came closest to its limit. */
export function peakVsPrediction(r: RunRecord): { gpu: string; peakMiB: number; predictedBytes: number | null } | null {
  const gpus = Object.keys(r.peaksMiB);
  if (!gpus.length) return null;
  const gpu = gpus.reduce((a, b) => (r.peaksMiB[b] > r.peaksMiB[a] ? b : a));
  return { gpu, peakMiB: r.peaksMiB[gpu], predictedBytes: r.predictedBytes[gpu] ?? null };
}

export function HistoryScreen() {
  const { t } = useTranslation();
  const runs = useApp((s) => s.runs);
  const navigate = useApp((s) => s.navigate);
  const runAgain = useApp((s) => s.runAgain);
  const refresh = useApp((s) => s.refreshRuns);
  return (
    <section className="panel" aria-labelledby="history-title" data-testid="history">
      <header className="row between">
        <h1 id="history-title">{t('history.title')}</h1>
        <button type="button" className="secondary small" onClick={() => void refresh()}>{t('history.refresh')}</button>
      </header>
      <LoadableView value={runs} what={t('what.runs')} onRetry={() => void refresh()}>
        {(list) =>
          list.length === 0 ? (
            <p className="muted">{t('history.empty')}</p>
          ) : (
            <div className="table-scroll">
              <table className="history-table">
                <caption className="sr-only">{t('history.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('history.col.status')}</th>
                    <th scope="col">{t('history.col.started')}</th>
                    <th scope="col">{t('history.col.what')}</th>
                    <th scope="col">{t('history.col.duration')}</th>
                    <th scope="col">{t('history.col.peak')}</th>
                    <th scope="col"><span className="sr-only">{t('history.col.actions')}</span></th>
                  </tr>
                </thead>
                <tbody>
                  {[...list].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).map((r) => {
                    const peak = peakVsPrediction(r);
                    return (
                      <tr key={r.runId} data-testid="history-row" data-run={r.runId} data-status={r.status}>
                        <td><StatusBadge status={r.status} /></td>
                        <td>{new Date(r.startedAt).toLocaleString()}</td>
                        <td>{r.spec.recipe} · {r.spec.mode}{r.diagnoses[0] ? <div className="small bad">{r.diagnoses[0].title}</div> : null}</td>
                        <td>{duration(runSeconds(r.startedAt, r.endedAt))}</td>
                        <td>
                          {peak ? (
                            <span className={peak.predictedBytes !== null && peak.peakMiB * 1024 * 1024 > peak.predictedBytes ? 'bad' : ''}>
                              GPU {peak.gpu}: {gibFromMiB(peak.peakMiB)}{peak.predictedBytes !== null ? ` / ${gib(peak.predictedBytes)}` : ''}
                            </span>
                          ) : <span className="muted">—</span>}
                        </td>
                        <td className="actions">
                          <button type="button" className="secondary small" onClick={() => navigate({ name: 'run', runId: r.runId })}>{t('history.logs')}</button>
                          <button type="button" className="small" onClick={() => runAgain(r)}>{t('history.runAgain')}</button>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )
        }
      </LoadableView>
    </section>
  );
}
