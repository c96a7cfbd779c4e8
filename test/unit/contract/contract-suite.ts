import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../../shared/api/contract';
import type { ApiError } from '../../../shared/api/result';
import type { Core } from '../../../electron/core/app';

export interface Harness {
  client: ApiClient;
  core: Core;
  close(): Promise<void>;
}

/**
 * What a client caught, read the way the renderer reads it: `.code`, `.field`, `.details` on the
 * rejection itself (an ApiFailure over HTTP and in-process, the bare envelope from the preload).
 */
async function rejection(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'the call should have failed').not.toBeNull();
  const { code, message, field, details } = err as ApiError;
  return { code, message, field, details };
}

/**
 * One behavioural suite for the contract, run against every transport: whatever a client can do
 * in-process it must be able to do over HTTP+SSE and over Electron IPC (main's handlers wired to
 * the preload's api through an in-memory ipcMain/ipcRenderer/contextBridge).
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
      const err = await rejection(h.client.setSettings({ stallAction: 'explode' } as never));
      expect(err.code).toBe('BAD_INPUT');
      expect(err.field).toBe('stallAction');
      expect(err.message).toMatch(/stallAction/);
    });

    it('refuses a relative path with BAD_INPUT naming the field and the reason, and keeps the old value', async () => {
      const before = await h.client.getSettings(undefined);
      const err = await rejection(h.client.setSettings({ outputDir: 'relative/out' }));
      expect(err).toMatchObject({ code: 'BAD_INPUT', field: 'outputDir', details: { reason: 'not-absolute', value: 'relative/out' } });
      expect((await h.client.getSettings(undefined)).outputDir).toBe(before.outputDir);
    });

    it('rejects unknown fields instead of ignoring them', async () => {
      expect((await rejection(h.client.setSettings({ nope: 1 } as never))).code).toBe('BAD_INPUT');
    });

    it('answers NOT_FOUND naming the field for a run that does not exist', async () => {
      expect(await rejection(h.client.getRun({ runId: 'r-20000101-000000-nope' }))).toMatchObject({ code: 'NOT_FOUND', field: 'runId' });
    });

    it('answers UNAVAILABLE naming the field when the Python has no torchrun', async () => {
      const err = await rejection(h.client.planRun({ spec: { recipe: 'rehearsal', mode: 'single-offload', settings: { device: 'cpu' }, python: '/nonexistent/python3' } }));
      expect(err).toMatchObject({ code: 'UNAVAILABLE', field: 'python' });
    });

    it('validates pickPath and openPath like every other method; openPath takes a run id, not a path', async () => {
      expect(await rejection(h.client.pickPath({ kind: 'device' } as never))).toMatchObject({ code: 'BAD_INPUT', field: 'kind' });
      expect((await rejection(h.client.openPath({ path: '/etc' } as never))).code).toBe('BAD_INPUT');
      expect(await rejection(h.client.openPath({ runId: 'r-20000101-000000-nope' }))).toMatchObject({ code: 'NOT_FOUND', field: 'runId' });
    });

    // Detection runs real probes (Python, lspci); a loaded CI box needs more than the default 5 s.
    it('reports the host through detect, even without a GPU', { timeout: 60_000 }, async () => {
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
