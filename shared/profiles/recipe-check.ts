import { ApiFailure } from '../api/result';
import { findMode, resolveSettings } from '../recipes/settings';
import type { Recipe } from '../recipes/types';
import type { FieldError, Profile } from './schema';
import { PROFILE_RUNNER_KEYS } from '../run/runner-keys';

/** Runner settings a profile may carry; they never reach the script's argv. */
export const RUNNER_SETTING_KEYS = PROFILE_RUNNER_KEYS;

/**
 * A schema-valid profile checked against its recipe: the recipe and mode exist and every setting
 * is a known flag with a value of the right type and range. One error per offending field.
 */
export function recipeErrors(profile: Profile, getRecipe: (id: string) => Recipe | undefined): FieldError[] {
  const recipe = getRecipe(profile.recipe);
  if (!recipe) return [{ path: 'recipe', message: `unknown recipe "${profile.recipe}"` }];
  const mode = findMode(recipe, profile.mode);
  if (!mode) return [{ path: 'mode', message: `recipe ${recipe.id} has no mode "${profile.mode}"; modes: ${recipe.modes.map((m) => m.id).join(', ')}` }];
  const errors: FieldError[] = [];
  const entries: [string, string, Profile['settings'][string]][] = [
    ...Object.entries(profile.settings).map(([k, v]) => [`settings.${k}`, k, v] as [string, string, Profile['settings'][string]]),
    ...Object.entries(profile.inputs).map(([k, v]) => [`inputs.${k}`, k, v as string] as [string, string, Profile['settings'][string]]),
  ];
  for (const [path, key, value] of entries) {
    if (RUNNER_SETTING_KEYS.includes(key)) continue;
    try {
      resolveSettings(recipe, mode, { [key]: value });
    } catch (e) {
      if (!(e instanceof ApiFailure)) throw e;
      errors.push({ path, message: e.error.message });
    }
  }
  if (!errors.length) {
    // Each setting is fine alone; together they may still clash with the mode.
    try {
      const merged: Record<string, Profile['settings'][string]> = {};
      for (const [, key, value] of entries) if (!RUNNER_SETTING_KEYS.includes(key)) merged[key] = value;
      resolveSettings(recipe, mode, merged);
    } catch (e) {
      if (!(e instanceof ApiFailure)) throw e;
      errors.push({ path: e.error.field ?? 'settings', message: e.error.message });
    }
  }
  if (profile.gpus && mode.gpus > 0 && profile.gpus.length && profile.gpus.length !== mode.gpus + (mode.extraGpus ?? 0) && !mode.nprocFrom) {
    errors.push({ path: 'gpus', message: `mode ${mode.id} uses ${mode.gpus} GPU${mode.gpus === 1 ? '' : 's'}; ${profile.gpus.length} listed` });
  }
  return errors;
}
