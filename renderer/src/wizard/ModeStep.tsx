import { useTranslation } from 'react-i18next';
import { LoadableView } from '../components/LoadableView';
import { useLang } from '../lib/use-lang';
import { useApp } from '../state/context';
import { recipeOf } from '../state/spec';
import { FeasibilityCard } from './FeasibilityCard';

/** Every layout side by side, each checked against this machine, so the right one is obvious. */
export function ModeStep() {
  const { t } = useTranslation();
  const { bi } = useLang();
  const recipes = useApp((s) => s.recipes);
  const spec = useApp((s) => s.wizard.spec);
  const checks = useApp((s) => s.wizard.checks);
  const patchSpec = useApp((s) => s.patchSpec);
  const applySuggestion = useApp((s) => s.applySuggestion);
  return (
    <section aria-labelledby="mode-step-title">
      <h2 id="mode-step-title" tabIndex={-1}>{t('wizard.mode.title')}</h2>
      <LoadableView value={recipes} what={t('what.recipes')}>
        {(list) => {
          if (!list.length) return <p className="note info">{t('wizard.mode.noRecipes')}</p>;
          const recipe = list.find((r) => r.id === spec.recipe) ?? list[0];
          const full = recipeOf(recipe.id);
          return (
            <>
              {list.length > 1 && (
                <label className="field inline">
                  <span>{t('wizard.mode.recipe')}</span>
                  <select value={recipe.id} onChange={(e) => patchSpec({ recipe: e.target.value, mode: list.find((r) => r.id === e.target.value)?.modes[0]?.id ?? '', settings: {} })} data-testid="recipe-select">
                    {list.map((r) => <option key={r.id} value={r.id}>{bi(r.label)}</option>)}
                  </select>
                </label>
              )}
              <div role="radiogroup" aria-label={t('wizard.mode.title')} className="mode-grid">
                {recipe.modes.map((m) => {
                  const selected = spec.mode === m.id;
                  const check = checks[m.id];
                  const desc = full?.modes.find((x) => x.id === m.id)?.description;
                  return (
                    <div key={m.id} className={`mode-card${selected ? ' selected' : ''}`} data-testid="mode-card" data-mode={m.id}>
                      <label className="mode-head">
                        <input type="radio" name="mode" checked={selected} onChange={() => patchSpec({ mode: m.id })} />
                        <span>
                          <strong>{bi(m.label)}</strong>
                          <span className="muted small"> · {m.gpus ? t('wizard.mode.gpus', { count: m.gpus }) : t('wizard.mode.cpu')} · {t('wizard.mode.procs', { count: m.nproc })}</span>
                        </span>
                      </label>
                      {desc && <p className="small muted">{bi(desc)}</p>}
                      {check ? (
                        <LoadableView value={check} what={t('what.check')}>
                          {(r) => <FeasibilityCard report={r} onApply={(change) => applySuggestion(change)} compact={!selected} />}
                        </LoadableView>
                      ) : null}
                    </div>
                  );
                })}
              </div>
            </>
          );
        }}
      </LoadableView>
    </section>
  );
}
