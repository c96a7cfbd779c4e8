import type { DetectReport } from '../detect/types';
import type { ComponentSize, MemoryProfile, Recipe } from '../recipes/types';
import type { RunSpec, SettingValue } from '../run/types';
import { getRecipe, recipes } from '../recipes';
import { requireMode, requiredGpus, resolveNproc, resolveSettings, type Values } from '../recipes/settings';
import { ApiFailure } from '../api/result';
import type { FeasibilityReport, GpuPlan, HardwareGpu, Reason, Verdict } from './types';
import { planMemory, type MemoryPlan } from './memory';
import { isRunnerKey } from '../run/runner-keys';
import { checkRules } from './constraints';
import { MODEL } from './constants';
import { both, gb, tCheck } from './text';
import { suggest } from './suggest';

/**
 * The check: resolve the spec against its recipe, plan memory per rank, place ranks on GPUs,
 * apply the rules, give a verdict, and (unless asked not to) search for changes that fit.
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
  const needGpus = requiredGpus(mode, values);
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

/**
 * Datacenter SXM parts talk over NVLink, where NCCL opens many more channels (and buffers) than
 * over PCIe. Names are all a what-if spec gives us, so this is a name rule.
 */
export function likelyNvlink(g: HardwareGpu): boolean {
  return /\b(H100|H200|H800|H20|A100|A800|B200|GB200|B300)\b/i.test(g.name) && !/pcie/i.test(g.name);
}

function placeGpus(hardware: HardwareGpu[], indexes: number[] | undefined): HardwareGpu[] {
  if (!indexes) return hardware;
  return indexes.map((i) => hardware.find((g) => g.index === i)).filter((g): g is HardwareGpu => !!g);
}

export function planFor(r: Resolved, spec: RunSpec, used: HardwareGpu[] = []): MemoryPlan | null {
  if (!r.profile) return null;
  const env = { ...r.recipe.env, ...(spec.env ?? {}) };
  // NCCL_P2P_DISABLE=1 (common advice for RTX 4090 boxes) sends NCCL through host memory even on
  // NVLink parts, with the smaller buffers measured in docs/validation-data/nccl-no-p2p-h200x4.
  const p2pOff = /^(1|true|yes)$/i.test(env.NCCL_P2P_DISABLE ?? '');
  return planMemory({
    recipe: r.recipe,
    mode: r.mode,
    values: r.values,
    nproc: r.nproc,
    profile: r.profile,
    components: r.components,
    env,
    cpu: r.needGpus === 0,
    nvlink: !p2pOff && used.length > 0 && used.every(likelyNvlink),
  });
}

function perGpuFrom(plan: MemoryPlan | null, used: HardwareGpu[]): GpuPlan[] {
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
      ...(gpu ? { name: gpu.name } : { missing: true }),
    };
  });
}

/** Predicted bytes per GPU for a spec (no rules, no suggestions): what the run manager stores in each run record. */
export function predictPerGpu(spec: RunSpec, hardware: HardwareGpu[], detect?: DetectReport | null): GpuPlan[] {
  const r = resolveSpec(spec, detect);
  const used = placeGpus(hardware, r.gpuIndexes);
  return perGpuFrom(planFor(r, spec, used), used);
}

function memoryReasons(perGpu: GpuPlan[]): { reasons: Reason[]; tight: boolean } {
  const reasons: Reason[] = [];
  let tight = false;
  for (const g of perGpu) {
    if (g.missing) continue;
    const pct = Math.round(MODEL.tightHeadroomFraction * 100);
    const roleEn = tCheck('en', `role.${g.role}`);
    const roleZh = tCheck('zh-CN', `role.${g.role}`);
    const base = { gpu: g.index, rank: g.rank ?? '–', need: gb(g.requiredBytes), have: gb(g.availableBytes), pct };
    if (g.requiredBytes > g.availableBytes) {
      reasons.push({
        code: 'MEMORY',
        severity: 'error',
        gpus: [g.index],
        ...both('reason.MEMORY', { ...base, role: roleEn, phase: tCheck('en', `phase.${g.phase ?? 'denoise'}`) }, { ...base, role: roleZh, phase: tCheck('zh-CN', `phase.${g.phase ?? 'denoise'}`) }),
      });
    } else if (g.availableBytes - g.requiredBytes < MODEL.tightHeadroomFraction * g.availableBytes) {
      tight = true;
      reasons.push({ code: 'MEMORY_TIGHT', severity: 'warning', gpus: [g.index], ...both('reason.MEMORY_TIGHT', { ...base, role: roleEn }, { ...base, role: roleZh }) });
    }
  }
  return { reasons, tight };
}

function hostReasons(plan: MemoryPlan | null, detect: DetectReport | null | undefined, nproc: number): Reason[] {
  const host = detect?.host;
  if (!plan || !host || !(host.ramTotalBytes > 0)) return [];
  const need = plan.host.bytes;
  const v = (which: string, lang: 'en' | 'zh-CN', have: number) => ({ need: gb(need), procs: nproc, have: gb(have), which: tCheck(lang, `which.${which}`) });
  if (need > host.ramTotalBytes) return [{ code: 'HOST_RAM', severity: 'error', ...both('reason.HOST_RAM', v('total', 'en', host.ramTotalBytes), v('total', 'zh-CN', host.ramTotalBytes)) }];
  if (host.ramAvailableBytes > 0 && need > host.ramAvailableBytes) {
    return [{ code: 'HOST_RAM', severity: 'warning', ...both('reason.HOST_RAM', v('available', 'en', host.ramAvailableBytes), v('available', 'zh-CN', host.ramAvailableBytes)) }];
  }
  return [];
}

export function checkFeasibility(input: CheckInput): FeasibilityReport {
  const { spec, hardware } = input;
  const detect = input.detect ?? null;
  const r = resolveSpec(spec, detect);
  const used = placeGpus(hardware, r.gpuIndexes);
  const plan = planFor(r, spec, used);
  const perGpu = perGpuFrom(plan, used);
  const rules = checkRules({
    recipe: r.recipe,
    mode: r.mode,
    values: r.values,
    nproc: r.nproc,
    needGpus: r.needGpus,
    used,
    available: used.length,
    profile: r.profile,
    geometry: plan?.geometry ?? null,
    detect,
    spec,
  });
  const mem = memoryReasons(perGpu);
  const unmodelled: Reason[] = (plan?.unmodelled ?? []).map((rank) => {
    const g = perGpu.find((p) => p.rank === null && p.role === 'server') ?? perGpu[rank];
    return { code: 'UNMODELLED', severity: 'warning', ...both('reason.UNMODELLED', { gpu: g?.index ?? rank, role: tCheck('en', 'role.server') }, { gpu: g?.index ?? rank, role: tCheck('zh-CN', 'role.server') }) };
  });
  const reasons = [...rules, ...mem.reasons, ...hostReasons(plan, detect, r.nproc), ...unmodelled];
  const verdict: Verdict = reasons.some((x) => (x.severity ?? 'error') === 'error') ? 'does-not-fit' : mem.tight ? 'tight' : 'fits';
  const report: FeasibilityReport = {
    verdict,
    recipe: r.recipe.id,
    mode: r.mode.id,
    hardware,
    perGpu,
    reasons,
    suggestions: [],
    nproc: r.nproc,
    settings: r.values,
    hostRamBytes: plan?.host.bytes,
    hostBreakdown: plan?.host.parts,
    geometry: plan?.geometry ? { height: plan.geometry.height, width: plan.geometry.width, fsl: plan.geometry.fsl, kvLen: plan.geometry.kvLen, condTokens: plan.geometry.condTokens } : null,
    ...(input.hardwareSource ? { hardwareSource: input.hardwareSource } : {}),
  };
  if (input.suggestions !== false && verdict !== 'fits') report.suggestions = suggest({ input, resolved: r, report });
  return report;
}

/** Fullest GPU: the one with least headroom (missing GPUs count as having none). */
export function fullest(perGpu: GpuPlan[]): GpuPlan | undefined {
  let best: GpuPlan | undefined;
  for (const g of perGpu) if (!best || g.availableBytes - g.requiredBytes < best.availableBytes - best.requiredBytes) best = g;
  return best;
}
