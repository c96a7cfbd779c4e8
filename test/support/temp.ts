import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway folder per test, removed afterwards. */
export function tempDir(prefix = 'lal-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const repoRoot = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
/** Real captures kept in the repository (test/fixtures/captured/README.md says where each came from). */
export const fixturesRoot = join(repoRoot, 'test', 'fixtures', 'captured');
