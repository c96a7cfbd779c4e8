import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CopyButton } from '../components/CopyButton';
import { toApiError } from '../lib/loadable';
import { useApi } from '../state/context';

type Format = 'json' | 'code' | 'sh';
const FORMATS: Format[] = ['json', 'code', 'sh'];

/** A profile as a file, a share code or a bash script: copy it, or download it as a file. */
export function ExportPanel({ name, onClose }: { name: string; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useApi();
  const [format, setFormat] = useState<Format>('code');
  const [out, setOut] = useState<{ text: string; filename: string } | { error: string } | null>(null);
  useEffect(() => {
    let live = true;
    setOut(null);
    client.exportProfile({ name, format }).then(
      (r) => live && setOut(r),
      (e: unknown) => live && setOut({ error: toApiError(e).message }),
    );
    return () => { live = false; };
  }, [client, name, format]);
  const download = (text: string, filename: string) => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <section className="export-panel" aria-label={t('library:export.title', { name })} data-testid="export-panel">
      <div className="row between">
        <h3 className="sub">{t('library:export.title', { name })}</h3>
        <button type="button" className="link" onClick={onClose}>{t('library:export.close')}</button>
      </div>
      <div className="row" role="radiogroup" aria-label={t('library:export.title', { name })}>
        {FORMATS.map((f) => (
          <label key={f} className="row">
            <input type="radio" name={`export-${name}`} value={f} checked={format === f} onChange={() => setFormat(f)} data-testid={`export-${f}`} />
            <span>{t(`library:export.${f}`)}</span>
          </label>
        ))}
      </div>
      {out === null ? <p className="muted" role="status">{t('common:loading')}</p>
        : 'error' in out ? <p className="note error" role="alert">{out.error}</p>
        : (
          <>
            <textarea className="export-text" readOnly value={out.text} rows={format === 'code' ? 3 : 12} aria-label={t(`library:export.${format}`)} data-testid="export-text" />
            {format === 'sh' && <p className="muted small">{t('library:export.shNote')}</p>}
            <div className="row">
              <CopyButton text={out.text} />
              <button type="button" className="secondary small" onClick={() => download(out.text, out.filename)}>{t('library:export.download')} <code>{out.filename}</code></button>
            </div>
          </>
        )}
    </section>
  );
}
