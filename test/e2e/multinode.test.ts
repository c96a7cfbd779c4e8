import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { openPage, screenshot } from '../support/browser';
import { servedBrowser } from '../support/served-browser';
import { goToStep, openPreset, settle, waitForEnd, waitForHome, waitForPlan } from './driver';
import { namespacesUsable, testNet } from '../integration/multinode/netns';

/**
 * Issue 18: a 2-node CPU rehearsal from the wizard. The machines are network namespaces with their
 * own sshd (scripts/netns/up.sh); the served launcher reaches them through LAL_SSH_CONFIG. The
 * CPU preset's 5 ranks are split 3 + 2 in the Machines step, the preflight runs from the step, and
 * the run goes to the end.
 */
const usable = namespacesUsable();
const title = usable.ok ? 'multi-node rehearsal from the wizard' : `multi-node rehearsal from the wizard — SKIPPED: cannot create network namespaces here (${usable.why})`;

// Its own machines (lale-n0, lale-n1 on 10.231.1.0/24): the integration suites may run at the same time.
const net = testNet('lale', 1, '/tmp/lal-netns-e2e');

describe.skipIf(!usable.ok)(title, () => {
  beforeAll(() => net.up(2), 60_000);
  afterAll(() => net.down());
  const env = servedBrowser({ env: { LAL_SSH_CONFIG: net.sshConfig } });

  it('Machines step: two machines, the preflight passes, the run succeeds across both', async () => {
    const { page, context, errors } = await openPage(env.browser, env.served.url, { locale: 'en-US' });
    await waitForHome(page);
    await openPreset(page, 'rehearsal-cpu');
    await goToStep(page, 'hardware');
    await page.click('[data-testid=machines-enable]');
    const hosts = page.locator('[data-testid=machine-host]');
    const procs = page.locator('[data-testid=machine-procs]');
    await hosts.nth(0).fill(net.host(0));
    await procs.nth(0).fill('3');
    await hosts.nth(1).fill(net.host(1));
    await procs.nth(1).fill('2');
    await page.click('[data-testid=machines-check]');
    await page.waitForSelector('[data-testid=machines-result]', { timeout: 90_000 });
    expect(await page.getAttribute('[data-testid=machines-result]', 'data-ok')).toBe('true');
    const checks = (await page.locator('[data-testid=preflight-check]').allTextContents()).join('\n');
    expect(checks).toContain(`Node ${net.host(1)}: traffic to ${net.host(0)} leaves through eth0`);
    await settle(page);
    await screenshot(page, 'wizard-machines-en');

    await goToStep(page, 'review');
    const command = await waitForPlan(page);
    expect(command).toContain('lal_nodes.py');
    await page.click('[data-testid=run-button]');
    await page.waitForSelector('[data-testid=run-view]', { timeout: 120_000 });
    expect(await waitForEnd(page, 240_000)).toBe('succeeded');
    // The run view groups the ranks by machine.
    await page.waitForSelector('[data-testid=rank-node]', { timeout: 15_000 });
    expect((await page.locator('[data-testid=rank-node]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')))).sort()).toEqual([net.host(0), net.host(1)]);
    await settle(page);
    await screenshot(page, 'run-multinode-en');
    const con = (await page.textContent('[data-testid=log-console]')) ?? '';
    expect(con).toMatch(/node lale-n\d/);
    expect(errors).toEqual([]);
    await context.close();
  });
});
