import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SetupStatus } from '../../../shared/api/contract';
import { formatBytes, formatEta } from '../../../shared/setup/progress';
import type { DownloadProgress, FileProgress } from '../../../shared/setup/types';
import { useApi } from '../state/context';
import './setup.css';

const CHOICES = ['hf', 'mirror', 'modelscope'] as const;
type Choice = (typeof CHOICES)[number];

const pct = (a: number, b: number) => (b > 0 ? Math.min(100, Math.floor((a / b) * 100)) : 0);

/**
 * The weight download: where to, from which endpoints in which order, then bytes, speed and ETA per
 * file and in total, with pause / resume / cancel. Progress arrives as `setupProgress` events, so a
 * second window or a reconnecting browser sees the same download.
 */
export function DownloadView({ onFinished }: { onFinished?: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [status, setStatus] = useState<SetupStatus | null>(null);
  const [progress, setProgress] = useState<DownloadProgress | null>(null);
  const [chosen, setChosen] = useState<Record<Choice, boolean>>({ hf: true, mirror: true, modelscope: true });
  const [custom, setCustom] = useState('');
  const [dest, setDest] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void api.setupStatus(undefined).then((s) => {
      if (!live) return;
      setStatus(s);
      if (s.progress) setProgress(s.progress);
    }, (e: Error) => setError(e.message));
    const off = api.on('setupProgress', (p) => {
      setProgress(p);
      if (p.phase === 'done') onFinished?.();
    });
    return () => {
      live = false;
      off();
    };
  }, [api, onFinished]);

  const busy = progress?.phase === 'listing' || progress?.phase === 'downloading';
  const resumable = progress?.phase === 'paused' || progress?.phase === 'failed';
  const call = (p: Promise<DownloadProgress>) => {
    setError(null);
    p.then(setProgress, (e: Error) => setError(e.message));
  };
  const start = () => {
    const endpoints = [...(custom.trim() ? [custom.trim()] : []), ...CHOICES.filter((c) => chosen[c])];
    call(api.setupDownloadStart({ endpoints, ...(dest.trim() ? { dest: dest.trim() } : {}) }));
  };

  return (
    <section className="panel download" aria-labelledby="dl-title" data-testid="download-view">
      <h2 id="dl-title">{t('setup:download.title')}</h2>
      <p className="muted small">{t('setup:download.intro')}</p>
      <div className="field">
        <label htmlFor="dl-dest">{t('setup:download.dest')}</label>
        <input id="dl-dest" type="text" value={dest} placeholder={status?.dest ?? ''} onChange={(e) => setDest(e.target.value)} disabled={busy} spellCheck={false} />
        <p className="help">{status?.destProblem ?? t('setup:download.destHelp')}</p>
      </div>
      <fieldset className="field">
        <legend>{t('setup:download.endpoints')}</legend>
        <div className="endpoints">
          {CHOICES.map((c) => (
            <label key={c}>
              <input type="checkbox" checked={chosen[c]} disabled={busy} onChange={(e) => setChosen({ ...chosen, [c]: e.target.checked })} />
              <code>{c === 'hf' ? 'huggingface.co' : c === 'mirror' ? (status?.endpoints.find((x) => x.label === 'HF_ENDPOINT' || x.label === 'mirror')?.base.replace(/^https?:\/\//, '') ?? 'hf-mirror.com') : 'modelscope.cn'}</code>
            </label>
          ))}
        </div>
        <input type="url" aria-label={t('setup:download.custom')} placeholder={t('setup:download.custom')} value={custom} disabled={busy} onChange={(e) => setCustom(e.target.value)} spellCheck={false} />
        <p className="help">{t('setup:download.endpointsHelp')} {status?.repos.filter((r) => !r.modelscope).map((r) => `${r.repo}: ${t('setup:download.noModelscope')}`).join('; ')}</p>
      </fieldset>
      <div className="controls">
        {!busy && (
          <button type="button" onClick={start} data-testid="dl-start">{resumable ? t('setup:download.resume') : t('setup:download.start')}</button>
        )}
        {busy && <button type="button" className="secondary" onClick={() => call(api.setupDownloadPause(undefined))} data-testid="dl-pause">{t('setup:download.pause')}</button>}
        {(busy || resumable) && <button type="button" className="secondary" onClick={() => call(api.setupDownloadCancel(undefined))} data-testid="dl-cancel">{t('setup:download.cancel')}</button>}
      </div>
      {error && <p className="note warn" role="alert">{error}</p>}
      {progress && progress.phase !== 'idle' && <ProgressBlock p={progress} />}
    </section>
  );
}

function ProgressBlock({ p }: { p: DownloadProgress }) {
  const { t } = useTranslation();
  const done = p.files.filter((f) => f.state === 'done').length;
  return (
    <div data-testid="dl-progress" data-phase={p.phase}>
      <p><strong>{t(`setup:phase.${p.phase}`)}</strong> · <code>{p.dest}</code></p>
      {p.error && (
        <p className="note warn" role="alert" data-testid="dl-error"><strong>{t(`setup:download.errors.${p.error.code}`)}</strong> — {p.error.message}</p>
      )}
      <div className="progressbar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct(p.bytes, p.total)}>
        <span className={`fill ${p.phase === 'done' ? 'status-succeeded' : p.phase === 'failed' ? 'status-failed' : ''}`} style={{ width: `${pct(p.bytes, p.total)}%` }} />
      </div>
      <dl className="stats">
        <div><dt>{t('setup:download.total')}</dt><dd>{formatBytes(p.bytes)} / {formatBytes(p.total)}</dd></div>
        <div><dt>{t('setup:download.speed')}</dt><dd>{formatBytes(p.speed)}/s</dd></div>
        <div><dt>{t('setup:download.eta')}</dt><dd>{formatEta(p.etaSeconds)}</dd></div>
        <div><dt>{t('setup:download.files')}</dt><dd>{done} / {p.files.length}</dd></div>
      </dl>
      <div className="table-scroll">
        <table data-testid="dl-files">
          <thead>
            <tr><th>{t('setup:download.file')}</th><th>{t('setup:download.size')}</th><th>{t('setup:download.state')}</th><th /><th>{t('setup:download.speed')}</th><th>{t('setup:download.eta')}</th></tr>
          </thead>
          <tbody>
            {p.files.map((f) => <FileRow key={`${f.repo}/${f.path}`} f={f} />)}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function FileRow({ f }: { f: FileProgress }) {
  const { t } = useTranslation();
  return (
    <tr data-state={f.state}>
      <td className="path" title={f.error}>{f.repo.split('/')[1]}/{f.path}</td>
      <td>{formatBytes(f.bytes)} / {formatBytes(f.total)}</td>
      <td>{t(`setup:file.${f.state}`)}{f.endpoint && f.state !== 'done' && f.state !== 'queued' ? ` · ${f.endpoint.replace(/^https?:\/\//, '')}` : ''}</td>
      <td><div className="progressbar mini"><span className={`fill ${f.state === 'done' ? 'status-succeeded' : f.state === 'failed' ? 'status-failed' : ''}`} style={{ width: `${pct(f.bytes, f.total)}%` }} /></div></td>
      <td>{f.state === 'downloading' ? `${formatBytes(f.speed)}/s` : ''}</td>
      <td>{f.state === 'downloading' ? formatEta(f.etaSeconds) : ''}</td>
    </tr>
  );
}
