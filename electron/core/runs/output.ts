import type { RunOutputBatch } from '../../../shared/run/types';

/**
 * The lossy UI view of a run's console (docs/upstream-notes.md §14.3). The lossless copy goes to
 * console.log; this one batches chunks per tick (at most 1000/intervalMs batches a second, 20 by
 * default), collapses tqdm `\r` overwrites when a tick is over budget, counts what it dropped, and
 * keeps a ring buffer so a window that reloads or a web client that reconnects can replay the tail.
 * It never blocks the producer: push() only appends to memory.
 */
export interface CoalescerOptions {
  intervalMs?: number;
  maxBytesPerTick?: number;
  ringBytes?: number;
}

export class OutputCoalescer {
  private pending: { rank: number | null; data: string }[] = [];
  private pendingBytes = 0;
  private ring: string[] = [];
  private ringBytes = 0;
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly intervalMs: number;
  private readonly maxBytesPerTick: number;
  private readonly ringCap: number;

  constructor(
    private readonly runId: string,
    private readonly emit: (batch: RunOutputBatch) => void,
    opts: CoalescerOptions = {},
  ) {
    this.intervalMs = Math.max(50, opts.intervalMs ?? 50);
    this.maxBytesPerTick = opts.maxBytesPerTick ?? 256 * 1024;
    this.ringCap = opts.ringBytes ?? 2 * 1024 * 1024;
  }

  push(data: string, rank: number | null = null): void {
    if (!data) return;
    this.pending.push({ rank, data });
    this.pendingBytes += data.length;
    this.ring.push(data);
    this.ringBytes += data.length;
    while (this.ringBytes > this.ringCap && this.ring.length > 1) this.ringBytes -= this.ring.shift()!.length;
    if (this.ringBytes > this.ringCap) {
      const only = this.ring[0].slice(-this.ringCap);
      this.ring = [only];
      this.ringBytes = only.length;
    }
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending.length) return;
    let chunks = mergeAdjacent(this.pending);
    let dropped = 0;
    let bytes = this.pendingBytes;
    if (bytes > this.maxBytesPerTick) {
      chunks = chunks.map((c) => ({ rank: c.rank, data: collapseOverwrites(c.data) }));
      bytes = chunks.reduce((n, c) => n + c.data.length, 0);
      dropped += this.pendingBytes - bytes;
      // Still too much: keep the newest output, which is what a user looks at.
      while (bytes > this.maxBytesPerTick && chunks.length) {
        const first = chunks[0];
        const over = bytes - this.maxBytesPerTick;
        if (first.data.length <= over) {
          chunks.shift();
          bytes -= first.data.length;
          dropped += first.data.length;
        } else {
          chunks[0] = { rank: first.rank, data: first.data.slice(over) };
          bytes -= over;
          dropped += over;
        }
      }
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.emit({ runId: this.runId, seq: ++this.seq, chunks, dropped });
  }

  /** The last ringBytes of console text, for getRun().consoleTail. */
  tail(): string {
    return this.ring.join('');
  }

  close(): void {
    this.flush();
  }
}

function mergeAdjacent(chunks: { rank: number | null; data: string }[]) {
  const out: { rank: number | null; data: string }[] = [];
  for (const c of chunks) {
    const last = out[out.length - 1];
    if (last && last.rank === c.rank) last.data += c.data;
    else out.push({ ...c });
  }
  return out;
}

/** Within each line keep only the last `\r`-separated redraw, as a terminal would show it. */
export function collapseOverwrites(text: string): string {
  if (!text.includes('\r')) return text;
  return text
    .split('\n')
    .map((line) => {
      const body = line.endsWith('\r') ? line.slice(0, -1) : line;
      const i = body.lastIndexOf('\r');
      return i < 0 ? line : '\r' + body.slice(i + 1) + (line.endsWith('\r') ? '\r' : '');
    })
    .join('\n');
}
