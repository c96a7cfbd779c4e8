import { describe, expect, it } from 'vitest';
import { openPage, screenshot } from '../support/browser';
import { servedBrowser } from '../support/served-browser';
import { chooseLanguage, goToStep, openPreset, settle, waitForEnd, waitForHome, waitForPlan } from './driver';

/** An injected hang: the stall banner names the stuck ranks and a failure card says what to do. */
describe('stall from an injected hang', () => {
  const env = servedBrowser();

  it('shows the stall banner and a failure card with a fix, with the first stuck rank highlighted', async () => {
    const { page, context, errors } = await openPage(env.browser, env.served.url, { locale: 'en-US' });
    await waitForHome(page);
    await openPreset(page, 'rehearsal-cpu');
    await goToStep(page, 'inputs');
    await page.click('.advanced summary');
    await page.fill('[data-flag=inject]', 'hang@2:1:3');
    await goToStep(page, 'review');
    await page.fill('[data-testid=stall-after]', '4');
    await page.selectOption('[data-testid=stall-action]', 'stop');
    const command = await waitForPlan(page);
    expect(command).toContain('hang@2:1:3');
    await page.click('[data-testid=run-button]');
    await page.waitForSelector('[data-testid=run-view]');

    await page.waitForSelector('[data-testid=stall-banner]', { timeout: 120_000 });
    expect(await page.textContent('[data-testid=stall-banner]')).toMatch(/No progress for \d+ s/);
    const end = await waitForEnd(page);
    expect(['stopped', 'failed']).toContain(end);
    await page.waitForSelector('[data-testid=failure-card]');
    const fix = (await page.textContent('[data-testid=failure-fix]')) ?? '';
    expect(fix.replace(/^Fix:\s*/, '').length).toBeGreaterThan(10);
    expect(await page.locator('[data-testid=log-tab].failing').count()).toBe(1);
    await settle(page);
    await screenshot(page, 'run-stall-en');
    await chooseLanguage(page, 'zh-CN');
    await page.waitForSelector('[data-testid=stall-banner]');
    await settle(page);
    await screenshot(page, 'run-stall-zh-CN');

    // "Apply fix and relaunch" starts a new run with the diagnosis's fixes applied.
    const firstRun = runIdOf(page.url());
    await page.click('[data-testid=apply-fix]');
    await page.waitForFunction((id) => !location.hash.includes(id) && location.hash.startsWith('#/run/'), firstRun);
    const secondRun = runIdOf(page.url());
    const detail = await fetch(`${env.served.origin}/api/getRun`, {
      method: 'POST', headers: { authorization: `Bearer ${env.served.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ runId: secondRun }),
    }).then((r) => r.json() as Promise<{ ok: boolean; value: { record: { spec: { env?: Record<string, string>; settings: Record<string, unknown> } } } }>);
    expect(detail.ok).toBe(true);
    const first = await fetch(`${env.served.origin}/api/getRun`, {
      method: 'POST', headers: { authorization: `Bearer ${env.served.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ runId: firstRun }),
    }).then((r) => r.json() as Promise<{ value: { record: { diagnoses: { fixes?: { kind: string; name?: string; key?: string }[] }[] } } }>);
    const fixes = first.value.record.diagnoses.flatMap((d) => d.fixes ?? []);
    expect(fixes.length).toBeGreaterThan(0);
    for (const f of fixes) {
      if (f.kind === 'env') expect(detail.value.record.spec.env?.[f.name!]).toBeDefined();
      if (f.kind === 'set') expect(detail.value.record.spec.settings[f.key!]).toBeDefined();
    }
    await page.waitForSelector('[data-testid=stop-run]');
    await page.click('[data-testid=stop-run]');
    expect(await waitForEnd(page)).toBe('stopped');
    expect(errors).toEqual([]);
    await context.close();
  });
});

const runIdOf = (url: string) => decodeURIComponent(new URL(url).hash.replace('#/run/', ''));
