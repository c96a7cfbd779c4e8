import { useTranslation } from 'react-i18next';
import type { ProfileSummary } from '../../../shared/profiles/schema';
import { LoadableView } from '../components/LoadableView';
import { useApp } from '../state/context';
import { valueOf } from '../lib/loadable';
import { useLang } from '../lib/use-lang';

/** Presets and pinned profiles: the runs people repeat, one click away. */
export function QuickLaunch() {
  const { t } = useTranslation();
  const profiles = useApp((s) => s.profiles);
  const openPreset = useApp((s) => s.openPreset);
  const openWizard = useApp((s) => s.openWizard);
  const refresh = useApp((s) => s.refreshProfiles);
  const recipes = useApp((s) => valueOf(s.recipes));
  const { bi } = useLang();
  const modeLabel = (p: ProfileSummary) => {
    const r = recipes?.find((x) => x.id === p.recipe);
    const m = r?.modes.find((x) => x.id === p.mode);
    return r && m ? `${bi(r.label)} · ${bi(m.label)}` : `${p.recipe} · ${p.mode}`;
  };
  return (
    <section className="panel" aria-labelledby="quick-title">
      <header className="row between">
        <h2 id="quick-title">{t('home.quick.title')}</h2>
        <button type="button" onClick={() => openWizard()} data-testid="new-run">{t('home.quick.newRun')}</button>
      </header>
      <LoadableView value={profiles} what={t('what.profiles')} onRetry={() => void refresh()}>
        {(list) => {
          const shown = list.filter((p) => p.builtin || p.pinned).sort(order);
          if (!shown.length) return <p className="muted">{t('home.quick.empty')}</p>;
          return (
            <ul className="launch-grid">
              {shown.map((p) => (
                <li key={p.name}>
                  <button type="button" className="launch-card" onClick={() => void openPreset(p.name)} data-testid="preset" data-name={p.name}>
                    <span className="launch-name">{p.name}</span>
                    <span className="muted small">{modeLabel(p)}</span>
                    {p.notes && <span className="launch-notes small">{p.notes}</span>}
                    <span className="tag">{p.builtin ? t('home.quick.preset') : t('home.quick.pinned')}</span>
                  </button>
                </li>
              ))}
            </ul>
          );
        }}
      </LoadableView>
    </section>
  );
}

const order = (a: ProfileSummary, b: ProfileSummary) => Number(b.pinned) - Number(a.pinned) || a.name.localeCompare(b.name);
