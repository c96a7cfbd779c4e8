import { app, BrowserWindow, dialog, ipcMain, session, shell } from 'electron';
import { join } from 'node:path';
import { eventNames, ipcChannel, methodNames, type MethodName } from '../../shared/api/contract';
import { ApiFailure } from '../../shared/api/result';
import { createCore, type Core } from '../core/app';
import { CSP, lockNavigation, secureWebPreferences, senderAllowed } from './security';

/** Thin adapter: Electron lifecycle and IPC over the same core the server and CLI use. */
const windows = new Set<number>();
let core: Core;

function appOrigin(): string {
  return process.env.ELECTRON_RENDERER_URL ? new URL(process.env.ELECTRON_RENDERER_URL).origin : 'file://';
}

function registerIpc(): void {
  for (const name of methodNames) {
    ipcMain.handle(ipcChannel(name), async (event, input: unknown) => {
      if (!senderAllowed(event, appOrigin(), windows)) return { ok: false, error: { code: 'BAD_INPUT', message: 'sender not allowed' } };
      try {
        const fn = core.api[name as MethodName] as (i: unknown) => Promise<unknown>;
        return { ok: true, value: await fn(input) };
      } catch (err) {
        return { ok: false, error: err instanceof ApiFailure ? err.error : { code: 'INTERNAL', message: (err as Error).message } };
      }
    });
  }
  for (const name of eventNames) {
    core.events.on(name, (payload) => {
      for (const w of BrowserWindow.getAllWindows()) if (windows.has(w.webContents.id)) w.webContents.send(ipcChannel(name), payload);
    });
  }
}

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    show: false,
    title: 'Live Avatar Launcher',
    webPreferences: secureWebPreferences(join(__dirname, '../preload/index.cjs')),
  });
  windows.add(win.webContents.id);
  win.on('closed', () => windows.clear());
  lockNavigation(win.webContents, (url) => void shell.openExternal(url));
  win.once('ready-to-show', () => win.show());
  if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void win.loadFile(join(__dirname, '../renderer/index.html'));
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0];
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.whenReady().then(() => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
    });
    session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
    core = createCore({
      transport: 'electron',
      dataDir: app.getPath('userData'),
      resourcesDir: app.isPackaged ? join(process.resourcesPath, 'resources') : undefined,
      version: app.getVersion(),
    });
    // Electron-only capabilities replace the web fallbacks.
    core.api.pickPath = async ({ kind, title }) => {
      const r = await dialog.showOpenDialog({ title, properties: [kind === 'folder' ? 'openDirectory' : 'openFile'] });
      return { path: r.canceled ? null : (r.filePaths[0] ?? null), supported: true };
    };
    core.api.openPath = async ({ path }) => ({ opened: (await shell.openPath(path)) === '' });
    registerIpc();
    createWindow();
  });
  app.on('window-all-closed', () => {
    void core?.dispose().finally(() => app.quit());
  });
}
