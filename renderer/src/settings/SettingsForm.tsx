import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Settings } from '../../../shared/api/contract';
import type { ApiError } from '../../../shared/api/result';
import type { DetectReport } from '../../../shared/detect/types';
import { valueOf } from '../lib/loadable';
import { useApp } from '../state/context';
import { errorPlace, errorTargetId, isDirty, patchFrom, pathErrorText, PATH_FIELDS, toDraft, type Draft, type ErrorPlace, type PathKey } from './draft';
import { PathField } from './PathField';
import { PythonPicks } from './PythonPicks';
import { StallActionField } from './StallActionField';
import { TrustedFolders } from './TrustedFolders';

type Phase = 'idle' | 'saving' | 'saved';
type PickTarget = PathKey | 'trusted';

/** What "automatic" picks today, from detection; only shown while the setting is automatic. */
function autoValue(key: PathKey, report: DetectReport | undefined): string | null {
  if (!report) return null;
  switch (key) {
    // 'configured' with nothing saved here means a process override (`lal --python`), which wins.
    case 'pythonPath': return (report.python.find((p) => p.source === 'configured') ?? report.python.find((p) => p.source === 'torchrun'))?.path ?? null;
    case 'checkoutPath': return report.checkout?.path ?? null;
    case 'outputDir': return report.host.outputDir;
    case 'nvidiaSmiPath': return report.nvidiaSmi.path;
  }
}

const touches = (place: ErrorPlace, edit: Partial<Draft>): boolean =>
  place.kind === 'form' || (place.kind === 'path' ? place.key in edit : 'trustedFolders' in edit);

/** The editable settings; saves only what changed, then re-runs detection with the new paths. */
export function SettingsForm({ saved }: { saved: Settings }) {
  const { t } = useTranslation();
  const api = useApp((s) => s.api);
  const detect = useApp((s) => s.detect);
  const transport = useApp((s) => valueOf(s.info)?.transport);
  const updateSettings = useApp((s) => s.updateSettings);
  const refreshDetect = useApp((s) => s.refreshDetect);
  const [draft, setDraft] = useState(() => toDraft(saved));
  const [base, setBase] = useState(saved);
  const [phase, setPhase] = useState<Phase>('idle');
  const [error, setError] = useState<ApiError | null>(null);
  const [noPicker, setNoPicker] = useState<PickTarget | null>(null);

  // Settings changed elsewhere (the wizard's checkout field, another window): follow them unless
  // the user is mid-edit here, whose text must not vanish under their cursor.
  if (base !== saved) {
    setBase(saved);
    if (!isDirty(draft, base)) setDraft(toDraft(saved));
  }

  const place = error ? errorPlace(error) : null;
  useEffect(() => {
    const id = place ? errorTargetId(place) : null;
    if (id) document.getElementById(id)?.focus();
  }, [error]); // once per refusal, not on every render that still shows it

  const edit = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setPhase('idle');
    if (place && touches(place, patch)) setError(null);
  };

  const save = async () => {
    const patch = patchFrom(draft, saved);
    if (Object.keys(patch).length === 0) return;
    setPhase('saving');
    setError(null);
    const r = await updateSettings(patch);
    if (r.state === 'ready') {
      setDraft(toDraft(r.value));
      setBase(r.value);
      setPhase('saved');
      void refreshDetect(true);
      return;
    }
    setPhase('idle');
    if (r.state === 'error') setError(r.error);
    else if (r.state === 'unavailable') setError({ code: 'UNAVAILABLE', message: r.message });
  };

  const browse = async (target: PickTarget, kind: 'file' | 'folder', title: string) => {
    // A failed call is treated like a browser: the text field still works.
    const r = await api.pickPath({ kind, title }).catch(() => null);
    if (!r?.supported) {
      setNoPicker(target);
      return;
    }
    setNoPicker(null);
    const picked = r.path;
    if (!picked) return;
    if (target !== 'trusted') edit({ [target]: picked });
    else if (!draft.trustedFolders.includes(picked)) edit({ trustedFolders: [...draft.trustedFolders, picked] });
  };

  const messageFor = (e: ApiError, field: string): string => pathErrorText(t, e, field);
  const pathError = (key: PathKey) => (error && place?.kind === 'path' && place.key === key ? messageFor(error, t(`settings:fields.${key}.label`)) : null);
  const trustedErrors: Record<number, string> = error && place?.kind === 'trusted' ? { [place.index]: messageFor(error, t('settings:trusted.one')) } : {};
  const report = valueOf(detect);
  const dirty = isDirty(draft, saved);

  return (
    <form className="settings-form" noValidate onSubmit={(e) => { e.preventDefault(); void save(); }} data-testid="settings-form">
      <section className="panel">
        <fieldset className="settings-group">
          <legend>{t('settings:paths')}</legend>
          {transport !== 'electron' && <p className="help">{t('settings:serverPaths')}</p>}
          <div className="settings-paths">
            {PATH_FIELDS.map(({ key, kind }) => (
              <PathField key={key} name={key} value={draft[key]} autoValue={saved[key] === null ? autoValue(key, report) : null}
                error={pathError(key)} noPicker={noPicker === key} onChange={(v) => edit({ [key]: v })}
                onBrowse={() => void browse(key, kind, t(`settings:fields.${key}.label`))}>
                {key === 'pythonPath' && <PythonPicks detect={detect} selected={draft.pythonPath.trim()} onPick={(p) => edit({ pythonPath: p })} />}
              </PathField>
            ))}
          </div>
        </fieldset>
      </section>
      <section className="panel">
        <StallActionField value={draft.stallAction} onChange={(v) => edit({ stallAction: v })} />
      </section>
      <section className="panel">
        <TrustedFolders folders={draft.trustedFolders} errors={trustedErrors}
          listError={error && place?.kind === 'trustedList' ? messageFor(error, t('settings:trusted.legend')) : null}
          noPicker={noPicker === 'trusted'} onChange={(list) => edit({ trustedFolders: list })}
          onBrowse={() => void browse('trusted', 'folder', t('settings:trusted.legend'))} />
      </section>
      <div className="settings-actions row">
        <button type="submit" className="primary" disabled={!dirty || phase === 'saving'} data-testid="settings-save">
          {phase === 'saving' ? t('settings:saving') : t('settings:save')}
        </button>
        {dirty && phase !== 'saving' && (
          <button type="button" className="secondary" data-testid="settings-discard" onClick={() => { setDraft(toDraft(saved)); setError(null); }}>
            {t('settings:discard')}
          </button>
        )}
        <p className="settings-status ok-text" role="status" aria-live="polite" data-testid="settings-status">{phase === 'saved' ? t('settings:saved') : ''}</p>
      </div>
      {error && place?.kind === 'form' && (
        <p className="note error" role="alert" data-testid="settings-error">{t('settings:errors.failed', { message: error.message })}</p>
      )}
    </form>
  );
}
