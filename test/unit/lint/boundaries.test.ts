import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { repoRoot } from '../../support/temp';

/** The layer rules are what keeps shared/ portable and core testable without Electron. */
describe('layer boundaries are enforced by lint', () => {
  const eslint = new ESLint({ cwd: repoRoot });
  const lint = async (filePath: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: `${repoRoot}/${filePath}` });
    return result.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals');
  };

  it.each([
    ['shared/x.ts', "import { app } from 'electron';\nexport const a = app;\n"],
    ['electron/core/x.ts', "import { app } from 'electron';\nexport const a = app;\n"],
    ['shared/x.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"],
    ['shared/x.ts', "import { join } from 'path';\nexport const j = join;\n"],
    ['renderer/src/x.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"],
    ['renderer/src/x.ts', "import { createCore } from '../../electron/core/app';\nexport const c = createCore;\n"],
    ['electron/server/x.ts', "import { BrowserWindow } from 'electron';\nexport const b = BrowserWindow;\n"],
    ['electron/cli/x.ts', "import { app } from 'electron';\nexport const a = app;\n"],
  ])('%s may not: %s', async (file, code) => {
    expect((await lint(file, code)).length).toBeGreaterThan(0);
  });

  it('shared/ may not touch DOM or Node globals', async () => {
    expect((await lint('shared/x.ts', 'export const w = window.location;\n')).length).toBeGreaterThan(0);
    expect((await lint('shared/x.ts', 'export const e = process.env;\n')).length).toBeGreaterThan(0);
  });

  it.each([
    ['electron/core/x.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"],
    ['electron/main/x.ts', "import { app } from 'electron';\nexport const a = app;\n"],
    ['shared/x.ts', "import { z } from 'zod';\nexport const s = z.string();\n"],
  ])('%s may: %s', async (file, code) => {
    expect(await lint(file, code)).toEqual([]);
  });
});
