import type { WorkerExit } from './agent';
import { catalogByCode } from './catalog';
import { refine } from './refine';
import type { Collector, Hit, Suspicious } from './scan';
import type { Fields } from './template';
import type { Diagnosis, FailureCode, FixAction } from './types';

/**
 * The one root-cause picker (the run manager, the run view, `lal explain` and the records all use
 * it). Hits are grouped per code; known causes come first, then the consequences (watchdog
 * timeouts, peer resets, the aborts they trigger), then anything unrecognised: UNKNOWN never
 * outranks a known code. Among causes the first failure wins, by one clock in this order:
 * error.json timestamps, the launcher's own process-exit times, line timestamps, arrival order in a
 * shared stream, then torchrun's "Root Cause" row, then how specific the code is. Ranks that were
 * only sent SIGTERM are never blamed. For a collective timeout the ranks' sequence numbers name
 * the one that fell behind. Worker exits with no error text of their own become HOST_OOM_KILLED
 * (-9), NCCL_SHM (-7, bus error), NATIVE_CRASH (-11) or UNKNOWN with the most suspicious lines
 * quoted; an abort (-6) after a collective timeout is that timeout's consequence.
 *
 * Decided once, without language: diagnoses carry codes and fields; describe.ts words them.
 */
export interface DecideOptions {
  /** When the launcher saw each rank's process disappear (ms, any epoch): the second clock. */
  exitTimes?: ReadonlyMap<number, number>;
  /**
   * The launcher's progress tracker: ranks from the one that got least far (fewest bars, then
   * steps, then earliest last progress) to the furthest (shared/progress/order.ts). When several
   * ranks printed no timeout line, the one that fell behind is the least advanced: another silent
   * rank may only have been stopped by torchrun before its own, later-started wait ran out.
   */
  progressOrder?: readonly number[];
}

export interface Verdict {
  /** Root cause first. */
  diagnoses: Diagnosis[];
  /** How torchrun says each worker ended. */
  exits: WorkerExit[];
  /** The exit of the rank blamed first (the RANK_EXIT line of the run view), when torchrun reported one. */
  rootExit: WorkerExit | null;
}
interface Group {
  code: FailureCode;
  ranks: number[];
  rank: number | null;
  first: Hit;
  /** First hit order per source index, to compare two groups on a stream they share. */
  firstBySource: Map<number, number>;
  time: number | null;
  fields: Fields;
  consequence: boolean;
  priority: number;
}

const VICTIM_EXIT = new Set([-15, -2, -1]);

export function decide(c: Collector, opts: DecideOptions = {}): Verdict {
  const exitTimes = opts.exitTimes ?? new Map<number, number>();
  const agent = c.agent;
  const exits = [...agent.exits.values()];
  const victims = new Set(exits.filter((e) => agent.isVictim(e)).map((e) => e.rank));
  const failing = exits.filter((e) => e.exitCode !== 0 && !agent.isVictim(e));

  // 1. Resolve ranks (NCCL lines carry a pid) and collect hits per code and rank.
  const perKey = new Map<string, Hit[]>();
  for (const list of c.hits.values()) {
    for (const h of list) {
      const rank = h.rank ?? (h.pid !== null ? agent.rankOfPid(h.pid) : null);
      const key = `${h.code}|${rank ?? ''}`;
      const arr = perKey.get(key) ?? [];
      arr.push({ ...h, rank });
      perKey.set(key, arr);
    }
  }
  // Unranked hits (a wrapped continuation, an import error printed before the process group
  // existed) join the ranked group of the same code, or the single rank torchrun saw fail.
  for (const [key, list] of [...perKey]) {
    if (!key.endsWith('|')) continue;
    const code = key.slice(0, -1) as FailureCode;
    const entry = catalogByCode.get(code);
    if (entry?.scope === 'agent') continue;
    const ranked = [...perKey.keys()].filter((k) => k.startsWith(code + '|') && k !== key);
    let target: string | null = null;
    if (ranked.length) target = ranked[0];
    else if (failing.length) {
      // Every rank printed the same unprefixed error: torchrun's pick, else the lowest failing rank.
      const root = agent.rootCauseRank();
      target = `${code}|${root ?? Math.min(...failing.map((e) => e.rank))}`;
    }
    if (!target) continue;
    const rank = Number(target.split('|')[1]);
    perKey.set(target, [...(perKey.get(target) ?? []), ...list.map((h) => ({ ...h, rank }))]);
    perKey.delete(key);
  }

  // 2. One group per code and rank; drop a wrapper code when a more specific one explains it.
  const byRank = new Map<string, Group>();
  for (const [key, list] of perKey) {
    const code = key.split('|')[0] as FailureCode;
    const rank = list[0].rank;
    if (rank !== null && victims.has(rank) && list.every((h) => h.consequence)) continue;
    list.sort((a, b) => a.sourceIndex - b.sourceIndex || a.order - b.order);
    const fields: Fields = {};
    const firstBySource = new Map<number, number>();
    let time: number | null = null;
    for (const h of list) {
      for (const [k, v] of Object.entries(h.fields)) if (fields[k] === undefined) fields[k] = v;
      if (!firstBySource.has(h.sourceIndex) || firstBySource.get(h.sourceIndex)! > h.order) firstBySource.set(h.sourceIndex, h.order);
      if (h.time !== null && (time === null || h.time < time)) time = h.time;
    }
    const strong = list.find((h) => !h.weak) ?? list[0];
    byRank.set(key, {
      code,
      ranks: rank === null ? [] : [rank],
      rank,
      first: strong,
      firstBySource,
      time,
      fields,
      consequence: list.some((h) => h.consequence),
      priority: catalogByCode.get(code)?.priority ?? 90,
    });
  }
  for (const [key, g] of [...byRank]) {
    for (const other of byRank.values()) {
      const sup = catalogByCode.get(other.code)?.supersedes;
      if (sup?.includes(g.code) && (other.rank === g.rank || other.rank === null || g.rank === null)) {
        byRank.delete(key);
        break;
      }
    }
  }

  // 3. Exits with no explanation of their own.
  const causeRanks = new Set([...byRank.values()].filter((g) => !g.consequence && g.rank !== null).map((g) => g.rank!));
  const timedOut = [...byRank.values()].some((g) => g.code === 'NCCL_WATCHDOG_TIMEOUT' || g.code === 'NCCL_HEARTBEAT_STUCK');
  const unknownCandidates: { rank: number | null; exit: WorkerExit | null; lines: Suspicious[] }[] = [];
  for (const e of failing) {
    if (causeRanks.has(e.rank)) continue;
    const synth = e.exitCode === -9 ? 'HOST_OOM_KILLED' : e.exitCode === -7 ? 'NCCL_SHM' : e.exitCode === -11 ? 'NATIVE_CRASH' : null;
    if (synth) {
      const existing = byRank.get(`${synth}|`);
      if (existing) byRank.delete(`${synth}|`);
      byRank.set(`${synth}|${e.rank}`, exitGroup(synth, e, c, existing?.fields));
      causeRanks.add(e.rank);
      continue;
    }
    const own = c.suspicious.get(String(e.rank));
    const lines = own ?? c.suspicious.get('') ?? [];
    const onlyConsequences = [...byRank.values()].some((g) => g.rank === e.rank && g.consequence);
    // The watchdog's abort (SIGABRT) restates the timeout already matched: a consequence, not a cause.
    if (e.exitCode === -6 && timedOut && (onlyConsequences || !own?.length)) continue;
    if (lines.length || !onlyConsequences) unknownCandidates.push({ rank: e.rank, exit: e, lines });
  }
  // A pasted traceback without torchrun's table: quote its exception if nothing else explains it.
  if (!failing.length && ![...byRank.values()].some((g) => !g.consequence)) {
    for (const [key, lines] of c.suspicious) {
      const rank = key === '' ? null : Number(key);
      if (rank !== null && victims.has(rank)) continue;
      unknownCandidates.push({ rank, exit: null, lines });
    }
  }
  for (const u of unknownCandidates) {
    const g = unknownGroup(u.rank, u.exit, u.lines, c);
    if (g) byRank.set(`UNKNOWN|${u.rank ?? ''}`, g);
  }

  // 4. One card per code: the same failure on every rank is one failure.
  const groups = mergeByCode([...byRank.values()]);
  const watchdog = groups.find((g) => g.code === 'NCCL_WATCHDOG_TIMEOUT');
  if (watchdog) nameLaggard(watchdog, perKey, c, exits, victims, opts.progressOrder ?? []);

  // 5. Order: the root cause, the other known causes, the consequences (the collective timeout
  // first: it names the rank that fell behind), then what no pattern knew.
  const tableRoot = agent.rootCauseRank();
  const byClock = (list: Group[]): Group[] => {
    let root: Group | null = null;
    for (const g of list) if (!root || earlier(g, root, c, exitTimes, tableRoot)) root = g;
    const rest = list.filter((g) => g !== root).sort((a, b) => a.priority - b.priority || a.first.order - b.first.order);
    return root ? [root, ...rest] : rest;
  };
  const causes = byClock(groups.filter((g) => !g.consequence && g.code !== 'UNKNOWN'));
  const consequences = groups
    .filter((g) => g.consequence)
    .sort((a, b) => Number(b.code === 'NCCL_WATCHDOG_TIMEOUT') - Number(a.code === 'NCCL_WATCHDOG_TIMEOUT') || a.priority - b.priority);
  const unknown = byClock(groups.filter((g) => !g.consequence && g.code === 'UNKNOWN'));
  const diagnoses = [...causes, ...consequences, ...unknown].map(toDiagnosis);
  return { diagnoses, exits, rootExit: rootExitOf(diagnoses, exits, agent, exitTimes) };
}

/**
 * The torchrun exit line to show beside the root cause: that rank's own exit when it has one;
 * with no diagnosis, the earliest non-victim exit the launcher saw, then torchrun's root row, then
 * the lowest non-victim rank.
 */
function rootExitOf(diagnoses: Diagnosis[], exits: WorkerExit[], agent: Collector['agent'], exitTimes: ReadonlyMap<number, number>): WorkerExit | null {
  const real = exits.filter((e) => !agent.isVictim(e));
  const blamed = diagnoses[0]?.rank;
  if (blamed !== undefined && blamed !== null) return exits.find((e) => e.rank === blamed) ?? null;
  if (diagnoses.length) return null;
  if (!real.length) return null;
  const timed = real.filter((e) => exitTimes.has(e.rank)).sort((a, b) => exitTimes.get(a.rank)! - exitTimes.get(b.rank)! || a.rank - b.rank);
  const tableRoot = agent.rootCauseRank();
  if (timed.length) {
    const tied = timed.filter((e) => exitTimes.get(e.rank) === exitTimes.get(timed[0].rank));
    return tied.find((e) => e.rank === tableRoot) ?? tied[0];
  }
  return real.find((e) => e.rank === tableRoot) ?? [...real].sort((a, b) => a.rank - b.rank)[0];
}

function exitGroup(code: FailureCode, e: WorkerExit, c: Collector, fields: Fields = {}): Group {
  const hit: Hit = {
    code,
    rank: e.rank,
    pid: e.pid,
    source: e.source,
    sourceIndex: -1,
    line: e.line,
    text: e.text,
    time: null,
    order: -1,
    fields: { ...fields, exitCode: e.exitCode, ...(e.pid !== null ? { pid: e.pid } : {}), ...(e.exitCode === -7 ? { variant: 'bus-error' } : {}) },
    consequence: false,
    weak: false,
  };
  void c;
  return { code, ranks: [e.rank], rank: e.rank, first: hit, firstBySource: new Map(), time: null, fields: hit.fields, consequence: false, priority: catalogByCode.get(code)?.priority ?? 50 };
}

function unknownGroup(rank: number | null, exit: WorkerExit | null, lines: Suspicious[], c: Collector): Group | null {
  const own = lines.filter((s) => s.rank === rank);
  const quoted = own.length ? own : lines;
  if (!quoted.length && !exit) return null;
  const first = quoted[0];
  const fields: Fields = {};
  if (first) fields.message = first.text;
  const others = quoted.slice(1, 4).map((s) => `"${s.text}"`);
  if (others.length) fields.suspicious = others.join('; ');
  if (exit) fields.exitCode = exit.exitCode;
  const hit: Hit = first
    ? { code: 'UNKNOWN', rank, pid: null, source: first.source, sourceIndex: first.sourceIndex, line: first.line, text: first.text, time: null, order: first.order, fields, consequence: false, weak: false }
    : { code: 'UNKNOWN', rank, pid: exit!.pid, source: exit!.source, sourceIndex: -1, line: exit!.line, text: exit!.text, time: null, order: -1, fields, consequence: false, weak: false };
  void c;
  const firstBySource = new Map<number, number>(first ? [[first.sourceIndex, first.order]] : []);
  return { code: 'UNKNOWN', ranks: rank === null ? [] : [rank], rank, first: hit, firstBySource, time: null, fields, consequence: false, priority: 99 };
}

function mergeByCode(groups: Group[]): Group[] {
  const out = new Map<string, Group>();
  for (const g of groups) {
    const key = `${g.code}|${g.consequence}`;
    const prev = out.get(key);
    if (!prev) {
      out.set(key, { ...g, ranks: [...g.ranks], firstBySource: new Map(g.firstBySource) });
      continue;
    }
    // Keep the earlier one as the face of the group; remember every rank.
    const keepNew = g.first.order >= 0 && prev.first.order >= 0 && sameSourceEarlier(g, prev);
    const face = keepNew ? g : prev;
    const merged: Group = {
      ...face,
      ranks: [...new Set([...prev.ranks, ...g.ranks])].sort((a, b) => a - b),
      firstBySource: new Map(face.firstBySource),
      fields: { ...(keepNew ? prev.fields : g.fields), ...face.fields },
      time: prev.time === null ? g.time : g.time === null ? prev.time : Math.min(prev.time, g.time),
    };
    for (const [s, o] of (keepNew ? prev : g).firstBySource) if (!merged.firstBySource.has(s) || merged.firstBySource.get(s)! > o) merged.firstBySource.set(s, o);
    out.set(key, merged);
  }
  return [...out.values()];
}

function sameSourceEarlier(a: Group, b: Group): boolean {
  for (const [s, o] of a.firstBySource) {
    const other = b.firstBySource.get(s);
    if (other !== undefined) return o < other;
  }
  return false;
}

/** Is cause `a` the earlier failure than `b`? */
function earlier(a: Group, b: Group, c: Collector, exitTimes: ReadonlyMap<number, number>, tableRoot: number | null): boolean {
  const ta = a.rank !== null ? c.errorFileTime.get(a.rank) : undefined;
  const tb = b.rank !== null ? c.errorFileTime.get(b.rank) : undefined;
  if (ta !== undefined && tb !== undefined && ta !== tb) return ta < tb;
  if (ta !== undefined && tb === undefined) return true;
  if (tb !== undefined && ta === undefined) return false;
  const xa = a.rank !== null ? exitTimes.get(a.rank) : undefined;
  const xb = b.rank !== null ? exitTimes.get(b.rank) : undefined;
  if (xa !== undefined && xb !== undefined && xa !== xb) return xa < xb;
  if (a.time !== null && b.time !== null && a.time !== b.time) return a.time < b.time;
  for (const [s, o] of a.firstBySource) {
    const other = b.firstBySource.get(s);
    if (other !== undefined && other !== o) return o < other;
  }
  if (tableRoot !== null && a.rank !== b.rank) {
    if (a.ranks.includes(tableRoot) && !b.ranks.includes(tableRoot)) return true;
    if (b.ranks.includes(tableRoot) && !a.ranks.includes(tableRoot)) return false;
  }
  return a.priority < b.priority;
}

/**
 * Which rank fell behind in a timed-out collective: a rank of the job that printed no watchdog line
 * while others did (it never reached the collective; of several, the least advanced by the
 * launcher's progress, else the lowest), else the rank whose last enqueued, then last
 * completed, then timed-out sequence number is the lowest. When every rank issued the same work,
 * none fell behind: `lookAt` names the rank that reported first (the transfer itself hung).
 */
function nameLaggard(g: Group, perKey: Map<string, Hit[]>, c: Collector, exits: WorkerExit[], victims: Set<number>, progressOrder: readonly number[]): void {
  type Report = { seq?: number; enq?: number; comp?: number; time: number; order: number };
  const reports = new Map<number, Report>();
  for (const [key, list] of perKey) {
    if (!key.startsWith('NCCL_WATCHDOG_TIMEOUT|') || key.endsWith('|')) continue;
    const rank = Number(key.split('|')[1]);
    const r: Report = { time: Infinity, order: Infinity };
    for (const h of list) {
      if (h.fields.seq !== undefined && r.seq === undefined) r.seq = Number(h.fields.seq);
      if (h.fields.lastEnqueued !== undefined && r.enq === undefined) r.enq = Number(h.fields.lastEnqueued);
      if (h.fields.lastCompleted !== undefined && r.comp === undefined) r.comp = Number(h.fields.lastCompleted);
      r.time = Math.min(r.time, h.time ?? Infinity);
      r.order = Math.min(r.order, h.order);
    }
    reports.set(rank, r);
  }
  if (!reports.size) return;
  // The job's ranks: torchrun's exit lines and table, the per-rank files, and the `[rankN]:` /
  // `[defaultN]:` prefixes seen (scan.ts counts no looser prefix: a wrapped `…_utils.py:776:` is no rank).
  const world = new Set<number>([...c.ranksSeen, ...c.fileRanks, ...exits.map((e) => e.rank)]);
  const silent = [...world].filter((r) => !reports.has(r)).sort((a, b) => a - b);
  let laggard: number | null = null;
  let laggardEnqueued: number | undefined;
  if (silent.length && world.size > reports.size) {
    const own = silent.filter((r) => !victims.has(r));
    const pool = own.length ? own : silent;
    // Seen in CI (gloo, 5 ranks, rank 2 hung): torchrun stopped rank 0 before its send timed out,
    // so ranks 0 and 2 were both silent, and the lower number was blamed.
    laggard = progressOrder.find((r) => pool.includes(r)) ?? pool[0];
  } else {
    for (const pick of ['enq', 'comp', 'seq'] as const) {
      const known = [...reports].filter(([, r]) => r[pick] !== undefined).sort((a, b) => a[1][pick]! - b[1][pick]! || a[0] - b[0]);
      if (known.length >= 2 && known[0][1][pick]! < known[known.length - 1][1][pick]!) {
        laggard = known[0][0];
        if (known[0][1].enq !== undefined) laggardEnqueued = known[0][1].enq;
        break;
      }
    }
  }
  g.fields.reportingRanks = [...reports.keys()].sort((a, b) => a - b).join(',');
  if (laggard !== null) {
    g.fields.laggard = laggard;
    if (laggardEnqueued !== undefined) g.fields.laggardEnqueued = laggardEnqueued;
    g.rank = laggard;
    return;
  }
  const firstReporter = [...reports].sort((a, b) => (a[1].time === b[1].time ? 0 : a[1].time < b[1].time ? -1 : 1) || a[1].order - b[1].order || a[0] - b[0])[0][0];
  g.fields.lookAt = firstReporter;
  g.rank = firstReporter;
}

function toDiagnosis(g: Group): Diagnosis {
  const entry = catalogByCode.get(g.code);
  const r = refine(g.code, g.fields);
  const fields: Fields = { ...g.fields, ...(r.fields ?? {}) };
  delete fields.procs;
  if (fields.numelIn === '18446744073709551615' || fields.numelIn === '-1') delete fields.numelIn;
  if (r.advice) fields.advice = r.advice;
  const rank = g.rank ?? (g.ranks.length ? g.ranks[0] : null);
  if (g.ranks.length > 1) fields.ranks = g.ranks.join(',');
  const fixes: FixAction[] | undefined = r.fixes ?? entry?.fixes;
  return {
    code: g.code,
    rank,
    evidence: { file: g.first.source, line: g.first.line, text: g.first.text },
    fields,
    ...(fixes?.length ? { fixes } : {}),
    ...(g.consequence ? { consequence: true } : {}),
  };
}

/** torchrun's account of how the blamed rank ended, as its own line on the failure card. */
export function rankExitDiagnosis(x: WorkerExit, file = x.source): Diagnosis {
  const signal = x.exitCode < 0 ? SIGNALS[-x.exitCode] : undefined;
  return {
    code: 'RANK_EXIT',
    rank: x.rank,
    evidence: { file, line: x.line, text: x.text },
    fields: { exitCode: x.exitCode, ...(x.pid !== null ? { pid: x.pid } : {}), ...(x.exitCode < 0 ? { signal: signal ?? `signal ${-x.exitCode}` } : {}) },
  };
}

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 11: 'SIGSEGV', 15: 'SIGTERM' };

export { VICTIM_EXIT };
