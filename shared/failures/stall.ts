import type { Diagnosis } from './types';

export interface StallInput {
  /** Ranks with no progress for idleSec. */
  ranks: number[];
  /** Ranks that kept advancing meanwhile. */
  advanced: number[];
  idleSec: number;
  /** Ranks behind the others by step count, when the tracker knows (the likely culprit first). */
  behind?: number[];
}

/**
 * The STALL diagnosis the run manager raises when ranks stop progressing while alive (a hang
 * prints nothing until the NCCL timeout, 10 minutes by default). The culprit is a stalled rank that
 * is also behind the others, else the first stalled rank. Code and fields only: describe.ts words it.
 */
export function stallDiagnosis(input: StallInput): Diagnosis {
  const ranks = [...new Set(input.ranks)].sort((a, b) => a - b);
  const culprit = input.behind?.find((r) => ranks.includes(r)) ?? ranks[0] ?? null;
  const idle = Math.max(0, Math.round(input.idleSec));
  return {
    code: 'STALL',
    rank: culprit,
    evidence: null,
    fields: { idleSec: idle, ranks: ranks.join(','), ...(input.advanced.length ? { advanced: input.advanced.join(',') } : {}), ...(input.behind?.length ? { behind: input.behind.join(',') } : {}) },
    fixes: [{ kind: 'env', name: 'NCCL_P2P_DISABLE', value: '1' }],
  };
}
