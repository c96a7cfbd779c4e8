/**
 * Just enough of PEP 440 to check upstream's pins against installed versions: release numbers are
 * compared numerically, a local suffix (`+cu128`) is ignored, and a pre-release (`2.0.0rc1`) sorts
 * before its release.
 */
export function parseVersion(v: string): { nums: number[]; pre: boolean } | null {
  const m = /^v?(\d+(?:\.\d+)*)([^+]*)/.exec(v.trim());
  if (!m) return null;
  return { nums: m[1]!.split('.').map(Number), pre: /^[-_.]?(a|b|c|rc|alpha|beta|pre|preview|dev)\d*/i.test(m[2]!) };
}

export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return a.localeCompare(b);
  const n = Math.max(x.nums.length, y.nums.length);
  for (let i = 0; i < n; i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  if (x.pre !== y.pre) return x.pre ? -1 : 1;
  return 0;
}

/** `>=4.49.0,<=4.51.3` style specifiers, all of which must hold. */
export function satisfies(version: string, spec: string): boolean {
  return spec.split(',').map((s) => s.trim()).filter(Boolean).every((clause) => {
    const m = /^(==|!=|>=|<=|>|<|~=)\s*(.+)$/.exec(clause);
    if (!m) return false;
    const c = compareVersions(version, m[2]!);
    switch (m[1]) {
      case '==': return c === 0;
      case '!=': return c !== 0;
      case '>=': return c >= 0;
      case '<=': return c <= 0;
      case '>': return c > 0;
      case '<': return c < 0;
      default: return c >= 0;
    }
  });
}
