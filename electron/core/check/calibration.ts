import { join } from 'node:path';
import { readJson, writeJsonAtomic } from '../json-file';

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
}

const FILE = 'calibration.json';
/** Keep the file small: the newest entries are the ones that matter. */
const MAX_ENTRIES = 500;

export function calibrationEntry(input: CalibrationInput): CalibrationEntry | null {
  const gpus: CalibrationGpu[] = [];
  for (const [idx, predicted] of Object.entries(input.predictedBytes)) {
    const mib = input.peaksMiB[idx];
    if (mib === undefined || !(mib > 0) || !(predicted > 0)) continue;
    const measured = mib * 2 ** 20;
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
  const entries = Array.isArray(data?.entries) ? data.entries : [];
  return entries.filter((e) => (!filter?.recipe || e.recipe === filter.recipe) && (!filter?.mode || e.mode === filter.mode));
}

const round1 = (n: number) => Math.round(n * 10) / 10;
