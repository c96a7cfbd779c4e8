import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { toApiError } from '../lib/loadable';
import { useApp, useApi } from '../state/context';
import { profileFromSpec } from '../state/spec';

/** Keeps this setup as a pinned profile, so next time it is one click on the home screen. */
export function SaveProfile() {
  const { t } = useTranslation();
  const client = useApi();
  const spec = useApp((s) => s.wizard.spec);
  const allowEnv = useApp((s) => s.wizard.allowEnv);
  const refresh = useApp((s) => s.refreshProfiles);
  const [name, setName] = useState('');
  const [state, setState] = useState<{ kind: 'idle' | 'saving' | 'saved' } | { kind: 'error'; message: string }>({ kind: 'idle' });
  const save = async () => {
    setState({ kind: 'saving' });
    try {
      await client.saveProfile({ profile: profileFromSpec(spec, name.trim(), true), allowEnv });
      setState({ kind: 'saved' });
      void refresh();
    } catch (e) {
      const err = toApiError(e);
      setState({ kind: 'error', message: err.code === 'UNAVAILABLE' ? t('state.unavailable', { what: t('what.profiles') }) : err.message });
    }
  };
  return (
    <form className="save-profile row" onSubmit={(e) => { e.preventDefault(); if (name.trim()) void save(); }}>
      <label className="row">
        <span>{t('wizard.review.saveAs')}</span>
        <input type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder={t('wizard.review.profileName')} data-testid="profile-name" maxLength={100} />
      </label>
      <button type="submit" className="secondary small" disabled={!name.trim() || state.kind === 'saving'}>{t('wizard.review.savePin')}</button>
      <span aria-live="polite" className={state.kind === 'error' ? 'bad small' : 'ok-text small'}>
        {state.kind === 'saved' ? t('wizard.review.saved') : state.kind === 'error' ? state.message : ''}
      </span>
    </form>
  );
}
