import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Preferences } from './components/Preferences';
import { HistoryScreen } from './history/HistoryScreen';
import { HomeScreen } from './home/HomeScreen';
import { hashFromRoute, routeFromHash } from './lib/hash-route';
import { valueOf } from './lib/loadable';
import { ProfilesScreen } from './profiles/ProfilesScreen';
import { RunView } from './run/RunView';
import { SettingsScreen } from './settings/SettingsScreen';
import { createAppStore, type AppStore, type Route } from './state/app-store';
import { StoreProvider, useApp, useAppStore } from './state/context';
import { isActive } from './state/live-run';
import { Wizard } from './wizard/Wizard';
import { api } from './api';

/** The app: one store, one shell, four screens. The same in Electron and in a browser. */
export function App({ store }: { store?: AppStore }) {
  const s = useMemo(() => store ?? createAppStore(api()), [store]);
  useEffect(() => {
    void s.getState().init();
    return () => s.getState().dispose();
  }, [s]);
  return (
    <StoreProvider store={s}>
      <Shell />
    </StoreProvider>
  );
}

function useHashRoute() {
  const store = useAppStore();
  useEffect(() => {
    const fromHash = routeFromHash(window.location.hash);
    if (fromHash.name === 'run') store.getState().navigate(fromHash);
    else if (fromHash.name === 'wizard') store.getState().openWizard();
    else store.getState().navigate(fromHash);
    const off = store.subscribe((st, prev) => {
      if (st.route !== prev.route) {
        const h = hashFromRoute(st.route);
        if (window.location.hash !== h) window.history.pushState(null, '', h);
      }
    });
    const onPop = () => {
      const r = routeFromHash(window.location.hash);
      if (JSON.stringify(r) !== JSON.stringify(store.getState().route)) store.getState().navigate(r);
    };
    window.addEventListener('popstate', onPop);
    return () => {
      off();
      window.removeEventListener('popstate', onPop);
    };
  }, [store]);
}

function Shell() {
  const { t } = useTranslation();
  const route = useApp((s) => s.route);
  const navigate = useApp((s) => s.navigate);
  const openWizard = useApp((s) => s.openWizard);
  const unauthorized = useApp((s) => s.unauthorized);
  const info = useApp((s) => valueOf(s.info));
  const activeRun = useApp((s) => Object.values(s.live).find((l) => isActive(l.status))?.runId ?? valueOf(s.runs)?.find((r) => isActive(r.status))?.runId ?? null);
  const activePct = useApp((s) => (activeRun ? Math.round((s.live[activeRun]?.fraction ?? 0) * 100) : null));
  useHashRoute();

  // The window title carries a running job's progress, so it shows in the taskbar and tab.
  useEffect(() => {
    document.title = activePct !== null ? `${activePct}% · ${t('common:appName')}` : t('common:appName');
  }, [t, activePct]);

  const nav = (r: Route, label: string, testId: string, onClick?: () => void) => (
    <li>
      <button type="button" className="nav-link" aria-current={route.name === r.name ? 'page' : undefined} onClick={onClick ?? (() => navigate(r))} data-testid={testId}>{label}</button>
    </li>
  );

  return (
    <div className="app" data-testid="app-shell">
      <a href="#main" className="skip-link" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>{t('shell.skip')}</a>
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true">◉</span>
          <div>
            <div className="brand-name">{t('common:appName')}</div>
            <div className="brand-tag muted small">{t('common:tagline')}</div>
          </div>
        </div>
        <nav aria-label={t('shell.nav')}>
          <ul className="nav">
            {nav({ name: 'home' }, t('shell.home'), 'nav-home')}
            {nav({ name: 'wizard' }, t('shell.newRun'), 'nav-new', () => openWizard())}
            {nav({ name: 'history' }, t('shell.history'), 'nav-history')}
            {nav({ name: 'profiles' }, t('shell.profiles'), 'nav-profiles')}
            {nav({ name: 'settings' }, t('shell.settings'), 'nav-settings')}
            {activeRun && (
              <li>
                <button type="button" className="nav-link live" aria-current={route.name === 'run' && route.runId === activeRun ? 'page' : undefined} onClick={() => navigate({ name: 'run', runId: activeRun })}>
                  <span className="pulse" aria-hidden="true" /> {t('shell.running')}
                </button>
              </li>
            )}
          </ul>
        </nav>
        <Preferences />
      </header>
      <main id="main" tabIndex={-1}>
        {unauthorized ? (
          <section className="panel unauthorized" role="alert" data-testid="unauthorized">
            <h1>{t('shell.unauthorizedTitle')}</h1>
            <p>{t('common:errors.unauthorized')}</p>
            <p className="muted">{t('shell.unauthorizedHow')}</p>
            <pre><code>lal serve{'\n'}ssh -L 8080:127.0.0.1:PORT server</code></pre>
          </section>
        ) : (
          <>
            {route.name === 'home' && <HomeScreen />}
            {route.name === 'wizard' && <Wizard />}
            {route.name === 'run' && <RunView runId={route.runId} />}
            {route.name === 'history' && <HistoryScreen />}
            {route.name === 'profiles' && <ProfilesScreen />}
            {route.name === 'settings' && <SettingsScreen />}
          </>
        )}
      </main>
      <footer className="footer muted small">
        {info ? <span data-testid="app-version">v{info.version} · {t(`shell.transport.${info.transport}`)}</span> : null}
      </footer>
    </div>
  );
}
