import i18next from 'i18next';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiClient, AppInfo, RecipeSummary, Settings } from '../../../shared/api/contract';
import type { DetectReport } from '../../../shared/detect/types';
import type { Diagnosis } from '../../../shared/failures/types';
import type { FeasibilityReport } from '../../../shared/feasibility/types';
import type { ProfileSummary } from '../../../shared/profiles/schema';
import type { RunPlan, RunRecord, RunSpec, SettingValue } from '../../../shared/run/types';
import { failed, load, loading, toApiError, valueOf, type Loadable } from '../lib/loadable';
import { acceptOutput, runConsole } from './console-hub';
import { emptyLive, foldEvent, mergeRecord, type LiveRun } from './live-run';
import { applyChange, applyFixes, defaultRecipe, newSpec, recipeOf, specFromProfile } from './spec';

/** A run that started held consent for every env name in its spec, so running it again keeps that consent. */
const consentedIn = (r: RunRecord): string[] => Object.keys(r.spec.env ?? {});
/** The paths a finished run was allowed to use (it could not have started otherwise): a rerun keeps them. */
const pathsConsentedIn = (r: RunRecord): string[] => {
  const pathFlags = new Set((recipeOf(r.spec.recipe)?.flags ?? []).filter((f) => f.type === 'path').map((f) => f.name));
  const values = Object.entries(r.spec.settings).filter(([k, v]) => pathFlags.has(k) && typeof v === 'string').map(([, v]) => String(v));
  return [...new Set([...values, ...(r.spec.outputDir ? [r.spec.outputDir] : []), ...(r.spec.checkout ? [r.spec.checkout] : [])])];
};

/** Diagnoses of a run started here come back in the language the user is reading. */
const uiLang = (): 'en' | 'zh-CN' | undefined => (i18next.language === 'zh-CN' || i18next.language === 'en' ? i18next.language : undefined);

export type Route = { name: 'home' } | { name: 'wizard' } | { name: 'run'; runId: string } | { name: 'history' } | { name: 'profiles' } | { name: 'settings' };
export type WizardStep = 'hardware' | 'mode' | 'inputs' | 'review';
export const WIZARD_STEPS: WizardStep[] = ['hardware', 'mode', 'inputs', 'review'];

export interface WizardState {
  step: WizardStep;
  spec: RunSpec;
  /** Preset or profile the spec came from, for the title. */
  source: string | null;
  checks: Record<string, Loadable<FeasibilityReport>>;
  plan: Loadable<RunPlan> | null;
  launching: boolean;
  launchError: Loadable<unknown> | null;
  /**
   * Env names outside the recipe's allow-list that the user agreed to in this wizard (or when
   * importing). Only these are sent as allowEnv: a profile file on disk never consents for the user.
   */
  allowEnv: string[];
  /** Paths outside the output and trusted folders the user agreed to here (planRun's CONSENT_REQUIRED lists them). */
  allowPaths: string[];
}

export interface AppState {
  /** The contract client this store talks to; components that call it directly read it from here, so a test's fake reaches them too. */
  api: ApiClient;
  route: Route;
  info: Loadable<AppInfo>;
  settings: Loadable<Settings>;
  detect: Loadable<DetectReport>;
  recipes: Loadable<RecipeSummary[]>;
  profiles: Loadable<ProfileSummary[]>;
  runs: Loadable<RunRecord[]>;
  live: Record<string, LiveRun>;
  wizard: WizardState;
  /** Set when a call came back 401/403: the page was opened without its token. */
  unauthorized: boolean;
}

export interface AppActions {
  init(): Promise<void>;
  dispose(): void;
  navigate(route: Route): void;
  refreshDetect(refresh?: boolean): Promise<void>;
  refreshRuns(): Promise<void>;
  refreshProfiles(): Promise<void>;
  /** Resolves to the outcome, so a form can show the error that names the field. */
  updateSettings(patch: Partial<Settings>): Promise<Loadable<Settings>>;
  openWizard(spec?: RunSpec, step?: WizardStep, source?: string | null, allowEnv?: string[], allowPaths?: string[]): void;
  setEnvConsent(name: string, allowed: boolean): void;
  setPathConsent(path: string, allowed: boolean): void;
  removeEnv(name: string): void;
  openPreset(name: string): Promise<void>;
  setStep(step: WizardStep): void;
  patchSpec(patch: Partial<RunSpec>): void;
  setSetting(name: string, value: SettingValue | undefined): void;
  applySuggestion(change: Record<string, SettingValue>): void;
  recheck(): Promise<void>;
  replan(): Promise<void>;
  launch(): Promise<string | null>;
  watchRun(runId: string): Promise<void>;
  stopRun(runId: string): Promise<void>;
  runAgain(record: RunRecord): void;
  applyFixAndRelaunch(runId: string, diagnosis: Diagnosis): Promise<string | null>;
}

export type AppStore = StoreApi<AppState & AppActions>;

const blankWizard = (): WizardState => ({
  step: 'hardware', spec: { recipe: '', mode: '', settings: {} }, source: null, checks: {}, plan: null, launching: false, launchError: null, allowEnv: [], allowPaths: [],
});

export interface StoreOptions {
  /** Debounce for live re-checks; tests pass 0. */
  recheckDelayMs?: number;
}

/** One store per app (a factory so each test gets a fresh one). State pushed by services lands here. */
export function createAppStore(api: ApiClient, opts: StoreOptions = {}): AppStore {
  const delay = opts.recheckDelayMs ?? 200;
  const offs: (() => void)[] = [];
  let checkSeq = 0;
  let planSeq = 0;
  let recheckTimer: ReturnType<typeof setTimeout> | null = null;
  const refreshTimers = new Map<string, ReturnType<typeof setTimeout>>();

  const store = createStore<AppState & AppActions>()((set, get) => {
    const note = <T>(l: Loadable<T>): Loadable<T> => {
      if (l.state === 'unauthorized') set({ unauthorized: true });
      return l;
    };
    const setWizard = (patch: Partial<WizardState>) => set((s) => ({ wizard: { ...s.wizard, ...patch } }));
    const gpuCount = () => valueOf(get().detect)?.gpus.length ?? 0;

    const scheduleRecheck = () => {
      if (recheckTimer) clearTimeout(recheckTimer);
      if (delay === 0) void get().recheck().then(() => get().replan());
      else recheckTimer = setTimeout(() => void get().recheck().then(() => get().replan()), delay);
    };

    /** runsChanged can come many times a second; fetch at most every 400 ms per run. */
    const refreshRunSoon = (runId: string) => {
      if (refreshTimers.has(runId)) return;
      refreshTimers.set(runId, setTimeout(() => {
        refreshTimers.delete(runId);
        void get().refreshRuns();
        if (get().live[runId]) void get().watchRun(runId);
      }, 400));
    };

    return {
      api,
      route: { name: 'home' },
      info: { state: 'loading' },
      settings: { state: 'loading' },
      detect: { state: 'loading' },
      recipes: { state: 'loading' },
      profiles: { state: 'loading' },
      runs: { state: 'loading' },
      live: {},
      wizard: blankWizard(),
      unauthorized: false,

      async init() {
        offs.push(
          api.on('runEvent', (e) => set((s) => ({ live: { ...s.live, [e.runId]: foldEvent(s.live[e.runId] ?? emptyLive(e.runId), e) } }))),
          api.on('runOutput', (b) => acceptOutput(b)),
          api.on('detectUpdated', (d) => set({ detect: { state: 'ready', value: d } })),
          api.on('runsChanged', ({ runId }) => refreshRunSoon(runId)),
        );
        const [info, settings, recipes] = await Promise.all([load(api.appInfo(undefined)), load(api.getSettings(undefined)), load(api.listRecipes(undefined))]);
        set({ info: note(info), settings: note(settings), recipes: note(recipes) });
        await Promise.all([get().refreshDetect(), get().refreshRuns(), get().refreshProfiles()]);
        // Opened straight on the wizard (#/new) before recipes were known: start it properly now.
        if (get().route.name === 'wizard' && !get().wizard.spec.recipe) get().openWizard(undefined, get().wizard.step);
      },

      dispose() {
        for (const off of offs.splice(0)) off();
        if (recheckTimer) clearTimeout(recheckTimer);
        for (const t of refreshTimers.values()) clearTimeout(t);
      },

      navigate(route) {
        set({ route });
        if (route.name === 'run') void get().watchRun(route.runId);
      },

      async refreshDetect(refresh = false) {
        set((s) => ({ detect: loading(s.detect) }));
        const r = note(await load(api.detect({ refresh }), get().detect));
        set({ detect: r });
      },

      async refreshRuns() {
        const r = note(await load(api.listRuns(undefined), get().runs));
        set({ runs: r });
      },

      async refreshProfiles() {
        set({ profiles: note(await load(api.listProfiles(undefined), get().profiles)) });
      },

      async updateSettings(patch) {
        const r = note(await load(api.setSettings(patch), get().settings));
        if (r.state === 'ready') set({ settings: r });
        return r;
      },

      openWizard(spec, step = 'hardware', source = null, allowEnv = [], allowPaths = []) {
        const recipes = valueOf(get().recipes) ?? [];
        const base = spec ?? newSpec(defaultRecipe(recipes), gpuCount());
        set({ wizard: { ...blankWizard(), spec: base, step, source, allowEnv, allowPaths }, route: { name: 'wizard' } });
        scheduleRecheck();
      },

      setEnvConsent(name, allowed) {
        const rest = get().wizard.allowEnv.filter((n) => n !== name);
        setWizard({ allowEnv: allowed ? [...rest, name] : rest });
        scheduleRecheck();
      },

      setPathConsent(path, allowed) {
        const rest = get().wizard.allowPaths.filter((p) => p !== path);
        setWizard({ allowPaths: allowed ? [...rest, path] : rest });
        scheduleRecheck();
      },

      removeEnv(name) {
        const { spec, allowEnv } = get().wizard;
        const env = { ...(spec.env ?? {}) };
        delete env[name];
        setWizard({ spec: { ...spec, env: Object.keys(env).length ? env : undefined }, allowEnv: allowEnv.filter((n) => n !== name) });
        scheduleRecheck();
      },

      async openPreset(name) {
        try {
          const profile = await api.getProfile({ name });
          get().openWizard(specFromProfile(profile), 'review', name);
        } catch (e) {
          // No profile service yet: start the wizard empty rather than doing nothing.
          get().openWizard(undefined, 'hardware', null);
          setWizard({ launchError: failed(e) });
        }
      },

      setStep(step) {
        setWizard({ step });
        if (step === 'mode' || step === 'review') scheduleRecheck();
      },

      patchSpec(patch) {
        setWizard({ spec: { ...get().wizard.spec, ...patch } });
        scheduleRecheck();
      },

      setSetting(name, value) {
        const settings = { ...get().wizard.spec.settings };
        if (value === undefined || value === '') delete settings[name];
        else settings[name] = value;
        setWizard({ spec: { ...get().wizard.spec, settings } });
        scheduleRecheck();
      },

      applySuggestion(change) {
        setWizard({ spec: applyChange(get().wizard.spec, change) });
        scheduleRecheck();
      },

      /** Checks every mode of the recipe at once, so the mode cards compare side by side. */
      async recheck() {
        const { spec } = get().wizard;
        const recipe = (valueOf(get().recipes) ?? []).find((r) => r.id === spec.recipe);
        if (!recipe) return;
        const seq = ++checkSeq;
        const modes = recipe.modes.map((m) => m.id);
        setWizard({ checks: Object.fromEntries(modes.map((m) => [m, loading(get().wizard.checks[m])])) });
        const results = await Promise.all(modes.map(async (mode) => [mode, await load(api.check({ spec: { ...spec, mode } }), get().wizard.checks[mode])] as const));
        if (seq !== checkSeq) return;
        setWizard({ checks: Object.fromEntries(results.map(([m, r]) => [m, note(r)])) });
      },

      async replan() {
        const { spec, step } = get().wizard;
        if (step !== 'review' || !spec.recipe) return;
        const seq = ++planSeq;
        setWizard({ plan: loading(get().wizard.plan ?? undefined) });
        const r = note(await load(api.planRun({ spec, allowEnv: get().wizard.allowEnv, allowPaths: get().wizard.allowPaths }), get().wizard.plan ?? undefined));
        if (seq === planSeq) setWizard({ plan: r });
      },

      async launch() {
        const { spec, allowEnv, allowPaths } = get().wizard;
        setWizard({ launching: true, launchError: null });
        try {
          const { runId } = await api.startRun({ spec, allowEnv, allowPaths, lang: uiLang() });
          set((s) => ({ live: { ...s.live, [runId]: s.live[runId] ?? emptyLive(runId) } }));
          setWizard({ launching: false });
          get().navigate({ name: 'run', runId });
          void get().refreshRuns();
          return runId;
        } catch (e) {
          setWizard({ launching: false, launchError: note(failed(e)) });
          return null;
        }
      },

      async watchRun(runId) {
        try {
          const detail = await api.getRun({ runId });
          runConsole(runId).seed(detail.consoleTail);
          set((s) => ({ live: { ...s.live, [runId]: mergeRecord(s.live[runId] ?? emptyLive(runId), detail.record) } }));
        } catch (e) {
          note(failed(e));
          set((s) => ({ live: { ...s.live, [runId]: s.live[runId] ?? emptyLive(runId) } }));
        }
      },

      async stopRun(runId) {
        set((s) => ({ live: { ...s.live, [runId]: { ...(s.live[runId] ?? emptyLive(runId)), status: 'stopping' } } }));
        try {
          await api.stopRun({ runId });
        } finally {
          await get().watchRun(runId);
        }
      },

      runAgain(record) {
        get().openWizard({ ...record.spec }, 'review', null, consentedIn(record), pathsConsentedIn(record));
      },

      async applyFixAndRelaunch(runId, diagnosis) {
        const record = get().live[runId]?.record ?? valueOf(get().runs)?.find((r) => r.runId === runId);
        if (!record) return null;
        const fixed = applyFixes(record.spec, diagnosis.fixes ?? []);
        const spec = fixed.spec;
        // The fix's own variables are consented by clicking it; the run's earlier ones were already.
        const allowEnv = [...new Set([...consentedIn(record), ...fixed.allowEnv])];
        const allowPaths = pathsConsentedIn(record);
        try {
          const { runId: next } = await api.startRun({ spec, allowEnv, allowPaths, lang: uiLang() });
          set((s) => ({ live: { ...s.live, [next]: emptyLive(next) } }));
          get().navigate({ name: 'run', runId: next });
          return next;
        } catch (e) {
          // Could not relaunch as is (e.g. the fix needs a check): open it in the wizard instead.
          get().openWizard(spec, 'review', null, allowEnv, allowPaths);
          setWizard({ launchError: note(failed(e)) });
          return null;
        }
      },
    };
  });
  return store;
}

export { toApiError };
