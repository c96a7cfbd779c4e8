import type { RankProgress } from '../run/types';

/**
 * Ranks from the one that got least far to the furthest: fewest finished bars, then fewest steps,
 * then the earliest last progress (a rank that never progressed counts as earliest). The failure
 * explainer uses it to tell the rank that fell behind from one torchrun merely stopped early.
 */
export function progressOrder(ranks: Pick<RankProgress, 'rank' | 'barsDone' | 'step' | 'lastProgressAt'>[]): number[] {
  return [...ranks]
    .sort((a, b) => (a.barsDone ?? 0) - (b.barsDone ?? 0) || a.step - b.step || (a.lastProgressAt ?? -Infinity) - (b.lastProgressAt ?? -Infinity) || a.rank - b.rank)
    .map((r) => r.rank);
}
