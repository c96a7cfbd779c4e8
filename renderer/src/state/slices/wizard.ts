import type { FeasibilityReport } from '../../../../shared/feasibility/types';
import type { RunPlan, RunSpec, SettingValue } from '../../../../shared/run/types';
import { failed, load, loading, valueOf, type Loadable } from '../../lib/loadable';
import { emptyLive } from '../live-run';
import { applyChange, defaultRecipe, newSpec, specFromProfile } from '../spec';
import type { SliceContext } from './context';
import { uiLang } from './runs';
import { allowedNodes } from '../../wizard/node-consent';

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

export interface WizardSlice {
  wizard: WizardState;
}

export interface WizardActions {
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
}

export const blankWizard = (): WizardState => ({
  step: 'hardware', spec: { recipe: '', mode: '', settings: {} }, source: null, checks: {}, plan: null, launching: false, launchError: null, allowEnv: [], allowPaths: [],
});

/**
 * The new-run wizard: the spec being built, live feasibility of every mode (debounced by
 * `recheckDelayMs`), the plan on the review step, consent given here, and launching.
 */
export function wizardSlice({ api, set, get, note, onDispose }: SliceContext, recheckDelayMs: number): WizardSlice & WizardActions {
  let checkSeq = 0;
  let planSeq = 0;
  let recheckTimer: ReturnType<typeof setTimeout> | null = null;
  onDispose(() => {
    if (recheckTimer) clearTimeout(recheckTimer);
  });

  const setWizard = (patch: Partial<WizardState>) => set((s) => ({ wizard: { ...s.wizard, ...patch } }));
  const gpuCount = () => valueOf(get().detect)?.gpus.length ?? 0;
  const scheduleRecheck = () => {
    if (recheckTimer) clearTimeout(recheckTimer);
    if (recheckDelayMs === 0) void get().recheck().then(() => get().replan());
    else recheckTimer = setTimeout(() => void get().recheck().then(() => get().replan()), recheckDelayMs);
  };

  return {
    wizard: blankWizard(),

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
      const r = note(await load(api.planRun({ spec, allowEnv: get().wizard.allowEnv, allowPaths: get().wizard.allowPaths, allowNodes: allowedNodes() }), get().wizard.plan ?? undefined));
      if (seq === planSeq) setWizard({ plan: r });
    },

    async launch() {
      const { spec, allowEnv, allowPaths } = get().wizard;
      setWizard({ launching: true, launchError: null });
      try {
        const { runId } = await api.startRun({ spec, allowEnv, allowPaths, allowNodes: allowedNodes(), lang: uiLang() });
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
  };
}
