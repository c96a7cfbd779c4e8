import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createCore, type Core } from '../../electron/core/app';
import { startServer, type RunningServer } from '../../electron/server/server';
import type { GpuSample, RunEvent } from '../../shared/run/types';
import { launchBrowser, openPage, screenshot } from '../support/browser';
import { ensureRendererBuilt } from '../support/serve';
import { repoRoot } from '../support/temp';
import { chooseLanguage, settle } from './driver';

/**
 * The run view fed by pushed events as a GPU run would send them (CPU rehearsals have no GPU
 * samples): per-GPU memory and utilisation charts with the capacity line, progress, and a stall
 * on one rank, over the real server and SSE.
 */
describe('run view from pushed GPU events', () => {
  const RUN = '20261122-000000-gpuview';
  let dataDir: string;
  let core: Core;
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    await ensureRendererBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'lal-e2e-events-'));
    core = createCore({ transport: 'http', dataDir, nvidiaSmi: '/nonexistent/nvidia-smi' });
    server = await startServer(core, { port: 0, rendererDir: join(repoRoot, 'out', 'renderer') });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await core?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const emit = (e: RunEvent) => core.events.emit('runEvent', e);
  // Weights load over the first ~17 s, then GPU 3 (the stuck rank's) goes idle at 30 s.
  const sample = (t0: number, sec: number, index: number): GpuSample => ({
    t: t0 + sec * 1000, index, memoryTotalMiB: 143771, utilizationPct: index === 3 && sec > 30 ? 0 : 80 + ((sec + index * 3) % 10) * 2,
    memoryUsedMiB: Math.min(43_000 + index * 4_000, 2_000 + sec * (2_500 + index * 300)),
  });

  for (const lang of ['en', 'zh-CN'] as const) {
    it(`charts memory against capacity and utilisation per GPU, and flags the stalled rank (${lang})`, async () => {
      const { page, context, errors } = await openPage(browser, `${server.url}#/run/${RUN}`, { locale: lang === 'en' ? 'en-US' : 'zh-CN' });
      await page.waitForSelector('[data-testid=run-view]');
      await chooseLanguage(page, lang);
      // Wait until the SSE stream is connected before pushing.
      await page.waitForTimeout(800);
      const t0 = Date.now() - 40_000;
      emit({ type: 'start', runId: RUN, plan: { argv: ['torchrun'], env: {}, cwd: '/' }, runDir: join(dataDir, 'runs', RUN) });
      for (let r = 0; r < 5; r++) emit({ type: 'phase', runId: RUN, rank: r, phase: 'generating' });
      for (let s = 0; s <= 40; s++) emit({ type: 'gpu', runId: RUN, samples: [0, 1, 2, 3].map((i) => sample(t0, s, i)) });
      emit({ type: 'progress', runId: RUN, rank: 4, clip: 3, clips: 10, step: 2, steps: 4, fraction: 0.25, fps: 18.5, etaSec: 95, eta: 95 });
      emit({ type: 'stall', runId: RUN, ranks: [3, 4], advanced: [0, 1, 2], behind: [3], idleSec: 42, gpus: [], action: 'notify' });
      core.events.emit('runOutput', { runId: RUN, seq: 1, dropped: 0, chunks: [{ rank: null, data: '[default3]:Watchdog waiting on recv\n[default4]:  0%|          | 0/4 [00:00<?, ?it/s]\r 50%|#####     | 2/4 [00:01<00:01]\n' }] });

      await page.waitForSelector('[data-testid=gpu-charts] canvas');
      expect(await page.locator('[data-testid=gpu-charts] figure').count()).toBe(2);
      const legend = (await page.textContent('[data-testid=gpu-charts]')) ?? '';
      for (const i of [0, 1, 2, 3]) expect(legend).toContain(`GPU ${i}`);
      expect(legend).toContain(lang === 'en' ? 'Capacity' : '容量');
      expect(await page.textContent('[data-testid=clip]')).toBe('3 / 10');
      expect(await page.textContent('[data-testid=progress-stats]')).toContain('18.5');
      await page.waitForSelector('[data-testid=stall-banner]');
      expect(await page.getAttribute('[data-testid=log-tab].failing', 'data-stream')).toBe('3');
      expect(await page.getAttribute('[aria-selected=true][data-testid=log-tab]', 'data-stream')).toBe('3');
      await page.waitForFunction(() => (document.querySelector('[data-testid=log-console]')?.textContent ?? '').includes('Watchdog'));
      await settle(page);
      await screenshot(page, `run-gpu-charts-${lang}`);
      expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
      await context.close();
    });
  }
});
