import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StacksReport } from '../../../shared/stacks/types';
import { describeFlight, describeRank } from '../../../shared/stacks/explain';
import { frameLabel } from '../../../shared/stacks/parse';
import { useLang } from '../lib/use-lang';
import { useApi } from '../state/context';

/** Per-rank lines and, folded, every thread's Python stack (innermost frame first, as Python dumps it). */
export function StacksDetails({ report }: { report: StacksReport }) {
  const { t } = useTranslation();
  const { lang } = useLang();
  return (
    <div className="stacks" data-testid="stacks-details">
      <ul className="plain">
        {report.ranks.map((r) => (
          <li key={r.rank} data-testid={`stacks-rank-${r.rank}`} data-kind={r.kind}>
            <strong>{t('stacks:ui.rank', { rank: r.rank })}</strong>
            {r.pid !== null && <span className="muted small"> {t('stacks:ui.pid', { pid: r.pid })}</span>}: {describeRank(r, lang)}
            {r.threads.length > 0 && (
              <details>
                <summary className="small">{t('stacks:ui.title')}</summary>
                {r.threads.map((th, i) => (
                  <pre key={`${th.id}-${i}`} className="small">
                    {`${t('stacks:ui.thread', { id: th.id || '?' })}${th.current ? ` ${t('stacks:ui.signalled')}` : ''}\n`}
                    {th.frames.map((f) => `  ${f.func}  ${frameLabel(f)}\n    ${f.file}`).join('\n')}
                  </pre>
                ))}
              </details>
            )}
          </li>
        ))}
      </ul>
      {report.flight.map((f) => (
        <p key={f.rank} className="small">{describeFlight(f, lang)}</p>
      ))}
      <p className="muted small">{t('stacks:ui.took', { ms: report.dumpMs, folder: report.folder })}</p>
    </div>
  );
}

/** "Where is it now?": asks every rank of a running run for its stacks, at any time (issue 22). */
export function StacksPanel({ runId, active }: { runId: string; active: boolean }) {
  const { t } = useTranslation();
  const { lang } = useLang();
  const client = useApi();
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<StacksReport | null>(null);
  const [error, setError] = useState<string | null>(null);

  const ask = async () => {
    setBusy(true);
    setError(null);
    try {
      setReport(await client.dumpStacks({ runId }));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  if (!active && !report) return null;
  return (
    <section className="panel" aria-labelledby="stacks-title" data-testid="stacks-panel">
      <div className="row">
        <h2 id="stacks-title">{t('stacks:ui.title')}</h2>
        {active && (
          <button type="button" className="secondary" onClick={() => void ask()} disabled={busy} data-testid="where-now">
            {busy ? t('stacks:ui.dumping') : t('stacks:ui.whereNow')}
          </button>
        )}
        {report && <button type="button" className="secondary" onClick={() => setReport(null)}>{t('stacks:ui.close')}</button>}
      </div>
      {error && <p className="note error" role="alert">{t('stacks:ui.failed', { message: error })}</p>}
      {report && (
        <>
          <p data-testid="stacks-summary">{t('stacks:ui.summary', { summary: lang === 'zh-CN' ? report.summary.zh : report.summary.en })}</p>
          <StacksDetails report={report} />
        </>
      )}
    </section>
  );
}
