import type { ApiClient } from '../../shared/api/contract';
import { createHttpClient } from '../../shared/api/http-client';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    api?: ApiClient;
  }
}

const TOKEN_KEY = 'lal.token';

/** The token arrives once in the URL; keep it for reloads and take it out of the address bar. */
export function takeToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

let client: ApiClient | null = null;

/** Electron gives window.api; the browser talks HTTP + SSE to `lal serve`. */
export function api(): ApiClient {
  if (!client) client = window.api ?? createHttpClient({ baseUrl: window.location.origin, token: takeToken() });
  return client;
}

export function setApiForTests(c: ApiClient): void {
  client = c;
}
