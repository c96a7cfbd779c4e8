import type { Diagnosis } from './types';
import type { Lang } from '../i18n';

export interface LogSource {
  /** File name or label shown as evidence. */
  name: string;
  text: string;
  /** Rank this file belongs to, when it is a per-rank log. */
  rank?: number | null;
}

/** Placeholder until the failure explainer lands. */
export function explainLogs(_sources: LogSource[], _opts: { lang: Lang }): Diagnosis[] {
  return [];
}
