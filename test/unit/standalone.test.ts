import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '../support/temp';

interface Hit {
  file: string;
  line: number;
  why: string;
  text: string;
}

const script = join(repoRoot, 'scripts', 'check-standalone.mjs');

/** Runs the same check `npm test` runs first; exit 1 with hits is data here, not an error. */
function check(root: string): { code: number; hits: Hit[] } {
  try {
    const out = execFileSync(process.execPath, [script, '--root', root, '--json'], { encoding: 'utf8' });
    return { code: 0, hits: JSON.parse(out) as Hit[] };
  } catch (e) {
    const err = e as { status?: number; stdout?: string };
    if (err.status === 1 && err.stdout) return { code: 1, hits: JSON.parse(err.stdout) as Hit[] };
    throw e;
  }
}

// The names are assembled so that this file does not trip the check it tests.
const SH = 'shared';
const NOTE = ['failure', 'catalog'].join('-');

let tmp: ReturnType<typeof tempDir> | null = null;
afterEach(() => {
  tmp?.remove();
  tmp = null;
});

function repoWith(files: Record<string, string>): string {
  tmp = tempDir('lal-standalone-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(tmp.path, path)), { recursive: true });
    writeFileSync(join(tmp.path, path), text);
  }
  execFileSync('git', ['init', '-q'], { cwd: tmp.path });
  return tmp.path;
}

describe('the project stands alone', () => {
  it('nothing in the repository reads or cites files that only exist beside a CI checkout', () => {
    const { code, hits } = check(repoRoot);
    // file:line for each hit, so the failure message says exactly what to fix.
    expect(hits.map((h) => `${h.file}:${h.line}: ${h.why}: ${h.text}`)).toEqual([]);
    expect(code).toBe(0);
  });

  it('finds a climb out of the repository, a parent-folder join, the outside sub-folders and the note names', () => {
    const root = repoWith({
      'bench/x.bench.ts': `const f = new URL('../../${SH}/fixtures/logs/a.log', import.meta.url);\n`,
      'test/support/t.ts': `export const r = join(repoRoot, '..', '${SH}', 'fixtures');\n`,
      'docs/n.md': `Facts: \`${NOTE}.md\` §0.3.\n`,
      'README.md': `See ../${SH} for captures.\n`,
      'electron/core/x.ts': `// read /work/${SH}/docs first\n`,
    });
    const { code, hits } = check(root);
    expect(code).toBe(1);
    const at = hits.map((h) => `${h.file}:${h.line}`);
    expect(at).toContain('bench/x.bench.ts:1');
    expect(at).toContain('test/support/t.ts:1');
    expect(at).toContain('docs/n.md:1');
    expect(at).toContain('README.md:1');
    expect(at).toContain('electron/core/x.ts:1');
    expect(hits.find((h) => h.file === 'bench/x.bench.ts')?.why).toMatch(/outside the repository|beside a CI checkout/);
  });

  it("leaves the repository's own shared/ alone, and skips links and binary files", () => {
    const root = repoWith({
      'test/unit/detect/a.test.ts': `import { x } from '../../../${SH}/detect';\n`,
      'bench/b.bench.ts': `import { y } from '../${SH}/progress/lines';\n`,
      'renderer/src/home/c.tsx': `import type { Z } from '../../../${SH}/detect/types';\n`,
      'docs/ok.md': 'The failure catalog lives in shared/failures/catalog.ts.\n',
      'test/fixtures/blob.bin': `\0\0binary ../../../../${SH}/fixtures\n`,
    });
    symlinkSync('/nonexistent', join(root, 'node_modules'));
    const { code, hits } = check(root);
    expect(hits).toEqual([]);
    expect(code).toBe(0);
  });

  it('falls back to walking the folders where there is no git', () => {
    tmp = tempDir('lal-standalone-nogit-');
    mkdirSync(join(tmp.path, 'scripts'));
    writeFileSync(join(tmp.path, 'scripts', 'x.mjs'), `const d = '../${SH}/docs';\n`);
    mkdirSync(join(tmp.path, 'node_modules', 'p'), { recursive: true });
    writeFileSync(join(tmp.path, 'node_modules', 'p', 'i.js'), `'../../${SH}/docs'\n`);
    const { code, hits } = check(tmp.path);
    expect(code).toBe(1);
    expect(hits.map((h) => h.file)).toEqual(['scripts/x.mjs']);
  });
});
