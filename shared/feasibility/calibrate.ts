import type { RunSpec } from '../run/types';
import type { CalibrationApplied, FeasibilityReport, GpuPlan, HardwareGpu } from './types';
import { findGpuModel } from './hardware';
import { allocatorOf, linksFor, perGpuFrom, placeGpus, planFor, resolveSpec, runEnv } from './resolve';
import { both, gb, tCheck } from './text';
import { ApiFailure } from '../api/result';
import { rejudge } from './check';
import { maxRequired } from './report-utils';

/**
 * Calibration from this machine's own finished runs (docs/feasibility.md §3c).
 *
 * A record keeps what shaped the prediction (recipe, mode, memory settings, the allocator and P2P
 * env the run really had, GPU model and count) and what each rank measured. At check time every
 * record is re-predicted with today's model, so a record stays useful after the model changes:
 * the correction is measured / re-predicted, per role.
 *
 * Carry-over rule:
 * - only records of runs that finished (`succeeded`), on the same GPU model, same recipe, mode,
 *   GPU count and allocator are used; a run that OOMed or ran on other GPUs is ignored, and so is a
 *   record whose ranks disagree with today's model by more than 25% (a broken peak sample);
 * - "exact" records (same memory settings) carry their full correction, the newest 5 of them;
 * - without exact records, records of other settings carry half their correction (settings change
 *   which parts dominate, so only what they share — context, NCCL, allocator — carries over);
 * - the band after an exact calibration is the spread of those runs (at least 1%); after a
 *   half-carried one it stays the held-out band.
 */
export interface CalibrationRecord {
  runId: string;
  recipe: string;
  mode: string;
  settings: Record<string, string | number | boolean>;
  /** The run's env as it ran, only what the model reads (PYTORCH_CUDA_ALLOC_CONF, NCCL_P2P_DISABLE, ENABLE_COMPILE). */
  env?: Record<string, string>;
  status?: string;
  gpuName?: string;
  gpuCount?: number;
  at: string;
  gpus: { index: number; role?: string; predictedBytes: number; measuredBytes: number; errorPct: number }[];
}

/** What Settings and `lal check --calibration show|reset` see: the records, and why a record would be ignored. */
export interface CalibrationView {
  file: string;
  entries: (CalibrationRecord & { maxAbsErrorPct?: number; ignored?: Ignored['why'] })[];
  /** reset: how many records were removed. */
  removed?: number;
}

/** Settings that change a rank's memory; the rest (num_clip, seed, prompt…) do not. */
const MEMORY_KEYS = ['fp8', 'size', 'infer_frames', 'offload_kv_cache', 't5_cpu', 'offload_model', 'scale', 'ulysses_size', 't5_fsdp', 'load_lora', 'num_gpus_dit', 'device'];
export const MODEL_ENV_KEYS = ['PYTORCH_CUDA_ALLOC_CONF', 'NCCL_P2P_DISABLE', 'ENABLE_COMPILE'];
const MAX_EXACT = 5;
/** How an unset MODEL_ENV_KEYS variable behaves: default allocator, P2P on, upstream compiles. */
const UNSET_ENV: Record<string, string> = { PYTORCH_CUDA_ALLOC_CONF: '', NCCL_P2P_DISABLE: '', ENABLE_COMPILE: 'true' };
const OUTLIER = 0.25;

export type Ignored = { runId: string; why: 'status' | 'gpu' | 'allocator' | 'count' | 'outlier' | 'unknown-gpu' };

export interface Correction {
  /** Multiplier per role. */
  factors: Record<string, number>;
  runs: string[];
  match: 'exact' | 'layout';
  /** Largest spread of measured/predicted among exact runs, percent. */
  spreadPct: number;
  ignored: Ignored[];
}

const same = (a: unknown, b: unknown) => String(a ?? '') === String(b ?? '');

function memorySettings(spec: Pick<RunSpec, 'recipe' | 'mode' | 'settings'>): Record<string, string> {
  try {
    const r = resolveSpec({ recipe: spec.recipe, mode: spec.mode, settings: spec.settings ?? {} });
    return Object.fromEntries(MEMORY_KEYS.filter((k) => k in r.values).map((k) => [k, String(r.values[k])]));
  } catch (e) {
    // A record of a mode or setting this version no longer knows: it matches nothing.
    if (e instanceof ApiFailure) return {};
    throw e;
  }
}

/** Today's model on the record's own inputs: bytes per rank, rank order, or null when it cannot say. */
function repredict(rec: CalibrationRecord): number[] | null {
  const model = rec.gpuName ? findGpuModel(rec.gpuName) : undefined;
  if (!model) return null;
  const count = rec.gpuCount ?? rec.gpus.length;
  const hardware: HardwareGpu[] = Array.from({ length: count }, (_, index) => ({ index, name: model.name, memoryBytes: model.memoryMiB * 2 ** 20, availableBytes: model.memoryMiB * 2 ** 20, computeCapability: model.cc }));
  // The record's env is what the run had: a variable missing there was unset, whatever the recipe says today.
  const spec: RunSpec = { recipe: rec.recipe, mode: rec.mode, settings: rec.settings, env: { ...UNSET_ENV, ...(rec.env ?? {}) } };
  let r;
  try {
    r = resolveSpec(spec);
  } catch (e) {
    if (e instanceof ApiFailure) return null;
    throw e;
  }
  const used = placeGpus(hardware, undefined);
  return perGpuFrom(planFor(r, spec, used, linksFor(runEnv(r, spec), used, null)), used).map((g) => g.requiredBytes);
}

export function correctionFor(report: FeasibilityReport, spec: RunSpec, records: CalibrationRecord[]): Correction | null {
  const gpuName = report.perGpu.find((g) => !g.missing)?.name;
  if (!gpuName || !report.perGpu.length) return null;
  const r = resolveSpec(spec);
  const allocator = allocatorOf(runEnv(r, spec));
  const want = memorySettings(spec);
  const ignored: Ignored[] = [];
  const usable: { rec: CalibrationRecord; ratios: Record<string, number[]>; exact: boolean }[] = [];
  for (const rec of records) {
    if (rec.recipe !== report.recipe || rec.mode !== report.mode) continue;
    if (rec.status !== undefined && rec.status !== 'succeeded') { ignored.push({ runId: rec.runId, why: 'status' }); continue; }
    if (!rec.gpuName || findGpuModel(rec.gpuName) !== findGpuModel(gpuName) || !findGpuModel(gpuName)) { ignored.push({ runId: rec.runId, why: rec.gpuName && findGpuModel(rec.gpuName) ? 'gpu' : 'unknown-gpu' }); continue; }
    if ((rec.gpuCount ?? rec.gpus.length) !== report.perGpu.length) { ignored.push({ runId: rec.runId, why: 'count' }); continue; }
    const recSpec: RunSpec = { recipe: rec.recipe, mode: rec.mode, settings: rec.settings, env: rec.env ?? {} };
    // The env the run really had: a recorded run without PYTORCH_CUDA_ALLOC_CONF ran the default allocator.
    // A record without its env (written before records kept it) cannot say which allocator ran.
    if (!rec.env || allocatorOf(rec.env) !== allocator) { ignored.push({ runId: rec.runId, why: 'allocator' }); continue; }
    const now = repredict(rec);
    if (!now) { ignored.push({ runId: rec.runId, why: 'unknown-gpu' }); continue; }
    const ratios: Record<string, number[]> = {};
    let outlier = false;
    rec.gpus.forEach((g, i) => {
      const p = now[i];
      if (!p) return;
      const ratio = g.measuredBytes / p;
      if (Math.abs(ratio - 1) > OUTLIER) outlier = true;
      (ratios[g.role ?? 'rank'] ??= []).push(ratio);
    });
    if (outlier || !Object.keys(ratios).length) { ignored.push({ runId: rec.runId, why: 'outlier' }); continue; }
    const mine = memorySettings(recSpec);
    const exact = Object.keys({ ...want, ...mine }).every((k) => same(want[k], mine[k]));
    usable.push({ rec, ratios, exact });
  }
  const exact = usable.filter((u) => u.exact).sort((a, b) => b.rec.at.localeCompare(a.rec.at)).slice(0, MAX_EXACT);
  const chosen = exact.length ? exact : usable;
  if (!chosen.length) return ignored.length ? { factors: {}, runs: [], match: 'layout', spreadPct: 0, ignored } : null;
  const weight = exact.length ? 1 : 0.5;
  const byRole: Record<string, number[]> = {};
  for (const u of chosen) for (const [role, rs] of Object.entries(u.ratios)) (byRole[role] ??= []).push(...rs);
  const factors: Record<string, number> = {};
  let spread = 0;
  for (const [role, rs] of Object.entries(byRole)) {
    const mean = rs.reduce((a, b) => a + b, 0) / rs.length;
    factors[role] = 1 + (mean - 1) * weight;
    spread = Math.max(spread, ...rs.map((x) => Math.abs(x - mean) * 100));
  }
  return { factors, runs: chosen.map((u) => u.rec.runId), match: exact.length ? 'exact' : 'layout', spreadPct: spread, ignored };
}

/** The report with each rank's need scaled by its role's factor, band re-centred, verdict left to the caller. */
export function calibratedGpus(perGpu: GpuPlan[], c: Correction): GpuPlan[] {
  return perGpu.map((g) => {
    const f = c.factors[g.role] ?? c.factors.rank;
    if (f === undefined || g.missing || g.rank === null) return g;
    const need = Math.round(g.requiredBytes * f);
    const scale = (n: number) => Math.round(n * f);
    const breakdown = g.breakdown.map((p) => ({ ...p, bytes: scale(p.bytes) }));
    // Rounding each part may leave a byte or two: put it on the largest part so the sum stays the need.
    const diff = need - breakdown.reduce((a, p) => a + p.bytes, 0);
    if (breakdown.length && diff) breakdown.reduce((a, p) => (p.bytes > a.bytes ? p : a)).bytes += diff;
    let band = g.band;
    if (band) {
      const up = c.match === 'exact' ? Math.max(1, Math.ceil(c.spreadPct * 2) / 2) : band.upPct;
      const down = c.match === 'exact' ? Math.max(1, Math.ceil(c.spreadPct * 2) / 2) : band.downPct;
      band = { ...band, upPct: up, downPct: down, lowBytes: Math.round(need * (1 - down / 100)), highBytes: Math.round(need * (1 + up / 100) + (c.match === 'exact' ? 0 : g.ncclUncertainBytes ?? 0)) };
    }
    return { ...g, requiredBytes: need, breakdown, uncalibratedBytes: g.requiredBytes, ...(band ? { band } : {}) };
  });
}

export function calibrationNote(c: Correction, before: number, after: number): CalibrationApplied {
  const factor = Object.values(c.factors).reduce((a, b) => (Math.abs(b - 1) > Math.abs(a - 1) ? b : a), 1);
  const vars = (lang: 'en' | 'zh-CN') => ({ n: c.runs.length, match: tCheck(lang, `calibration.match.${c.match}`), factor: factor.toFixed(3), before: gb(before), after: gb(after) });
  return { runs: c.runs.length, factor, match: c.match, ...both('calibration.applied', vars('en'), vars('zh-CN')) };
}

/**
 * A detected check with this machine's records applied: needs rescaled per role, bands re-centred,
 * verdict and memory reasons judged again, and a note with before/after. Suggestions stay those of
 * the uncalibrated check (they were proven against the model, which is the conservative side when
 * the correction is downwards, and re-proven at launch).
 */
export function applyCalibration(report: FeasibilityReport, spec: RunSpec, records: CalibrationRecord[]): FeasibilityReport {
  const c = correctionFor(report, spec, records);
  if (!c || !c.runs.length) return { ...report, calibration: null };
  const perGpu = calibratedGpus(report.perGpu, c);
  const next = rejudge(report, perGpu);
  return { ...next, calibration: calibrationNote(c, maxRequired(report), maxRequired(next)) };
}
