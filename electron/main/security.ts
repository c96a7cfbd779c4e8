import type { BrowserWindowConstructorOptions, IpcMainInvokeEvent, WebContents } from 'electron';

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** The Electron security baseline (docs/upstream-notes.md §13). */
export const secureWebPreferences = (preload: string): BrowserWindowConstructorOptions['webPreferences'] => ({
  preload,
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  spellcheck: false,
});

/** Only our own window's top frame, loaded from our own origin, may call the API. */
export function senderAllowed(event: IpcMainInvokeEvent, appOrigin: string, windows: Set<number>): boolean {
  const frame = event.senderFrame;
  if (!frame || !windows.has(event.sender.id)) return false;
  if (frame.parent) return false;
  try {
    const url = new URL(frame.url);
    return url.protocol === 'file:' ? appOrigin === 'file://' : url.origin === appOrigin;
  } catch {
    return false;
  }
}

/** No navigation away from the app and no new windows; links open in the system browser. */
export function lockNavigation(contents: WebContents, openExternal: (url: string) => void): void {
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
}
