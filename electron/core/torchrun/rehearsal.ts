import { join } from 'node:path';

/**
 * The rehearsal workload's machine-readable lines (docs/rehearsal.md §4.2). Each is a tag, a
 * space and one JSON object on one line; other ranks' output may follow it on the same line.
 */

/** One rank's peaks, printed once at the end (`LAL_PEAK`). Bytes and seconds; null where not measured. */
export interface RehearsalPeak {
  rank: number;
  world_size: number;
  device: string;
  torch_allocated_peak: number | null;
  torch_reserved_peak: number | null;
  /** Device-wide used memory (NVML or cudaMemGetInfo), sampled during the run. */
  device_used_peak: number | null;
  host_rss_peak: number;
  timings: { load: number | null; first_clip: number | null; total: number };
  status: 'ok' | 'error';
}

/** What one rank is expected to allocate (`LAL_PLAN`), printed before loading. */
export interface RehearsalPlan {
  rank: number;
  world_size: number;
  layout: 'single' | 'tpp' | 'fsdp';
  role: 'single' | 'dit' | 'vae' | 'fsdp';
  scale: 'tiny' | 'full';
  geometry: { height: number; width: number; fsl: number; kv_len: number; num_blocks: number; clips: number };
  gpu_steady: Record<string, number>;
  gpu_steady_total: number;
  gpu_phases: Partial<Record<'load' | 'encode' | 'denoise' | 'decode', number>>;
  gpu_peak_expected: number;
  host: Record<string, number>;
}

/** A fault that fired (`LAL_INJECT`, on stderr). */
export interface RehearsalInject {
  kind: 'hang' | 'crash' | 'sigkill' | 'oom' | 'slow';
  rank: number;
  clip: number;
  step: number;
  spec: string;
}

export type RehearsalLine =
  | { tag: 'LAL_PEAK'; value: RehearsalPeak }
  | { tag: 'LAL_PLAN'; value: RehearsalPlan }
  | { tag: 'LAL_INJECT'; value: RehearsalInject };

const TAGS = ['LAL_PEAK', 'LAL_PLAN', 'LAL_INJECT'] as const;

/** The rehearsal script inside a resources/ folder. */
export function rehearsalScript(resourcesDir: string): string {
  return join(resourcesDir, 'workloads', 'rehearsal.py');
}

/** Parses one output line; null when it carries no rehearsal record (or a torn one). */
export function parseRehearsalLine(line: string): RehearsalLine | null {
  for (const tag of TAGS) {
    const at = line.indexOf(`${tag} {`);
    if (at < 0) continue;
    const json = leadingJsonObject(line.slice(at + tag.length + 1));
    if (json === null) return null;
    try {
      return { tag, value: JSON.parse(json) } as RehearsalLine;
    } catch {
      return null;
    }
  }
  return null;
}

/** The `{...}` a line starts with, respecting strings; null if it never closes. */
export function leadingJsonObject(text: string): string | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(0, i + 1);
  }
  return null;
}
