import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReadinessItem, ReadinessReport } from '../../../shared/setup/checklist';
import { quoteArgv } from '../../../shared/setup/fixes';
import { formatBytes } from '../../../shared/setup/progress';
import { CopyButton } from '../components/CopyButton';
import { DownloadView } from '../setup/DownloadView';
import { FixConsole, useFixLogs } from '../setup/FixConsole';
import { useApi } from '../state/context';
import '../setup/setup.css';

/**
 * Is this machine ready for the real recipe? One row per item of the readiness checklist (the same
 * one `lal doctor` prints): ok / missing / wrong, why, and the exact fix command with a copy button.
 * Fixes that can run without a password run here, as argv from the core's fixed table, with their
 * output below; the weights fix opens the download view instead.
 */
export function ReadinessPanel() {
  const { t } = useTranslation();
  const api = useApi();
  const [report, setReport] = useState<ReadinessReport | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fixRun, setFixRun] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [showDownload, setShowDownload] = useState(false);

  const load = useCallback(() => {
    setLoading(true);
    setError(null);
    api.readiness(undefined).then(setReport, (e: Error) => setError(e.message)).finally(() => setLoading(false));
  }, [api]);
  useEffect(load, [load]);

  const runFix = (item: ReadinessItem) => {
    if (!item.fix) return;
    setRunning(true);
    api.runFix({ fixId: item.fix.id }).then((r) => setFixRun(r.fixRunId), (e: Error) => {
      setError(e.message);
      setRunning(false);
    });
  };
  const logs = useFixLogs(() => {
    setRunning(false);
    load();
  });

  const bad = report?.items.filter((i) => i.status !== 'ok').length ?? 0;
  return (
    <section className="panel readiness" aria-labelledby="ready-title" data-testid="readiness-panel">
      <header className="row between">
        <h2 id="ready-title">{t('setup:panel.title')}</h2>
        <div className="row">
          <button type="button" className="secondary small" onClick={() => setShowDownload((v) => !v)} aria-expanded={showDownload} data-testid="toggle-download">
            {t('setup:panel.openDownload')}
          </button>
          <button type="button" className="secondary small" onClick={load} aria-busy={loading} data-testid="readiness-recheck">
            {loading ? t('setup:panel.checking') : t('setup:panel.recheck')}
          </button>
        </div>
      </header>
      <p className="muted small">{t('setup:panel.intro')}</p>
      {error && <p className="note warn" role="alert">{error}</p>}
      {report && (
        <>
          <p className={report.ready ? 'ok-text' : 'warn-text'} data-testid="readiness-summary">
            {report.ready ? t('setup:panel.ready') : t('setup:panel.notReady', { count: bad })}
          </p>
          <ul className="items">
            {report.items.map((it) => (
              <Item key={it.id} item={it} busy={running} onRun={() => runFix(it)} onDownload={() => setShowDownload(true)} />
            ))}
          </ul>
        </>
      )}
      {fixRun && <FixConsole log={logs[fixRun] ?? { text: '' }} />}
      {showDownload && <DownloadView onFinished={load} />}
    </section>
  );
}

function Item({ item, busy, onRun, onDownload }: { item: ReadinessItem; busy: boolean; onRun: () => void; onDownload: () => void }) {
  const { t } = useTranslation();
  const params: Record<string, string | number> = { ...item.params };
  for (const k of ['bytes', 'total']) if (typeof params[k] === 'number') params[k] = formatBytes(params[k] as number);
  const line = item.fix ? quoteArgv(item.fix.argv) : null;
  return (
    <li className={`item ${item.status}`} data-testid={`ready-${item.id}`} data-status={item.status}>
      <div className="item-head">
        <span className={`badge ready-${item.status}`}>{t(`setup:status.${item.status}`)}</span>
        <span className="item-name">{t(`setup:item.${item.id}`)}</span>
      </div>
      <p className="item-detail">{t(`setup:detail.${item.detail}`, params)}</p>
      {item.fix && line && (
        <div className="fix-row">
          <span className="fix-label">{t('setup:panel.fix')}</span>
          <code data-testid="fix-argv">{line}</code>
          <CopyButton text={line} label={t('setup:panel.copy')} />
          {item.fix.id === 'download-weights' ? (
            <button type="button" className="small" onClick={onDownload} data-testid="open-download">{t('setup:panel.openDownload')}</button>
          ) : item.fix.runnable ? (
            <button type="button" className="small" onClick={onRun} disabled={busy}>{busy ? t('setup:panel.running') : t('setup:panel.run')}</button>
          ) : (
            <span className="muted small">{t('setup:panel.copyOnly')}</span>
          )}
        </div>
      )}
    </li>
  );
}
