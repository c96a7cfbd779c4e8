import { describe, expect, it, vi } from 'vitest';
import { methodNames, ipcChannel } from '../../../shared/api/contract';

// Electron cannot run here (no binary): the adapters are tested against a stand-in.
const exposed: Record<string, unknown> = {};
const invoke = vi.fn(async (_channel: string, _input: unknown): Promise<unknown> => ({ ok: true, value: 'pong' }));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
  ipcRenderer: { invoke, on: vi.fn(), removeListener: vi.fn() },
}));

describe('Electron preload', () => {
  it('exposes one function per contract method and nothing generic', async () => {
    await import('../../../electron/preload/index');
    const api = exposed.api as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual([...methodNames, 'on'].sort());
    expect(api).not.toHaveProperty('ipcRenderer');
    expect(api).not.toHaveProperty('invoke');
    await (api.appInfo as (i: unknown) => Promise<unknown>)(undefined);
    expect(invoke).toHaveBeenCalledWith(ipcChannel('appInfo'), undefined);
  });

  it('turns an error envelope into a rejected promise', async () => {
    invoke.mockResolvedValueOnce({ ok: false, error: { code: 'BAD_INPUT', message: 'nope' } });
    const api = exposed.api as Record<string, (i: unknown) => Promise<unknown>>;
    await expect(api.detect({})).rejects.toThrow('nope');
  });

  it('refuses to subscribe to an undeclared event', () => {
    const api = exposed.api as { on: (e: string, l: () => void) => unknown };
    expect(() => api.on('shell', () => {})).toThrow(/unknown event/);
  });
});

describe('Electron main security', () => {
  it('uses the security baseline for every window', async () => {
    const { secureWebPreferences } = await import('../../../electron/main/security');
    const prefs = secureWebPreferences('/p.cjs');
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
  });

  it('accepts IPC only from our window, top frame, own origin', async () => {
    const { senderAllowed } = await import('../../../electron/main/security');
    const ev = (id: number, url: string, parent: unknown = null) => ({ sender: { id }, senderFrame: { url, parent } }) as never;
    const windows = new Set([7]);
    expect(senderAllowed(ev(7, 'file:///app/index.html'), 'file://', windows)).toBe(true);
    expect(senderAllowed(ev(8, 'file:///app/index.html'), 'file://', windows)).toBe(false);
    expect(senderAllowed(ev(7, 'https://evil.example/'), 'file://', windows)).toBe(false);
    expect(senderAllowed(ev(7, 'file:///app/index.html', {}), 'file://', windows)).toBe(false);
    expect(senderAllowed(ev(7, 'http://localhost:5173/'), 'http://localhost:5173', windows)).toBe(true);
  });

  it('denies navigation and new windows', async () => {
    const { lockNavigation } = await import('../../../electron/main/security');
    const handlers: Record<string, (e: { preventDefault(): void }) => void> = {};
    let openHandler: ((d: { url: string }) => { action: string }) | null = null;
    const contents = {
      on: (name: string, h: (e: { preventDefault(): void }) => void) => (handlers[name] = h),
      setWindowOpenHandler: (h: (d: { url: string }) => { action: string }) => (openHandler = h),
    };
    const opened: string[] = [];
    lockNavigation(contents as never, (u) => opened.push(u));
    const prevent = vi.fn();
    handlers['will-navigate']({ preventDefault: prevent });
    expect(prevent).toHaveBeenCalled();
    expect(openHandler!({ url: 'https://docs.example/' })).toEqual({ action: 'deny' });
    expect(openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://docs.example/']);
  });
});
