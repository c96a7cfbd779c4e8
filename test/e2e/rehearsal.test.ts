import { describe, expect, it } from 'vitest';
import { openPage, screenshot } from '../support/browser';
import { servedBrowser } from '../support/served-browser';
import { chooseLanguage, openPreset, settle, waitForEnd, waitForHome, waitForPlan } from './driver';

/**
 * A whole rehearsal run on CPU driven from the UI: preset → review (check + exact command) → run
 * → live progress to the end → the run in history.
 */
describe('CPU rehearsal run from the UI', () => {
  const env = servedBrowser();

  it('runs the CPU rehearsal preset to the end and lists it in history', async () => {
    const { page, context, errors } = await openPage(env.browser, env.served.url, { locale: 'en-US' });
    await waitForHome(page);
    await openPreset(page, 'rehearsal-cpu');
    const command = await waitForPlan(page);
    expect(command).toContain('rehearsal.py');
    expect(command).toMatch(/--nproc[_-]per[_-]node/);
    await page.click('[data-testid=run-button]');
    await page.waitForSelector('[data-testid=run-view]');

    // Live progress: the bar moves and the merged console fills with torchrun's ranks (or the
    // run already ended on a fast machine; the checks below still hold).
    await page.waitForFunction(() => {
      const status = document.querySelector('[data-testid=run-view]')?.getAttribute('data-status');
      const fraction = document.querySelector('[data-testid=fraction]')?.textContent ?? '0%';
      return status === 'succeeded' || status === 'failed' || (fraction !== '0%' && (document.querySelector('[data-testid=log-console]')?.textContent ?? '').includes('world_size'));
    }, null, { timeout: 90_000, polling: 100 });
    expect(await page.textContent('[data-testid=clip]')).toMatch(/\d+ \/ \d+/);
    await settle(page);
    await screenshot(page, 'run-live-en');

    expect(await waitForEnd(page)).toBe('succeeded');
    expect(await page.textContent('[data-testid=fraction]')).toBe('100%');
    const clip = (await page.textContent('[data-testid=clip]')) ?? '';
    const [done, total] = clip.split('/').map((s) => Number(s.trim()));
    expect(total).toBeGreaterThan(0);
    expect(done).toBe(total);
    expect(await page.locator('[data-testid=log-tab]').count()).toBeGreaterThan(1);
    // xterm's DOM holds only the rows in view, and under load other ranks' last lines can follow
    // rank 0's "Finished." in the merged stream; rank 0's own tab ends with it (then LAL_PEAK).
    // The exit event can also overtake the last console batch, so give it a moment to land.
    await page.click('[data-testid=log-tab][data-stream="0"]');
    await page
      .waitForFunction(() => {
        const el = document.querySelector('[data-testid=log-console]');
        return el?.getAttribute('data-settled') === '0' && (el.textContent ?? '').includes('Finished.');
      }, null, { timeout: 15_000, polling: 100 })
      .catch(() => undefined);
    await settle(page);
    const rank0 = (await page.textContent('[data-testid=log-console]')) ?? '';
    expect(rank0).toContain('Finished.');
    await page.click('[data-testid=log-tab][data-stream="all"]');
    await settle(page);
    await screenshot(page, 'run-done-en');

    // Output folder: the browser cannot open server folders, so it shows the path instead.
    await page.click('[data-testid=open-folder]');
    await page.waitForSelector('[data-testid=output-path]');
    expect(await page.textContent('[data-testid=output-path]')).toContain(env.served.dataDir);

    await chooseLanguage(page, 'zh-CN');
    expect(await page.textContent('[data-testid=run-status]')).toBe('已完成');
    await settle(page);
    await screenshot(page, 'run-done-zh-CN');
    await chooseLanguage(page, 'en');

    await page.click('[data-testid=nav-history]');
    await page.waitForSelector('[data-testid=history-row][data-status=succeeded]');
    expect(await page.locator('[data-testid=history-row]').count()).toBe(1);
    await settle(page);
    await screenshot(page, 'history-en');
    await chooseLanguage(page, 'zh-CN');
    await settle(page);
    await screenshot(page, 'history-zh-CN');
    expect(errors).toEqual([]);
    await context.close();
  });
});
