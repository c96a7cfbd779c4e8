import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProfileSummary } from '../../../shared/profiles/schema';
import { LoadableView } from '../components/LoadableView';
import { toApiError, valueOf } from '../lib/loadable';
import { useLang } from '../lib/use-lang';
import { useApi, useApp } from '../state/context';
import { ExportPanel } from './ExportPanel';

type Editing = { name: string; action: 'rename' | 'duplicate' | 'delete' | 'export' } | null;
type Status = { ok: boolean; text: string } | null;

/** Every profile and preset, with the library's actions. Presets are read-only: copy one to change it. */
export function ProfileList() {
  const { t } = useTranslation();
  const { bi } = useLang();
  const client = useApi();
  const profiles = useApp((s) => s.profiles);
  const refresh = useApp((s) => s.refreshProfiles);
  const openPreset = useApp((s) => s.openPreset);
  const recipes = useApp((s) => valueOf(s.recipes));
  const [editing, setEditing] = useState<Editing>(null);
  const [status, setStatus] = useState<Status>(null);

  const modeLabel = (p: ProfileSummary) => {
    const r = recipes?.find((x) => x.id === p.recipe);
    const m = r?.modes.find((x) => x.id === p.mode);
    return r && m ? `${bi(r.label)} · ${bi(m.label)}` : `${p.recipe} · ${p.mode}`;
  };
  /** Runs one library call, then says what happened and refreshes the list everywhere. */
  const act = async (call: () => Promise<unknown>, done: string) => {
    try {
      await call();
      setStatus({ ok: true, text: done });
      setEditing(null);
    } catch (e) {
      setStatus({ ok: false, text: toApiError(e).message });
    }
    await refresh();
  };

  return (
    <section className="panel" aria-labelledby="profile-list-title">
      <h2 id="profile-list-title">{t('library:list.title')}</h2>
      <p className={status?.ok === false ? 'note error' : 'ok-text small'} role="status" aria-live="polite" data-testid="library-status">{status?.text ?? ''}</p>
      <LoadableView value={profiles} what={t('what.profiles')} onRetry={() => void refresh()}>
        {(list) => !list.length ? <p className="muted">{t('library:list.empty')}</p> : (
          <ul className="profile-list">
            {[...list].sort(order).map((p) => (
              <li key={p.name} className="profile-row" data-testid="profile-row" data-name={p.name}>
                <div className="profile-main">
                  <span className="launch-name">{p.name}</span>
                  <span className="muted small">{modeLabel(p)}</span>
                  {p.notes && <span className="small">{p.notes}</span>}
                  <span className="row">
                    {p.builtin && <span className="tag">{t('library:list.builtin')}</span>}
                    {p.pinned && <span className="tag">{t('library:list.pinned')}</span>}
                  </span>
                </div>
                <div className="row profile-actions" role="group" aria-label={t('library:list.actionsFor', { name: p.name })}>
                  <button type="button" className="primary small" onClick={() => void openPreset(p.name)} data-testid="profile-open">{t('library:list.open')}</button>
                  {!p.builtin && (
                    <button type="button" className="secondary small" data-testid="profile-pin"
                      onClick={() => void act(() => client.pinProfile({ name: p.name, pinned: !p.pinned }), '')}>
                      {p.pinned ? t('library:list.unpin') : t('library:list.pin')}
                    </button>
                  )}
                  <button type="button" className="secondary small" onClick={() => setEditing({ name: p.name, action: 'duplicate' })} data-testid="profile-duplicate">{t('library:list.duplicate')}</button>
                  {!p.builtin && <button type="button" className="secondary small" onClick={() => setEditing({ name: p.name, action: 'rename' })} data-testid="profile-rename">{t('library:list.rename')}</button>}
                  <button type="button" className="secondary small" onClick={() => setEditing({ name: p.name, action: 'export' })} data-testid="profile-export">{t('library:list.export')}</button>
                  {!p.builtin && <button type="button" className="secondary small danger" onClick={() => setEditing({ name: p.name, action: 'delete' })} data-testid="profile-delete">{t('library:list.delete')}</button>}
                </div>
                {editing?.name === p.name && editing.action === 'export' && <ExportPanel name={p.name} onClose={() => setEditing(null)} />}
                {editing?.name === p.name && (editing.action === 'rename' || editing.action === 'duplicate') && (
                  <NameForm initial={editing.action === 'duplicate' ? `${p.name} (2)` : p.name} onCancel={() => setEditing(null)}
                    onSubmit={(to) => void act(
                      () => (editing.action === 'rename' ? client.renameProfile({ name: p.name, to }) : client.duplicateProfile({ name: p.name, to })),
                      t(editing.action === 'rename' ? 'library:list.renamed' : 'library:list.duplicated', { name: to }),
                    )} />
                )}
                {editing?.name === p.name && editing.action === 'delete' && (
                  <div className="row note warn" role="alertdialog" aria-label={t('library:list.confirmDelete', { name: p.name })}>
                    <span>{t('library:list.confirmDelete', { name: p.name })}</span>
                    <button type="button" className="danger small" data-testid="profile-delete-confirm"
                      onClick={() => void act(() => client.deleteProfile({ name: p.name }), t('library:list.deleted', { name: p.name }))}>{t('library:list.confirm')}</button>
                    <button type="button" className="secondary small" onClick={() => setEditing(null)}>{t('library:list.cancel')}</button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </LoadableView>
    </section>
  );
}

function NameForm({ initial, onSubmit, onCancel }: { initial: string; onSubmit: (name: string) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(initial);
  return (
    <form className="row" onSubmit={(e) => { e.preventDefault(); if (name.trim()) onSubmit(name.trim()); }}>
      <label className="row">
        <span>{t('library:list.newName')}</span>
        <input type="text" value={name} maxLength={100} autoFocus onChange={(e) => setName(e.target.value)} data-testid="profile-new-name" />
      </label>
      <button type="submit" className="primary small" disabled={!name.trim()}>{t('library:list.apply')}</button>
      <button type="button" className="secondary small" onClick={onCancel}>{t('library:list.cancel')}</button>
    </form>
  );
}

const order = (a: ProfileSummary, b: ProfileSummary) => Number(a.builtin) - Number(b.builtin) || Number(b.pinned) - Number(a.pinned) || a.name.localeCompare(b.name);
