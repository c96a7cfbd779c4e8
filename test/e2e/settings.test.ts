import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Settings } from '../../shared/api/contract';
import { openPage, screenshot } from '../support/browser';
import { servedBrowser } from '../support/served-browser';
import { tempDir } from '../support/temp';
import { chooseLanguage, settle, waitForHome } from './driver';

async function openSettings(page: Page): Promise<void> {
  await page.click('[data-testid=nav-settings]');
  await page.waitForSelector('[data-testid=settings-form]');
}

/** What the server has stored, asked through the same HTTP API the page uses. */
async function storedSettings(page: Page, token: string): Promise<Settings> {
  const body = await page.evaluate(async (t) => {
    const res = await fetch('/api/getSettings', { method: 'POST', headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' }, body: '{}' });
    return (await res.json()) as { ok: boolean; value: Settings };
  }, token);
  expect(body.ok).toBe(true);
  return body.value;
}

/**
 * Settings over a real `lal serve` in Chromium: what is saved survives a reload and reaches the
 * server's settings file; a relative path is refused by core and shown under the field it names.
 */
describe('settings in the browser', () => {
  const env = servedBrowser();
  const checkout = tempDir('lal-e2e-checkout-');
  afterAll(() => checkout.remove());

  it('saves the checkout folder and the stall action, keeps them across a reload, and refuses a relative path', async () => {
    const { page, context, errors } = await openPage(env.browser, env.served.url, { locale: 'en-US' });
    await waitForHome(page);
    await openSettings(page);
    expect(page.url()).toContain('#/settings');
    // In a browser there is no native dialog: Browse… says to type the path, the field stays usable.
    await page.click('[data-testid=browse-checkoutPath]');
    expect(await page.textContent('[data-testid=nopicker-checkoutPath]')).toContain('type the path');
    await page.waitForSelector('[data-testid=python-pick]', { timeout: 30_000 });
    await settle(page);
    await screenshot(page, 'settings-en');

    await page.fill('[data-testid=settings-checkoutPath]', checkout.path);
    await page.check('[data-testid=stall-stop]');
    await page.click('[data-testid=settings-save]');
    await page.waitForFunction(() => document.querySelector('[data-testid=settings-status]')?.textContent?.startsWith('Saved'));
    expect(await page.isDisabled('[data-testid=settings-save]')).toBe(true);

    await page.reload();
    await page.waitForSelector('[data-testid=settings-form]');
    expect(await page.inputValue('[data-testid=settings-checkoutPath]')).toBe(checkout.path);
    expect(await page.isChecked('[data-testid=stall-stop]')).toBe(true);
    expect(await storedSettings(page, env.served.token)).toMatchObject({ checkoutPath: checkout.path, stallAction: 'stop' });
    const onDisk = JSON.parse(readFileSync(join(env.served.dataDir, 'settings.json'), 'utf8')) as Settings;
    expect(onDisk).toMatchObject({ checkoutPath: checkout.path, stallAction: 'stop' });

    // Enter in a text field saves, as in any form; core refuses and the field shows why, by name.
    await page.fill('[data-testid=settings-outputDir]', 'relative/out');
    await page.press('[data-testid=settings-outputDir]', 'Enter');
    await page.waitForSelector('[data-testid=error-outputDir]');
    expect(await page.textContent('[data-testid=error-outputDir]')).toBe('Output folder must be a full path that starts at the root, such as /home/me/LiveAvatar (got “relative/out”).');
    expect(await page.getAttribute('[data-testid=settings-outputDir]', 'aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('settings-outputDir');
    expect((await storedSettings(page, env.served.token)).outputDir).toBeNull();
    await settle(page);
    await screenshot(page, 'settings-error-en');

    await chooseLanguage(page, 'zh-CN');
    expect(await page.textContent('[data-testid=settings-screen] h1')).toBe('设置');
    expect(await page.textContent('[data-testid=error-outputDir]')).toContain('输出文件夹必须是从根目录开始的完整路径');
    await settle(page);
    await screenshot(page, 'settings-zh');
    await page.fill('[data-testid=settings-outputDir]', '');
    expect(await page.locator('[data-testid=error-outputDir]').count()).toBe(0);

    await page.selectOption('[data-testid=theme-select]', 'dark');
    await settle(page);
    await screenshot(page, 'settings-zh-dark');

    // The browser logs the refused call's HTTP 400 itself; nothing else may have gone wrong.
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await context.close();
  });
});
