import type { GpuInfo, GpuProcess } from './types';
import { int, isMissing, lines, normBusId, num } from './values';

/** The one --query-gpu call detection makes (issue 3); order matters when the header is left out. */
export const GPU_QUERY_FIELDS = [
  'index', 'uuid', 'name', 'pci.bus_id', 'driver_version', 'memory.total', 'memory.used', 'memory.free',
  'utilization.gpu', 'temperature.gpu', 'power.draw', 'power.limit', 'compute_cap',
  'pcie.link.gen.current', 'pcie.link.width.current',
] as const;

export const APPS_QUERY_FIELDS = ['pid', 'process_name', 'used_memory', 'gpu_uuid', 'gpu_bus_id'] as const;

/** Argument lists, so the run manager, the stand-in and detection spell them the same way. */
export const GPU_QUERY_ARGS = [`--query-gpu=${GPU_QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];
export const APPS_QUERY_ARGS = [`--query-compute-apps=${APPS_QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];

/** nvidia-smi accepts several names for one field (help-query-gpu.txt: `"name" or "gpu_name"`). */
const ALIASES: Record<string, string> = {
  gpu_name: 'name',
  gpu_uuid: 'uuid',
  gpu_bus_id: 'pci.bus_id',
  'pcie.link.gen.gpucurrent': 'pcie.link.gen.current',
  used_gpu_memory: 'used_memory',
  name: 'name',
};

export interface CsvProblem {
  line: number;
  text: string;
  reason: string;
}

export interface GpuCsvResult {
  gpus: GpuInfo[];
  problems: CsvProblem[];
}

function canon(field: string, apps: boolean): string {
  const f = field.replace(/\s*\[[^\]]*\]\s*$/, '').trim().toLowerCase();
  if (apps && f === 'name') return 'process_name';
  return ALIASES[f] ?? f;
}

/** The header row, if the output kept it (`--format=csv` without noheader). */
function headerOf(first: string | undefined, apps: boolean): string[] | null {
  if (!first) return null;
  const cells = first.split(',').map((c) => canon(c, apps));
  const known = apps ? ['pid', 'process_name', 'used_memory', 'uuid'] : ['index', 'name', 'uuid', 'memory.total', 'pci.bus_id'];
  return cells.some((c) => known.includes(c)) && !cells.some((c) => /^\d+$/.test(c)) ? cells : null;
}

function rowsOf(text: string, fields: readonly string[], apps: boolean, problems: CsvProblem[]): { line: number; cells: Record<string, string> }[] {
  const all = lines(text);
  const header = headerOf(all.find((l) => l.trim() !== ''), apps);
  const names = header ?? fields.map((f) => canon(f, apps));
  const out: { line: number; cells: Record<string, string> }[] = [];
  let skippedHeader = header === null;
  all.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    if (!skippedHeader) {
      skippedHeader = true;
      return;
    }
    if (/^No running (?:compute )?processes found/i.test(line)) return;
    let parts = line.split(',').map((c) => c.trim());
    // A process name may itself contain ", " (Windows paths); glue the extra cells back into it.
    const nameAt = names.indexOf('process_name');
    if (parts.length > names.length && nameAt >= 0) {
      const extra = parts.length - names.length;
      parts = [...parts.slice(0, nameAt), parts.slice(nameAt, nameAt + extra + 1).join(', '), ...parts.slice(nameAt + extra + 1)];
    }
    if (parts.length !== names.length) {
      problems.push({ line: i + 1, text: line.slice(0, 120), reason: `${parts.length} of ${names.length} fields` });
      return;
    }
    out.push({ line: i + 1, cells: Object.fromEntries(names.map((n, k) => [n, parts[k] ?? ''])) });
  });
  return out;
}

/**
 * Parses `nvidia-smi --query-gpu=… --format=csv[,noheader][,nounits]`. Rows that cannot be read
 * (garbled, cut short) are reported in `problems` and left out; the rest still come back, so a
 * damaged answer gives a partial report, never an exception.
 */
export function parseQueryGpuCsv(text: string, fields: readonly string[] = GPU_QUERY_FIELDS): GpuCsvResult {
  const problems: CsvProblem[] = [];
  const gpus: GpuInfo[] = [];
  for (const { line, cells } of rowsOf(text, fields, false, problems)) {
    const index = int(cells.index);
    const total = num(cells['memory.total']);
    const name = cells.name?.trim() ?? '';
    if (index === null || index < 0) {
      problems.push({ line, text: Object.values(cells).join(', ').slice(0, 120), reason: `index "${cells.index ?? ''}" is not a GPU number` });
      continue;
    }
    if (total === null || !name || isMissing(name)) {
      problems.push({ line, text: Object.values(cells).join(', ').slice(0, 120), reason: 'no name or total memory' });
      continue;
    }
    let used = num(cells['memory.used']);
    let free = num(cells['memory.free']);
    if (used === null && free !== null) used = Math.max(0, total - free);
    if (free === null && used !== null) free = Math.max(0, total - used);
    const cc = cells.compute_cap?.trim();
    gpus.push({
      index,
      uuid: isMissing(cells.uuid) ? '' : (cells.uuid ?? '').trim(),
      name,
      pciBusId: isMissing(cells['pci.bus_id']) ? '' : (cells['pci.bus_id'] ?? '').trim(),
      driverVersion: isMissing(cells.driver_version) ? '' : (cells.driver_version ?? '').trim(),
      memoryTotalMiB: total,
      memoryUsedMiB: used ?? 0,
      memoryFreeMiB: free ?? total,
      utilizationPct: num(cells['utilization.gpu']),
      temperatureC: num(cells['temperature.gpu']),
      powerDrawW: num(cells['power.draw']),
      powerLimitW: num(cells['power.limit']),
      computeCapability: cc && /^\d+\.\d+$/.test(cc) ? cc : null,
      pcieGen: int(cells['pcie.link.gen.current']),
      pcieWidth: int(cells['pcie.link.width.current']),
      processes: [],
    });
  }
  problems.sort((a, b) => a.line - b.line);
  return { gpus, problems };
}

export interface AppsCsvResult {
  processes: GpuProcess[];
  problems: CsvProblem[];
}

/** Parses `--query-compute-apps=pid,process_name,used_memory,gpu_uuid,gpu_bus_id`; empty output = no holders. */
export function parseComputeApps(text: string, fields: readonly string[] = APPS_QUERY_FIELDS): AppsCsvResult {
  const problems: CsvProblem[] = [];
  const processes: GpuProcess[] = [];
  for (const { line, cells } of rowsOf(text, fields, true, problems)) {
    const pid = int(cells.pid);
    const uuid = (cells.uuid ?? '').trim();
    const bus = (cells['pci.bus_id'] ?? '').trim();
    if (pid === null || (!uuid && !bus)) {
      problems.push({ line, text: Object.values(cells).join(', ').slice(0, 120), reason: 'no pid or GPU' });
      continue;
    }
    processes.push({
      pid,
      name: (cells.process_name ?? '').trim(),
      usedMiB: num(cells.used_memory),
      gpuUuid: uuid,
      ...(bus ? { gpuBusId: bus } : {}),
    });
  }
  problems.sort((a, b) => a.line - b.line);
  return { processes, problems };
}

/**
 * Attaches each process to its GPU: by uuid, else by PCI bus id (masked uuids, or a capture whose
 * uuids come from another boot). Returns the processes that matched no GPU.
 */
export function attachProcesses(gpus: GpuInfo[], processes: GpuProcess[]): GpuProcess[] {
  const unmatched: GpuProcess[] = [];
  for (const p of processes) {
    const gpu =
      gpus.find((g) => g.uuid && g.uuid === p.gpuUuid) ??
      (p.gpuBusId ? gpus.find((g) => g.pciBusId && normBusId(g.pciBusId) === normBusId(p.gpuBusId)) : undefined);
    if (gpu) gpu.processes.push(p);
    else unmatched.push(p);
  }
  return unmatched;
}
