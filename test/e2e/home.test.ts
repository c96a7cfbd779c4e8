import { describe, expect, it } from 'vitest';
import { openPage, screenshot } from '../support/browser';
import { servedBrowser } from '../support/served-browser';
import { chooseLanguage, settle, waitForHome } from './driver';

/** The home screen on the 4×H200 fixture machine: every card, its memory and the topology. */
describe('home screen with the 4×H200 nvidia-smi stand-in', () => {
  const env = servedBrowser();

  it('shows the four H200s with memory bars, topology, environment and presets', async () => {
    const { page, context, errors } = await openPage(env.browser, env.served.url, { locale: 'en-US' });
    await waitForHome(page);
    const cards = page.locator('[data-testid=gpu-card]');
    expect(await cards.count()).toBe(4);
    for (let i = 0; i < 4; i++) {
      const text = await cards.nth(i).textContent();
      expect(text).toContain(`GPU ${i}`);
      expect(text).toContain('NVIDIA H200');
    }
    expect(await page.locator('[data-testid=gpu-card] .membar').count()).toBe(4);
    expect(await page.textContent('[data-testid=gpu-summary]')).toMatch(/4 × NVIDIA H200/);
    expect(await page.textContent('[data-testid=topology]')).toContain('NVLink');
    expect(await page.locator('[data-testid=environment]').count()).toBe(1);
    expect(await page.locator('[data-testid=preset]').count()).toBeGreaterThan(0);
    await settle(page);
    await screenshot(page, 'home-en');

    await chooseLanguage(page, 'zh-CN');
    expect(await page.textContent('#hw-title')).toBe('本机硬件');
    expect(await page.locator('[data-testid=gpu-card]').count()).toBe(4);
    await settle(page);
    await screenshot(page, 'home-zh');

    await page.selectOption('[data-testid=theme-select]', 'dark');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await settle(page);
    await screenshot(page, 'home-zh-dark');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('is reachable by keyboard: the first Tab lands on the skip link, then the navigation', async () => {
    const { page, context } = await openPage(env.browser, env.served.url, { locale: 'en-US' });
    await waitForHome(page);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toContain('skip-link');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('nav-home');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=wizard]');
    await context.close();
  });
});
