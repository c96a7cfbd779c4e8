import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Diagnosis, FixAction } from '../../../shared/failures/types';
import { describe } from '../../../shared/failures/describe';

export function describeFix(f: FixAction): string {
  switch (f.kind) {
    case 'set': return typeof f.value === 'boolean' ? (f.value ? `--${f.key}` : `--${f.key} off`) : `--${f.key} ${f.value}`;
    case 'env': return `${f.name}=${f.value}`;
    case 'mode': return `mode ${f.mode}`;
    case 'port': return 'MASTER_PORT';
  }
}

/**
 * Cards to show: a rank's bare exit ("rank 2 exited with code 1") is folded into the card that says
 * why that rank failed, so the reader sees one card per cause instead of the same rank twice.
 */
export function cardsOf(diagnoses: Diagnosis[]): { diagnosis: Diagnosis; exit?: Diagnosis }[] {
  const isExit = (d: Diagnosis) => d.code === 'RANK_EXIT';
  const causes = diagnoses.filter((d) => !isExit(d));
  const folded = new Set<Diagnosis>();
  const cards = causes.map((d) => {
    const exit = d.rank === null ? undefined : diagnoses.find((x) => isExit(x) && x.rank === d.rank && !folded.has(x));
    if (exit) folded.add(exit);
    return { diagnosis: d, exit };
  });
  return [...cards, ...diagnoses.filter((d) => isExit(d) && !folded.has(d)).map((diagnosis) => ({ diagnosis }))];
}

/** A failure turned into a next step: what happened, on which rank, why, and the fix to apply. */
export function FailureCard({ diagnosis, exit, onRelaunch, onShowRank }: { diagnosis: Diagnosis; exit?: Diagnosis; onRelaunch: (d: Diagnosis) => Promise<unknown>; onShowRank: (rank: number) => void }) {
  const { t, i18n } = useTranslation();
  const [busy, setBusy] = useState(false);
  const fixes = diagnosis.fixes ?? [];
  // Diagnoses carry codes and fields; the words are rendered here, in the language the user reads now.
  const lang = i18n.language === 'zh-CN' ? 'zh-CN' : 'en';
  const text = describe(diagnosis, lang);
  const exitText = exit ? describe(exit, lang) : null;
  return (
    <article className="card failure" role="alert" data-testid="failure-card" data-code={diagnosis.code}>
      <header>
        <h3>{text.title}</h3>
        {diagnosis.rank !== null && (
          <button type="button" className="link" onClick={() => onShowRank(diagnosis.rank!)}>{t('run.failure.rank', { rank: diagnosis.rank })}</button>
        )}
      </header>
      {exitText && <p className="muted small" data-testid="failure-exit">{exitText.title}</p>}
      <p>{text.explanation}</p>
      <p className="fix" data-testid="failure-fix"><span className="fix-label">{t('home.warnings.fix')}</span> {text.fix}</p>
      {diagnosis.evidence && (
        <details>
          <summary>{t('run.failure.evidence', { file: diagnosis.evidence.file, line: diagnosis.evidence.line })}</summary>
          <pre className="evidence"><code>{diagnosis.evidence.text}</code></pre>
        </details>
      )}
      {fixes.length > 0 && (
        <div className="row">
          <button type="button" className="primary" disabled={busy} data-testid="apply-fix"
            onClick={() => { setBusy(true); void onRelaunch(diagnosis).finally(() => setBusy(false)); }}>
            {t('run.failure.applyRelaunch')}
          </button>
          <span className="muted small">{fixes.map(describeFix).join(' · ')}</span>
        </div>
      )}
    </article>
  );
}
