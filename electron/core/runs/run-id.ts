import { randomBytes } from 'node:crypto';

/** Sortable, unique, safe in paths and in /proc/<pid>/environ matching: 20261122-084501-3f9a1c. */
export function newRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export const RUN_ID_RE = /^\d{8}-\d{6}-[0-9a-f]{6}$/;
