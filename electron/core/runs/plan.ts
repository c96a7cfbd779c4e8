import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { Recipe, ModeSpec } from '../../../shared/recipes/types';
import type { RunPlan, RunSpec, SettingValue } from '../../../shared/run/types';
import { ApiFailure } from '../../../shared/api/result';
import { envNeedingConsent } from '../../../shared/profiles/consent';
import type { ResolvedTorchrun } from '../torchrun/resolve';
import { buildArgs, findMode, requiredGpus, resolveNproc, resolveSettings } from '../../../shared/recipes/settings';
import { splitRunnerSettings, type RunnerOptions } from './args';
import { absoluteFor, expandHome, outsideFolders, pathValueProblem, realish, within } from '../profiles/trust';

/**
 * The plan builder: RunSpec -> {argv, env, cwd}, with no shell anywhere.
 *
 * torchrun flags use the underscore spellings because Debian's torch 1.13 only knows those
 * (`--log_dir`, `--nproc_per_node`); torch 2.x accepts both spellings. Rendezvous is the static
 * single-node one (`--nnodes 1 --master_addr 127.0.0.1 --master_port P`) rather than `--standalone`,
 * because 1.13's standalone hard-codes port 29400 and two runs would collide.
 * `--redirects 3 --tee 3 --log_dir <run>/logs` gives one stdout/stderr file per rank plus the
 * `[default<r>]:`-prefixed console (pytorch torch/distributed/elastic, docs/run-manager.md).
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
  /**
   * Folders a run may read and write without asking: Settings' trusted folders, the data folder,
   * the checkout and output folders from Settings. The run folder itself is always one.
   */
  trusted?: string[];
  /** Paths outside those folders the user consented to: the value as given, or a folder holding it. */
  allowPaths?: string[];
  /** The import preview shows what would run and reports flagged paths itself: no path consent here. */
  skipPathConsent?: boolean;
}

/** A path the run would read or write outside the user's folders. */
export interface FlaggedPath {
  field: string;
  path: string;
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

/** Defaults for NCCL and the watchdog; the recipe and then the user may override them (docs/run-manager.md, watchdog). */
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
  refuseBadPaths(recipe, spec);

  const settings = { ...spec.settings };
  let saveFile: string | null = null;
  if (recipe.flags.some((f) => f.name === 'save_file')) {
    // Upstream's default path is relative to cwd and time-stamped at save time (Alibaba-Quark/LiveAvatar generate.py):
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

  // Consent is asked once for everything: the env names and the paths, so a client can show one box.
  const needEnv = envNeedingConsent(spec.env, recipe, input.allowEnv ?? []);
  const needPaths = input.skipPathConsent ? [] : pathsNeedingConsent(recipe, spec, cwd, runDir, input);
  if (needEnv.length || needPaths.length) {
    const parts: string[] = [];
    if (needEnv.length) parts.push(`this run sets environment variables that can change what runs: ${needEnv.join(', ')}. Allow them explicitly (--allow-env ${needEnv[0]})`);
    if (needPaths.length) {
      parts.push(`this run reads or writes outside your output and trusted folders: ${needPaths.map((p) => `${p.field}=${p.path}`).join(', ')}. Allow each path explicitly (--allow-path ${needPaths[0]!.path}) or add its folder to Settings → trusted folders`);
    }
    throw new ApiFailure({
      code: 'CONSENT_REQUIRED',
      field: needEnv.length ? 'env' : needPaths[0]!.field,
      message: parts.join('; '),
      details: { env: needEnv, paths: needPaths },
    });
  }

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
  const needGpus = requiredGpus(recipe, mode, values);
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
  // progress arrives live (docs/run-manager.md), and every process of the run carries the run id.
  env.TORCH_NCCL_DEBUG_INFO_TEMP_FILE = join(runDir, 'nccl_trace_rank_');
  env.PYTHONUNBUFFERED = '1';
  env.LAL_RUN_ID = runId;
  // Stacks on demand (issue 22, resources/stacks/README.md): our sitecustomize first on PYTHONPATH
  // registers faulthandler on SIGUSR1, dumping into the run folder. Set after the user's env, so a
  // profile can neither drop nor redirect it; a consented or inherited PYTHONPATH follows ours.
  env.LAL_STACKS_DIR = join(runDir, 'stacks');
  env.PYTHONPATH = [join(input.resourcesDir, 'stacks'), env.PYTHONPATH ?? process.env.PYTHONPATH].filter(Boolean).join(delimiter);

  return { plan: { argv, env, cwd }, spec, mode, nproc, values, runner, entry, saveFile };
}

/** Every path value the spec gives: recipe flags of type path, the checkout and the output folder. */
function pathValues(recipe: Recipe, spec: RunSpec): FlaggedPath[] {
  const pathFlags = new Set(recipe.flags.filter((f) => f.type === 'path').map((f) => f.name));
  const out: FlaggedPath[] = [];
  if (spec.outputDir !== undefined) out.push({ field: 'outputDir', path: spec.outputDir });
  if (spec.checkout !== undefined) out.push({ field: 'checkout', path: spec.checkout });
  for (const [k, v] of Object.entries(spec.settings)) {
    if (pathFlags.has(k) && typeof v === 'string' && v !== '') out.push({ field: `settings.${k}`, path: v });
  }
  return out;
}

/** A path starting with `-`, or holding a NUL or line break, is refused outright (BAD_INPUT naming the field). */
function refuseBadPaths(recipe: Recipe, spec: RunSpec): void {
  const all = [...pathValues(recipe, spec), ...(spec.python !== undefined ? [{ field: 'python', path: spec.python }] : [])];
  for (const { field, path } of all) {
    // The run's folders are resolved by this process, not the run: relative would mean "wherever the
    // launcher started", so they must be absolute (the CLI makes `--set checkout=.` absolute itself).
    const problem = pathValueProblem(path) ?? ((field === 'outputDir' || field === 'checkout') && !isAbsolute(path) ? 'not-absolute' : null);
    if (!problem) continue;
    const why = problem === 'dash' ? 'starts with "-", so the program would read it as an option' : problem === 'control-char' ? 'contains a NUL or line-break character, which no real path has' : 'is not an absolute path';
    throw new ApiFailure({ code: 'BAD_INPUT', field, message: `${field}: ${JSON.stringify(path)} ${why}`, details: { reason: problem, value: path } });
  }
}

/**
 * Paths the run would read or write outside the output folder and the trusted folders, minus the
 * ones the user allowed. Relative values resolve against the run's working folder, as the program
 * opens them; `~` means the home folder. An allowed output folder or checkout then counts as the
 * user's own folder for the paths under it.
 */
function pathsNeedingConsent(recipe: Recipe, spec: RunSpec, cwd: string, runDir: string, input: PlanInput): FlaggedPath[] {
  const roots = [...(input.trusted ?? []), runDir];
  const allowed = (input.allowPaths ?? []).map((a) => ({ raw: a, abs: isAbsolute(expandHome(a)) ? realish(expandHome(a)) : null }));
  const consented = (p: FlaggedPath): boolean => {
    const abs = absoluteFor(p.path, cwd);
    return allowed.some((a) => a.raw === p.path || (a.abs !== null && abs !== null && within(a.abs, abs)));
  };
  const out: FlaggedPath[] = [];
  for (const p of pathValues(recipe, spec)) {
    // The folders themselves are checked against the user's folders only, not against each other.
    if (outsideFolders(p.path, cwd, roots) && !consented(p)) out.push(p);
    if (p.field === 'outputDir' || p.field === 'checkout') {
      const abs = absoluteFor(p.path, cwd);
      if (abs) roots.push(abs);
    }
  }
  return out;
}
