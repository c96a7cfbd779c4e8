/**
 * The literal prefilter that lets the scanner skip noise without decoding it: one pass over the
 * raw bytes of a chunk with an Aho–Corasick automaton of short, space-free anchors. Every catalog
 * trigger, every line torchrun's agent parser reads, and every exception line the explainer might
 * quote contains one of them, so a line with no anchor (and no neighbour with one) cannot change a
 * verdict. Line breaks (\n, \r) are stepped over without resetting the automaton, so an anchor
 * that a terminal cut across two lines is still found ("Watch|dog" joined back), which is how the
 * scanner itself rejoins hard-wrapped messages. Anchors are space-free, so a cut at a space never
 * splits one. The same pass counts lines and reads `[rankN]:`/`[defaultN]:` prefixes (which ranks
 * printed at all, for the silent-rank rule).
 */
export const ANCHORS = [
  // Exceptions, C++ aborts, what the UNKNOWN card quotes.
  'rror', 'xception', 'Interrupt', 'terminate', 'what()', 'Killed', 'Fatal', 'Segmentation',
  // Memory, CUDA and devices.
  'memory', 'CUBLAS', 'calloc', 'scaled_mm', 'loat8', 'lash', 'LASH', 'driver', 'kernel', 'capability', 'ordinal', 'num_gpus', 'unavailable', 'expanded',
  // Files and checkpoints.
  'directory', 'checkpoint', 'appear', 'treating', "Can't", 'path_or_model_id', 'ffmpeg',
  // NCCL and its library.
  'Duplicate', 'Mismatched', 'undefined', '/dev/shm', 'posix_fallocate', 'space', 'ncclInvalid', 'atchdog', 'Heartbeat', 'stuck', 'aborted', 'enqueued', 'Timeout', 'imed', 'mismatch',
  // Ports, rendezvous, store.
  'already', 'EADDRINUSE', 'listen', 'Cannot', 'Connection', 'Failed',
  // Host OOM killer.
  'oom-kill', 'OOMKilled',
  // torchrun's exit lines and ChildFailedError table.
  'exitcode', 'local_rank', 'Root', 'ignal', 'Failures', '=====',
];

/**
 * Anchors for a catalog trigger, so every entry (also ones other features add) is covered without
 * a hand-kept list: per top-level alternative, the longest space-free literal that any matching
 * line must contain. Groups, classes and quantified characters end a literal (they may be absent
 * or vary). An alternative with no literal of 3+ characters gets none (a test catches it).
 */
export function anchorsOf(re: RegExp): string[][] {
  const src = re.source;
  const alternatives: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '|' && depth === 0) {
      alternatives.push(src.slice(start, i));
      start = i + 1;
    }
  }
  alternatives.push(src.slice(start));
  return alternatives.map((alt) => {
    const runs: string[] = [];
    let run = '';
    let depth2 = 0;
    let cls = false;
    const cut = () => {
      for (const piece of run.split(' ')) if (piece.length >= 3) runs.push(piece);
      run = '';
    };
    for (let i = 0; i < alt.length; i++) {
      const ch = alt[i];
      if (cls) {
        if (ch === '\\') i++;
        else if (ch === ']') cls = false;
        continue;
      }
      if (ch === '\\') {
        const n = alt[i + 1] ?? '';
        i++;
        if (depth2 === 0 && /[^A-Za-z0-9]/.test(n)) run += n;
        else if (depth2 === 0) cut();
        continue;
      }
      if (ch === '[') {
        if (depth2 === 0) cut();
        cls = true;
        continue;
      }
      if (ch === '(') {
        if (depth2 === 0) cut();
        depth2++;
        continue;
      }
      if (ch === ')') {
        depth2--;
        continue;
      }
      if (depth2 > 0) continue;
      if (ch === '?' || ch === '*' || ch === '{') {
        // The character before is optional or repeated: it is not part of a sure literal.
        run = run.slice(0, -1);
        cut();
        if (ch === '{') while (i < alt.length && alt[i] !== '}') i++;
        continue;
      }
      if (ch === '+') {
        cut();
        continue;
      }
      if (ch === '^' || ch === '$' || ch === '.' || ch === '|') {
        cut();
        continue;
      }
      run += ch;
    }
    cut();
    return runs;
  });
}

/** Words of healthy NCCL/torch output: a poor anchor (every line near one would be matched). */
const COMMON = new Set(['communicator', 'collective', 'collectives', 'device', 'network', 'client', 'address', 'waiting', 'interface', 'connect', 'Bootstrap', 'shared', 'invalid', 'Python', 'blocking']);

/**
 * The anchors to add for catalog triggers: none for an alternative that already contains a listed
 * anchor, else its longest literal that is not a common word of healthy logs.
 */
export function triggerAnchors(triggers: RegExp[], listed: readonly string[] = ANCHORS): string[] {
  const out = new Set<string>();
  for (const re of triggers) {
    for (const pieces of anchorsOf(re)) {
      if (!pieces.length || pieces.some((p) => listed.some((a) => p.includes(a)))) continue;
      const ranked = [...pieces].sort((x, y) => Number(COMMON.has(x)) - Number(COMMON.has(y)) || y.length - x.length);
      out.add(ranked[0]);
    }
  }
  return [...out];
}

/** Prefixes whose rank number the pass reads (torchrun `--tee` and the 2.2+ worker prefix). */
const RANK_PREFIXES = ['[rank', '[default'];

const HOT = 1;
const RANK = 2;
/** Flag bits in a transition: the target state has an output, or the byte was a line break. */
const OUT_BIT = 0x8000;
const NL_BIT = 0x4000;
const STATE = 0x3fff;

export class Prefilter {
  /** delta[(state << 8) | byte] = next state | OUT_BIT | NL_BIT: one load and one branch per byte. */
  private readonly delta: Uint16Array;
  /** Per state: HOT when an anchor ends here, RANK when a rank prefix does. */
  private readonly out: Uint8Array;
  /** 1 for bytes that keep the root state with no flag (no anchor starts with them, not a \n). */
  private readonly stay0: Uint8Array;

  constructor(anchors: readonly string[] = ANCHORS) {
    const words = [...anchors.map((w) => ({ w, kind: HOT })), ...RANK_PREFIXES.map((w) => ({ w, kind: RANK }))];
    const goto: Map<number, number>[] = [new Map()];
    const out: number[] = [0];
    for (const { w, kind } of words) {
      let s = 0;
      for (let i = 0; i < w.length; i++) {
        const b = w.charCodeAt(i) & 0xff;
        let t = goto[s].get(b);
        if (t === undefined) {
          t = goto.length;
          goto.push(new Map());
          out.push(0);
          goto[s].set(b, t);
        }
        s = t;
      }
      out[s] |= kind;
    }
    const n = goto.length;
    if (n > STATE) throw new Error('prefilter: too many anchor states');
    const fail = new Int32Array(n);
    const next = new Int32Array(n * 256);
    const queue: number[] = [];
    for (let b = 0; b < 256; b++) {
      const t = goto[0].get(b);
      next[b] = t === undefined ? 0 : t;
      if (t !== undefined) queue.push(t);
    }
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q];
      out[s] |= out[fail[s]] & HOT;
      for (let b = 0; b < 256; b++) {
        const t = goto[s].get(b);
        if (t === undefined) next[s * 256 + b] = next[fail[s] * 256 + b];
        else {
          fail[t] = next[fail[s] * 256 + b];
          next[s * 256 + b] = t;
          queue.push(t);
        }
      }
    }
    const delta = new Uint16Array(n * 256);
    for (let s = 0; s < n; s++) {
      for (let b = 0; b < 256; b++) {
        // Line breaks keep the state (an anchor cut by a terminal wrap is still found) and are flagged.
        if (b === 10) delta[s * 256 + b] = s | NL_BIT;
        else if (b === 13) delta[s * 256 + b] = s;
        else {
          const t = next[s * 256 + b];
          delta[s * 256 + b] = t | (out[t] ? OUT_BIT : 0);
        }
      }
    }
    this.delta = delta;
    this.out = Uint8Array.from(out);
    // Most bytes of a log leave the root state where it is: one small-table test skips them.
    this.stay0 = new Uint8Array(256);
    for (let b = 0; b < 256; b++) this.stay0[b] = delta[b] === 0 ? 1 : 0;
  }

  /**
   * Scans `bytes[from, to)` from automaton state `sink.state` (carried across chunks). Line breaks
   * go into `sink.ends` (offsets of each \n, grown as needed) without a call per line; `hot(line)`
   * gets the number of \n seen before the anchor's end in this call, `rank(at)` the offset where a
   * rank prefix ends (its digits follow).
   */
  scan(bytes: Uint8Array, from: number, to: number, sink: ScanSink, hot: (line: number) => void, rank: (at: number) => void): void {
    const delta = this.delta;
    const out = this.out;
    let ends = sink.ends;
    let n = 0;
    let s = sink.state;
    const stay0 = this.stay0;
    for (let i = from; i < to; i++) {
      const b = bytes[i];
      if (s === 0 && stay0[b] === 1) continue;
      const t = delta[(s << 8) | b];
      s = t & STATE;
      if (t > STATE) {
        if (t & NL_BIT) {
          if (n === ends.length) {
            const grown = new Int32Array(ends.length * 2);
            grown.set(ends);
            ends = grown;
          }
          ends[n++] = i;
        } else {
          const o = out[s];
          if (o & HOT) hot(n);
          if (o & RANK) rank(i);
        }
      }
    }
    sink.ends = ends;
    sink.count = n;
    sink.state = s;
  }
}

/** What one scan leaves: the \n offsets (the first `count` of `ends`) and the automaton state. */
export interface ScanSink {
  ends: Int32Array;
  count: number;
  state: number;
}
