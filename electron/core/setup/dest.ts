import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Settings } from '../../../shared/api/contract';
import { pathProblem } from '../settings';

export type DestResult = { ok: true; dest: string; roots: string[] } | { ok: false; reason: 'no-checkout' | 'not-absolute' | 'control-char' | 'outside'; dest: string | null; roots: string[] };

/**
 * Where weights may be written: the default is `<checkout>/ckpt` (upstream's scripts read
 * `ckpt/...` relative to the checkout); anything else must be inside a folder the user chose in
 * Settings — the checkout, the output folder, a trusted folder — or the app's data folder. The same
 * rule as profile paths, so a request cannot make the launcher write 60 GB over someone's home.
 */
export function resolveDest(s: Settings, dataDir: string, requested?: string | null): DestResult {
  const roots = [s.checkoutPath, s.outputDir, dataDir, ...s.trustedFolders].filter((x): x is string => !!x).map((r) => resolve(r));
  if (!requested) {
    if (!s.checkoutPath) return { ok: false, reason: 'no-checkout', dest: null, roots };
    return { ok: true, dest: join(resolve(s.checkoutPath), 'ckpt'), roots };
  }
  const problem = pathProblem(requested);
  if (problem) return { ok: false, reason: problem, dest: requested, roots };
  const abs = resolve(requested);
  const inside = roots.some((root) => {
    const rel = relative(root, abs);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  });
  return inside ? { ok: true, dest: abs, roots } : { ok: false, reason: 'outside', dest: abs, roots };
}

export function destMessage(r: Extract<DestResult, { ok: false }>): string {
  switch (r.reason) {
    case 'no-checkout':
      return 'no weights folder: set the Live Avatar checkout in Settings (weights go to <checkout>/ckpt) or pass --dest';
    case 'not-absolute':
      return `--dest ${JSON.stringify(r.dest)} is not an absolute path`;
    case 'control-char':
      return '--dest contains a NUL or line-break character';
    case 'outside':
      return `${r.dest} is outside the folders the launcher may write to (${r.roots.join(', ') || 'none set'}); add it under Settings → trusted folders`;
  }
}
