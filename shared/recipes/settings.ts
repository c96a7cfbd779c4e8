import type { FlagSpec, ModeSpec, Recipe } from './types';
import type { SettingValue } from '../run/types';
import { ApiFailure } from '../api/result';

/**
 * Settings → validated flag values → script argv. Pure, shared by the check, the run planner and the UI.
 *
 * Precedence: flag default < mode default < user setting; a flag the mode forces cannot be
 * changed (a differing user value is refused, naming the flag). Mode-owned flags (num_gpus_dit,
 * enable_vae_parallel, ...) are chosen by picking a mode, except the settings a mode takes its
 * process count from (`nprocFrom`: Wan's ulysses_size, Step-Video's degrees).
 */
export type Values = Record<string, SettingValue>;

function bad(field: string, message: string): ApiFailure {
  return new ApiFailure({ code: 'BAD_INPUT', field, message });
}

export function findMode(recipe: Recipe, modeId: string): ModeSpec | undefined {
  const want = modeId.trim().toLowerCase();
  return recipe.modes.find((m) => m.id === modeId || (m.aliases ?? []).some((a) => a.toLowerCase() === want));
}

export function requireMode(recipe: Recipe, mode: ModeSpec | string): ModeSpec {
  if (typeof mode !== 'string') return mode;
  const found = findMode(recipe, mode);
  if (!found) throw bad('mode', `recipe ${recipe.id} has no mode "${mode}"; modes: ${recipe.modes.map((m) => m.id).join(', ')}`);
  return found;
}

/** Coerce one value to the flag's type and bounds; the error names the key. */
export function coerceFlag(flag: FlagSpec, value: SettingValue, field = `settings.${flag.name}`): SettingValue {
  const name = flag.name;
  switch (flag.type) {
    case 'int':
    case 'float': {
      const n = typeof value === 'number' ? value : String(value).trim() === '' ? NaN : Number(String(value).trim());
      if (!Number.isFinite(n) || (flag.type === 'int' && !Number.isInteger(n))) {
        throw bad(field, `${name} must be ${flag.type === 'int' ? 'a whole number' : 'a number'} (got "${String(value)}")`);
      }
      if (flag.min !== undefined && n < flag.min) throw bad(field, `${name} must be at least ${flag.min} (got ${n})`);
      if (flag.max !== undefined && n > flag.max) throw bad(field, `${name} must be at most ${flag.max} (got ${n})`);
      return n;
    }
    case 'bool': {
      if (typeof value === 'boolean') return value;
      const s = String(value).trim().toLowerCase();
      // Upstream's str2bool spellings (yes/true/t/y/1, no/false/f/n/0) plus on/off.
      if (['1', 'true', 't', 'yes', 'y', 'on'].includes(s)) return true;
      if (['0', 'false', 'f', 'no', 'n', 'off'].includes(s)) return false;
      throw bad(field, `${name} must be true or false (got "${String(value)}")`);
    }
    case 'enum': {
      const s = String(value).trim();
      if (flag.choices && !flag.choices.includes(s)) throw bad(field, `${name} must be one of ${flag.choices.join(', ')} (got "${s}")`);
      return s;
    }
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

/** Names a user may set in this mode even though the flag is mode-owned: the process-count settings and the mode's own defaults. */
function userSettable(mode: ModeSpec): Set<string> {
  return new Set([...(mode.nprocFrom?.settings ?? []), ...Object.keys(mode.defaults ?? {})]);
}

/**
 * Defaults + mode + user settings, validated. Unknown key, bad value, or a user value that
 * contradicts the mode → ApiFailure BAD_INPUT with `field: settings.<key>`.
 */
export function resolveSettings(recipe: Recipe, modeArg: ModeSpec | string, settings: Values): Values {
  const mode = requireMode(recipe, modeArg);
  const byName = new Map(recipe.flags.map((f) => [f.name, f]));
  const open = userSettable(mode);
  const user: Values = {};
  for (const [key, raw] of Object.entries(settings ?? {})) {
    const flag = byName.get(key);
    const field = `settings.${key}`;
    if (!flag) throw bad(field, `unknown setting "${key}" for recipe ${recipe.id}; known: ${recipe.flags.map((f) => f.name).join(', ')}`);
    const v = coerceFlag(flag, raw, field);
    if (key in mode.flags) {
      const forced = coerceFlag(flag, mode.flags[key]);
      if (forced !== v) throw bad(field, `${key} is fixed to ${String(forced)} by mode ${mode.id}; pick another mode to change it`);
    } else if (flag.modeOwned && !open.has(key) && v !== (flag.default === undefined ? undefined : coerceFlag(flag, flag.default))) {
      throw bad(field, `${key} is set by the choice of mode, not directly; pick a mode (${recipe.modes.map((m) => m.id).join(', ')})`);
    }
    user[key] = v;
  }
  const values: Values = {};
  for (const flag of recipe.flags) {
    let v: SettingValue | undefined = flag.default;
    if (mode.defaults && flag.name in mode.defaults) v = mode.defaults[flag.name];
    if (flag.name in mode.flags) v = mode.flags[flag.name];
    if (flag.name in user) v = user[flag.name];
    if (v === undefined) continue;
    values[flag.name] = coerceFlag(flag, v);
  }
  return values;
}

/** torchrun processes for this mode and these values (fixed, or the product of the nprocFrom settings). */
export function resolveNproc(mode: ModeSpec, values: Values): number {
  if (!mode.nprocFrom) return mode.nproc;
  let n = 1;
  for (const key of mode.nprocFrom.settings) {
    const v = Number(values[key] ?? 1);
    n *= Number.isFinite(v) && v > 0 ? v : 1;
  }
  if (n < mode.nprocFrom.min || n > mode.nprocFrom.max) {
    const field = `settings.${mode.nprocFrom.settings[0]}`;
    throw bad(field, `mode ${mode.id} runs ${mode.nprocFrom.settings.join(' × ')} = ${n} processes; allowed ${mode.nprocFrom.min}–${mode.nprocFrom.max}`);
  }
  return n;
}

/** A `oneGpu` flag that is on: every rank shares GPU 0. */
export function oneGpuFlag(recipe: Recipe, values: Values): FlagSpec | undefined {
  return recipe.flags.find((f) => f.oneGpu && values[f.name] === true);
}

/** GPUs this run occupies: 0 for a CPU rehearsal, 1 when a `oneGpu` flag is on, else one per rank plus any server GPU. */
export function requiredGpus(recipe: Recipe, mode: ModeSpec, values: Values): number {
  if (mode.cpuCapable && values.device === 'cpu') return 0;
  if (oneGpuFlag(recipe, values)) return 1;
  return resolveNproc(mode, values) + (mode.extraGpus ?? 0);
}

/** Role of rank r (modes with a variable process count repeat roles[0]). */
export function roleOf(mode: ModeSpec, rank: number): string {
  return mode.roles[rank] ?? mode.roles[mode.roles.length - 1] ?? 'rank';
}

/**
 * The script's flags, in the recipe's flag order so plans are stable and diffable. Each value is
 * its own argv entry (no shell): a prompt with quotes or `$(...)` arrives byte for byte.
 */
export function buildArgs(recipe: Recipe, mode: ModeSpec | string, settings: Values): string[] {
  const values = resolveSettings(recipe, mode, settings);
  const args: string[] = [];
  for (const flag of recipe.flags) {
    if (!(flag.name in values)) continue;
    const v = values[flag.name];
    if (flag.type === 'bool') {
      if ((flag.boolStyle ?? 'switch') === 'switch') {
        if (v === true) args.push(`--${flag.name}`);
      } else {
        args.push(`--${flag.name}`, v ? 'True' : 'False');
      }
      continue;
    }
    if (flag.repeat === 'comma') {
      for (const item of String(v).split(',').map((s) => s.trim()).filter(Boolean)) args.push(`--${flag.name}`, item);
      continue;
    }
    if ((flag.type === 'string' || flag.type === 'path') && v === '') continue;
    args.push(`--${flag.name}`, String(v));
  }
  return [...recipe.fixedArgs, ...args];
}
