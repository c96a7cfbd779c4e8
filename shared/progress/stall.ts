import type { RankProgress } from '../run/types';
import { progressOrder } from './order';

/**
 * The stall rule (issue 5): a rank stalls when it has made no progress for longer than
 * max(floor, 3 × its median step interval) since its last progress, or, before its first progress,
 * for longer than the recipe's startup budget since the run started. Ranks that finished all their
 * bars or are saving are not judged: the save/mux phase prints nothing for a long time on purpose.
 * Default floor 30 s: the NCCL watchdog would otherwise leave a dead peer's siblings waiting 10 min
 * (docs/upstream-notes.md §10.3, §11).
 */
export interface StallRule {
  floorSec: number;
  multiplier: number;
  startupBudgetSec: number;
  /**
   * The workload compiles during its first clip (Live Avatar's ENABLE_COMPILE, upstream-notes
   * §5.3): a rank still in clip 1 gets the startup budget too, or a healthy run would be "stalled"
   * (and stopped, with stall_action=stop) while torch.compile works.
   */
  compileInFirstClip?: boolean;
}

/** How far apart the last progress of ranks that stopped together can look (polls, ssh): see judgeStall. */
const STOPPED_TOGETHER_SEC = 2;

export const defaultStallRule: StallRule = { floorSec: 30, multiplier: 3, startupBudgetSec: 600 };

export interface StallVerdict {
  /** Ranks past their limit, ascending. */
  stalled: number[];
  /** Ranks that are still within their limit. */
  advanced: number[];
  /**
   * Ranks with the least progress (fewest bars, then fewest steps) among those still expected to
   * progress: when one rank hangs, its peers block in their next collective soon after, so all of
   * them stall, and the one that got least far is the likely cause. Ordered by earliest last progress.
   */
  behind: number[];
  /** Longest idle time among the stalled ranks. */
  idleSec: number;
}

export function judgeStall(
  ranks: Pick<RankProgress, 'rank' | 'phase' | 'lastProgressAt' | 'medianStepSec' | 'barsDone' | 'step'>[],
  now: number,
  startedAt: number,
  rule: StallRule,
  finished: (rank: number) => boolean = () => false,
  inFirstClip: (rank: number) => boolean = () => false,
): StallVerdict {
  let stalled: number[] = [];
  let advanced: number[] = [];
  let idleSec = 0;
  const idleOf = new Map<number, number>();
  for (const r of ranks) {
    if (r.phase === 'done' || r.phase === 'failed' || r.phase === 'saving' || finished(r.rank)) {
      advanced.push(r.rank);
      continue;
    }
    let idle: number;
    let limit: number;
    if (r.lastProgressAt === null) {
      idle = (now - startedAt) / 1000;
      limit = rule.startupBudgetSec;
    } else {
      idle = (now - r.lastProgressAt) / 1000;
      limit = Math.max(rule.floorSec, rule.multiplier * (r.medianStepSec ?? 0));
      if (rule.compileInFirstClip && inFirstClip(r.rank)) limit = Math.max(limit, rule.startupBudgetSec);
    }
    idleOf.set(r.rank, idle);
    if (idle > limit) {
      stalled.push(r.rank);
      idleSec = Math.max(idleSec, idle);
    } else {
      advanced.push(r.rank);
    }
  }
  if (stalled.length) {
    // Ranks that went silent together are one stall, whatever their own limits. The launcher sees
    // a line only when a poll reads it (200 ms; a node's lines also cross ssh), so ranks that stopped
    // at the same moment look up to a poll or two apart, and a rank with a slow cadence (a TPP VAE
    // rank draws once per block) has a long 3× median. Without this, hang@2:1:3 over two nodes once
    // tripped on ranks 0 and 1 alone, and the card blamed rank 0 (CI, stop 24).
    const shortest = Math.min(...stalled.map((r) => idleOf.get(r) ?? Infinity));
    const skew = Math.min(STOPPED_TOGETHER_SEC, rule.floorSec / 4);
    const longer = advanced.filter((r) => (idleOf.get(r) ?? -1) >= shortest - skew);
    stalled = [...stalled, ...longer];
    advanced = advanced.filter((r) => !longer.includes(r));
    for (const r of longer) idleSec = Math.max(idleSec, idleOf.get(r) ?? 0);
  }
  const key = (r: { barsDone?: number; step: number }) => (r.barsDone ?? 0) * 1e6 + r.step;
  const judged = ranks.filter((r) => stalled.includes(r.rank) || (advanced.includes(r.rank) && r.phase !== 'done' && r.phase !== 'saving' && !finished(r.rank)));
  const low = Math.min(...judged.map(key));
  const top = Math.max(...judged.map(key));
  // Least advanced first, then earliest last progress: the rank that stopped first is the likelier
  // cause (stallDiagnosis names behind[0]); the failure picker uses the same order (order.ts).
  const lowest = new Set(judged.filter((r) => key(r) === low).map((r) => r.rank));
  const behind = low < top ? progressOrder(judged).filter((r) => lowest.has(r)) : [];
  return { stalled: stalled.sort((a, b) => a - b), advanced: advanced.sort((a, b) => a - b), behind, idleSec };
}
