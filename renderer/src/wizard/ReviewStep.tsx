import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { LoadableView } from '../components/LoadableView';
import { useLang } from '../lib/use-lang';
import { valueOf } from '../lib/loadable';
import { useApp } from '../state/context';
import { editableFlags, recipeOf, settingValue } from '../state/spec';
import { envNeedingConsent } from '../../../shared/profiles/consent';
import { EnvConsent, type FlaggedPath } from '../components/EnvConsent';
import type { Loadable } from '../lib/loadable';
import type { RunPlan } from '../../../shared/run/types';
import { CommandPreview } from './CommandPreview';
import { FeasibilityCard } from './FeasibilityCard';
import { SaveProfile } from './SaveProfile';

/** The last look: verdict, live toggles, the exact command, then Run. */
export function ReviewStep() {
  const { t } = useTranslation();
  const { bi } = useLang();
  const spec = useApp((s) => s.wizard.spec);
  const source = useApp((s) => s.wizard.source);
  const check = useApp((s) => s.wizard.checks[s.wizard.spec.mode]);
  const plan = useApp((s) => s.wizard.plan);
  const summary = useApp((s) => valueOf(s.recipes)?.find((r) => r.id === s.wizard.spec.recipe));
  const setSetting = useApp((s) => s.setSetting);
  const patchSpec = useApp((s) => s.patchSpec);
  const applySuggestion = useApp((s) => s.applySuggestion);
  const allowEnv = useApp((s) => s.wizard.allowEnv);
  // A run without its own choice gets the Settings default (runs/api.ts); show that, not 'notify'.
  const defaultStall = useApp((s) => valueOf(s.settings)?.stallAction ?? 'notify');
  const setEnvConsent = useApp((s) => s.setEnvConsent);
  const removeEnv = useApp((s) => s.removeEnv);
  const recipe = recipeOf(spec.recipe);
  const toggles = editableFlags(recipe, spec.mode).filter((f) => f.type === 'bool');
  const mode = summary?.modes.find((m) => m.id === spec.mode);
  const consentNames = envNeedingConsent(spec.env, recipe);
  const allowPaths = useApp((s) => s.wizard.allowPaths);
  const setPathConsent = useApp((s) => s.setPathConsent);
  // The planner (core) decides which paths need consent and says so in its CONSENT_REQUIRED; a path
  // stays listed once ticked (the next plan no longer names it) so it can be unticked again.
  const seen = useRef(new Map<string, string>());
  const flagged = flaggedPathsOf(plan);
  for (const p of flagged) seen.current.set(p.path, p.field);
  const consentPaths: FlaggedPath[] = [...new Set([...flagged.map((p) => p.path), ...allowPaths])]
    .filter((p) => seen.current.has(p))
    .map((p) => ({ field: seen.current.get(p)!, path: p }));

  return (
    <section aria-labelledby="review-step-title">
      <h2 id="review-step-title" tabIndex={-1}>{t('wizard.review.title')}</h2>
      <dl className="facts wide" data-testid="review-summary">
        {source && <div><dt>{t('wizard.review.preset')}</dt><dd>{source}</dd></div>}
        <div><dt>{t('wizard.review.recipe')}</dt><dd>{summary ? bi(summary.label) : spec.recipe}</dd></div>
        <div><dt>{t('wizard.review.mode')}</dt><dd>{mode ? bi(mode.label) : spec.mode}</dd></div>
        <div><dt>{t('wizard.review.gpus')}</dt><dd>{spec.gpus?.length ? spec.gpus.join(', ') : t('wizard.review.firstN')}</dd></div>
      </dl>
      <div className="two-col">
        <div>
          <h3 className="sub">{t('wizard.review.fit')}</h3>
          {check ? (
            <LoadableView value={check} what={t('what.check')}>
              {(r) => <FeasibilityCard report={r} onApply={applySuggestion} />}
            </LoadableView>
          ) : <p className="muted">{t('common:loading')}</p>}
        </div>
        <div>
          {toggles.length > 0 && (
            <fieldset className="toggles">
              <legend>{t('wizard.review.toggles')}</legend>
              {toggles.map((f) => (
                <label key={f.name} className="switch">
                  <input type="checkbox" role="switch" checked={settingValue(spec, f) === true} onChange={(e) => setSetting(f.name, e.target.checked)} data-flag={f.name} />
                  <span>{bi(f.label)}</span> <code className="flag">--{f.name}</code>
                </label>
              ))}
            </fieldset>
          )}
          <label className="field">
            <span>{t('wizard.review.stall')}</span>
            <select value={spec.stallAction ?? defaultStall} onChange={(e) => patchSpec({ stallAction: e.target.value as 'notify' | 'stop' })} data-testid="stall-action">
              <option value="notify">{t('wizard.review.stallNotify')}</option>
              <option value="stop">{t('wizard.review.stallStop')}</option>
            </select>
          </label>
          <label className="field">
            <span>{t('wizard.review.stallAfter')}</span>
            <input type="number" min={1} step={1} inputMode="numeric" placeholder="30" data-testid="stall-after"
              value={spec.settings.stall_after_sec === undefined ? '' : String(spec.settings.stall_after_sec)}
              onChange={(e) => setSetting('stall_after_sec', e.target.value === '' ? undefined : e.target.valueAsNumber)} />
          </label>
        </div>
      </div>
      <EnvConsent names={consentNames} env={spec.env ?? {}} allowed={allowEnv} onToggle={setEnvConsent} onRemove={removeEnv}
        paths={consentPaths} allowedPaths={allowPaths} onTogglePath={setPathConsent} />
      {plan ? (
        <LoadableView value={plan} what={t('what.plan')}>
          {(p) => <CommandPreview plan={p} />}
        </LoadableView>
      ) : <p className="muted">{t('common:loading')}</p>}
      <SaveProfile />
    </section>
  );
}

/** Paths the planner refused for want of consent (details.paths of CONSENT_REQUIRED). */
function flaggedPathsOf(plan: Loadable<RunPlan> | null): FlaggedPath[] {
  if (plan?.state !== 'error' || plan.error.code !== 'CONSENT_REQUIRED') return [];
  const paths = (plan.error.details as { paths?: unknown } | undefined)?.paths;
  if (!Array.isArray(paths)) return [];
  return paths.filter((p): p is FlaggedPath => typeof p === 'object' && p !== null && typeof (p as FlaggedPath).field === 'string' && typeof (p as FlaggedPath).path === 'string');
}
