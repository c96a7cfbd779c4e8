/**
 * nvidia-smi cell values. It prints "[N/A]", "[Not Supported]", "[Unknown Error]", "ERR!" or
 * "[GPU requires reset]" where a number should be, and with units left in ("143771 MiB", "79.29 W").
 */
const MISSING = /^\[?(?:N\/A|Not Supported|Unknown Error|GPU requires reset|Insufficient Permissions|Requested functionality has been deprecated|ERR!|GPU is lost)\]?$/i;

export function isMissing(cell: string | undefined): boolean {
  return cell === undefined || cell.trim() === '' || MISSING.test(cell.trim());
}

/** A number with optional unit ("143771 MiB", "81.28", "38 %"), or null. */
export function num(cell: string | undefined): number | null {
  if (isMissing(cell)) return null;
  const m = /^(-?\d+(?:\.\d+)?)\s*(?:MiB|W|%|C|MHz)?$/i.exec((cell ?? '').trim());
  return m ? Number(m[1]) : null;
}

export function int(cell: string | undefined): number | null {
  const n = num(cell);
  return n !== null && Number.isInteger(n) ? n : null;
}

/** Removes ANSI escape sequences: `nvidia-smi topo -m` underlines its header row with ESC[4m … ESC[0m. */
export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}

/** "00000000:00:06.0" and "0000:00:06.0" name the same device; compare in one form. */
export function normBusId(id: string | undefined): string {
  const m = /^(?:([0-9a-f]{4,8}):)?([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec((id ?? '').trim());
  if (!m) return (id ?? '').trim().toLowerCase();
  const domain = (m[1] ?? '0').replace(/^0+/, '') || '0';
  return `${domain}:${m[2]}:${m[3]}.${m[4]}`.toLowerCase();
}

/** Splits text into lines without the trailing empty one, tolerating \r\n. */
export function lines(text: string): string[] {
  const out = text.replace(/\r\n?/g, '\n').split('\n');
  if (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

/** Compares dotted versions ("550.40.07" vs "535.183.01"): negative, 0 or positive. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}
