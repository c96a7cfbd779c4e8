import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_IMPORT_SOURCE } from '../../../shared/api/contract';
import type { ApiError } from '../../../shared/api/result';
import type { FieldError, ImportPreview, UnparsedLine } from '../../../shared/profiles/schema';
import { toApiError } from '../lib/loadable';
import { useLang } from '../lib/use-lang';
import { useApi } from '../state/context';
import { ImportPreviewView } from './ImportPreviewView';
import { UnparsedList } from './UnparsedList';


type State =
  | { kind: 'idle' }
  | { kind: 'reading' }
  | { kind: 'preview'; preview: ImportPreview }
  | { kind: 'error'; error: ApiError; errors: FieldError[]; unparsed: UnparsedLine[] };

/** Paste or open something someone shared; nothing is saved or run until the preview is accepted. */
export function ImportPanel() {
  const { t } = useTranslation();
  const client = useApi();
  const [source, setSource] = useState('');
  const [state, setState] = useState<State>({ kind: 'idle' });

  /** `keep`: a re-preview of an edited profile still came from the user's script, with its unread lines. */
  const preview = async (text: string, keep?: Pick<ImportPreview, 'kind' | 'unparsed'>) => {
    setState({ kind: 'reading' });
    try {
      setState({ kind: 'preview', preview: { ...(await client.previewImport({ source: text })), ...keep } });
    } catch (e) {
      const error = toApiError(e);
      const details = (error.details ?? {}) as { errors?: FieldError[]; unparsed?: UnparsedLine[] };
      setState({ kind: 'error', error, errors: details.errors ?? [], unparsed: details.unparsed ?? [] });
    }
  };
  const openFile = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_IMPORT_SOURCE) {
      setState({ kind: 'error', error: { code: 'BAD_INPUT', field: 'source', message: t('library:import.tooLarge', { file: file.name, size: Math.round(MAX_IMPORT_SOURCE / 1e6) }) }, errors: [], unparsed: [] });
      return;
    }
    const text = await file.text();
    setSource(text);
    await preview(text);
  };

  return (
    <section className="panel" aria-labelledby="import-title" data-testid="import-panel">
      <h2 id="import-title">{t('library:import.title')}</h2>
      <p className="muted small">{t('library:import.help')}</p>
      <form onSubmit={(e) => { e.preventDefault(); if (source.trim()) void preview(source); }}>
        <label className="field">
          <span>{t('library:import.source')}</span>
          <textarea className="import-source" rows={6} spellCheck={false} value={source} maxLength={MAX_IMPORT_SOURCE}
            onChange={(e) => setSource(e.target.value)} data-testid="import-source" />
        </label>
        <div className="row">
          <button type="submit" className="primary" disabled={!source.trim() || state.kind === 'reading'} data-testid="import-preview">
            {state.kind === 'reading' ? t('library:import.previewing') : t('library:import.preview')}
          </button>
          <label className="row small">
            <span>{t('library:import.file')}</span>
            <input type="file" accept=".json,.sh,.txt,.lavprofile.json,text/plain,application/json" onChange={(e) => void openFile(e.target.files?.[0])} data-testid="import-file" />
          </label>
          {source && <button type="button" className="link" onClick={() => { setSource(''); setState({ kind: 'idle' }); }}>{t('library:import.clear')}</button>}
        </div>
      </form>
      {state.kind === 'error' && <ImportErrors error={state.error} errors={state.errors} unparsed={state.unparsed} />}
      {state.kind === 'preview' && (
        <ImportPreviewView key={JSON.stringify(state.preview.profile)} preview={state.preview}
          onRepreview={(text) => void preview(text, { kind: state.preview.kind, unparsed: state.preview.unparsed })} onDone={() => { setSource(''); setState({ kind: 'idle' }); }} />
      )}
    </section>
  );
}

function ImportErrors({ error, errors, unparsed }: { error: ApiError; errors: FieldError[]; unparsed: UnparsedLine[] }) {
  const { t } = useTranslation();
  const { zhOr } = useLang();
  return (
    <div className="note error" role="alert" data-testid="import-error">
      <p>{t('library:import.failed')} {errors.length ? null : error.message}</p>
      {errors.length > 0 && (
        <ul className="field-errors" aria-label={t('library:import.lineErrors')}>
          {errors.map((e, i) => <li key={i}><code>{e.path}</code>: {zhOr(e.message, e.messageZh)}</li>)}
        </ul>
      )}
      {unparsed.length > 0 && <UnparsedList lines={unparsed} />}
    </div>
  );
}
