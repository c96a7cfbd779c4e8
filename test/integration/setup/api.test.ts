import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/app';
import { ApiFailure } from '../../../shared/api/result';
import type { DownloadProgress } from '../../../shared/setup/types';
import { tempDir } from '../../support/temp';
import { liveAvatarRepos, startFakeHub } from './fake-hub';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ core: Core; checkout: string; events: DownloadProgress[] }> {
  const t = tempDir('lal-setup-api-');
  cleanups.push(() => t.remove());
  const checkout = join(t.path, 'LiveAvatar');
  mkdirSync(checkout);
  const core = createCore({ transport: 'in-process', dataDir: join(t.path, 'data') });
  cleanups.push(() => core.dispose());
  await core.api.setSettings({ checkoutPath: checkout });
  const events: DownloadProgress[] = [];
  core.events.on('setupProgress', (p) => events.push(p));
  return { core, checkout, events };
}

async function until(cond: () => boolean, ms = 30_000) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('setup through the contract', () => {
  it('start, pause, resume: progress comes as events and the resume continues the .part files', async () => {
    const hub = await startFakeHub({ repos: liveAvatarRepos(), bytesPerSecond: 250 * 1024 });
    cleanups.push(() => hub.close());
    const { core, checkout, events } = await setup();
    const status = await core.api.setupStatus(undefined);
    expect(status.dest).toBe(join(checkout, 'ckpt'));
    expect(status.repos.find((r) => r.id === 'liveavatar-lora')?.modelscope).toBe(false);

    const first = await core.api.setupDownloadStart({ endpoints: [hub.url] });
    expect(['idle', 'listing']).toContain(first.phase);
    await until(() => (events.at(-1)?.bytes ?? 0) > 150 * 1024);
    const paused = await core.api.setupDownloadPause(undefined);
    expect(paused.phase).toBe('paused');
    expect((await core.api.setupStatus(undefined)).progress?.phase).toBe('paused');

    const before = hub.log.length;
    await core.api.setupDownloadStart({ endpoints: [hub.url] });
    await until(() => events.at(-1)?.phase === 'done', 60_000);
    const done = events.at(-1)!;
    expect(done.bytes).toBe(done.total);
    expect(done.files.every((f) => f.state === 'done')).toBe(true);
    expect(events.some((e) => e.phase === 'downloading' && e.speed > 0 && e.etaSeconds !== null)).toBe(true);
    expect(hub.log.slice(before).some((l) => l.range !== null && l.status === 206)).toBe(true);
  });

  it('refuses a destination outside the allowed folders and an endpoint that is not http(s)', async () => {
    const { core } = await setup();
    await expect(core.api.setupDownloadStart({ dest: '/etc/weights' })).rejects.toMatchObject({ error: { code: 'BAD_INPUT', field: 'dest' } });
    await expect(core.api.setupDownloadStart({ endpoints: ['file:///etc'] })).rejects.toBeInstanceOf(ApiFailure);
    await expect(core.api.runFix({ fixId: 'sh -c reboot' } as never)).rejects.toMatchObject({ error: { code: 'BAD_INPUT', field: 'fixId' } });
  });
});
