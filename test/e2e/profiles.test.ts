import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPage, screenshot } from '../support/browser';
import { servedBrowser } from '../support/served-browser';
import { repoRoot } from '../support/temp';
import { chooseLanguage, settle, waitForHome } from './driver';

const script = readFileSync(join(repoRoot, 'test/fixtures/scripts/forum_4gpu_hazards.sh'), 'utf8');

/**
 * A forum script with LD_PRELOAD pasted into the real app over `lal serve`: the preview shows what
 * would run and what was not imported, nothing is saved without consent, and a saved profile asks
 * again when it is opened.
 */
describe('importing a stranger’s script in the browser', () => {
  const env = servedBrowser();

  it('previews, asks consent for LD_PRELOAD, saves, and the saved profile asks again before it can run', async () => {
    const { page, context, errors } = await openPage(env.browser, env.served.url, { locale: 'en-US' });
    await waitForHome(page);
    await page.click('[data-testid=nav-profiles]');
    await page.waitForSelector('[data-testid=profile-row]');
    expect(await page.locator('[data-testid=profile-row]').count()).toBeGreaterThanOrEqual(5);
    await settle(page);
    await screenshot(page, 'profiles-en');

    await page.fill('[data-testid=import-source]', script);
    await page.click('[data-testid=import-preview]');
    await page.waitForSelector('[data-testid=import-result]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=env-consent]')).toContain('LD_PRELOAD=/tmp/libhook.so');
    const unread = (await page.textContent('[data-testid=import-unparsed]')) ?? '';
    expect(unread).toContain('pip install -r requirements.txt');
    expect(await page.textContent('[data-testid=command-preview]')).toContain('--num_gpus_dit');
    expect(await page.isDisabled('[data-testid=import-save]')).toBe(true);
    await settle(page);
    await screenshot(page, 'import-preview-en');

    await chooseLanguage(page, 'zh-CN');
    expect(await page.textContent('[data-testid=env-consent] legend')).toBe('需要你同意的环境变量');
    await settle(page);
    await screenshot(page, 'import-preview-zh');
    await chooseLanguage(page, 'en');

    const name = 'forum 4gpu (LD_PRELOAD)';
    await page.fill('[data-testid=import-name]', name);
    await page.check('[data-testid=env-consent] [data-testid=consent-box]');
    await page.click('[data-testid=import-save]');
    await page.waitForSelector(`[data-testid=profile-row][data-name="${name}"]`);

    // On disk: data only, the consented variable kept, no shell text anywhere.
    const dir = join(env.served.dataDir, 'profiles');
    const file = readdirSync(dir).find((f) => f.endsWith('.lavprofile.json') && readFileSync(join(dir, f), 'utf8').includes(name));
    expect(file).toBeDefined();
    const saved = JSON.parse(readFileSync(join(dir, file!), 'utf8')) as { env: Record<string, string>; settings: Record<string, unknown> };
    expect(saved.env.LD_PRELOAD).toBe('/tmp/libhook.so');
    expect(JSON.stringify(saved)).not.toContain('pip install');

    // Opening it later: the file does not consent for the user.
    await page.click(`[data-testid=profile-row][data-name="${name}"] [data-testid=profile-open]`);
    await page.waitForSelector('[data-testid=wizard][data-step=review]');
    const box = page.locator('[data-testid=env-consent] [data-testid=consent-box]');
    expect(await box.isChecked()).toBe(false);
    expect(await page.isDisabled('[data-testid=run-button]')).toBe(true);
    await settle(page);
    await screenshot(page, 'review-consent-en');

    // And it can be deleted from the library after a confirmation.
    await page.click('[data-testid=nav-profiles]');
    await page.click(`[data-testid=profile-row][data-name="${name}"] [data-testid=profile-delete]`);
    await page.click('[data-testid=profile-delete-confirm]');
    await page.waitForSelector(`[data-testid=profile-row][data-name="${name}"]`, { state: 'detached' });
    expect(errors).toEqual([]);
    await context.close();
  });
});
