import { pick, type Bilingual, type Lang } from '../i18n';
import type { WorkerExit } from './agent';
import { catalogByCode, SYNTHETIC_TEXT } from './catalog';
import { refine } from './refine';
import type { Collector, Hit, Suspicious } from './scan';
import { render, type Fields } from './template';
import type { Diagnosis, FailureCode, FixAction } from './types';

/**
 * Root-cause logic (docs/upstream-notes.md §9.3, §12): hits are grouped per code; causes come before
 * consequences (watchdog timeouts, peer resets); among causes the first failure wins, judged by
 * error-file timestamps, then line timestamps, then arrival order in a shared stream, then
 * torchrun's "Root Cause" row, then how specific the code is. Ranks that were only sent SIGTERM
 * are never blamed. For a collective timeout the ranks' sequence numbers name the one that fell
 * behind. Worker exits with no error text of their own become HOST_OOM_KILLED (-9), NCCL_SHM
 * (-7, bus error), NATIVE_CRASH (-11) or UNKNOWN with the most suspicious lines quoted.
 */
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

export function decide(c: Collector, lang: Lang): Diagnosis[] {
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
    const lines = c.suspicious.get(String(e.rank)) ?? c.suspicious.get('') ?? [];
    const onlyConsequences = [...byRank.values()].some((g) => g.rank === e.rank && g.consequence);
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
  if (watchdog) nameLaggard(watchdog, perKey, c, exits, victims);

  // 5. Order: the root cause, the other causes, then the consequences.
  const causes = groups.filter((g) => !g.consequence);
  const consequences = groups.filter((g) => g.consequence).sort((a, b) => a.priority - b.priority);
  const tableRoot = agent.rootCauseRank();
  let root: Group | null = null;
  for (const g of causes) if (!root || earlier(g, root, c, tableRoot)) root = g;
  const rest = causes.filter((g) => g !== root).sort((a, b) => a.priority - b.priority || a.first.order - b.first.order);
  const ordered = [...(root ? [root] : []), ...rest, ...consequences];
  return ordered.map((g) => toDiagnosis(g, lang));
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
function earlier(a: Group, b: Group, c: Collector, tableRoot: number | null): boolean {
  const ta = a.rank !== null ? c.errorFileTime.get(a.rank) : undefined;
  const tb = b.rank !== null ? c.errorFileTime.get(b.rank) : undefined;
  if (ta !== undefined && tb !== undefined && ta !== tb) return ta < tb;
  if (ta !== undefined && tb === undefined) return true;
  if (tb !== undefined && ta === undefined) return false;
  if (a.code === 'UNKNOWN' && b.code !== 'UNKNOWN') return false;
  if (b.code === 'UNKNOWN' && a.code !== 'UNKNOWN') return true;
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
 * Which rank fell behind in a timed-out collective (upstream-notes §10.3 cause 1): a rank of the job
 * that printed no watchdog line while others did, else the rank whose last enqueued work is the
 * lowest (it never issued the collective the others wait in).
 */
function nameLaggard(g: Group, perKey: Map<string, Hit[]>, c: Collector, exits: WorkerExit[], victims: Set<number>): void {
  const reports = new Map<number, { seq?: number; enq?: number; comp?: number }>();
  for (const [key, list] of perKey) {
    if (!key.startsWith('NCCL_WATCHDOG_TIMEOUT|') || key.endsWith('|')) continue;
    const rank = Number(key.split('|')[1]);
    const r: { seq?: number; enq?: number; comp?: number } = {};
    for (const h of list) {
      if (h.fields.seq !== undefined && r.seq === undefined) r.seq = Number(h.fields.seq);
      if (h.fields.lastEnqueued !== undefined && r.enq === undefined) r.enq = Number(h.fields.lastEnqueued);
      if (h.fields.lastCompleted !== undefined && r.comp === undefined) r.comp = Number(h.fields.lastCompleted);
    }
    reports.set(rank, r);
  }
  if (!reports.size) return;
  const world = new Set<number>([...c.ranksSeen, ...exits.map((e) => e.rank)]);
  const silent = [...world].filter((r) => !reports.has(r)).sort((a, b) => a - b);
  let laggard: number | null = null;
  let laggardEnqueued: number | undefined;
  if (silent.length && reports.size >= 1 && world.size > reports.size) {
    laggard = silent.find((r) => !victims.has(r)) ?? silent[0];
  } else {
    const withEnq = [...reports].filter(([, r]) => r.enq !== undefined);
    if (withEnq.length >= 2) {
      withEnq.sort((a, b) => a[1].enq! - b[1].enq! || a[0] - b[0]);
      if (withEnq[0][1].enq! < withEnq[withEnq.length - 1][1].enq!) {
        laggard = withEnq[0][0];
        laggardEnqueued = withEnq[0][1].enq;
      }
    }
    if (laggard === null) {
      // A rank that timed out on an older collective than its peers is behind them.
      const withSeq = [...reports].filter(([, r]) => r.seq !== undefined).sort((a, b) => a[1].seq! - b[1].seq! || a[0] - b[0]);
      if (withSeq.length >= 2 && withSeq[0][1].seq! < withSeq[withSeq.length - 1][1].seq!) laggard = withSeq[0][0];
    }
  }
  g.fields.reportingRanks = [...reports.keys()].sort((a, b) => a - b).join(',');
  if (laggard !== null) {
    g.fields.laggard = laggard;
    if (laggardEnqueued !== undefined) g.fields.laggardEnqueued = laggardEnqueued;
    g.rank = laggard;
  } else if (g.rank === null) g.rank = Math.min(...reports.keys());
}

function toDiagnosis(g: Group, lang: Lang): Diagnosis {
  const entry = catalogByCode.get(g.code);
  const text = entry ?? (g.code === 'UNKNOWN' || g.code === 'STALL' ? SYNTHETIC_TEXT[g.code] : SYNTHETIC_TEXT.UNKNOWN);
  const r = refine(g.code, g.fields);
  const fields: Fields = { ...g.fields, ...(r.fields ?? {}) };
  delete fields.procs;
  if (fields.numelIn === '18446744073709551615' || fields.numelIn === '-1') delete fields.numelIn;
  const rank = g.rank ?? (g.ranks.length ? g.ranks[0] : null);
  if (g.ranks.length > 1) fields.ranks = g.ranks.join(',');
  const vars: Fields = { ...fields, who: who(rank, g.ranks, lang), ...(r.advice ? { advice: pick(r.advice, lang) } : {}) };
  const fixes: FixAction[] | undefined = r.fixes ?? entry?.fixes;
  return {
    code: g.code,
    rank,
    title: render(pick(text.title, lang), vars),
    explanation: render(pick(text.explanation, lang), vars),
    fix: render(pick(text.fix, lang), vars),
    evidence: { file: g.first.source, line: g.first.line, text: g.first.text },
    fields,
    ...(fixes?.length ? { fixes } : {}),
    ...(g.consequence ? { consequence: true } : {}),
  };
}

const WHO: Record<'one' | 'many' | 'none', Bilingual> = {
  one: { en: 'Rank {rank}', zh: 'rank {rank}' },
  many: { en: 'Rank {rank} (and ranks {others})', zh: 'rank {rank}（以及 rank {others}）' },
  none: { en: 'A process', zh: '某个进程' },
};

function who(rank: number | null, ranks: number[], lang: Lang): string {
  if (rank === null) return pick(WHO.none, lang);
  const others = ranks.filter((r) => r !== rank);
  return render(pick(others.length ? WHO.many : WHO.one, lang), { rank, others: others.join(', ') });
}

export { VICTIM_EXIT };
