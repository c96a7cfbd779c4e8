import { useTranslation } from 'react-i18next';
import type { UnparsedLine } from '../../../shared/profiles/schema';
import { useLang } from '../lib/use-lang';

/** Script lines an import did not take, each with why, so nothing important is dropped unseen. */
export function UnparsedList({ lines }: { lines: UnparsedLine[] }) {
  const { t } = useTranslation();
  const { zhOr } = useLang();
  return (
    <details className="unparsed" open data-testid="import-unparsed">
      <summary>{t('library:import.unparsed', { count: lines.length })}</summary>
      <p className="muted small">{t('library:import.unparsedHelp')}</p>
      <ul>
        {lines.map((l, i) => (
          // One line can carry several problems (a pipe and a substitution), so the index keeps keys apart.
          <li key={`${i}-${l.line}`}>
            <span className="muted">{t('library:import.line', { line: l.line })}</span> <code>{l.text}</code> — {zhOr(l.reason, l.reasonZh)}
          </li>
        ))}
      </ul>
    </details>
  );
}
