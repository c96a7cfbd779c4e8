import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { repoRoot } from '../../support/temp';

/**
 * The CLI is a client of the contract like the server and Electron: it reaches core's services
 * only through cli/core.ts (core/app + the in-process client), so a command cannot quietly grow a
 * second implementation of something core already answers.
 */
describe('electron/cli is kept to the contract by lint', () => {
  const eslint = new ESLint({ cwd: repoRoot });
  const lint = async (filePath: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: `${repoRoot}/${filePath}` });
    return result.messages.filter((m) => m.ruleId === 'no-restricted-imports');
  };

  it.each([
    ['electron/cli/commands/x.ts', "import { detectAll } from '../../core/detect';\nexport const d = detectAll;\n"],
    ['electron/cli/commands/x.ts', "import { killRunNow } from '../../core/runs/teardown';\nexport const k = killRunNow;\n"],
    ['electron/cli/commands/x.ts', "import { explainOffThread } from '../../core/explain/pool';\nexport const e = explainOffThread;\n"],
    ['electron/cli/x.ts', "import { ProfileLibrary } from '../core/profiles/library';\nexport const p = ProfileLibrary;\n"],
    ['electron/cli/commands/setup.ts', "import { WeightDownload } from '../../core/setup/download';\nexport const w = WeightDownload;\n"],
    ['electron/cli/commands/doctor.ts', "import { gatherFacts } from '../../core/setup/readiness';\nexport const g = gatherFacts;\n"],
    ['electron/cli/commands/run.ts', "import { detectAll } from '../../core/detect';\nexport const d = detectAll;\n"],
    ['electron/cli/x.ts', "import { app } from 'electron';\nexport const a = app;\n"],
  ])('%s may not: %s', async (file, code) => {
    const messages = await lint(file, code);
    expect(messages.length).toBeGreaterThan(0);
  });

  it('says why, naming the way in', async () => {
    const [m] = await lint('electron/cli/commands/x.ts', "import { detectAll } from '../../core/detect';\nexport const d = detectAll;\n");
    expect(m?.message).toMatch(/client of the contract/);
  });

  it.each([
    ['electron/cli/core.ts', "import { createCore } from '../core/app';\nimport { inProcessClient } from '../core/in-process';\nexport const c = [createCore, inProcessClient];\n"],
    ['electron/cli/commands/x.ts', "import { methods } from '../../../shared/api/contract';\nexport const m = methods;\n"],
    ['electron/cli/commands/x.ts', "import { defaultDataDir } from '../../core/paths';\nexport const d = defaultDataDir;\n"],
    ['electron/cli/commands/x.ts', "import { loadRunSpec } from '../../core/profiles/resolve';\nexport const l = loadRunSpec;\n"],
    ['electron/cli/commands/x.ts', "import { startServer } from '../../server/server';\nexport const s = startServer;\n"],
  ])('%s may: %s', async (file, code) => {
    expect(await lint(file, code)).toEqual([]);
  });

  it('the CLI as it stands passes the rule', async () => {
    const results = await eslint.lintFiles(['electron/cli/**/*.ts']);
    const broken = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${r.filePath}:${m.line} ${m.message}`));
    expect(broken).toEqual([]);
  });
});
