import type { Lang } from '../i18n';
import { translate } from '../i18n/translate';
import { classifyStack } from './classify';
import { frameLabel, mainThread, parseFaulthandler } from './parse';
import type { FlightEntry, FlightRank, RankWhere, StackFrame } from './types';

/** What the launcher collected for one rank: its dump text (null when none came back) and its progress. */
export interface RankDumpInput {
  rank: number;
  pid: number | null;
  text: string | null;
  error?: RankWhere['error'];
  clip?: number | null;
  step?: number | null;
}

export interface ExplainOptions {
  /**
   * Pipeline layout (TPP): rank r receives from r-1 and sends to r+1, which names the peer of a
   * point-to-point wait. Collectives have no single peer.
   */
  pipeline: boolean;
  nproc: number;
  /** Ranks the stall rule found least advanced: preferred as the culprit when stacks alone cannot tell. */
  behind?: number[];
  sourceLine?: (file: string, line: number) => string | null;
}

const MAX_FRAMES = 40;

export function rankWhere(d: RankDumpInput, opts: ExplainOptions): RankWhere {
  const threads = d.text ? parseFaulthandler(d.text) : [];
  const main = mainThread(threads);
  const frames = (main?.frames ?? []).slice(0, MAX_FRAMES);
  const c = classifyStack(frames, opts.sourceLine);
  let peer: number | null = null;
  if (c.kind === 'comm' && c.p2p && opts.pipeline && c.op) {
    const p = /recv/.test(c.op) ? d.rank - 1 : d.rank + 1;
    peer = p >= 0 && p < opts.nproc ? p : null;
  }
  return {
    rank: d.rank,
    pid: d.pid,
    kind: c.kind,
    op: c.op,
    phase: c.phase,
    func: c.func,
    site: c.site,
    peer,
    clip: d.clip ?? null,
    step: d.step ?? null,
    frames,
    threads,
    error: d.error ?? (threads.length ? null : 'no-dump'),
    advancing: null,
  };
}

/** Words for one language from the `stacks` namespace; a value not known (null) reads as empty. */
type Say = (key: string, vars?: Record<string, string | number | null>) => string;
const S =
  (lang: Lang): Say =>
  (key, vars = {}) =>
    translate('stacks', key, Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v ?? ''])), lang);

const site = (f: StackFrame | null): string => (f ? frameLabel(f) : '?');

/** One rank in one line: "waits in dist.recv (lalwork/pipeline.py:212) for rank 2". */
export function describeRank(w: RankWhere, lang: Lang): string {
  const s = S(lang);
  let text: string;
  if (w.kind === 'comm') text = w.peer !== null ? s('rankLine.commPeer', { op: w.op, site: site(w.site), peer: w.peer }) : s('rankLine.comm', { op: w.op, site: site(w.site) });
  else if (w.kind === 'phase' && w.phase) text = s('rankLine.phase', { phase: s(`phase.${w.phase}`), site: site(w.site) });
  else if (w.kind === 'compute') text = s('rankLine.compute', { func: w.func, site: site(w.site) });
  else text = s('rankLine.none', { reason: s(`error.${w.error ?? 'no-dump'}`) });
  if (w.clip !== null && w.step !== null) text += ` · ${s('rankLine.progress', { clip: w.clip, step: w.step })}`;
  return text;
}

function stateOf(w: RankWhere | undefined, s: Say): string {
  if (!w) return s('stateAdvancing');
  if (w.kind === 'comm') return s('stateWaiting', { op: w.op, site: site(w.site) });
  if (w.kind === 'phase' && w.phase) return s('statePhase', { phase: s(`phase.${w.phase}`), site: site(w.site) });
  if (w.kind === 'compute') {
    return w.clip !== null && w.step !== null ? s('stateAt', { clip: w.clip, step: w.step, func: w.func, site: site(w.site) }) : s('stateIn', { func: w.func, site: site(w.site) });
  }
  return s('stateUnknown');
}

export interface Headline {
  /** The rank the others wait for, or the one still computing; null when stacks cannot tell. */
  culprit: number | null;
  /** The waiting rank the sentence starts with, if any. */
  waiter: number | null;
  text: { en: string; zh: string };
}

/**
 * One sentence for the card. Ranks not waiting on anyone (computing, or in a long phase) are the
 * candidates; a rank whose point-to-point peer is one of them gives "rank W waits in OP for rank P,
 * which is …". Collectives have no single peer, so the waiter is paired with the candidate the stall
 * rule found least advanced. With no candidate at all, everyone waits on someone who is not there.
 */
export function headline(ranks: RankWhere[], behind: number[] = []): Headline {
  const by = new Map(ranks.map((r) => [r.rank, r]));
  const waiting = ranks.filter((r) => r.kind === 'comm');
  const free = ranks.filter((r) => r.kind === 'compute' || r.kind === 'phase');
  const prefer = (list: RankWhere[]) => [...list].sort((a, b) => rankOrder(a.rank, behind) - rankOrder(b.rank, behind))[0];

  const both = (make: (s: Say) => string) => ({ en: make(S('en')), zh: make(S('zh-CN')) });
  // A culprit that moved on during a second look is slow, not stuck: say that first.
  const waitsOn = (w: RankWhere, root: RankWhere): Headline =>
    root.advancing && root.kind === 'compute'
      ? { culprit: root.rank, waiter: w.rank, text: both((s) => s('computingSlow', { rank: root.rank, func: root.func, site: site(root.site), waiter: w.rank, op: w.op, waitSite: site(w.site) })) }
      : { culprit: root.rank, waiter: w.rank, text: both((s) => s('waitsFor', { rank: w.rank, op: w.op, site: site(w.site), peer: root.rank, state: stateOf(root, s) })) };

  // A chain of point-to-point waits ending at a rank that is not waiting: name its last link.
  for (const root of [...free].sort((a, b) => rankOrder(a.rank, behind) - rankOrder(b.rank, behind))) {
    // A receiver names its sender best: recv first, then by rank.
    const w = waiting.filter((x) => x.peer === root.rank).sort((a, b) => Number(!/recv/.test(a.op ?? '')) - Number(!/recv/.test(b.op ?? '')) || a.rank - b.rank)[0];
    if (w) return waitsOn(w, root);
  }
  // A p2p wait on a rank that was not dumped (still advancing) or gave no stack.
  const dangling = waiting.find((x) => x.peer !== null && (!by.has(x.peer) || by.get(x.peer)!.kind === 'none'));
  if (dangling && !free.length) {
    const p = dangling.peer!;
    return { culprit: p, waiter: dangling.rank, text: both((s) => s('waitsFor', { rank: dangling.rank, op: dangling.op, site: site(dangling.site), peer: p, state: stateOf(by.get(p), s) })) };
  }
  // Collectives have no single peer: pair a waiter with the rank that is not in one.
  const collective = waiting.filter((x) => x.peer === null);
  if (collective.length && free.length) {
    return waitsOn(prefer(collective), prefer(free));
  }
  if (free.length) {
    const root = prefer(free);
    if (root.kind === 'phase' && root.phase) {
      const ph = root.phase;
      return { culprit: root.rank, waiter: null, text: both((s) => s('inPhase', { rank: root.rank, phase: s(`phase.${ph}`), site: site(root.site) })) };
    }
    const same = free.filter((r) => r.kind === 'compute' && r.func === root.func && site(r.site) === site(root.site));
    if (same.length > 1) {
      const list = same.map((r) => r.rank).sort((a, b) => a - b).join(', ');
      return { culprit: null, waiter: null, text: both((s) => s('computingMany', { ranks: list, func: root.func, site: site(root.site) })) };
    }
    return { culprit: root.rank, waiter: null, text: both((s) => s('computing', { rank: root.rank, func: root.func, site: site(root.site) })) };
  }
  if (waiting.length) {
    const list = waiting.map((r) => r.rank).join(', ');
    const op = waiting[0].op;
    return { culprit: null, waiter: waiting[0].rank, text: both((s) => s('allWaiting', { ranks: list, op })) };
  }
  return { culprit: null, waiter: null, text: both((s) => s('noStacks')) };
}

function rankOrder(rank: number, behind: number[]): number {
  const i = behind.indexOf(rank);
  return i >= 0 ? i : 1000 + rank;
}

const entryText = (e: FlightEntry | null, s: Say): string => (e ? `${e.op}${e.seq !== null ? ` #${e.seq}` : ''}${e.state ? ` (${e.state})` : ''}` : s('flightNone'));

/** "NCCL flight recorder, rank 3: last enqueued nccl:recv #12 (started), last completed nccl:send #11" */
export function describeFlight(f: FlightRank, lang: Lang): string {
  const s = S(lang);
  return s('flight', { rank: f.rank, enqueued: entryText(f.lastEnqueued, s), completed: entryText(f.lastCompleted, s) });
}
