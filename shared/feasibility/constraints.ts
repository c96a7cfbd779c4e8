import type { DetectReport } from '../detect/types';
import type { MemoryProfile, ModeSpec, Recipe } from '../recipes/types';
import type { Values } from '../recipes/settings';
import type { RunSpec } from '../run/types';
import type { Geometry } from './geometry';
import type { HardwareGpu, Reason } from './types';
import { both } from './text';

/**
 * The rules a run must meet before memory even matters, each with upstream's own wording
 * (upstream-notes §1.1 constraints 1–8, §1.4, §4 attention backends; Wan2.2 generate.py;
 * Step-Video README §4.3).
 */
export interface RuleContext {
  recipe: Recipe;
  mode: ModeSpec;
  values: Values;
  nproc: number;
  needGpus: number;
  /** GPUs the run would use, in rank order (may be fewer than needGpus). */
  used: HardwareGpu[];
  available: number;
  profile: MemoryProfile | undefined;
  geometry: Geometry | null;
  detect: DetectReport | null;
  spec: RunSpec;
}

const err = (code: string, key: string, vars: Record<string, string | number> = {}, gpus?: number[]): Reason => ({ code, severity: 'error', ...both(key, vars), ...(gpus ? { gpus } : {}) });
const warn = (code: string, key: string, vars: Record<string, string | number> = {}): Reason => ({ code, severity: 'warning', ...both(key, vars) });
const on = (v: unknown) => v === true;

export function checkRules(c: RuleContext): Reason[] {
  return [...gpuCount(c), ...steps(c), ...heads(c), ...size(c), ...frames(c), ...fp8(c), ...flashAttn(c), ...checkout(c), ...misc(c)];
}

function gpuCount(c: RuleContext): Reason[] {
  if (c.values.device === 'cpu' && !c.mode.cpuCapable) return [err('CPU_UNSUPPORTED', 'reason.CPU_UNSUPPORTED')];
  if (c.needGpus === 0) return [];
  if (c.available >= c.needGpus) return [];
  if (c.available === 0 && c.spec.gpus === undefined) return [err('GPU_COUNT', 'reason.NO_GPU')];
  const vars = { mode: c.mode.id, need: c.needGpus, have: c.available, ranks: c.nproc, extra: c.mode.extraGpus ?? 0 };
  if (c.mode.extraGpus) return [err('GPU_COUNT', 'reason.GPU_COUNT_SERVER', vars)];
  // The 5-process TPP layout is the one upstream's CLI asserts on (s2v_streaming_interact.py L372).
  if (c.mode.memoryLayout === 'tpp' && c.needGpus >= 5 && c.recipe.needsCheckout) return [err('GPU_COUNT', 'reason.GPU_COUNT_UPSTREAM', vars)];
  return [err('GPU_COUNT', 'reason.GPU_COUNT', vars)];
}

function steps(c: RuleContext): Reason[] {
  if (c.profile?.family !== 'causal-s2v') return [];
  const s = Number(c.values.sample_steps);
  if (c.mode.memoryLayout === 'tpp') {
    const dit = Number(c.values.num_gpus_dit);
    return s !== dit ? [err('STEPS_MISMATCH', 'reason.STEPS_MISMATCH', { steps: s, dit })] : [];
  }
  // Single GPU and the rehearsal's FSDP layout key caches '1'..'4' by step (§1.1 item 5).
  const caches = c.profile.singleKvCaches ?? 4;
  return s < 1 || s > caches ? [err('STEPS_MISMATCH', 'reason.STEPS_SINGLE', { steps: s })] : [];
}

function heads(c: RuleContext): Reason[] {
  const h = c.profile?.attention.numHeads;
  if (!h) return [];
  const out: Reason[] = [];
  if (c.values.ulysses_size !== undefined && Number(c.values.ulysses_size) > 1 && h % Number(c.values.ulysses_size) !== 0) {
    out.push(err('ULYSSES_HEADS', 'reason.ULYSSES_HEADS', { heads: h, n: Number(c.values.ulysses_size) }));
  }
  for (const key of ['ulysses_degree', 'tensor_parallel_degree']) {
    const n = Number(c.values[key] ?? 1);
    if (c.values[key] !== undefined && n > 1 && h % n !== 0) out.push(err('ULYSSES_HEADS', 'reason.HEADS_SPLIT', { heads: h, what: key, n }));
  }
  return out;
}

function size(c: RuleContext): Reason[] {
  if (c.profile?.family !== 'causal-s2v' || !c.geometry || c.values.size === undefined) return [];
  const single = c.mode.memoryLayout !== 'tpp';
  const cap = single ? c.profile.condCapacitySingle : c.profile.condCapacityTpp;
  if (!cap) return [];
  const tokens = c.geometry.fullCondTokens;
  if (tokens <= cap) return [];
  const hw = c.profile.sizeToHw?.[String(c.values.size)] ?? [c.geometry.height, c.geometry.width];
  const base = { size: String(c.values.size), h: hw[0], w: hw[1], tokens, cap };
  return [{ code: 'SIZE_TOO_LARGE', severity: 'error', ...both('reason.SIZE_TOO_LARGE', { ...base, layout: single ? 'single-GPU' : 'TPP' }, { ...base, layout: single ? '单卡' : 'TPP' }) }];
}

function frames(c: RuleContext): Reason[] {
  if (c.profile?.family !== 'causal-s2v' || c.values.infer_frames === undefined) return [];
  const n = Number(c.values.infer_frames);
  if (c.geometry && c.geometry.numBlocks < 1) return [err('INFER_FRAMES', 'reason.INFER_FRAMES_SHORT', { n })];
  return n % 12 !== 0 ? [warn('INFER_FRAMES', 'reason.INFER_FRAMES', { n })] : [];
}

function ccNum(cc: string | null): number | null {
  if (!cc) return null;
  const n = Number(cc);
  return Number.isFinite(n) ? n : null;
}

function fp8(c: RuleContext): Reason[] {
  const min = c.profile?.fp8MinCc;
  if (!on(c.values.fp8) || !min || c.needGpus === 0) return [];
  const low = c.used.filter((g) => {
    const n = ccNum(g.computeCapability);
    return n !== null && n < min;
  });
  if (!low.length) return [];
  return [err('FP8_UNSUPPORTED', 'reason.FP8_UNSUPPORTED', { min: min.toFixed(1), gpus: low.map((g) => g.index).join(', '), cc: [...new Set(low.map((g) => g.computeCapability))].join(', ') }, low.map((g) => g.index))];
}

function flashAttn(c: RuleContext): Reason[] {
  if (!c.recipe.needsFlashAttn || !c.detect?.python?.length) return [];
  const env = c.detect.python.find((p) => c.spec.python && p.path === c.spec.python) ?? c.detect.python.find((p) => p.ok);
  // undefined: detection did not look; null or empty: it looked and found none.
  if (!env || env.flashAttn === undefined || (env.flashAttn !== null && env.flashAttn !== '')) return [];
  return [err('FLASH_ATTN_MISSING', 'reason.FLASH_ATTN_MISSING', { python: env.path })];
}

function checkout(c: RuleContext): Reason[] {
  if (!c.recipe.needsCheckout) return [];
  const co = c.detect?.checkout ?? null;
  const supported = co?.supportedModes ?? [];
  if (co && supported.length) {
    if (supported.includes(c.mode.id)) return [];
    if (c.mode.upstreamRunnable === false) return [err('CHECKOUT_LAYOUT', 'reason.CHECKOUT_LAYOUT', { mode: c.mode.id })];
    return [err('CHECKOUT_LAYOUT', 'reason.CHECKOUT_MODES', { path: co.path, mode: c.mode.id, modes: supported.join(', ') })];
  }
  // Without a detected checkout we cannot know whether its asserts were relaxed: say so, do not refuse.
  if (c.mode.upstreamRunnable === false) return [warn('CHECKOUT_LAYOUT', 'reason.CHECKOUT_LAYOUT', { mode: c.mode.id })];
  return [];
}

function misc(c: RuleContext): Reason[] {
  if (c.profile?.family === 'causal-s2v' && c.mode.memoryLayout === 'tpp' && on(c.values.offload_kv_cache)) return [warn('OFFLOAD_KV_IGNORED', 'reason.OFFLOAD_KV_IGNORED')];
  return [];
}
