import type { RunSpec, SettingValue } from '../../../shared/run/types';
import { ApiFailure } from '../../../shared/api/result';

import { RUNNER_KEYS, type RunnerKey } from '../../../shared/run/runner-keys';

export { RUNNER_KEYS, type RunnerKey };

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
      case 'checkout':
        out.checkout = String(value);
        break;
      case 'output_dir':
        out.outputDir = String(value);
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

function bad(field: string, message: string): ApiFailure {
  return new ApiFailure({ code: 'BAD_INPUT', field, message });
}
