import { useTranslation } from 'react-i18next';
import type { DetectWarning } from '../../../shared/detect/types';
import { useLang } from '../lib/use-lang';

/** Detection warnings, each with what to do about it, in the UI language. */
export function WarningsPanel({ warnings }: { warnings: DetectWarning[] }) {
  const { t, i18n } = useTranslation();
  const { zhOr } = useLang();
  if (!warnings.length) return <p className="ok-text" data-testid="no-warnings">{t('home.warnings.none')}</p>;
  // A warning's key names a { message, fix } pair in the detect namespace: re-rendered in the UI language.
  const localized = (w: DetectWarning, part: 'message' | 'fix') => {
    const k = `detect:${w.key}.${part}`;
    return w.key && i18n.exists(k) ? t(k, w.params ?? {}) : null;
  };
  const text = (w: DetectWarning) => localized(w, 'message') ?? zhOr(w.message, w.messageZh);
  const fix = (w: DetectWarning) => localized(w, 'fix') ?? (w.fix ? zhOr(w.fix, w.fixZh) : null);
  return (
    <ul className="warnings" data-testid="warnings">
      {warnings.map((w, i) => (
        <li key={`${w.code}-${i}`} className={`warning sev-${w.severity ?? 'warn'}`}>
          <strong>{text(w)}</strong>
          {w.gpus?.length ? <span className="muted"> · GPU {w.gpus.join(', ')}</span> : null}
          {fix(w) && <p className="fix"><span className="fix-label">{t('home.warnings.fix')}</span> {fix(w)}</p>}
        </li>
      ))}
    </ul>
  );
}
