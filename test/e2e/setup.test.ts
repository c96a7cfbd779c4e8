import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { TESTED_COMMIT } from '../../shared/setup/checklist';
import { openPage, SCREENSHOT_DIR } from '../support/browser';
import { servedBrowser } from '../support/served-browser';
import { tempDir } from '../support/temp';
import { liveAvatarRepos, startFakeHub, type FakeHub } from '../integration/setup/fake-hub';
import { chooseLanguage, openPreset, settle, waitForHome } from './driver';

/** A Live Avatar checkout and a Python that answers the probes like a ready conda env (torch cu128, FA3, pins). */
const machine = tempDir('lal-e2e-setup-');
const checkout = join(machine.path, 'LiveAvatar');
const python = join(machine.path, 'python3.10');
mkdirSync(join(checkout, 'minimal_inference'), { recursive: true });
writeFileSync(join(checkout, 'minimal_inference', 's2v_streaming_interact.py'), '# entry\n');
mkdirSync(join(checkout, '.git'), { recursive: true });
writeFileSync(join(checkout, '.git', 'HEAD'), `${TESTED_COMMIT}\n`);
const probe = { python: '3.10.14', executable: python, prefix: machine.path, torch: '2.8.0+cu128', torch_cuda: '12.8', cuda_available: true, device_count: 4, nccl: '2.27.3', flash_attn: null, flash_attn3: '3.0.0b1', torchrun: null };
writeFileSync(python, [
  '#!/bin/sh',
  'case "$1" in',
  `  *probe_env.py) echo 'LAL_PROBE ${JSON.stringify(probe)}' ;;`,
  `  *probe_requirements.py) echo 'LAL_REQS ${JSON.stringify({ transformers: '4.57.1', numpy: '1.26.4', peft: '0.17.1' })}' ;;`,
  // pip, as the Run button starts it: each argv word on its own line proves no shell split or joined them.
  '  -m) for a in "$@"; do printf \'[%s]\\n\' "$a"; done; echo "Successfully installed transformers-4.51.3" ;;',
  '  *) exit 3 ;;',
  'esac',
  '',
].join('\n'));
chmodSync(python, 0o755);

async function shot(page: Page, selector: string, name: string) {
  await settle(page);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.locator(selector).screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

async function setCheckout(origin: string, token: string) {
  const res = await fetch(`${origin}/api/setSettings`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ checkoutPath: checkout }) });
  expect(res.status).toBe(200);
}

/**
 * The readiness checklist on Home and the weight download, in Chromium against `lal serve`, with a
 * stand-in Hub on loopback (never the real one). Screenshots in English and Chinese.
 */
describe('getting the real recipe ready, in the browser', () => {
  const env = servedBrowser({ python });
  let hub: FakeHub;
  beforeAll(async () => {
    hub = await startFakeHub({ repos: liveAvatarRepos(), bytesPerSecond: 200 * 1024 });
    await setCheckout(env.served.origin, env.served.token);
  });
  afterAll(async () => {
    await hub?.close();
    machine.remove();
  });

  it('shows what is missing with fixes, downloads the weights from the endpoint chosen, and turns weights and LoRA ok', async () => {
    const { page, errors } = await openPage(env.browser, env.served.url, { locale: 'en-US' });
    await waitForHome(page);
    await page.waitForSelector('[data-testid=ready-ffmpeg]', { timeout: 60_000 });
    expect(await page.getAttribute('[data-testid=ready-checkout]', 'data-status')).toBe('ok');
    expect(await page.getAttribute('[data-testid=ready-weights]', 'data-status')).toBe('missing');
    expect(await page.getAttribute('[data-testid=ready-requirements]', 'data-status')).toBe('wrong');
    expect(await page.textContent('[data-testid=ready-requirements] [data-testid=fix-argv]')).toBe(`${python} -m pip install 'transformers>=4.49.0,<=4.51.3' 'numpy>=1.23.5,<2' peft==0.17.1`);
    expect(await page.textContent('[data-testid=ready-weights] [data-testid=fix-argv]')).toBe(`lal setup weights --checkout ${checkout}`);
    await shot(page, '[data-testid=readiness-panel]', 'setup-readiness-en');

    await page.click('[data-testid=ready-weights] [data-testid=open-download]');
    await page.waitForSelector('[data-testid=download-view]');
    // Only the stand-in: the real Hub, mirror and ModelScope are unticked.
    for (const box of await page.$$('[data-testid=download-view] .endpoints input[type=checkbox]')) await box.uncheck();
    await page.fill('[data-testid=download-view] input[type=url]', hub.url);
    await page.click('[data-testid=dl-start]');
    await page.waitForSelector('[data-testid=dl-progress][data-phase=downloading]', { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=dl-files] tr[data-state=done]').length >= 2, undefined, { timeout: 30_000 });
    await shot(page, '[data-testid=download-view]', 'setup-download-en');
    await page.waitForSelector('[data-testid=dl-progress][data-phase=done]', { timeout: 60_000 });
    await page.waitForSelector('[data-testid=ready-weights][data-status=ok]', { timeout: 30_000 });
    expect(await page.getAttribute('[data-testid=ready-lora]', 'data-status')).toBe('ok');
    expect(await page.textContent('[data-testid=ready-lora]')).toContain('models--Quark-Vision--Live-Avatar');
    expect(hub.log.some((l) => l.url.startsWith('/cdn/'))).toBe(true);

    // A fix runs from the app as argv, with its output live in the panel.
    await page.click('[data-testid=ready-requirements] .fix-row button:has-text("Run")');
    await page.waitForFunction(() => document.querySelector('[data-testid=fix-console]')?.textContent?.includes('Exited with code 0'), undefined, { timeout: 30_000 });
    const out = (await page.textContent('[data-testid=fix-console] pre')) ?? '';
    expect(out).toContain('[transformers>=4.49.0,<=4.51.3]\n[numpy>=1.23.5,<2]\n[peft==0.17.1]');
    expect(out).toContain('Successfully installed transformers-4.51.3');
    await shot(page, '[data-testid=readiness-panel]', 'setup-fix-en');

    // The wizard's review step shows the same checklist for the real recipe.
    await openPreset(page, 'liveavatar-single-gpu');
    await page.waitForSelector('[data-testid=wizard][data-step=review] [data-testid=readiness-panel] [data-testid=ready-lora]', { timeout: 30_000 });
    expect(await page.getAttribute('[data-testid=readiness-panel] [data-testid=ready-lora]', 'data-status')).toBe('ok');
    expect(errors).toEqual([]);
  });

  it('reads the same in Chinese', async () => {
    const { page, errors } = await openPage(env.browser, env.served.url, { locale: 'zh-CN' });
    await waitForHome(page);
    await chooseLanguage(page, 'zh-CN');
    await page.waitForSelector('[data-testid=ready-ffmpeg]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid=readiness-panel] h2')).toBe('真实配方准备好了吗？');
    await shot(page, '[data-testid=readiness-panel]', 'setup-readiness-zh');
    // The last download, in Chinese: every file verified.
    await page.click('[data-testid=toggle-download]');
    await page.waitForSelector('[data-testid=dl-progress][data-phase=done]');
    expect(await page.textContent('[data-testid=dl-progress] strong')).toBe('已完成');
    await shot(page, '[data-testid=download-view]', 'setup-download-zh');
    expect(errors).toEqual([]);
  });
});
