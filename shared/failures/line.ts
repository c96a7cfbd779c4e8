/**
 * One physical log line with its decorations taken off: terminal colours, paste prefixes, torchrun
 * `--tee` headers (`[default1]:`), worker prefixes (`[rank1]:`), glog headers
 * (`[E1016 03:31:38.877036871 ProcessGroupNCCL.cpp:621]`) and the agent's logger headers of every
 * torch version (docs/upstream-notes.md §9.2). What is left is the message the catalog patterns match.
 * Every regex here is anchored and linear; the first character decides which ones are tried, so a
 * noise line costs a handful of comparisons (bench/explain.bench.ts).
 */
export interface LineInfo {
  /** The message without decorations. */
  text: string;
  rank: number | null;
  /** The rank came from a `[rankN]:`/`[defaultN]:` prefix (torchrun's own), not from a looser `N: ` or `[Rank N]`. */
  prefixRank: boolean;
  /** Comparable time (ms since Jan 1 of an unknown year) when the line carried one. */
  time: number | null;
  /** The process id NCCL printed (`host:pid:tid [dev]`), mapped to a rank through torchrun's table. */
  pid: number | null;
  /** Printed by the torchrun agent (its logger header), not by a worker. */
  agent: boolean;
  /** `NCCL INFO` lines are noise for diagnosis (§0.4). */
  ncclInfo: boolean;
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const TEE = /^\[([A-Za-z_][A-Za-z_-]*?)(\d{1,4})\]:[ \t]?/;
const PASTE_PID = /^\[\d{2,}\][ \t]+/;
const GLOG = /^\[([IWEF])(?:(\d\d)(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?)?(?: \d+)? [\w./-]+\.(?:cpp|cc|h|hpp|cu):\d+\] ?/;
// glog/absl header of the agent (2.3+, `.py`) and of Debian's 1.13 C++ (`W20261122 09:06:33.449770  6341 socket.cpp:426]`).
const AGENT_NEW = /^[IWEF](?:\d{4})?(\d\d)(\d\d) (\d\d):(\d\d):(\d\d)\.(\d+) +\d+ \S*?\.(py|cpp|cc|h):\d+\] ?/;
const AGENT_OLD = /^(?:WARNING|ERROR|INFO|DEBUG|CRITICAL):(?:torch\.distributed\.[\w.]+|root|__main__):/;
const AGENT_MID = /^\[(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3})\] torch\.distributed\.[\w.]+: \[[A-Z]+\] /;
const ISO = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:[.,](\d+))?Z?[ \t]+\|?[ \t]*/;
const NUM_RANK = /^(\d{1,3}): /;
const STREAM = /^(?:stderr|stdout):[ \t]*/;
const RAY = /^\(\w+ pid=\d+(?:, ip=[\d.]+)?\)[ \t]*/;
const NCCL = /^[\w.-]+:(\d+):\d+ \[\d+\] (?:[\w/.-]+:\d+ )?NCCL (INFO|WARN)/;
const MSG_RANK = /\[(?:PG [^\]]{0,80}? )?Rank (\d+)\]/;

function ms(mon: string, day: string, h: string, m: string, s: string, frac: string | undefined): number {
  const f = frac ? Number((frac + '000').slice(0, 3)) : 0;
  return ((((Number(mon) * 31 + Number(day)) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(s)) * 1000 + f;
}

export function parseLine(raw: string): LineInfo {
  let text = raw.includes('\x1b') ? raw.replace(ANSI, '') : raw;
  let rank: number | null = null;
  let prefixRank = false;
  let time: number | null = null;
  let agent = false;
  for (let pass = 0; pass < 6; pass++) {
    const c = text.charCodeAt(0);
    let m: RegExpExecArray | null = null;
    if (c === 91 /* [ */) {
      if ((m = TEE.exec(text))) {
        rank = Number(m[2]);
        prefixRank = true;
      }
      else if ((m = GLOG.exec(text))) {
        if (m[2]) time = ms(m[2], m[3], m[4], m[5], m[6], m[7]);
      } else if ((m = AGENT_MID.exec(text))) {
        time = ms(m[2], m[3], m[4], m[5], m[6], m[7]);
        agent = true;
      } else m = PASTE_PID.exec(text);
    } else if (c >= 48 && c <= 57) {
      if ((m = ISO.exec(text))) time = ms(m[2], m[3], m[4], m[5], m[6], m[7]);
      else if ((m = NUM_RANK.exec(text))) {
        rank = Number(m[1]);
        prefixRank = false;
      }
    } else if (c === 69 || c === 87 || c === 73 || c === 70 || c === 68 || c === 67) {
      if ((m = AGENT_NEW.exec(text))) {
        time = ms(m[1], m[2], m[3], m[4], m[5], m[6]);
        agent = m[7] === 'py';
      } else if ((m = AGENT_OLD.exec(text))) agent = !m[0].includes(':root:') && !m[0].includes('__main__');
    } else if (c === 115 /* s */) m = STREAM.exec(text);
    else if (c === 40 /* ( */) m = RAY.exec(text);
    if (!m) break;
    text = text.slice(m[0].length);
  }
  let pid: number | null = null;
  let ncclInfo = false;
  if (text.includes(' NCCL ')) {
    const n = NCCL.exec(text);
    if (n) {
      pid = Number(n[1]);
      ncclInfo = n[2] === 'INFO';
    }
  }
  if (rank === null && text.includes('Rank ')) {
    const r = MSG_RANK.exec(text);
    if (r) rank = Number(r[1]);
  }
  return { text, rank, prefixRank, time, pid, agent, ncclInfo };
}

/**
 * Lines from several ranks collide when they share a terminal ("rank 3 initialisedrank 0
 * initialised[rank1]: Traceback"): split at every rank header that is not at the start.
 */
const INNER_HEADER = /\[(?:rank|default|[A-Za-z_][A-Za-z_-]*?)\d{1,4}\]:/g;
export function splitCollisions(raw: string): string[] {
  if (!raw.includes(']:')) return [raw];
  const cuts: number[] = [];
  INNER_HEADER.lastIndex = 1;
  for (let m = INNER_HEADER.exec(raw); m; m = INNER_HEADER.exec(raw)) {
    // A header preceded by ']' is part of a stacked prefix (`[default1]:[rank1]:`), not a collision.
    if (m.index > 0 && raw[m.index - 1] !== ':' && raw[m.index - 1] !== ']') cuts.push(m.index);
  }
  if (!cuts.length) return [raw];
  const parts: string[] = [];
  let start = 0;
  for (const c of cuts) {
    parts.push(raw.slice(start, c));
    start = c;
  }
  parts.push(raw.slice(start));
  return parts;
}
