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

  // Issue 14: the preload rejected with the envelope under `.error`, the renderer read `.code`,
  // and contextBridge strips an Error's own properties anyway: every error showed as INTERNAL.
  it('rejects with the bare envelope the renderer reads, not an Error wrapping it', async () => {
    invoke.mockResolvedValueOnce({ ok: false, error: { code: 'BAD_INPUT', message: 'nope', field: 'refresh', details: { why: 1 } } });
    const api = exposed.api as Record<string, (i: unknown) => Promise<unknown>>;
    const err = await api.detect({}).catch((e: unknown) => e);
    expect(err).toEqual({ code: 'BAD_INPUT', message: 'nope', field: 'refresh', details: { why: 1 } });
    expect(err).not.toBeInstanceOf(Error);
  });

  it('turns a malformed answer or a failed invoke into an INTERNAL envelope', async () => {
    const api = exposed.api as Record<string, (i: unknown) => Promise<unknown>>;
    invoke.mockResolvedValueOnce({ ok: false, error: { code: 'NOPE', message: 1 } });
    expect(await api.detect({}).catch((e: unknown) => e)).toMatchObject({ code: 'INTERNAL' });
    invoke.mockRejectedValueOnce(new Error('No handler registered'));
    expect(await api.detect({}).catch((e: unknown) => e)).toEqual({ code: 'INTERNAL', message: 'No handler registered' });
  });

  it('refuses to subscribe to an undeclared event', () => {
    const api = exposed.api as { on: (e: string, l: () => void) => unknown };
    expect(() => api.on('shell', () => {})).toThrow(/unknown event/);
  });
});

describe('Electron main IPC handlers', () => {
  it('answer every method with the shared envelope, refuse a foreign sender, and never throw', async () => {
    const { registerIpc } = await import('../../../electron/main/ipc');
    const handlers = new Map<string, (e: unknown, i: unknown) => Promise<unknown>>();
    const api = Object.fromEntries(methodNames.map((n) => [n, async () => 'ok'])) as never as Record<string, (i: unknown) => Promise<unknown>>;
    api.detect = async () => {
      throw new TypeError('boom');
    };
    let allowed = true;
    registerIpc({ handle: (c, h) => handlers.set(c, h as never) }, api as never, () => allowed);
    expect([...handlers.keys()].sort()).toEqual(methodNames.map((n) => ipcChannel(n)).sort());
    expect(await handlers.get(ipcChannel('appInfo'))!({}, undefined)).toEqual({ ok: true, value: 'ok' });
    expect(await handlers.get(ipcChannel('detect'))!({}, {})).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
    allowed = false;
    expect(await handlers.get(ipcChannel('appInfo'))!({}, undefined)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
  });

  it('open a run folder only through core, by run id', async () => {
    const { nativeCapabilities } = await import('../../../electron/main/native');
    const opened: string[] = [];
    const native = nativeCapabilities({ showOpenDialog: async () => ({ canceled: false, filePaths: ['/picked'] }) } as never, { openPath: async (p: string) => (opened.push(p), '') } as never);
    expect(await native.pickPath({ kind: 'folder' })).toEqual({ path: '/picked', supported: true });
    expect(await native.openFolder('/runs/r1')).toBe(true);
    expect(opened).toEqual(['/runs/r1']);
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
