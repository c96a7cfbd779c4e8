import { AgentState } from './agent';
import { CATALOG, type CatalogEntry, type PatternSpec } from './catalog';
import { parseLine, splitCollisions, type LineInfo } from './line';
import type { Fields } from './template';
import type { FailureCode } from './types';
import { ANCHORS, Prefilter, scanSink, triggerAnchors } from './prefilter';

/**
 * Streaming scanner: text arrives in chunks of any size, lines are cut at \n, \r\n and bare \r
 * (tqdm redraws), and each line is matched once. Memory stays bounded whatever the input: a short
 * window of lines around the current one (to rejoin terminal-wrapped messages and read NCCL's
 * `Last error:` follow-up), a capped list of hits per code and rank, and a few suspicious lines per
 * rank. A line longer than MAX_LINE is matched in pieces, so one 100 MB line cannot stall it.
 */
export interface Hit {
  code: FailureCode;
  rank: number | null;
  pid: number | null;
  source: string;
  sourceIndex: number;
  line: number;
  text: string;
  time: number | null;
  order: number;
  fields: Fields;
  consequence: boolean;
  weak: boolean;
}

export interface Suspicious {
  rank: number | null;
  source: string;
  sourceIndex: number;
  line: number;
  text: string;
  order: number;
}

export const MAX_LINE = 16 * 1024;
/** Lines fed to the matcher on each side of a line the prefilter flagged (covers wrapped messages and the look-ahead/behind windows). */
const CONTEXT = 8;
/** A line still without a break past this many bytes goes to the matcher as it comes (read in pieces). */
const RUNAWAY = 1 << 20;
const PREFILTER = new Prefilter([...ANCHORS, ...triggerAnchors(CATALOG.map((e) => e.trigger))]);
const EMPTY = new Uint8Array(0);
const ENCODER = new TextEncoder();
const TEXT_SLICE = 4 * 1024 * 1024;
type Utf8Decoder = InstanceType<typeof TextDecoder>;
const AHEAD = 6;
const BEHIND = 6;
/** Hard-wrapped lines are at least this wide (terminals are ≥ 40 columns in practice). */
const WRAP_MIN = 40;
const HITS_PER_KEY = 4;
const SUSPICIOUS_PER_RANK = 6;
const EVIDENCE_CHARS = 400;

const ANY_TRIGGER = new RegExp(CATALOG.map((e) => `(?:${e.trigger.source})`).join('|'));
const EXCEPTION_LINE = /^(?:[A-Za-z_][\w.]{0,120}(?:Error|Exception|Interrupt)(?::|$)|terminate called after|\s*what\(\): |Fatal Python error|Segmentation fault|Bus error|Killed$)/;
/**
 * C++ `terminate called after throwing an instance of 'c10::DistBackendError'` only announces the
 * `what():` line after it, which carries the message (a watchdog timeout the catalog matches, or
 * something to quote): the announcement itself is never the line to blame.
 */
const TERMINATE = /^terminate called after throwing an instance of /;
/** Exception lines that say nothing about the cause (docs/upstream-notes.md §9.4, §10.10). */
const BENIGN_EXCEPTION = /ChildFailedError|SignalException|KeyboardInterrupt|Warning:|Traceback \(most recent call last\)/;

interface Entry {
  raw: string;
  info: LineInfo;
  line: number;
  /** Part of a hard-wrapped group started by an earlier entry. */
  inGroup: boolean;
  /** The whole rejoined message when this line continues one ("…ChildFailedError:" cut mid-word). */
  groupText?: string;
}

export class Collector {
  readonly hits = new Map<string, Hit[]>();
  readonly agent = new AgentState();
  readonly suspicious = new Map<string, Suspicious[]>();
  readonly ranksSeen = new Set<number>();
  /** Ranks that have a file of their own (torchrun's per-rank logs): certainly part of the job. */
  readonly fileRanks = new Set<number>();
  /** Error-file timestamps (s) by rank: the most reliable "who failed first" (C11). */
  readonly errorFileTime = new Map<number, number>();
  readonly sources: { name: string; lines: number; bytes: number; longLines: number }[] = [];
  private order = 0;

  nextOrder(): number {
    return this.order++;
  }

  addHit(h: Hit): void {
    const key = `${h.code}|${h.rank ?? ''}`;
    const list = this.hits.get(key);
    if (!list) this.hits.set(key, [h]);
    else if (list.length < HITS_PER_KEY) list.push(h);
    else {
      // Keep the first few, but let a later hit fill fields the earlier ones lacked (wrapped lines).
      const first = list[0];
      for (const [k, v] of Object.entries(h.fields)) if (first.fields[k] === undefined) first.fields[k] = v;
    }
  }

  addSuspicious(s: Suspicious): void {
    const key = String(s.rank ?? '');
    const list = this.suspicious.get(key) ?? [];
    if (list.length >= SUSPICIOUS_PER_RANK) {
      // The first exception is the cause more often than the last (later ones are fallout), but the
      // very last line is usually the one a user would quote: keep the head and the latest.
      list[list.length - 1] = s;
    } else list.push(s);
    this.suspicious.set(key, list);
  }

  seeRank(r: number): void {
    if (this.ranksSeen.size < 4096) this.ranksSeen.add(r);
  }

  source(name: string, rank: number | null = null): SourceScanner {
    if (rank !== null && this.fileRanks.size < 4096) {
      this.fileRanks.add(rank);
      this.seeRank(rank);
    }
    const stats = { name, lines: 0, bytes: 0, longLines: 0 };
    this.sources.push(stats);
    return new SourceScanner(this, name, this.sources.length - 1, rank, stats);
  }
}

export class SourceScanner {
  private partial = '';
  private pendingCr = false;
  private lineNo = 1;
  private window: Entry[] = [];
  private behind: Entry[] = [];
  private lastCutLine = -1;
  // Byte path (pushBytes): undecided bytes, their lines' flags, the automaton state.
  private carry: Uint8Array = EMPTY;
  private carryHot: number[] = [];
  private readonly sink = scanSink();
  /** Inside a runaway line: its bytes go straight to the matcher until the next \n. */
  private runaway: Utf8Decoder | null = null;
  private readonly utf8 = new TextDecoder('utf-8');

  constructor(
    private readonly c: Collector,
    private readonly name: string,
    private readonly sourceIndex: number,
    private readonly fileRank: number | null,
    private readonly stats: { lines: number; bytes: number; longLines: number },
  ) {}

  push(chunk: string): void {
    this.stats.bytes += chunk.length;
    let i = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (chunk.startsWith('\n')) i = 1;
      this.emit(true);
    }
    // Next \n and \r positions are cached: re-searching for a \r a file never contains would make
    // one big chunk quadratic.
    let nl = -2;
    let cr = -2;
    for (;;) {
      if (nl !== -1 && nl < i) nl = chunk.indexOf('\n', i);
      if (cr !== -1 && cr < i) cr = chunk.indexOf('\r', i);
      let end: number;
      if (nl < 0 && cr < 0) break;
      if (nl >= 0 && (cr < 0 || nl < cr)) end = nl;
      else end = cr;
      this.append(chunk.slice(i, end));
      if (chunk.charCodeAt(end) === 13) {
        if (end + 1 === chunk.length) {
          this.pendingCr = true;
          return;
        }
        const crlf = chunk.charCodeAt(end + 1) === 10;
        this.emit(crlf);
        i = crlf ? end + 2 : end + 1;
      } else {
        this.emit(true);
        i = end + 1;
      }
    }
    this.append(chunk.slice(i));
  }

  /**
   * The fast path for raw log bytes: the prefilter reads every byte once; only lines near an
   * anchor (CONTEXT lines each side) are decoded and matched, the rest are counted and skipped.
   * Verdicts are the same as push() of the decoded text (test/unit/failures/prefilter.test.ts).
   */
  pushBytes(chunk: Uint8Array): void {
    let bytes = chunk;
    if (this.runaway) {
      const nl = bytes.indexOf(10);
      if (nl < 0) {
        this.push(this.runaway.decode(bytes, { stream: true }));
        return;
      }
      this.push(this.runaway.decode(bytes.subarray(0, nl + 1)));
      this.runaway = null;
      bytes = bytes.subarray(nl + 1);
    }
    this.decide(bytes, false);
  }

  /**
   * Scan `bytes` (the carried, undecided lines come first), then feed or skip every line that is
   * decided. The chunk is never copied: only the few carried lines and the fed runs are.
   */
  private decide(bytes: Uint8Array, last: boolean): void {
    const a = this.carry;
    const na = a.length;
    const total = na + bytes.length;
    const at = (i: number): number => (i < na ? a[i] : bytes[i - na]);
    const sub = (x: number, y: number): Uint8Array => (y <= na ? a.subarray(x, y) : x >= na ? bytes.subarray(x - na, y - na) : concat(a.subarray(x), bytes.subarray(0, y - na)));
    const starts: number[] = [0];
    const hot: number[] = this.carryHot;
    // Line starts inside the carried part were found before; find them again (a few lines).
    for (let i = a.indexOf(10); i >= 0; i = a.indexOf(10, i + 1)) starts.push(i + 1);
    const c = this.c;
    const base = starts.length - 1;
    const sink = this.sink;
    PREFILTER.scan(bytes, 0, bytes.length, sink);
    for (let k = 0; k < sink.hotCount; k++) {
      const l = base + sink.hot[k];
      if (hot[hot.length - 1] !== l) hot.push(l);
    }
    for (let k = 0; k < sink.rankCount; k++) {
      // `[rank12]:`: read the digits in place (the prefix is almost never cut by a chunk edge).
      const end = sink.ranks[k];
      let r = 0;
      let p = end + 1;
      if (p + 6 < bytes.length) {
        for (; p < end + 5 && bytes[p] >= 48 && bytes[p] <= 57; p++) r = r * 10 + bytes[p] - 48;
        if (p > end + 1 && bytes[p] === 93 && bytes[p + 1] === 58) c.seeRank(r);
        continue;
      }
      p += na;
      const stop = Math.min(total, p + 4);
      for (; p < stop && at(p) >= 48 && at(p) <= 57; p++) r = r * 10 + at(p) - 48;
      if (p > na + end + 1 && p + 1 < total && at(p) === 93 && at(p + 1) === 58) c.seeRank(r);
    }
    for (let j = 0; j < sink.count; j++) {
      const next = na + sink.ends[j] + 1;
      // A line longer than the matcher's window: fed, so the matcher reads it in pieces and notes it.
      if (next - starts[starts.length - 1] > MAX_LINE) hot.push(starts.length - 1);
      starts.push(next);
    }
    // starts[i] begins line i; the last entry begins the unfinished line (or is `total`).
    const complete = starts.length - 1;
    if (!last && complete === 0 && total > RUNAWAY) {
      // One line with no break for over a megabyte: let the matcher read it in pieces as it comes.
      this.carry = EMPTY;
      this.carryHot = [];
      this.runaway = new TextDecoder('utf-8');
      this.push(this.runaway.decode(sub(0, total), { stream: true }));
      return;
    }
    const from = this.feedRuns(starts, hot, complete, last, total, (x, y) => this.push(this.utf8.decode(sub(x, y))));
    if (last) {
      this.carry = EMPTY;
      this.carryHot = [];
      return;
    }
    const keepFrom = from < starts.length ? starts[from] : total;
    // A copy: `bytes` may be a Buffer (whose slice() is a view) in a buffer the reader reuses.
    this.carry = new Uint8Array(sub(keepFrom, total));
    // Hot lines whose context reaches into the carried lines stay (at negative indices).
    this.carryHot = hot.filter((l) => l + CONTEXT >= from).map((l) => l - from);
  }

  /**
   * Lines near a hot line (CONTEXT each side) go to the matcher through `feed(start, end)`; the
   * rest are counted and skipped. `starts[i]` begins line i, its last entry the unfinished line.
   * Returns the first line not decided (kept for the next chunk unless `last`).
   */
  private feedRuns(starts: number[], hot: number[], complete: number, last: boolean, total: number, feed: (start: number, end: number) => void): number {
    const decidable = last ? starts.length : Math.max(0, complete - CONTEXT);
    hot.sort((x, y) => x - y);
    let from = 0;
    let h = 0;
    while (from < decidable) {
      while (h < hot.length && hot[h] + CONTEXT < from) h++;
      const near = h < hot.length && hot[h] - CONTEXT <= from;
      let to: number;
      if (near) {
        // Fed run: up to CONTEXT lines past the last hot line that keeps it going.
        let reach = hot[h] + CONTEXT;
        for (let k = h; k < hot.length && hot[k] - CONTEXT <= reach + 1; k++) reach = Math.max(reach, hot[k] + CONTEXT);
        // Past `decidable` too: those lines are complete, and feeding them keeps the window whole.
        to = Math.min(last ? starts.length : complete, reach + 1);
        feed(starts[from], to < starts.length ? starts[to] : total);
      } else {
        to = h < hot.length ? Math.min(decidable, hot[h] - CONTEXT) : decidable;
        const end = to < starts.length ? starts[to] : total;
        this.skipLines(Math.min(to, complete) - from, end - starts[from]);
      }
      from = to;
    }
    return from;
  }

  /**
   * A whole text (pasted text, `explainLogs`) on the byte path, encoded to UTF-8 in slices through
   * one reused buffer: no second copy of a large text, and half the time of encoding it whole
   * (issue 15's bench; scanning the UTF-16 units directly was slower still). A slice never ends
   * between the two halves of a surrogate pair; `pushBytes` copies what it keeps.
   */
  pushText(text: string): void {
    const buf = new Uint8Array(Math.min(text.length, TEXT_SLICE) * 3 + 4);
    for (let i = 0; i < text.length; ) {
      let end = Math.min(text.length, i + TEXT_SLICE);
      const lastUnit = text.charCodeAt(end - 1);
      if (end < text.length && lastUnit >= 0xd800 && lastUnit <= 0xdbff) end--;
      const { written } = ENCODER.encodeInto(text.slice(i, end), buf);
      this.pushBytes(buf.subarray(0, written));
      i = end;
    }
  }

  /** Lines the prefilter cleared: counted, never decoded. The matcher's windows end here. */
  private skipLines(lines: number, bytes: number): void {
    if (lines <= 0 && bytes <= 0) return;
    while (this.window.length) this.step();
    this.behind = [];
    this.lineNo += lines;
    this.stats.lines += lines;
    this.stats.bytes += bytes;
  }

  end(): void {
    if (this.runaway) {
      const rest = this.runaway.decode();
      if (rest) this.push(rest);
      this.runaway = null;
    } else if (this.carry.length) this.decide(EMPTY, true);
    if (this.pendingCr || this.partial) this.emit(!this.pendingCr);
    this.pendingCr = false;
    while (this.window.length) this.step();
  }

  private append(s: string): void {
    if (!s) return;
    this.partial += s;
    // A runaway line (binary data, a progress bar without breaks): matched in pieces, never held whole.
    while (this.partial.length > MAX_LINE) {
      const piece = this.partial.slice(0, MAX_LINE);
      this.partial = this.partial.slice(MAX_LINE);
      if (this.lastCutLine !== this.lineNo) {
        this.stats.longLines++;
        this.lastCutLine = this.lineNo;
      }
      this.enqueue(piece, this.lineNo);
    }
  }

  /** `newline`: the line ended with \n (counts a line); false for a bare \r redraw. */
  private emit(newline: boolean): void {
    const text = this.partial;
    this.partial = '';
    this.enqueue(text, this.lineNo);
    if (newline) {
      this.lineNo++;
      this.stats.lines++;
    }
  }

  private enqueue(raw: string, line: number): void {
    for (const piece of splitCollisions(raw)) {
      this.window.push({ raw: piece, info: parseLine(piece), line, inGroup: false });
      if (this.window.length > AHEAD) this.step();
    }
  }

  private step(): void {
    const e = this.window.shift();
    if (!e) return;
    this.process(e, this.window);
    this.behind.push(e);
    if (this.behind.length > BEHIND) this.behind.shift();
  }

  private process(e: Entry, ahead: Entry[]): void {
    const info = e.info;
    if (info.ncclInfo || !info.text) return;
    const rank = this.fileRank ?? info.rank;
    // Which ranks printed at all (the silent-rank rule): torchrun's own prefixes only, as the prefilter reads them.
    if (this.fileRank === null && info.rank !== null && info.prefixRank) this.c.seeRank(info.rank);
    if (info.agent || AgentState.relevant(info.text)) this.c.agent.feed(info.text, this.name, e.line);

    const candidates: Candidate[] = [{ text: info.text, joined: false, last: 0, tailStart: Infinity, info }];
    if (!e.inGroup) {
      const g = wrapGroup(e, ahead);
      if (g) {
        candidates.push(g);
        // A wrapped agent line ("failed (exitcode: …") only parses whole.
        if (g.info.agent || AgentState.relevant(g.info.text)) this.c.agent.feed(g.info.text, this.name, e.line);
      }
    }
    const order = this.c.nextOrder();
    let matchedAny = false;
    const seen = new Set<FailureCode>();
    for (const cand of candidates) {
      if (!ANY_TRIGGER.test(cand.text)) continue;
      for (const entry of CATALOG) {
        if (seen.has(entry.code) || !entry.trigger.test(cand.text)) continue;
        const m = this.match(entry, cand.text, ahead, cand.last);
        // A match that starts on the shorter tail line is that line's own (it may be unrelated to
        // the wrapped message and starts its own group).
        if (!m || m.index >= cand.tailStart) continue;
        seen.add(entry.code);
        matchedAny = true;
        this.c.addHit({
          code: entry.code,
          rank: rank ?? cand.info.rank,
          pid: info.pid ?? cand.info.pid,
          source: this.name,
          sourceIndex: this.sourceIndex,
          line: e.line,
          text: clip(cand.joined ? cand.text : e.raw.trim()),
          time: info.time,
          order,
          fields: m.fields,
          consequence: !!m.spec.consequence,
          weak: !!m.spec.weak,
        });
      }
    }
    const announces = TERMINATE.test(info.text) && ahead.length > 0 && ahead[0].info.text.trimStart().startsWith('what():');
    if (!matchedAny && !announces && !info.agent && EXCEPTION_LINE.test(info.text) && !BENIGN_EXCEPTION.test(info.text) && !(e.groupText && BENIGN_EXCEPTION.test(e.groupText))) {
      this.c.addSuspicious({ rank, source: this.name, sourceIndex: this.sourceIndex, line: e.line, text: clip(info.text.trim()), order });
    }
    // Bare `AssertionError`: the message is the `assert …` source line just above it (C18).
    if (seen.has('ARG_ASSERTION')) this.fillAssertion(rank);
  }

  private fillAssertion(rank: number | null): void {
    const key = `ARG_ASSERTION|${rank ?? ''}`;
    const list = this.c.hits.get(key);
    const h = list?.[list.length - 1];
    if (!h || h.fields.message !== undefined) return;
    for (let i = this.behind.length - 1; i >= 0; i--) {
      const m = /^\s*(assert\s.{1,300})$/.exec(this.behind[i].info.text);
      if (m) {
        h.fields.message = m[1].trim();
        return;
      }
    }
  }

  private match(entry: CatalogEntry, text: string, ahead: Entry[], used: number): { spec: PatternSpec; fields: Fields; index: number } | null {
    let weak: { spec: PatternSpec; fields: Fields; index: number } | null = null;
    for (const spec of entry.patterns) {
      const m = spec.re.exec(text);
      if (!m) continue;
      const fields = collect(m, spec);
      if (spec.next) {
        const nxt = ahead.slice(used).find((a) => a.info.text.trim() && !a.info.ncclInfo);
        if (nxt) fields[spec.next] = clip(nxt.info.text.trim(), 300);
      }
      if (!spec.weak) return { spec, fields, index: m.index };
      weak ??= { spec, fields, index: m.index };
    }
    if (!weak) return null;
    // Wrapped by a terminal that trimmed the trailing blank, or cut mid-token: join the next lines
    // with a space and with nothing (upstream-notes §9.2) and retry the strong patterns.
    let joinedSp = text;
    let joinedNo = text;
    for (let k = used; k < ahead.length; k++) {
      const next = ahead[k].info.text;
      if (!next.trim()) break;
      joinedSp += ' ' + next.trimStart();
      joinedNo += next;
      for (const spec of entry.patterns) {
        if (spec.weak) continue;
        const m = spec.re.exec(joinedNo) ?? spec.re.exec(joinedSp);
        if (m) return { spec, fields: collect(m, spec), index: m.index };
      }
    }
    return weak;
  }
}

function collect(m: RegExpExecArray, spec: PatternSpec): Fields {
  const fields: Fields = { ...(spec.set ?? {}) };
  for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined && v !== '') fields[k] = v;
  return fields;
}

/**
 * A message hard-wrapped by a terminal shows as lines of the same width followed by a shorter
 * one; the width is the terminal's. Rebuild it: with nothing between the pieces (the cut fell
 * inside a word) or with a space where a trailing blank was trimmed (one column short).
 */
interface Candidate {
  text: string;
  joined: boolean;
  last: number;
  /** Offset in `text` where the shorter tail line begins (Infinity when there is none). */
  tailStart: number;
  info: LineInfo;
}

function wrapGroup(e: Entry, ahead: Entry[]): Candidate | null {
  const width = e.raw.length;
  if (width < WRAP_MIN || !ahead.length) return null;
  let raw = e.raw;
  let prevLen = width;
  let k = 0;
  let tailAt = Infinity;
  for (; k < ahead.length; k++) {
    const a = ahead[k];
    if (!a.raw) break;
    const sep = prevLen === width - 1 ? ' ' : '';
    const at = raw.length + sep.length;
    raw += sep + a.raw;
    prevLen = a.raw.length;
    if (prevLen !== width && prevLen !== width - 1) {
      // The shorter tail may as well be an unrelated line: it stays free to start its own group.
      tailAt = at;
      k++;
      break;
    }
    a.inGroup = true;
  }
  if (k === 0) return null;
  for (let i = 0; i < k; i++) ahead[i].groupText = raw;
  const info = parseLine(raw);
  const stripped = raw.length - info.text.length;
  return { text: info.text, joined: true, last: k, tailStart: tailAt === Infinity ? Infinity : tailAt - stripped, info };
}

function clip(s: string, n = EVIDENCE_CHARS): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
