/** Median of the last `window` values; null when there are none. */
export function median(values: readonly number[], window = values.length): number | null {
  const xs = values.slice(-window).filter((v) => Number.isFinite(v));
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
