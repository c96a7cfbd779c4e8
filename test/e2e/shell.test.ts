import { describe, expect, it } from 'vitest';
import { openPage, screenshot } from '../support/browser';
import { servedBrowser } from '../support/served-browser';
import { chooseLanguage, settle } from './driver';

/** Foundation: the URL with its token shows the app shell, in both languages; no token is not a crash. */
describe('app shell in a browser against lal serve', () => {
  const env = servedBrowser();

  it('opens with its token in English, switches to Chinese in the UI, and keeps the token out of the address bar', async () => {
    const { page, context, errors } = await openPage(env.browser, env.served.url, { locale: 'en-US' });
    await page.waitForSelector('[data-testid=app-shell]');
    await page.waitForSelector('[data-testid=app-version]');
    expect(await page.textContent('.brand-name')).toBe('Live Avatar Launcher');
    expect(await page.textContent('[data-testid=nav-home]')).toBe('Home');
    expect(await page.textContent('[data-testid=app-version]')).toMatch(/browser/);
    expect(page.url()).not.toContain('token=');
    await settle(page);
    await screenshot(page, 'shell-en');

    await chooseLanguage(page, 'zh-CN');
    expect(await page.textContent('.brand-name')).toBe('Live Avatar 启动器');
    expect(await page.textContent('[data-testid=nav-home]')).toBe('首页');
    // The token survives a reload (sessionStorage), and so does the language choice.
    await page.reload();
    await page.waitForSelector('[data-testid=app-version]');
    expect(await page.textContent('[data-testid=nav-home]')).toBe('首页');
    await settle(page);
    await screenshot(page, 'shell-zh');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('follows the system language: a zh-CN browser gets Chinese without choosing', async () => {
    const { page, context } = await openPage(env.browser, env.served.url, { locale: 'zh-CN', colorScheme: 'dark' });
    await page.waitForSelector('[data-testid=app-version]');
    expect(await page.textContent('[data-testid=nav-history]')).toBe('历史');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await settle(page);
    await screenshot(page, 'shell-zh-dark');
    await context.close();
  });

  it('without the token the server answers 401, and the page explains it instead of crashing', async () => {
    const res = await fetch(`${env.served.origin}/api/appInfo`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    const { page, context, errors } = await openPage(env.browser, env.served.origin + '/', { locale: 'en-US' });
    await page.waitForSelector('[data-testid=unauthorized]');
    expect(await page.textContent('[data-testid=unauthorized] h1')).toBe('This page needs its access token');
    expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    await screenshot(page, 'shell-401-en');
    await context.close();
  });
});
