import type { FlagSpec, ModeSpec, Recipe } from '../../../shared/recipes/types';
import type { RunSpec, SettingValue } from '../../../shared/run/types';
import { ApiFailure } from '../../../shared/api/result';

/**
 * Settings the run manager consumes itself; they never reach the workload's argv.
 * `stall_action`, `python` and `gpus` map onto RunSpec fields so a `--set` and a profile mean the same.
 */
export const RUNNER_KEYS = ['stall_action', 'python', 'gpus', 'stall_after_sec', 'startup_budget_sec', 'nccl_p2p_disable', 'nccl_debug'] as const;
export type RunnerKey = (typeof RUNNER_KEYS)[number];

export interface RunnerOptions {
  stallFloorSec?: number;
  startupBudgetSec?: number;
  ncclP2pDisable?: boolean;
  ncclDebug?: string;
}

/** Move runner keys out of `settings` into the spec and runner options; refuse bad values (BAD_INPUT, exit 2). */
export function splitRunnerSettings(spec: RunSpec): { spec: RunSpec; runner: RunnerOptions } {
  const settings: Record<string, SettingValue> = {};
  const runner: RunnerOptions = {};
  const out: RunSpec = { ...spec };
  for (const [key, value] of Object.entries(spec.settings ?? {})) {
    const field = `settings.${key}`;
    switch (key as RunnerKey) {
      case 'stall_action':
        if (value !== 'notify' && value !== 'stop') throw bad(field, `stall_action must be notify or stop, not ${String(value)}`);
        out.stallAction = value;
        break;
      case 'python':
        out.python = String(value);
        break;
      case 'gpus': {
        const list = String(value).split(',').map((s) => s.trim()).filter(Boolean).map(Number);
        if (list.some((n) => !Number.isInteger(n) || n < 0 || n > 63)) throw bad(field, `gpus must be GPU indexes like 0,1,2 (got ${String(value)})`);
        out.gpus = list;
        break;
      }
      case 'stall_after_sec':
      case 'startup_budget_sec': {
        const n = Number(value);
        if (!Number.isFinite(n) || n < 1 || n > 86_400) throw bad(field, `${key} must be seconds between 1 and 86400`);
        if (key === 'stall_after_sec') runner.stallFloorSec = n;
        else runner.startupBudgetSec = n;
        break;
      }
      case 'nccl_p2p_disable':
        runner.ncclP2pDisable = value === true || value === 1 || /^(1|true|yes|on)$/i.test(String(value));
        break;
      case 'nccl_debug':
        if (!/^(VERSION|WARN|INFO|TRACE)$/i.test(String(value))) throw bad(field, 'nccl_debug must be VERSION, WARN, INFO or TRACE');
        runner.ncclDebug = String(value).toUpperCase();
        break;
      default:
        settings[key] = value;
    }
  }
  out.settings = settings;
  return { spec: out, runner };
}

export function findMode(recipe: Recipe, modeId: string): ModeSpec | undefined {
  return recipe.modes.find((m) => m.id === modeId || (m.aliases ?? []).includes(modeId));
}

/** Coerce a `--set` string to the flag's type; a number or boolean passes through when it fits. */
export function coerce(flag: FlagSpec, value: SettingValue, field: string): SettingValue {
  switch (flag.type) {
    case 'int': {
      const n = typeof value === 'number' ? value : Number(String(value).trim());
      if (!Number.isInteger(n)) throw bad(field, `${flag.name} must be a whole number (got ${String(value)})`);
      return n;
    }
    case 'bool': {
      if (typeof value === 'boolean') return value;
      const s = String(value).trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      throw bad(field, `${flag.name} must be true or false (got ${String(value)})`);
    }
    case 'enum': {
      const s = String(value);
      if (flag.choices && !flag.choices.includes(s)) throw bad(field, `${flag.name} must be one of ${flag.choices.join(', ')} (got ${s})`);
      return s;
    }
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

/**
 * Workload argv from the recipe: mode-forced flags, then declared defaults, then the user's settings,
 * in the recipe's flag order so plans are stable and diffable. Values are separate argv entries: a
 * prompt with quotes, `$(...)`, backticks or newlines reaches the script byte for byte (no shell).
 */
export function recipeArgs(recipe: Recipe, mode: ModeSpec, settings: Record<string, SettingValue>): { args: string[]; values: Record<string, SettingValue> } {
  const byName = new Map(recipe.flags.map((f) => [f.name, f]));
  for (const key of Object.keys(settings)) {
    const flag = byName.get(key);
    if (!flag) {
      const known = [...recipe.flags.map((f) => f.name), ...RUNNER_KEYS].join(', ');
      throw bad(`settings.${key}`, `unknown setting "${key}" for recipe ${recipe.id}; known: ${known}`);
    }
    if (flag.modeOwned && key in mode.flags && mode.flags[key] !== settings[key]) {
      throw bad(`settings.${key}`, `${key} is fixed by mode ${mode.id} (${String(mode.flags[key])})`);
    }
  }
  const values: Record<string, SettingValue> = {};
  for (const flag of recipe.flags) {
    const field = `settings.${flag.name}`;
    let v: SettingValue | undefined = flag.default;
    if (flag.name in mode.flags) v = mode.flags[flag.name];
    if (flag.name in settings) v = settings[flag.name];
    if (v === undefined) continue;
    values[flag.name] = coerce(flag, v, field);
  }
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
    args.push(`--${flag.name}`, String(v));
  }
  return { args, values };
}

function bad(field: string, message: string): ApiFailure {
  return new ApiFailure({ code: 'BAD_INPUT', field, message });
}
