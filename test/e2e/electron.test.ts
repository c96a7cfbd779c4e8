import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/temp';

/**
 * The same app in Electron. Needs an Electron binary, which `npm install` here skips
 * (ELECTRON_SKIP_BINARY_DOWNLOAD); where it is missing the test is skipped with this reason.
 */
const binary = join(repoRoot, 'node_modules', 'electron', 'dist', 'electron');
const hasElectron = existsSync(binary) && !process.env.ELECTRON_OVERRIDE_DIST_PATH?.startsWith('/nonexistent');

describe('Electron window', () => {
  it.skipIf(!hasElectron)(`opens the app shell in Electron (skipped: no Electron binary at ${binary})`, async () => {
    const { _electron } = await import('playwright-core');
    const main = join(repoRoot, 'out', 'main', 'index.cjs');
    expect(existsSync(main), 'build first: npm run build:electron').toBe(true);
    const app = await _electron.launch({ executablePath: binary, args: [main], env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: '' } });
    try {
      const page = await app.firstWindow();
      await page.waitForSelector('[data-testid=app-shell]');
      expect(await page.textContent('[data-testid=app-version]')).toMatch(/desktop/);
    } finally {
      await app.close();
    }
  });
});
