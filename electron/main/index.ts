import { app, BrowserWindow, dialog, ipcMain, session, shell } from 'electron';
import { join } from 'node:path';
import { createCore, type Core } from '../core/app';
import { forwardEvents, registerIpc } from './ipc';
import { nativeCapabilities } from './native';
import { CSP, lockNavigation, secureWebPreferences, senderAllowed } from './security';

/** Thin adapter: Electron lifecycle and IPC over the same core the server and CLI use. */
const windows = new Set<number>();
let core: Core;

function appOrigin(): string {
  return process.env.ELECTRON_RENDERER_URL ? new URL(process.env.ELECTRON_RENDERER_URL).origin : 'file://';
}

function wireIpc(): void {
  registerIpc(ipcMain, core.api, (event) => senderAllowed(event, appOrigin(), windows));
  forwardEvents(core.events, (channel, payload) => {
    for (const w of BrowserWindow.getAllWindows()) if (windows.has(w.webContents.id)) w.webContents.send(channel, payload);
  });
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
      // Electron-only capabilities, behind the same contract validation as every other method.
      native: nativeCapabilities(dialog, shell),
    });
    wireIpc();
    createWindow();
  });
  app.on('window-all-closed', () => {
    void core?.dispose().finally(() => app.quit());
  });
}
