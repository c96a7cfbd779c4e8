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
/** Low bits of a transition: the target state has an output, or the byte was a line break. */
const OUT_FLAG = 1;
const NL_FLAG = 2;
const FLAGS = 0xff;

/**
 * The automaton's table: delta[row + byte] = row of the next state | flags, where a state's row is
 * its number × 256 (one load, one mask and one rarely taken branch per byte). Per state, `out` says
 * HOT when an anchor ends there, RANK when a rank prefix does. `stay0` marks the bytes that keep the
 * root state with no flag (no anchor starts with them, not a \n).
 */
export class Prefilter {

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
    if (n > 1 << 22) throw new Error('prefilter: too many anchor states');
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
    const delta = new Int32Array(n * 256);
    for (let s = 0; s < n; s++) {
      for (let b = 0; b < 256; b++) {
        // Line breaks keep the state (an anchor cut by a terminal wrap is still found) and are flagged.
        if (b === 10) delta[s * 256 + b] = (s << 8) | NL_FLAG;
        else if (b === 13) delta[s * 256 + b] = s << 8;
        else {
          const t = next[s * 256 + b];
          delta[s * 256 + b] = (t << 8) | (out[t] ? OUT_FLAG : 0);
        }
      }
    }
    // Most bytes of a log leave the root state where it is: one small-table test skips them.
    const stay0 = new Uint8Array(256);
    for (let b = 0; b < 256; b++) stay0[b] = delta[b] === 0 ? 1 : 0;
    this.scan = makeScan(delta, stay0, Uint8Array.from(out));
  }

  /**
   * Scans `bytes[from, to)` from automaton state `sink.state` (carried across chunks). Everything
   * found goes into the sink's typed arrays (grown as needed), never through a call per event: the
   * offset of each \n (`ends`), for each anchor the number of \n seen before its end in this call
   * (`hot`), and for each rank prefix the offset where it ends (`ranks`; its digits follow).
   */
  readonly scan: (bytes: Uint8Array, from: number, to: number, sink: ScanSink) => void;
}

/** A fresh sink for `Prefilter.scan`. */
export function scanSink(): ScanSink {
  return { ends: new Int32Array(4096), count: 0, state: 0, hot: new Int32Array(64), hotCount: 0, ranks: new Int32Array(256), rankCount: 0 };
}

function grow(a: Int32Array): Int32Array {
  const grown = new Int32Array(a.length * 2);
  grown.set(a);
  return grown;
}

/**
 * The byte loop, closed over its tables and free of calls: V8 then compiles it with the tables as
 * constants (about a third faster than a method reading them from `this` and calling back per
 * anchor, issue 15's bench).
 */
function makeScan(delta: Int32Array, stay0: Uint8Array, out: Uint8Array): Prefilter['scan'] {
  return (bytes, from, to, sink) => {
    let ends = sink.ends;
    let n = 0;
    let row = sink.state << 8;
    sink.hotCount = 0;
    sink.rankCount = 0;
    for (let i = from; i < to; i++) {
      const b = bytes[i];
      if (row === 0 && stay0[b] === 1) continue;
      const t = delta[row | b];
      row = t & ~FLAGS;
      if ((t & FLAGS) !== 0) {
        if (t & NL_FLAG) {
          if (n === ends.length) ends = grow(ends);
          ends[n++] = i;
        } else {
          const o = out[row >> 8];
          if (o & HOT) {
            if (sink.hotCount === sink.hot.length) sink.hot = grow(sink.hot);
            sink.hot[sink.hotCount++] = n;
          }
          if (o & RANK) {
            if (sink.rankCount === sink.ranks.length) sink.ranks = grow(sink.ranks);
            sink.ranks[sink.rankCount++] = i;
          }
        }
      }
    }
    sink.ends = ends;
    sink.count = n;
    sink.state = row >> 8;
  };
}

/**
 * What one scan leaves: the \n offsets (the first `count` of `ends`), the anchors' line numbers
 * (the first `hotCount` of `hot`), the rank prefixes' end offsets (the first `rankCount` of
 * `ranks`), and the automaton state the next chunk starts from.
 */
export interface ScanSink {
  ends: Int32Array;
  count: number;
  state: number;
  hot: Int32Array;
  hotCount: number;
  ranks: Int32Array;
  rankCount: number;
}
