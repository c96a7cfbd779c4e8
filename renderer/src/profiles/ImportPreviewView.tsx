import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportPreview, Profile } from '../../../shared/profiles/schema';
import { LoadableView } from '../components/LoadableView';
import { toApiError } from '../lib/loadable';
import { useApi, useApp } from '../state/context';
import { specFromProfile } from '../state/spec';
import { CommandPreview } from '../wizard/CommandPreview';
import { FeasibilityCard } from '../wizard/FeasibilityCard';
import { EnvConsent } from '../components/EnvConsent';
import { UnparsedList } from './UnparsedList';

/**
 * What an import would run, before anything is saved: argv and env, variables that need consent,
 * paths outside trusted folders, lines not understood, and whether it fits this machine's GPUs.
 */
export function ImportPreviewView({ preview, onRepreview, onDone }: { preview: ImportPreview; onRepreview: (source: string) => void; onDone: () => void }) {
  const { t } = useTranslation();
  const client = useApi();
  const refresh = useApp((s) => s.refreshProfiles);
  const openWizard = useApp((s) => s.openWizard);
  const [name, setName] = useState(preview.profile.name);
  const [allowed, setAllowed] = useState<string[]>([]);
  // Paths are consented per run (the planner asks again at run time); ticking one here carries it to Review.
  const [allowedPaths, setAllowedPaths] = useState<string[]>([]);
  const [pinned, setPinned] = useState(true);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const { profile } = preview;
  const missingConsent = preview.envNeedsConsent.filter((n) => !allowed.includes(n));
  const nameChanged = name.trim() !== preview.profile.name;
  const blocked = missingConsent.length > 0 || !name.trim() || (preview.nameTaken && !nameChanged);

  // Removing a variable changes what would run, so the preview is rebuilt from the edited profile.
  const removeEnv = (key: string) => {
    const env = { ...profile.env };
    delete env[key];
    onRepreview(JSON.stringify({ ...profile, name: name.trim() || profile.name, env } satisfies Profile));
  };
  const save = async (open: boolean) => {
    const toSave: Profile = { ...profile, name: name.trim(), pinned };
    try {
      await client.saveProfile({ profile: toSave, allowEnv: allowed });
      await refresh();
      setStatus({ ok: true, text: t('library:import.saved', { name: toSave.name }) });
      if (open) openWizard(specFromProfile(toSave), 'review', toSave.name, allowed, allowedPaths);
      else onDone();
    } catch (e) {
      setStatus({ ok: false, text: toApiError(e).message });
    }
  };

  return (
    <div className="import-preview" data-testid="import-result">
      <p className="muted small">{t('library:import.from', { kind: t(`library:import.kind.${preview.kind}`) })} · <code>{profile.recipe}</code> · <code>{profile.mode}</code></p>
      <label className="field">
        <span>{t('library:import.name')}</span>
        <input type="text" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} aria-invalid={preview.nameTaken && !nameChanged} data-testid="import-name" />
      </label>
      {preview.nameTaken && !nameChanged && <p className="warn-text small" data-testid="import-name-taken">{t('library:import.nameTaken')}</p>}

      <h3 className="sub">{t('library:import.wouldRun')}</h3>
      {preview.plan ? <CommandPreview plan={preview.plan} />
        : <p className="note error" data-testid="import-no-plan">{t('library:import.noPlan', { message: preview.planError ? `${preview.planError.path}: ${preview.planError.message}` : '' })}</p>}

      <EnvConsent names={preview.envNeedsConsent} env={profile.env} allowed={allowed}
        onToggle={(n, on) => setAllowed((a) => (on ? [...a.filter((x) => x !== n), n] : a.filter((x) => x !== n)))} onRemove={removeEnv} />

      {(preview.nodeHosts?.length ?? 0) > 0 && (
        // Machines from the profile: shown here, asked for one by one before any ssh (wizard's Machines step).
        <p className="note warn" data-testid="import-node-hosts">{t('nodes:consent.previewHosts', { hosts: preview.nodeHosts!.join(', ') })}</p>
      )}

      {preview.flaggedPaths.length > 0 && (
        <div className="note warn" data-testid="import-flagged">
          <strong>{t('library:import.paths', { count: preview.flaggedPaths.length })}</strong>
          <p className="small">{t('library:import.pathsHelp')}</p>
          <ul className="consent-list">
            {preview.flaggedPaths.map((p) => (
              <li key={`${p.field}-${p.path}`} data-path-field={p.field}>
                {/* An env value is consented by its name in the box above; other paths by ticking here. */}
                {p.field.startsWith('env.') ? <code>{p.field}</code> : (
                  <label className="row">
                    <input type="checkbox" checked={allowedPaths.includes(p.path)} data-testid="path-consent-box"
                      onChange={(e) => setAllowedPaths((a) => (e.target.checked ? [...a.filter((x) => x !== p.path), p.path] : a.filter((x) => x !== p.path)))} />
                    <span>{t('library:consent.allowPath', { field: p.field })}</span>
                  </label>
                )}
                : <code>{p.path}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      {preview.unparsed.length > 0 && <UnparsedList lines={preview.unparsed} />}

      <h3 className="sub">{t('library:import.fit')}</h3>
      {preview.feasibility ? (
        <LoadableView value={{ state: 'ready', value: preview.feasibility }} what={t('what.check')}>{(r) => <FeasibilityCard report={r} compact />}</LoadableView>
      ) : <p className="muted small">{t('library:import.fitUnavailable', { message: preview.feasibilityError ?? '' })}</p>}

      {missingConsent.length > 0 && <p className="warn-text small" data-testid="import-need-consent">{t('library:import.needConsent')}</p>}
      <div className="row">
        <label className="row small"><input type="checkbox" checked={pinned} onChange={(e) => setPinned(e.target.checked)} /> {t('library:import.pinIt')}</label>
        <button type="button" className="secondary" disabled={blocked} onClick={() => void save(false)} data-testid="import-save">{t('library:import.save')}</button>
        <button type="button" className="primary" disabled={blocked} onClick={() => void save(true)} data-testid="import-save-open">{t('library:import.saveOpen')}</button>
      </div>
      <p className={status?.ok === false ? 'note error' : 'ok-text small'} role="status" aria-live="polite" data-testid="import-status">{status?.text ?? ''}</p>
    </div>
  );
}
