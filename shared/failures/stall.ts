import { pick, type Lang } from '../i18n';
import { SYNTHETIC_TEXT } from './catalog';
import { render } from './template';
import type { Diagnosis } from './types';

export interface StallInput {
  /** Ranks with no progress for idleSec. */
  ranks: number[];
  /** Ranks that kept advancing meanwhile. */
  advanced: number[];
  idleSec: number;
  lang: Lang;
  /** Ranks behind the others by step count, when the tracker knows (the likely culprit first). */
  behind?: number[];
}

/**
 * The STALL diagnosis the run manager raises when ranks stop progressing while alive
 * (docs/upstream-notes.md §10.20: a hang prints nothing until the NCCL timeout). The culprit is a stalled
 * rank that is also behind the others, else the first stalled rank.
 */
export function stallDiagnosis(input: StallInput): Diagnosis {
  const ranks = [...new Set(input.ranks)].sort((a, b) => a - b);
  const culprit = input.behind?.find((r) => ranks.includes(r)) ?? ranks[0] ?? null;
  const idle = Math.max(0, Math.round(input.idleSec));
  const t = SYNTHETIC_TEXT.STALL;
  const vars = { ranks: ranks.join(', ') || '?', advanced: input.advanced.join(', '), idle, rank: culprit ?? '?' };
  return {
    code: 'STALL',
    rank: culprit,
    title: render(pick(t.title, input.lang), vars),
    explanation: render(pick(t.explanation, input.lang), vars),
    fix: render(pick(t.fix, input.lang), vars),
    evidence: null,
    fields: { idleSec: idle, ranks: ranks.join(','), ...(input.advanced.length ? { advanced: input.advanced.join(',') } : {}), ...(input.behind?.length ? { behind: input.behind.join(',') } : {}) },
    fixes: [{ kind: 'env', name: 'NCCL_P2P_DISABLE', value: '1' }],
  };
}
