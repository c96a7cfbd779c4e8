import { execa, type ResultPromise } from 'execa';
import { StringDecoder } from 'node:string_decoder';
import type { GpuProcessSample, GpuSample } from '../../../shared/run/types';
import { LineSplitter } from '../../../shared/progress/lines';

/**
 * GPU samples while a run is alive: one long-lived
 * `nvidia-smi --query-gpu=index,memory.used,memory.total,utilization.gpu --format=csv,noheader,nounits -lms 500`
 * (one process for the whole run instead of one spawn per sample), plus a
 * `--query-compute-apps=pid,gpu_uuid,used_memory` poll for VRAM per process. Without nvidia-smi
 * (CPU rehearsal, a laptop) it reports `available = false` and does nothing else.
 */
export interface GpuSamplerOptions {
  nvidiaSmi: string;
  /** Physical indexes to watch; empty = all. */
  gpus: number[];
  intervalMs?: number;
  processIntervalMs?: number;
  onSamples?: (samples: GpuSample[]) => void;
  onProcesses?: (procs: GpuProcessSample[]) => void;
}

export function parseGpuLine(line: string, t: number): GpuSample | null {
  const parts = line.split(',').map((s) => s.trim());
  if (parts.length < 4) return null;
  const [index, used, total, util] = parts.map((p) => Number(p));
  if (!Number.isInteger(index) || !Number.isFinite(used) || !Number.isFinite(total)) return null;
  return { t, index, memoryUsedMiB: used, memoryTotalMiB: total, utilizationPct: Number.isFinite(util) ? util : null };
}

export function parseComputeApps(text: string, uuidToIndex: Map<string, number>): GpuProcessSample[] {
  const out: GpuProcessSample[] = [];
  for (const line of text.split('\n')) {
    const [pid, uuid, used] = line.split(',').map((s) => s.trim());
    const index = uuidToIndex.get(uuid ?? '');
    if (!pid || index === undefined) continue;
    const p = Number(pid);
    const u = Number(used);
    if (Number.isInteger(p)) out.push({ pid: p, index, usedMiB: Number.isFinite(u) ? u : 0 });
  }
  return out;
}

export class GpuSampler {
  available = false;
  private child: ResultPromise | null = null;
  private procTimer: NodeJS.Timeout | null = null;
  private batch: GpuSample[] = [];
  private batchTimer: NodeJS.Timeout | null = null;
  private readonly peakMiB = new Map<number, number>();
  private last: GpuSample[] = [];
  private lastProcs: GpuProcessSample[] = [];
  private uuidToIndex = new Map<string, number>();
  private stopped = false;

  constructor(private readonly opts: GpuSamplerOptions) {}

  async start(): Promise<boolean> {
    const sel = this.opts.gpus.length ? ['-i', this.opts.gpus.join(',')] : [];
    try {
      const r = await execa(this.opts.nvidiaSmi, ['--query-gpu=index,uuid', '--format=csv,noheader,nounits', ...sel], { timeout: 10_000, reject: false });
      if (r.failed || r.exitCode !== 0) return false;
      for (const line of r.stdout.split('\n')) {
        const [i, uuid] = line.split(',').map((s) => s.trim());
        if (uuid && Number.isInteger(Number(i))) this.uuidToIndex.set(uuid, Number(i));
      }
    } catch {
      return false;
    }
    if (this.stopped) return false;
    this.available = true;
    const ms = String(this.opts.intervalMs ?? 500);
    const child = execa(this.opts.nvidiaSmi, ['--query-gpu=index,memory.used,memory.total,utilization.gpu', '--format=csv,noheader,nounits', '-lms', ms, ...sel], {
      buffer: false,
      reject: false,
      stdin: 'ignore',
      stderr: 'ignore',
    });
    this.child = child;
    const dec = new StringDecoder('utf8');
    const split = new LineSplitter();
    child.stdout?.on('data', (b: Buffer) => {
      const t = Date.now();
      for (const seg of split.push(dec.write(b))) {
        const s = parseGpuLine(seg.text, t);
        if (s) this.add(s);
      }
    });
    child.catch(() => undefined);
    const pollProcs = async () => {
      await this.sampleProcesses();
      if (!this.stopped) this.procTimer = setTimeout(pollProcs, this.opts.processIntervalMs ?? 2000);
    };
    void pollProcs();
    return true;
  }

  private add(s: GpuSample): void {
    this.peakMiB.set(s.index, Math.max(this.peakMiB.get(s.index) ?? 0, s.memoryUsedMiB));
    // One -lms tick prints one line per GPU back to back; a repeated index starts the next tick.
    if (this.batch.some((b) => b.index === s.index)) this.flushBatch();
    this.batch.push(s);
    if (!this.batchTimer) this.batchTimer = setTimeout(() => this.flushBatch(), 100);
  }

  private flushBatch(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    if (!this.batch.length) return;
    this.last = this.batch;
    this.batch = [];
    this.opts.onSamples?.(this.last);
  }

  async sampleProcesses(): Promise<GpuProcessSample[]> {
    if (!this.available) return [];
    try {
      const r = await execa(this.opts.nvidiaSmi, ['--query-compute-apps=pid,gpu_uuid,used_memory', '--format=csv,noheader,nounits'], { timeout: 10_000, reject: false });
      if (r.exitCode !== 0) return this.lastProcs;
      this.lastProcs = parseComputeApps(String(r.stdout), this.uuidToIndex);
      this.opts.onProcesses?.(this.lastProcs);
    } catch {
      /* nvidia-smi hiccup: keep the previous answer */
    }
    return this.lastProcs;
  }

  latest(): GpuSample[] {
    return this.last;
  }

  processes(): GpuProcessSample[] {
    return this.lastProcs;
  }

  peaks(): Record<string, number> {
    return Object.fromEntries([...this.peakMiB].map(([i, v]) => [String(i), v]));
  }

  stop(): void {
    this.stopped = true;
    this.flushBatch();
    if (this.procTimer) clearTimeout(this.procTimer);
    this.procTimer = null;
    this.child?.kill('SIGTERM');
    this.child = null;
  }
}
