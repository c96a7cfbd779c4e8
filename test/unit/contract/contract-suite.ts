import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../../shared/api/contract';
import { ApiFailure } from '../../../shared/api/result';
import type { Core } from '../../../electron/core/app';

export interface Harness {
  client: ApiClient;
  core: Core;
  close(): Promise<void>;
}

/**
 * One behavioural suite for the contract, run against every transport: whatever a client can do
 * in-process it must be able to do over HTTP+SSE (and through Electron IPC, which is generated
 * from the same table).
 */
export function contractSuite(name: string, make: () => Promise<Harness>): void {
  describe(`contract over ${name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await make();
    });
    afterAll(async () => {
      await h.close();
    });

    it('answers appInfo with the package version', async () => {
      const info = await h.client.appInfo(undefined);
      expect(info.name).toBe('Live Avatar Launcher');
      expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    });

    it('round-trips settings', async () => {
      const before = await h.client.getSettings(undefined);
      expect(before.stallAction).toBe('notify');
      const after = await h.client.setSettings({ stallAction: 'stop', language: 'zh-CN' });
      expect(after.stallAction).toBe('stop');
      expect((await h.client.getSettings(undefined)).language).toBe('zh-CN');
    });

    it('rejects bad input with BAD_INPUT naming the field', async () => {
      const err = await h.client.setSettings({ stallAction: 'explode' } as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiFailure);
      expect((err as ApiFailure).error.code).toBe('BAD_INPUT');
      expect((err as ApiFailure).error.field).toBe('stallAction');
    });

    it('refuses a relative path with BAD_INPUT naming the field and the reason, and keeps the old value', async () => {
      const before = await h.client.getSettings(undefined);
      const err = await h.client.setSettings({ outputDir: 'relative/out' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiFailure);
      expect((err as ApiFailure).error).toMatchObject({ code: 'BAD_INPUT', field: 'outputDir', details: { reason: 'not-absolute', value: 'relative/out' } });
      expect((await h.client.getSettings(undefined)).outputDir).toBe(before.outputDir);
    });

    it('rejects unknown fields instead of ignoring them', async () => {
      const err = await h.client.setSettings({ nope: 1 } as never).catch((e: unknown) => e);
      expect((err as ApiFailure).error.code).toBe('BAD_INPUT');
    });

    it('reports the host through detect, even without a GPU', async () => {
      const report = await h.client.detect({});
      expect(report.host.cpuCores).toBeGreaterThan(0);
      expect(Array.isArray(report.gpus)).toBe(true);
    });

    it('pushes events to subscribers', async () => {
      const got = new Promise<unknown>((resolve) => {
        const off = h.client.on('runsChanged', (p) => {
          off();
          resolve(p);
        });
      });
      // SSE needs a moment to connect before the first event can reach it.
      const timer = setInterval(() => h.core.events.emit('runsChanged', { runId: 'r-test' }), 50);
      try {
        await expect(got).resolves.toEqual({ runId: 'r-test' });
      } finally {
        clearInterval(timer);
      }
    });
  });
}
