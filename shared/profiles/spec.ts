import { ApiFailure } from '../api/result';
import type { RunSpec, SettingValue } from '../run/types';
import { INPUT_KEYS, INPUT_TWICE_MESSAGE, PROFILE_FORMAT, PROFILE_VERSION, type Profile } from './schema';

/**
 * THE profile → run spec function. The import preview (core), the run (`lal run --profile`,
 * `--preset`), the feasibility check, the `.sh` export and the app's "open in the wizard" all build
 * the spec here, so what a preview shows is what runs. Inputs are flags like any other setting.
 *
 * A key in both `inputs` and `settings` is refused (BAD_INPUT naming `settings.<key>`), never merged
 * with a winner: the schema refuses such a profile already; this guards profiles built in code.
 */
export function profileToRunSpec(profile: Profile): RunSpec {
  for (const key of Object.keys(profile.inputs)) {
    if (key in profile.settings) throw new ApiFailure({ code: 'BAD_INPUT', field: `settings.${key}`, message: `settings.${key}: ${INPUT_TWICE_MESSAGE}` });
  }
  const settings: Record<string, SettingValue> = { ...profile.settings, ...profile.inputs };
  const spec: RunSpec = { recipe: profile.recipe, mode: profile.mode, settings };
  if (profile.gpus && profile.gpus.length) spec.gpus = [...profile.gpus];
  if (Object.keys(profile.env).length) spec.env = { ...profile.env };
  // Machines of a multi-node run (docs/multi-node.md); a profile names hosts only, never their programs.
  if (profile.nodes?.length) spec.nodes = profile.nodes.map((n) => ({ ...n }));
  return spec;
}

/** A profile from a spec (`lal profile export --recipe --mode --set`, the app's "save as profile"); machine-local fields left out. */
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
