import type { Route } from '../state/app-store';

/** The route in the URL fragment, so a reload (or a shared tunnel link) lands on the same screen. */
export function routeFromHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'run' && parts[1]) return { name: 'run', runId: decodeURIComponent(parts[1]) };
  if (parts[0] === 'history') return { name: 'history' };
  if (parts[0] === 'profiles') return { name: 'profiles' };
  if (parts[0] === 'settings') return { name: 'settings' };
  if (parts[0] === 'new') return { name: 'wizard' };
  return { name: 'home' };
}

export function hashFromRoute(r: Route): string {
  switch (r.name) {
    case 'run': return `#/run/${encodeURIComponent(r.runId)}`;
    case 'history': return '#/history';
    case 'profiles': return '#/profiles';
    case 'settings': return '#/settings';
    case 'wizard': return '#/new';
    default: return '#/';
  }
}
