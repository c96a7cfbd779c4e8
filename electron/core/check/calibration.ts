import { join } from 'node:path';
import { readJson, writeJsonAtomic } from '../json-file';
import { MODEL_ENV_KEYS } from '../../../shared/feasibility/calibrate';

/**
 * Predicted vs measured peaks, one entry per finished run, in `<dataDir>/calibration.json`.
 * The run manager calls recordCalibration at run end; `lal check` and the UI show the last
 * measurements next to a new prediction, with the error, and the lead tunes
 * shared/feasibility/constants.ts from them (docs/feasibility.md "Calibration").
 */
export interface CalibrationGpu {
  index: number;
  role?: string;
  predictedBytes: number;
  /** Measured peak (nvidia-smi used, or the workload's device_used_peak), bytes. */
  measuredBytes: number;
  /** (predicted − measured) / measured × 100; positive means the model over-predicts. */
  errorPct: number;
}

export interface CalibrationEntry {
  runId: string;
  recipe: string;
  mode: string;
  settings: Record<string, string | number | boolean>;
  gpuName?: string;
  /** GPUs of the run (ranks with a GPU). */
  gpuCount?: number;
  /** The run's env, only the variables the model reads (allocator, P2P, compile). */
  env?: Record<string, string>;
  /** How the run ended: only `succeeded` runs calibrate (an OOM's peak is where it died, not a need). */
  status?: string;
  at: string;
  gpus: CalibrationGpu[];
  /** Largest |errorPct| over the GPUs. */
  maxAbsErrorPct: number;
}

export interface CalibrationInput {
  runId: string;
  recipe: string;
  mode: string;
  settings?: Record<string, string | number | boolean>;
  gpuName?: string;
  /** Predicted bytes per physical GPU index (RunRecord.predictedBytes). */
  predictedBytes: Record<string, number>;
  /** Measured peak per physical GPU index in MiB (RunRecord.peaksMiB). */
  peaksMiB: Record<string, number>;
  roles?: Record<string, string>;
  at?: string;
  /** The run's whole env (RunPlan.env); only MODEL_ENV_KEYS are kept. */
  env?: Record<string, string>;
  status?: string;
  /** The workload's own device-used peaks per GPU index (LAL_PEAK, sampled every 50 ms), bytes. */
  workloadPeakBytes?: Record<string, number>;
}

const FILE = 'calibration.json';
/** Keep the file small: the newest entries are the ones that matter. */
const MAX_ENTRIES = 500;

export function calibrationEntry(input: CalibrationInput): CalibrationEntry | null {
  const gpus: CalibrationGpu[] = [];
  for (const [idx, predicted] of Object.entries(input.predictedBytes)) {
    const mib = input.peaksMiB[idx];
    // nvidia-smi every 500 ms can miss a short peak that the workload's 50 ms sampler saw: the larger.
    const measured = Math.max((mib ?? 0) * 2 ** 20, input.workloadPeakBytes?.[idx] ?? 0);
    if (!(measured > 0) || !(predicted > 0)) continue;
    gpus.push({ index: Number(idx), ...(input.roles?.[idx] ? { role: input.roles[idx] } : {}), predictedBytes: predicted, measuredBytes: measured, errorPct: round1(((predicted - measured) / measured) * 100) });
  }
  if (!gpus.length) return null;
  gpus.sort((a, b) => a.index - b.index);
  return {
    runId: input.runId,
    recipe: input.recipe,
    mode: input.mode,
    settings: input.settings ?? {},
    ...(input.gpuName ? { gpuName: input.gpuName } : {}),
    gpuCount: gpus.length,
    ...(input.env ? { env: Object.fromEntries(MODEL_ENV_KEYS.filter((k) => k in input.env!).map((k) => [k, input.env![k]!])) } : {}),
    ...(input.status ? { status: input.status } : {}),
    at: input.at ?? new Date().toISOString(),
    gpus,
    maxAbsErrorPct: Math.max(...gpus.map((g) => Math.abs(g.errorPct))),
  };
}

/** Append one run's comparison; returns the entry, or null when there was nothing to compare. */
export function recordCalibration(dataDir: string, input: CalibrationInput): CalibrationEntry | null {
  const entry = calibrationEntry(input);
  if (!entry) return null;
  const all = readCalibration(dataDir).filter((e) => e.runId !== entry.runId);
  all.push(entry);
  writeJsonAtomic(join(dataDir, FILE), { version: 1, entries: all.slice(-MAX_ENTRIES) });
  return entry;
}

export function readCalibration(dataDir: string, filter?: { recipe?: string; mode?: string }): CalibrationEntry[] {
  const data = readJson<{ version?: number; entries?: CalibrationEntry[] }>(join(dataDir, FILE));
  // The file is ours, but a hand edit or an older version must not crash a check: keep well-formed entries.
  const entries = (Array.isArray(data?.entries) ? data.entries : []).filter(wellFormed);
  return entries.filter((e) => (!filter?.recipe || e.recipe === filter.recipe) && (!filter?.mode || e.mode === filter.mode));
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Forget every record (Settings, `lal check --calibration reset`); returns how many there were. */
export function resetCalibration(dataDir: string): number {
  const n = readCalibration(dataDir).length;
  writeJsonAtomic(join(dataDir, FILE), { version: 1, entries: [] });
  return n;
}

export const calibrationFile = (dataDir: string): string => join(dataDir, FILE);

function wellFormed(e: unknown): e is CalibrationEntry {
  if (!e || typeof e !== 'object') return false;
  const x = e as Partial<CalibrationEntry>;
  return typeof x.runId === 'string' && typeof x.recipe === 'string' && typeof x.mode === 'string' && typeof x.at === 'string' &&
    !!x.settings && typeof x.settings === 'object' && Array.isArray(x.gpus) &&
    x.gpus.every((g) => !!g && typeof g.index === 'number' && typeof g.measuredBytes === 'number' && typeof g.predictedBytes === 'number') &&
    (x.env === undefined || (typeof x.env === 'object' && x.env !== null && Object.values(x.env).every((v) => typeof v === 'string')));
}
