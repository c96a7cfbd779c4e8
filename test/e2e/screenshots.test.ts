import { describe, expect, it } from 'vitest';
import { openPage, screenshot } from '../support/browser';
import { servedBrowser } from '../support/served-browser';
import { chooseLanguage, goToStep, settle, waitForHome } from './driver';

/** Every wizard step, in both languages, as artifacts; plus inline validation on the Inputs step. */
describe('wizard steps in both languages', () => {
  const env = servedBrowser();

  for (const lang of ['en', 'zh-CN'] as const) {
    it(`walks Hardware → Mode → Inputs → Review (${lang})`, async () => {
      const { page, context, errors } = await openPage(env.browser, env.served.url, { locale: lang === 'en' ? 'en-US' : 'zh-CN' });
      await waitForHome(page);
      await chooseLanguage(page, lang);
      await page.click('[data-testid=new-run]');
      await page.waitForSelector('[data-testid=wizard][data-step=hardware]');
      expect(await page.locator('[data-testid=gpu-choice]').count()).toBe(4);
      await settle(page);
      await screenshot(page, `wizard-1-hardware-${lang}`);

      await page.click('[data-testid=wizard-next]');
      await page.waitForSelector('[data-testid=wizard][data-step=mode]');
      await page.waitForSelector('[data-testid=mode-card]');
      expect(await page.locator('[data-testid=mode-card]').count()).toBeGreaterThanOrEqual(3);
      // Each card settles on a feasibility report or an inline note; never an empty card.
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=mode-card]')].every((c) => c.querySelector('[data-testid=feasibility], .note')), null, { timeout: 30_000 });
      await settle(page);
      await screenshot(page, `wizard-2-mode-${lang}`);

      await page.click('[data-testid=wizard-next]');
      await page.waitForSelector('[data-testid=wizard][data-step=inputs]');
      const clips = page.locator('[data-flag=num_clip]');
      if (await clips.count()) {
        await clips.fill('0');
        await page.waitForSelector('.field-error');
        expect(await page.getAttribute('[data-flag=num_clip]', 'aria-invalid')).toBe('true');
      }
      await settle(page);
      await screenshot(page, `wizard-3-inputs-${lang}`);
      if (await clips.count()) await clips.fill('2');

      await goToStep(page, 'review');
      await page.waitForFunction(() => document.querySelector('[data-testid=command-preview], [data-testid=wizard] .note'), null, { timeout: 60_000 });
      await settle(page);
      await screenshot(page, `wizard-4-review-${lang}`);
      expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
      await context.close();
    });
  }
});
