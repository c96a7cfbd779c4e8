/**
 * Speed and ETA from (time, bytes) samples over a short window, so a stall shows as falling speed
 * within seconds and one fast burst does not promise a wrong ETA.
 */
export class RateMeter {
  private samples: { t: number; bytes: number }[] = [];

  constructor(private readonly windowMs = 5000) {}

  add(t: number, bytes: number): void {
    this.samples.push({ t, bytes });
    const cut = t - this.windowMs;
    while (this.samples.length > 2 && this.samples[0]!.t < cut) this.samples.shift();
  }

  reset(): void {
    this.samples = [];
  }

  /** Bytes per second over the window; 0 with fewer than two samples or no time between them. */
  speed(now?: number): number {
    if (this.samples.length < 2) return 0;
    const first = this.samples[0]!;
    const last = this.samples[this.samples.length - 1]!;
    const end = Math.max(last.t, now ?? last.t);
    const dt = (end - first.t) / 1000;
    return dt > 0 ? Math.max(0, (last.bytes - first.bytes) / dt) : 0;
  }
}

export function eta(remaining: number, speed: number): number | null {
  if (remaining <= 0) return 0;
  return speed > 0 ? Math.ceil(remaining / speed) : null;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

export function formatEta(s: number | null): string {
  if (s === null) return '—';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
