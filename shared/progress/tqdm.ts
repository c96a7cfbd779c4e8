/**
 * tqdm's default bar format: `{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}{postfix}]`
 * (tqdm docs, `bar_format`). Examples from a real run (fixtures/logs/progress-nccl-info.log):
 *   `  0%|          | 0/4 [00:00<?, ?it/s]`
 *   ` 25%|██▌       | 1/4 [00:00<00:00,  9.95it/s]`
 * A description may precede the percentage (`Loading checkpoint shards:  50%|...`).
 */
export interface TqdmState {
  desc: string;
  n: number;
  total: number;
  pct: number;
  elapsedSec: number | null;
  remainingSec: number | null;
  /** Iterations per second as tqdm printed it (s/it converted). */
  rate: number | null;
}

// The `N/M [` anchor is what makes a line a bar; the percentage and bar are optional (unknown total
// prints `12it [00:01, 9.9it/s]`, which we ignore because there is no total).
const BAR = /(?:^|\r)([^\r|]*?)\s*(\d{1,3})%\|[^|]*\|\s*(\d+)\/(\d+)\s*\[([0-9:]+|\?)(?:<([0-9:]+|\?))?(?:,\s*([^\]]*))?\]/;

export function parseTqdm(segment: string): TqdmState | null {
  if (segment.indexOf('/') < 0 || segment.indexOf('|') < 0) return null;
  const m = BAR.exec(segment);
  if (!m) return null;
  const n = Number(m[3]);
  const total = Number(m[4]);
  if (!Number.isFinite(n) || !Number.isFinite(total) || total <= 0) return null;
  return {
    desc: m[1].trim().replace(/:$/, ''),
    n,
    total,
    pct: Number(m[2]),
    elapsedSec: clock(m[5]),
    remainingSec: clock(m[6]),
    rate: rate(m[7]),
  };
}

function clock(s: string | undefined): number | null {
  if (!s || s === '?') return null;
  let sec = 0;
  for (const part of s.split(':')) sec = sec * 60 + Number(part);
  return Number.isFinite(sec) ? sec : null;
}

function rate(s: string | undefined): number | null {
  if (!s) return null;
  const m = /([\d.]+)\s*(s\/it|it\/s)/.exec(s);
  if (!m) return null;
  const v = Number(m[1]);
  if (!Number.isFinite(v) || v <= 0) return null;
  return m[2] === 's/it' ? 1 / v : v;
}
