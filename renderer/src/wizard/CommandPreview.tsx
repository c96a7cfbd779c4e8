import { useTranslation } from 'react-i18next';
import type { RunPlan } from '../../../shared/run/types';
import { CopyButton } from '../components/CopyButton';
import { commandLine } from '../lib/format';

/** The exact process the launcher will start, shown as a copyable shell line plus its env. */
export function CommandPreview({ plan }: { plan: RunPlan }) {
  const { t } = useTranslation();
  const text = commandLine(plan.argv, plan.env);
  const envNames = Object.keys(plan.env).sort();
  return (
    <div className="command" data-testid="command-preview">
      <div className="row between">
        <h3 className="sub">{t('wizard.review.command')}</h3>
        <CopyButton text={text} />
      </div>
      <pre tabIndex={0} aria-label={t('wizard.review.command')}><code>{text}</code></pre>
      <p className="muted small">{t('wizard.review.cwd')} <code>{plan.cwd}</code> · {t('wizard.review.noShell')}</p>
      {envNames.length > 0 && (
        <details>
          <summary>{t('wizard.review.env', { count: envNames.length })}</summary>
          <table className="kv">
            <tbody>
              {envNames.map((k) => <tr key={k}><th scope="row"><code>{k}</code></th><td><code>{plan.env[k]}</code></td></tr>)}
            </tbody>
          </table>
        </details>
      )}
    </div>
  );
}
