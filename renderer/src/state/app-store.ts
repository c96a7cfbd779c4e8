import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiClient } from '../../../shared/api/contract';
import { load, toApiError, type Loadable } from '../lib/loadable';
import { acceptOutput } from './console-hub';
import { emptyLive, foldEvent } from './live-run';
import type { SliceContext } from './slices/context';
import { machineSlice, type MachineActions, type MachineState } from './slices/machine';
import { profilesSlice, type ProfilesActions, type ProfilesState } from './slices/profiles';
import { routingSlice, type RoutingActions, type RoutingState } from './slices/routing';
import { runsSlice, type RunsActions, type RunsState } from './slices/runs';
import { settingsSlice, type SettingsActions, type SettingsState } from './slices/settings';
import { wizardSlice, type WizardActions, type WizardSlice } from './slices/wizard';

export type { Route } from './slices/routing';
export { WIZARD_STEPS, type WizardStep, type WizardState } from './slices/wizard';

/**
 * One zustand store composed of slices, one per screen (slices/): routing, Home's machine facts,
 * the wizard, runs, the profile library and settings. Each slice owns its state and actions; this
 * file wires them together, subscribes to pushed events and loads the first state.
 */
export interface AppState extends RoutingState, MachineState, SettingsState, ProfilesState, RunsState, WizardSlice {
  /** The contract client this store talks to; components that call it directly read it from here, so a test's fake reaches them too. */
  api: ApiClient;
}

export interface AppActions extends RoutingActions, MachineActions, SettingsActions, ProfilesActions, RunsActions, WizardActions {
  init(): Promise<void>;
  dispose(): void;
}

export type AppStore = StoreApi<AppState & AppActions>;

export interface StoreOptions {
  /** Debounce for live re-checks; tests pass 0. */
  recheckDelayMs?: number;
}

/** One store per app (a factory so each test gets a fresh one). State pushed by services lands here. */
export function createAppStore(api: ApiClient, opts: StoreOptions = {}): AppStore {
  /** Subscriptions of one init(), dropped by dispose(). */
  const offs: (() => void)[] = [];
  /** Timers the slices keep: stopped by every dispose() (React's strict mode mounts twice). */
  const stoppers: (() => void)[] = [];

  const store = createStore<AppState & AppActions>()((set, get) => {
    const note = <T>(l: Loadable<T>): Loadable<T> => {
      if (l.state === 'unauthorized') set({ unauthorized: true });
      return l;
    };
    const ctx: SliceContext = { api, set, get, note, onDispose: (fn) => stoppers.push(fn) };
    const runs = runsSlice(ctx);

    return {
      api,
      ...routingSlice(ctx),
      ...machineSlice(ctx),
      ...settingsSlice(ctx),
      ...profilesSlice(ctx),
      ...runs.slice,
      ...wizardSlice(ctx, opts.recheckDelayMs ?? 200),

      async init() {
        offs.push(
          api.on('runEvent', (e) => set((s) => ({ live: { ...s.live, [e.runId]: foldEvent(s.live[e.runId] ?? emptyLive(e.runId), e) } }))),
          api.on('runOutput', (b) => acceptOutput(b)),
          api.on('detectUpdated', (d) => get().detectPushed(d)),
          api.on('runsChanged', ({ runId }) => runs.refreshRunSoon(runId)),
        );
        const [info, settings, recipes] = await Promise.all([load(api.appInfo(undefined)), load(api.getSettings(undefined)), load(api.listRecipes(undefined))]);
        set({ info: note(info), settings: note(settings), recipes: note(recipes) });
        await Promise.all([get().refreshDetect(), get().refreshRuns(), get().refreshProfiles()]);
        // Opened straight on the wizard (#/new) before recipes were known: start it properly now.
        if (get().route.name === 'wizard' && !get().wizard.spec.recipe) get().openWizard(undefined, get().wizard.step);
      },

      dispose() {
        for (const off of offs.splice(0)) off();
        for (const stop of stoppers) stop();
      },
    };
  });
  return store;
}

export { toApiError };
