import type { RunSpec, SettingValue } from '../run/types';
import { INPUT_KEYS, PROFILE_FORMAT, PROFILE_VERSION, type Profile } from './schema';

/** A profile as the run planner takes it: inputs are flags like any other setting. */
export function profileToRunSpec(profile: Profile): RunSpec {
  const settings: Record<string, SettingValue> = { ...profile.settings, ...profile.inputs };
  const spec: RunSpec = { recipe: profile.recipe, mode: profile.mode, settings };
  if (profile.gpus && profile.gpus.length) spec.gpus = [...profile.gpus];
  if (Object.keys(profile.env).length) spec.env = { ...profile.env };
  if (profile.nodes?.length) spec.nodes = profile.nodes.map((n) => ({ ...n }));
  return spec;
}

/** `lal profile export --recipe --mode --set`: a profile from a spec, machine-local fields left out. */
export function runSpecToProfile(spec: RunSpec, name: string): Profile {
  const settings: Record<string, SettingValue> = {};
  const inputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.settings)) {
    if ((INPUT_KEYS as readonly string[]).includes(k) && typeof v === 'string') inputs[k] = v;
    else settings[k] = v;
  }
  const profile: Profile = { format: PROFILE_FORMAT, version: PROFILE_VERSION, name, recipe: spec.recipe, mode: spec.mode, inputs, settings, env: { ...(spec.env ?? {}) } };
  if (spec.gpus && spec.gpus.length) profile.gpus = [...spec.gpus];
  if (spec.nodes?.length) profile.nodes = spec.nodes.map(({ python: _p, checkout: _c, ...n }) => n);
  return profile;
}
