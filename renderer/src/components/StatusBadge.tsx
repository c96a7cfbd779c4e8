import { useTranslation } from 'react-i18next';
import type { RunStatus } from '../../../shared/run/types';
import type { Verdict } from '../../../shared/feasibility/types';

export function StatusBadge({ status }: { status: RunStatus }) {
  const { t } = useTranslation();
  return <span className={`badge status-${status}`} data-testid="run-status">{t(`status.${status}`)}</span>;
}

export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  const { t } = useTranslation();
  return <span className={`badge verdict-${verdict}`} data-testid="verdict">{t(`verdict.${verdict}`)}</span>;
}
