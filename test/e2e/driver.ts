import { expect } from 'vitest';
import type { Page } from 'playwright-core';

/** Steps a user takes, shared by the e2e files so each test reads like the scenario it checks. */
export async function waitForHome(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid=app-shell]');
  await page.waitForSelector('[data-testid=gpu-card]', { timeout: 30_000 });
}

export async function chooseLanguage(page: Page, lang: 'en' | 'zh-CN'): Promise<void> {
  await page.selectOption('[data-testid=lang-select]', lang);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

export async function openPreset(page: Page, name: string): Promise<void> {
  await page.click(`[data-testid=preset][data-name="${name}"]`);
  await page.waitForSelector('[data-testid=wizard][data-step=review]');
}

/** Run is enabled once planRun answered: the exact command is on screen. */
export async function waitForPlan(page: Page): Promise<string> {
  await page.waitForSelector('[data-testid=command-preview]', { timeout: 60_000 });
  await page.waitForSelector('[data-testid=run-button]:not([disabled])', { timeout: 60_000 });
  return (await page.textContent('[data-testid=command-preview] pre')) ?? '';
}

export async function goToStep(page: Page, step: 'hardware' | 'mode' | 'inputs' | 'review'): Promise<void> {
  await page.click(`[data-testid=step-${step}]`);
  await page.waitForSelector(`[data-testid=wizard][data-step=${step}]`);
}

export async function runStatus(page: Page): Promise<string | null> {
  return page.getAttribute('[data-testid=run-view]', 'data-status');
}

export async function waitForEnd(page: Page, timeoutMs = 150_000): Promise<string> {
  await page.waitForSelector('[data-testid=run-view]:is([data-status=succeeded],[data-status=failed],[data-status=stopped],[data-status=lost])', { timeout: timeoutMs });
  const s = await runStatus(page);
  expect(s).not.toBeNull();
  return s!;
}

export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300);
}
