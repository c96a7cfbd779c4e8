import type { Settings } from '../../../shared/api/contract';

type ThemePref = Settings['theme'];
const KEY = 'lal.theme';
/** Fired after the resolved theme changes; canvases (xterm, uPlot) recolour on it. */
export const THEME_EVENT = 'lal-theme';
export const resolvedTheme = (): 'light' | 'dark' => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light');

let media: MediaQueryList | null = null;
let onMedia: (() => void) | null = null;

export function savedTheme(): ThemePref {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

function systemDark(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches;
}

/** Sets data-theme on <html>; "system" follows the OS live, also while the app is open. */
export function applyTheme(pref: ThemePref): void {
  localStorage.setItem(KEY, pref);
  const resolve = () => {
    document.documentElement.dataset.theme = pref === 'system' ? (systemDark() ? 'dark' : 'light') : pref;
    window.dispatchEvent(new Event(THEME_EVENT));
  };
  if (media && onMedia) media.removeEventListener('change', onMedia);
  media = null;
  onMedia = null;
  if (pref === 'system' && typeof window.matchMedia === 'function') {
    media = window.matchMedia('(prefers-color-scheme: dark)');
    onMedia = resolve;
    media.addEventListener('change', onMedia);
  }
  resolve();
}
