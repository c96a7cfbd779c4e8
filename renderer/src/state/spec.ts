import type { RecipeSummary } from '../../../shared/api/contract';
import type { FixAction } from '../../../shared/failures/types';
import type { Profile } from '../../../shared/profiles/schema';
import { profileToRunSpec, runSpecToProfile } from '../../../shared/profiles/spec';
import { getRecipe } from '../../../shared/recipes';
import type { FlagSpec, Recipe } from '../../../shared/recipes/types';
import type { RunSpec, SettingValue } from '../../../shared/run/types';

/** Pure helpers over RunSpec: defaults, suggestions and fixes. Kept apart from the store for tests. */

export function defaultRecipe(recipes: RecipeSummary[]): RecipeSummary | undefined {
  return recipes.find((r) => r.id.startsWith('liveavatar')) ?? recipes.find((r) => r.modes.some((m) => m.gpus > 0)) ?? recipes[0];
}

/** The biggest layout the machine can hold, so the usual choice is already made. */
export function defaultMode(recipe: RecipeSummary, gpuCount: number): string {
  const fitting = recipe.modes.filter((m) => m.gpus <= gpuCount).sort((a, b) => b.gpus - a.gpus);
  return (fitting[0] ?? recipe.modes[0])?.id ?? '';
}

export function newSpec(recipe: RecipeSummary | undefined, gpuCount: number): RunSpec {
  if (!recipe) return { recipe: '', mode: '', settings: {} };
  return { recipe: recipe.id, mode: defaultMode(recipe, gpuCount), settings: {} };
}

/**
 * Profiles keep per-run media (prompt, image, audio) in `inputs`; on argv they are flags like any
 * other. The one builder in shared/profiles/spec.ts, so the wizard runs what the import preview showed.
 */
export function specFromProfile(p: Profile): RunSpec {
  return profileToRunSpec(p);
}

export function profileFromSpec(spec: RunSpec, name: string, pinned: boolean): Profile {
  return { ...runSpecToProfile(spec, name), pinned };
}

/** A feasibility suggestion's `change` is `--set` shaped; `mode` moves the layout, the rest are flags. */
export function applyChange(spec: RunSpec, change: Record<string, SettingValue>): RunSpec {
  const { mode, ...flags } = change;
  return { ...spec, mode: typeof mode === 'string' ? mode : spec.mode, settings: { ...spec.settings, ...flags } };
}

export function applyFixes(spec: RunSpec, fixes: FixAction[]): { spec: RunSpec; allowEnv: string[] } {
  let next: RunSpec = { ...spec, settings: { ...spec.settings }, env: spec.env ? { ...spec.env } : undefined };
  const allowEnv: string[] = [];
  for (const f of fixes) {
    if (f.kind === 'set') next.settings[f.key] = f.value;
    else if (f.kind === 'mode') next = { ...next, mode: f.mode };
    else if (f.kind === 'env') {
      next.env = { ...(next.env ?? {}), [f.name]: f.value };
      allowEnv.push(f.name);
    }
    // 'port': the run manager picks a free rendezvous port on every launch already.
  }
  return { spec: next, allowEnv };
}

export function recipeOf(id: string): Recipe | undefined {
  return getRecipe(id);
}

/** Flags the user may set for this mode (the mode owns the rest). */
export function editableFlags(recipe: Recipe | undefined, modeId: string): FlagSpec[] {
  if (!recipe) return [];
  const mode = recipe.modes.find((m) => m.id === modeId);
  return recipe.flags.filter((f) => !f.modeOwned && !(mode && f.name in mode.flags));
}

export const PRIMARY_INPUTS = ['image', 'audio', 'prompt', 'size', 'num_clip', 'sample_steps', 'infer_frames', 'fp8', 'offload_model', 'offload_kv_cache', 't5_cpu'];

export function settingValue(spec: RunSpec, flag: FlagSpec): SettingValue | undefined {
  return spec.settings[flag.name] ?? flag.default;
}

const COUNT_FLAGS = ['num_clip', 'sample_steps', 'infer_frames'];

/** Local checks that need no service: numbers are numbers, enums are one of their choices. */
export function validateSetting(flag: FlagSpec, value: SettingValue | undefined): 'notInteger' | 'notPositive' | 'badChoice' | null {
  if (value === undefined || value === '') return null;
  if (flag.type === 'int') {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isInteger(n)) return 'notInteger';
    if (n < 1 && COUNT_FLAGS.includes(flag.name)) return 'notPositive';
  }
  if (flag.type === 'enum' && flag.choices && !flag.choices.includes(String(value))) return 'badChoice';
  return null;
}
