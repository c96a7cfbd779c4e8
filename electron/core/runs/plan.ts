import { isAbsolute, join, resolve } from 'node:path';
import type { Recipe, ModeSpec } from '../../../shared/recipes/types';
import type { RunPlan, RunSpec, SettingValue } from '../../../shared/run/types';
import { ApiFailure } from '../../../shared/api/result';
import { envNeedingConsent } from '../../../shared/profiles/consent';
import type { ResolvedTorchrun } from '../torchrun/resolve';
import { buildArgs, findMode, requiredGpus, resolveNproc, resolveSettings } from '../../../shared/recipes/settings';
import { splitRunnerSettings, type RunnerOptions } from './args';

/**
 * The plan builder: RunSpec -> {argv, env, cwd}, with no shell anywhere.
 *
 * torchrun flags use the underscore spellings because Debian's torch 1.13 only knows those
 * (`--log_dir`, `--nproc_per_node`); torch 2.x accepts both spellings. Rendezvous is the static
 * single-node one (`--nnodes 1 --master_addr 127.0.0.1 --master_port P`) rather than `--standalone`,
 * because 1.13's standalone hard-codes port 29400 and two runs would collide.
 * `--redirects 3 --tee 3 --log_dir <run>/logs` gives one stdout/stderr file per rank plus the
 * `[default<r>]:`-prefixed console (architecture-notes §5.3; liveavatar-facts §5.1).
 */
export interface PlanInput {
  spec: RunSpec;
  recipe: Recipe;
  runId: string;
  runDir: string;
  resourcesDir: string;
  torchrun: ResolvedTorchrun;
  port: number;
  /** Folder of the upstream checkout from settings, when the spec names none. */
  checkoutFallback?: string | null;
  allowEnv?: string[];
}

export interface BuiltPlan {
  plan: RunPlan;
  spec: RunSpec;
  mode: ModeSpec;
  nproc: number;
  values: Record<string, SettingValue>;
  runner: RunnerOptions;
  entry: string;
  saveFile: string | null;
}

/** Defaults for NCCL and the watchdog; the recipe and then the user may override them (failure-catalog §21). */
const NCCL_DEFAULTS: Record<string, string> = {
  NCCL_DEBUG: 'WARN',
  // Heartbeat monitor: kill a stuck watchdog in 5 min, not the 8–10 min default.
  TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC: '300',
  TORCH_NCCL_TRACE_BUFFER_SIZE: '2000',
  TORCH_NCCL_DUMP_ON_TIMEOUT: '1',
};

export function buildPlan(input: PlanInput): BuiltPlan {
  const { recipe, runId, runDir } = input;
  const { spec, runner } = splitRunnerSettings(input.spec);
  const mode = findMode(recipe, spec.mode);
  if (!mode) {
    throw new ApiFailure({ code: 'BAD_INPUT', field: 'mode', message: `recipe ${recipe.id} has no mode "${spec.mode}"; modes: ${recipe.modes.map((m) => m.id).join(', ')}` });
  }
  const needConsent = envNeedingConsent(spec.env, recipe, input.allowEnv ?? []);
  if (needConsent.length) {
    throw new ApiFailure({
      code: 'CONSENT_REQUIRED',
      field: 'env',
      message: `this run sets environment variables that can change what runs: ${needConsent.join(', ')}. Allow them explicitly (--allow-env ${needConsent[0]})`,
      details: { env: needConsent },
    });
  }

  const settings = { ...spec.settings };
  let saveFile: string | null = null;
  if (recipe.flags.some((f) => f.name === 'save_file')) {
    // Upstream's default path is relative to cwd and time-stamped at save time (liveavatar-facts §5.5):
    // always pass an absolute file in the run folder.
    if (settings.save_file === undefined || settings.save_file === '') settings.save_file = join(runDir, 'output.mp4');
    saveFile = String(settings.save_file);
  }
  // The recipe feature's pure argv builder (shared/recipes/settings.ts): the check, the UI and the
  // plan agree on every value and every refusal.
  const values = resolveSettings(recipe, mode, settings);
  const args = buildArgs(recipe, mode, settings);

  const checkout = spec.checkout ?? input.checkoutFallback ?? null;
  let entry: string;
  if (recipe.entry.startsWith('resource:')) {
    entry = join(input.resourcesDir, recipe.entry.slice('resource:'.length));
  } else if (isAbsolute(recipe.entry)) {
    entry = recipe.entry;
  } else {
    if (!checkout) throw new ApiFailure({ code: 'BAD_INPUT', field: 'checkout', message: `recipe ${recipe.id} needs the upstream code: set a checkout folder` });
    entry = join(checkout, recipe.entry);
  }
  const cwd = recipe.needsCheckout && checkout ? resolve(checkout) : runDir;

  const nproc = resolveNproc(mode, values);
  const argv = [
    ...input.torchrun.argv,
    '--nnodes', '1',
    '--nproc_per_node', String(nproc),
    '--master_addr', '127.0.0.1',
    '--master_port', String(input.port),
    '--max_restarts', '0',
    // Notice a dead worker within a second instead of the 5 s default.
    '--monitor_interval', '1',
    '--log_dir', join(runDir, 'logs'),
    '--redirects', '3',
    '--tee', '3',
    entry,
    ...args,
  ];

  const env: Record<string, string> = { ...NCCL_DEFAULTS, ...recipe.env };
  const needGpus = requiredGpus(mode, values);
  const gpus = spec.gpus && spec.gpus.length ? spec.gpus : Array.from({ length: needGpus }, (_, i) => i);
  if (values.device === 'cpu') {
    // A CPU rehearsal on a GPU box must not touch (or hold memory on) the GPUs.
    env.CUDA_VISIBLE_DEVICES = '';
  } else if (gpus.length) {
    env.CUDA_VISIBLE_DEVICES = gpus.join(',');
    // CUDA numbers devices fastest-first by default, nvidia-smi (and our detection) by PCI bus; on a
    // mixed box "GPU 1" would be a different card. PCI_BUS_ID makes the indexes the user picked mean
    // the same card to CUDA, nvidia-smi and the sampler (CUDA C Programming Guide, env vars).
    env.CUDA_DEVICE_ORDER = 'PCI_BUS_ID';
  }
  if (runner.ncclDebug) env.NCCL_DEBUG = runner.ncclDebug;
  if (runner.ncclP2pDisable) env.NCCL_P2P_DISABLE = '1';
  Object.assign(env, spec.env ?? {});
  // Ours, never overridable: the flight recorder writes into the run folder, output is unbuffered so
  // progress arrives live (liveavatar-facts §5.1), and every process of the run carries the run id.
  env.TORCH_NCCL_DEBUG_INFO_TEMP_FILE = join(runDir, 'nccl_trace_rank_');
  env.PYTHONUNBUFFERED = '1';
  env.LAL_RUN_ID = runId;

  return { plan: { argv, env, cwd }, spec, mode, nproc, values, runner, entry, saveFile };
}
