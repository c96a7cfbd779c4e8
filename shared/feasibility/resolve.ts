import type { DetectReport } from '../detect/types';
import type { ComponentSize, MemoryProfile, Recipe } from '../recipes/types';
import type { RunSpec, SettingValue } from '../run/types';
import { getRecipe, recipes } from '../recipes';
import { oneGpuFlag, requireMode, requiredGpus, resolveNproc, resolveSettings, type Values } from '../recipes/settings';
import { ApiFailure } from '../api/result';
import type { GpuPlan, HardwareGpu } from './types';
import { planMemory, type MemoryPlan } from './memory';
import { isRunnerKey } from '../run/runner-keys';
import { linksFromTopology, uniformLinks, type LinkMap } from './links';
import { linksForSpec } from './hardware';

/**
 * The planning half of the check, shared by the check and the suggestion search (which re-checks
 * changed specs through a function it is handed, so neither module imports the other).
 */
export interface CheckInput {
  spec: RunSpec;
  hardware: HardwareGpu[];
  detect?: DetectReport | null;
  /** false: skip the suggestion search (suggestions re-run the check with this off). */
  suggestions?: boolean;
  /** Where `hardware` came from, echoed in the report. */
  hardwareSource?: 'spec' | 'detected';
}

export interface Resolved {
  recipe: Recipe;
  mode: ReturnType<typeof requireMode>;
  values: Values;
  nproc: number;
  needGpus: number;
  gpuIndexes: number[] | undefined;
  profile: MemoryProfile | undefined;
  components: ComponentSize[];
}

export function resolveSpec(spec: RunSpec, detect?: DetectReport | null): Resolved {
  const recipe = getRecipe(spec.recipe);
  if (!recipe) throw new ApiFailure({ code: 'BAD_INPUT', field: 'recipe', message: `unknown recipe "${spec.recipe}"; known: ${listRecipes()}` });
  const mode = requireMode(recipe, spec.mode);
  const settings: Record<string, SettingValue> = {};
  let gpuIndexes = spec.gpus && spec.gpus.length ? [...spec.gpus] : undefined;
  for (const [k, v] of Object.entries(spec.settings ?? {})) {
    if (k === 'gpus') {
      const list = String(v).split(',').map((s) => s.trim()).filter(Boolean).map(Number);
      if (list.some((n) => !Number.isInteger(n) || n < 0 || n > 63)) throw new ApiFailure({ code: 'BAD_INPUT', field: 'settings.gpus', message: `gpus must be GPU indexes like 0,1,2 (got ${String(v)})` });
      gpuIndexes = list;
    } else if (!isRunnerKey(k)) settings[k] = v;
  }
  // A GPU list with a variable-width mode: one rank per listed GPU, unless the user said otherwise.
  const from = mode.nprocFrom?.settings;
  if (from && from.length === 1 && gpuIndexes && !(from[0] in settings)) settings[from[0]] = gpuIndexes.length - (mode.extraGpus ?? 0);
  const values = resolveSettings(recipe, mode, settings);
  const nproc = resolveNproc(mode, values);
  const shared = oneGpuFlag(recipe, values);
  if (shared && nproc > 1) {
    // The model places one rank per GPU; a sum on one card would need its own bands and rules.
    throw new ApiFailure({ code: 'BAD_INPUT', field: `settings.${shared.name}`, message: `${shared.name} puts all ${nproc} ranks on GPU 0; the memory check models one rank per GPU and cannot judge that. Check without ${shared.name}, or run it at scale=tiny` });
  }
  const needGpus = requiredGpus(recipe, mode, values);
  const scaled = recipe.memoryByScale?.[String(values.scale ?? '')];
  const profile = scaled?.memory ?? recipe.memory;
  const components = withCheckout(scaled?.components ?? recipe.components, detect, recipe.needsCheckout);
  return { recipe, mode, values, nproc, needGpus, gpuIndexes, profile, components };
}

const listRecipes = () => recipes.map((x) => x.id).join(', ');

const DTYPE_BYTES: Record<string, number> = { BF16: 2, F16: 2, FP16: 2, F32: 4, FP32: 4, F8_E4M3: 1, F8_E5M2: 1, FP8: 1, I8: 1, U8: 1, F64: 8 };

/** Detection's component names → recipe component names. */
const CHECKOUT_NAMES: Record<string, string> = { dit: 'dit', t5: 't5', vae: 'vae', wav2vec2: 'audio', audio: 'audio', lora: 'lora' };

/**
 * Component sizes from the checkout's safetensors headers (exact params; else Σ bytes / dtype size),
 * else the recipe's. `.pth` files (T5, VAE) have no readable header: their recipe sizes stay.
 */
export function withCheckout(components: ComponentSize[], detect: DetectReport | null | undefined, needsCheckout: boolean): ComponentSize[] {
  const found = needsCheckout ? detect?.checkout?.components ?? [] : [];
  if (!found.length) return components;
  return components.map((c) => {
    const hit = found.find((f) => CHECKOUT_NAMES[f.name.toLowerCase()] === c.name);
    if (!hit) return c;
    let params = hit.params ?? 0;
    if (!(params > 0)) for (const [dtype, bytes] of Object.entries(hit.bytesByDtype)) params += bytes / (DTYPE_BYTES[dtype.toUpperCase()] ?? 2);
    if (!(params > 0)) return c;
    // Sub-counts (fp8 weights, FSDP block) scale with the total: the header knows no module structure.
    const ratio = params / c.params;
    const out: ComponentSize = { ...c, params: Math.round(params) };
    if (c.fp8Params !== undefined) out.fp8Params = Math.round(c.fp8Params * ratio);
    if (c.fsdpBlockParams !== undefined) out.fsdpBlockParams = Math.round(c.fsdpBlockParams * ratio);
    return out;
  });
}

export function placeGpus(hardware: HardwareGpu[], indexes: number[] | undefined): HardwareGpu[] {
  if (!indexes) return hardware;
  return indexes.map((i) => hardware.find((g) => g.index === i)).filter((g): g is HardwareGpu => !!g);
}

/** The run's effective environment: recipe defaults, then the spec's own. */
export function runEnv(r: Resolved, spec: RunSpec): Record<string, string> {
  return { ...r.recipe.env, ...(spec.env ?? {}) };
}

/**
 * Which link NCCL will use between the run's GPUs, most certain source first:
 * `NCCL_P2P_DISABLE=1` (host memory whatever the hardware, measured in
 * docs/validation-data/nccl-no-p2p-h200x4), then the detected topology, then a what-if spec's
 * presets, then the GPU names.
 */
export function linksFor(env: Record<string, string>, hardware: HardwareGpu[], detect: DetectReport | null | undefined): LinkMap {
  if (/^(1|true|yes)$/i.test(env.NCCL_P2P_DISABLE ?? '')) return uniformLinks({ kind: 'shm' }, 'env');
  if (detect?.topology && (detect.topology.links.length || detect.topology.p2p.length)) return linksFromTopology(detect.topology);
  return linksForSpec(hardware);
}

/** PYTORCH_CUDA_ALLOC_CONF decides the caching allocator's reserve (docs/validation-data/h100x1-allocator). */
export function allocatorOf(env: Record<string, string>): 'expandable' | 'default' {
  return /(^|,)\s*expandable_segments\s*:\s*true\s*(,|$)/i.test(env.PYTORCH_CUDA_ALLOC_CONF ?? '') ? 'expandable' : 'default';
}

export function planFor(r: Resolved, spec: RunSpec, used: HardwareGpu[] = [], links?: LinkMap): MemoryPlan | null {
  if (!r.profile) return null;
  const env = runEnv(r, spec);
  const map = links ?? linksFor(env, used, null);
  return planMemory({
    recipe: r.recipe,
    mode: r.mode,
    values: r.values,
    nproc: r.nproc,
    profile: r.profile,
    components: r.components,
    env,
    cpu: r.needGpus === 0,
    // Ranks sit on the used GPUs in order; a rank past the hardware (missing GPU) talks over SHM.
    peerLink: (a, b) => (used[a] && used[b] ? map.between(used[a]!.index, used[b]!.index) : { kind: 'shm' }),
    allocator: allocatorOf(env),
  });
}

export function perGpuFrom(plan: MemoryPlan | null, used: HardwareGpu[]): GpuPlan[] {
  if (!plan) return [];
  return plan.ranks.map((rk, i) => {
    const gpu = used[i];
    const isServer = plan.unmodelled.includes(rk.rank);
    return {
      index: gpu?.index ?? i,
      role: rk.role,
      rank: isServer ? null : rk.rank,
      phase: rk.phase,
      requiredBytes: rk.bytes,
      availableBytes: gpu?.availableBytes ?? 0,
      breakdown: rk.parts,
      ...(rk.ncclUncertainBytes ? { ncclUncertainBytes: rk.ncclUncertainBytes } : {}),
      ...(gpu ? { name: gpu.name } : { missing: true }),
    };
  });
}
