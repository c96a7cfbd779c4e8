import { splitRankPrefix } from '../../../shared/progress/prefix';
import type { RunOutputBatch } from '../../../shared/run/types';

/**
 * Raw console bytes per run, kept outside React and zustand: log text is high-rate and xterm is
 * its only reader (docs/upstream-notes.md §14.4). The merged stream is kept as it came (tqdm `\r`
 * intact); per-rank streams are split by torchrun's `[defaultN]:` / `[rankN]:` line prefixes.
 */
export type StreamKey = 'all' | number;
type Listener = (data: string) => void;

const MERGED_CAP = 2 * 1024 * 1024;
const RANK_CAP = 512 * 1024;

class Ring {
  private parts: string[] = [];
  private bytes = 0;
  constructor(private readonly cap: number) {}
  push(s: string): void {
    this.parts.push(s);
    this.bytes += s.length;
    while (this.bytes > this.cap && this.parts.length > 1) this.bytes -= this.parts.shift()!.length;
    if (this.bytes > this.cap) {
      this.parts = [this.parts[0].slice(-this.cap)];
      this.bytes = this.parts[0].length;
    }
  }
  text(): string {
    if (this.parts.length > 1) this.parts = [this.parts.join('')];
    return this.parts[0] ?? '';
  }
}

const TRAILING_PREFIX = /\[(?:[A-Za-z_][\w-]*?)?\d+\]:$/;
const RANK_COLORS = [36, 33, 35, 32, 34, 91, 96, 93];

export class RunConsole {
  readonly merged = new Ring(MERGED_CAP);
  readonly ranks = new Map<number, Ring>();
  private carry = '';
  private listeners = new Map<StreamKey, Set<Listener>>();
  private rankListeners = new Set<(ranks: number[]) => void>();
  dropped = 0;

  push(data: string, rankHint: number | null): void {
    const colored = colorPrefixes(data);
    this.merged.push(colored);
    this.emit('all', colored);
    if (rankHint !== null) {
      this.toRank(rankHint, data);
      return;
    }
    const text = this.carry + data;
    const cut = text.lastIndexOf('\n');
    if (cut < 0) {
      this.carry = text;
      return;
    }
    this.carry = text.slice(cut + 1);
    let pending: { rank: number; out: string[] } | null = null;
    for (const line of text.slice(0, cut).split('\n')) {
      const { rank, text: raw } = splitRankPrefix(line);
      if (rank === null) continue;
      // torchrun's tee threads interleave: a tqdm redraw can end with the next rank's prefix.
      const body = raw.replace(TRAILING_PREFIX, '');
      if (pending && pending.rank !== rank) {
        this.toRank(pending.rank, pending.out.join(''));
        pending = null;
      }
      pending ??= { rank, out: [] };
      pending.out.push(body + '\n');
    }
    if (pending) this.toRank(pending.rank, pending.out.join(''));
  }

  /** Replaces nothing: a reconnecting view seeds from the server's tail only when it has no bytes yet. */
  seed(tail: string): void {
    if (this.merged.text().length === 0 && tail) this.push(tail, null);
  }

  rankList(): number[] {
    return [...this.ranks.keys()].sort((a, b) => a - b);
  }

  text(key: StreamKey): string {
    return key === 'all' ? this.merged.text() : (this.ranks.get(key)?.text() ?? '');
  }

  subscribe(key: StreamKey, l: Listener): () => void {
    if (!this.listeners.has(key)) this.listeners.set(key, new Set());
    this.listeners.get(key)!.add(l);
    return () => this.listeners.get(key)?.delete(l);
  }

  onRanks(l: (ranks: number[]) => void): () => void {
    this.rankListeners.add(l);
    return () => this.rankListeners.delete(l);
  }

  private toRank(rank: number, data: string): void {
    let ring = this.ranks.get(rank);
    if (!ring) {
      ring = new Ring(RANK_CAP);
      this.ranks.set(rank, ring);
      const list = this.rankList();
      for (const l of this.rankListeners) l(list);
    }
    ring.push(data);
    this.emit(rank, data);
  }

  private emit(key: StreamKey, data: string): void {
    const set = this.listeners.get(key);
    if (set) for (const l of set) l(data);
  }
}

/** Colours torchrun's rank prefixes so the merged view reads like a timeline of ranks. */
export function colorPrefixes(data: string): string {
  return data.replace(/(^|\n)(\[(?:[A-Za-z_][\w-]*?)?(\d+)\]:)/g, (_m, lead: string, prefix: string, n: string) => {
    const c = RANK_COLORS[Number(n) % RANK_COLORS.length];
    return `${lead}\x1b[${c}m${prefix}\x1b[0m`;
  });
}

const consoles = new Map<string, RunConsole>();

export function runConsole(runId: string): RunConsole {
  let c = consoles.get(runId);
  if (!c) {
    c = new RunConsole();
    consoles.set(runId, c);
  }
  return c;
}

export function acceptOutput(batch: RunOutputBatch): void {
  const c = runConsole(batch.runId);
  c.dropped += batch.dropped;
  for (const chunk of batch.chunks) c.push(chunk.data, chunk.rank);
}

export function forgetConsoles(): void {
  consoles.clear();
}
