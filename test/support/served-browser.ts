import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser';
import { startServe, type Served, type ServeOptions } from './serve';

/**
 * One `lal serve` and one Chromium for a describe block, started before its tests and stopped
 * after them. Read `served`/`browser` inside tests, not at describe time.
 */
export function servedBrowser(opts: ServeOptions = {}): { readonly served: Served; readonly browser: Browser } {
  const env = {} as { served: Served; browser: Browser };
  beforeAll(async () => {
    env.served = await startServe(opts);
    env.browser = await launchBrowser();
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.served?.stop();
  });
  return env;
}
