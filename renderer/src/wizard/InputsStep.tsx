import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../../shared/api/result';
import type { FlagSpec } from '../../../shared/recipes/types';
import { valueOf } from '../lib/loadable';
import { useApp, useApi } from '../state/context';
import { editableFlags, PRIMARY_INPUTS, recipeOf, settingValue, validateSetting } from '../state/spec';
import { pathErrorText } from '../settings/draft';
import { FlagField } from './FlagField';

/** A service's BAD_INPUT names its field (`settings.image`); show it under that field. */
export function serverFieldError(errors: (ApiError | undefined)[], flag: string): string | null {
  for (const e of errors) {
    if (e?.code === 'BAD_INPUT' && e.field && (e.field === flag || e.field.endsWith(`.${flag}`))) return e.message;
  }
  return null;
}

/** The upstream code folder, remembered in Settings so it is asked for once. */
function CheckoutField({ canPick, error }: { canPick: boolean; error: string | null }) {
  const { t } = useTranslation();
  const client = useApi();
  const saved = useApp((s) => valueOf(s.settings)?.checkoutPath ?? '');
  const value = useApp((s) => s.wizard.spec.checkout);
  const patchSpec = useApp((s) => s.patchSpec);
  const updateSettings = useApp((s) => s.updateSettings);
  const [saveError, setSaveError] = useState<string | null>(null);
  const shown = value ?? saved;
  const commit = (path: string) => {
    patchSpec({ checkout: path || undefined });
    if (!path || path === saved) return setSaveError(null);
    // Remembering it can be refused (a relative path): say so here, or it is silently not kept.
    void updateSettings({ checkoutPath: path }).then((r) => {
      setSaveError(r.state === 'error' ? pathErrorText(t, r.error, t('settings:fields.checkoutPath.label')) : null);
    });
  };
  const shownError = error ?? saveError;
  const pick = async () => {
    const r = await client.pickPath({ kind: 'folder', title: t('wizard.inputs.checkout') }).catch(() => null);
    if (r?.path) commit(r.path);
  };
  return (
    <div className={`field checkout${shownError ? ' invalid' : ''}`}>
      <label htmlFor="checkout-path">{t('wizard.inputs.checkout')}</label>
      <span className="row">
        <input id="checkout-path" type="text" spellCheck={false} value={shown} placeholder="/home/me/LiveAvatar" data-testid="checkout-path"
          aria-invalid={shownError ? true : undefined} aria-describedby="checkout-help"
          onChange={(e) => patchSpec({ checkout: e.target.value || undefined })} onBlur={(e) => commit(e.target.value.trim())} />
        {canPick && <button type="button" className="secondary small" onClick={() => void pick()}>{t('wizard.inputs.browse')}</button>}
      </span>
      <p id="checkout-help" className="help">{t('wizard.inputs.checkoutHelp')}</p>
      {shownError && <p className="field-error" role="alert" data-testid="checkout-error">{shownError}</p>}
    </div>
  );
}

export function InputsStep() {
  const { t } = useTranslation();
  const client = useApi();
  const spec = useApp((s) => s.wizard.spec);
  const check = useApp((s) => s.wizard.checks[s.wizard.spec.mode]);
  const plan = useApp((s) => s.wizard.plan);
  const transport = useApp((s) => valueOf(s.info)?.transport);
  const setSetting = useApp((s) => s.setSetting);
  const recipe = recipeOf(spec.recipe);
  const flags = editableFlags(recipe, spec.mode);
  const primary = PRIMARY_INPUTS.map((n) => flags.find((f) => f.name === n)).filter((f): f is FlagSpec => !!f);
  const rest = flags.filter((f) => !PRIMARY_INPUTS.includes(f.name));
  const serverErrors = [check?.state === 'error' ? check.error : undefined, plan?.state === 'error' ? plan.error : undefined];

  const pick = async (flag: FlagSpec) => {
    const r = await client.pickPath({ kind: 'file', title: flag.label.en }).catch(() => null);
    if (r?.path) setSetting(flag.name, r.path);
  };
  const field = (f: FlagSpec) => {
    const value = settingValue(spec, f);
    const local = validateSetting(f, value);
    return (
      <FlagField key={f.name} flag={f} value={value} canPick={transport === 'electron'} onPick={() => void pick(f)}
        error={local ? t(`wizard.inputs.err.${local}`) : serverFieldError(serverErrors, f.name)}
        onChange={(v) => setSetting(f.name, v)} />
    );
  };

  return (
    <section aria-labelledby="inputs-step-title">
      <h2 id="inputs-step-title" tabIndex={-1}>{t('wizard.inputs.title')}</h2>
      {!recipe ? (
        <p className="note info">{t('wizard.inputs.noFlags')}</p>
      ) : (
        <>
          {transport !== 'electron' && <p className="muted small">{t('wizard.inputs.serverPaths')}</p>}
          {recipe.needsCheckout && <CheckoutField canPick={transport === 'electron'} error={serverFieldError(serverErrors, 'checkout')} />}
          <div className="form-grid">{primary.map(field)}</div>
          {rest.length > 0 && (
            <details className="advanced">
              <summary>{t('wizard.inputs.advanced', { count: rest.length })}</summary>
              <div className="form-grid">{rest.map(field)}</div>
            </details>
          )}
        </>
      )}
    </section>
  );
}
