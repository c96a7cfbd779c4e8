import type { Recipe } from '../recipes/types';
import type { SettingValue } from '../run/types';
import type { Profile } from './schema';

/**
 * Drop settings that change nothing: a value equal to what the mode forces or to the recipe's
 * default, and env equal to the recipe's own env. What remains is what this profile changes,
 * which is what a reader of a shared profile needs to see; the run is identical either way.
 */
export function normalizeProfile(profile: Profile, recipe: Recipe | undefined): Profile {
  if (!recipe) return profile;
  const mode = recipe.modes.find((m) => m.id === profile.mode || (m.aliases ?? []).includes(profile.mode));
  const settings: Record<string, SettingValue> = {};
  for (const [key, value] of Object.entries(profile.settings)) {
    const flag = recipe.flags.find((f) => f.name === key);
    const implied = mode && key in mode.flags ? mode.flags[key] : mode?.defaults && key in mode.defaults ? mode.defaults[key] : flag?.default;
    if (implied !== undefined && same(implied, value)) continue;
    settings[key] = value;
  }
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(profile.env)) {
    if (recipe.env[key] === value) continue;
    env[key] = value;
  }
  return { ...profile, mode: mode?.id ?? profile.mode, settings, env };
}

function same(a: SettingValue, b: SettingValue): boolean {
  if (typeof a === 'boolean' || typeof b === 'boolean') return boolOf(a) === boolOf(b);
  return String(a) === String(b);
}

function boolOf(v: SettingValue): boolean | null {
  if (typeof v === 'boolean') return v;
  const s = String(v).toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  return null;
}
