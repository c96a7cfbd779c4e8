import { lines, num } from './values';

export interface TableGpu {
  index: number;
  name: string;
  /** Old 79-column layouts and long names end in "..." (fixtures table-8xgeforce-truncname-1.txt). */
  nameTruncated: boolean;
  pciBusId: string;
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
  utilizationPct: number | null;
  temperatureC: number | null;
  powerDrawW: number | null;
  powerLimitW: number | null;
  migEnabled: boolean | null;
}

export interface TableProcess {
  gpu: number;
  pid: number;
  /** C, G, C+G, M ... */
  type: string;
  name: string;
  usedMiB: number | null;
}

export interface SmiTable {
  smiVersion: string | null;
  driverVersion: string | null;
  cudaVersion: string | null;
  gpus: TableGpu[];
  processes: TableProcess[];
  problems: string[];
}

export interface SmiVersions {
  driverVersion: string | null;
  cudaVersion: string | null;
}

/**
 * Driver and CUDA version from any nvidia-smi text: the table header (`Driver Version:` /
 * `CUDA Version:`, and the 610-series `KMD Version:` / `CUDA UMD Version:` variant), `-q`
 * ("Driver Version : …") or `-q -x` (`<driver_version>`, `<cuda_version>`).
 */
export function parseSmiVersions(text: string): SmiVersions {
  const drv =
    /(?:Driver|KMD) Version\s*:\s*([0-9][\w.]*)/i.exec(text) ?? /<driver_version>\s*([^<\s]+)\s*<\/driver_version>/i.exec(text);
  const cuda =
    /CUDA (?:UMD )?Version\s*:\s*([0-9][\w.]*)/i.exec(text) ?? /<cuda_version>\s*([^<\s]+)\s*<\/cuda_version>/i.exec(text);
  const clean = (v: string | undefined) => (v && !/^N\/A$/i.test(v) ? v : null);
  return { driverVersion: clean(drv?.[1]), cudaVersion: clean(cuda?.[1]) };
}

const BUS = '([0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\\.[0-7])';
const GPU_ROW = new RegExp(`^\\|\\s*(\\d+)\\s+(.+?)\\s+(On|Off|WDDM|TCC|MCDM|N/A)\\s*\\|\\s*${BUS}\\s+\\S+\\s*\\|(.*)\\|\\s*$`);
const PROC_ROW = /^\|\s+(\d+)\s+(\S+)\s+(\S+)\s+(\d+)\s+(C\+G|G\+C|C|G|M\+C|M)\s+(.*?)\s+(\d+MiB|N\/A)\s*\|\s*$/;

/**
 * Parses the default `nvidia-smi` table: header versions, one block of 2–3 rows per GPU, and the
 * Processes box. Works across the 470–610 layouts in fixtures/nvidia-smi (79/89 columns, Windows
 * `Driver-Model`, MIG boxes, truncated names). Unknown rows are ignored, never fatal.
 */
export function parseSmiTable(text: string): SmiTable {
  const { driverVersion, cudaVersion } = parseSmiVersions(text);
  const smi = /NVIDIA-SMI\s+([0-9][\w.]*)/.exec(text);
  const out: SmiTable = { smiVersion: smi?.[1] ?? null, driverVersion, cudaVersion, gpus: [], processes: [], problems: [] };
  const all = lines(text);
  let inProcesses = false;
  let inMig = false;
  for (let i = 0; i < all.length; i++) {
    const line = all[i]!.replace(/\s+$/, '');
    if (/^\|\s*Processes:/.test(line)) {
      inProcesses = true;
      inMig = false;
      continue;
    }
    if (/^\|\s*MIG devices:/.test(line)) {
      inMig = true;
      continue;
    }
    if (inProcesses) {
      const p = PROC_ROW.exec(line);
      if (p) {
        out.processes.push({ gpu: Number(p[1]), pid: Number(p[4]), type: p[5]!, name: p[6]!.trim(), usedMiB: num(p[7]!.replace('MiB', '')) });
      }
      continue;
    }
    if (inMig) continue;
    const g = GPU_ROW.exec(line);
    if (!g) continue;
    const second = all[i + 1] ?? '';
    const third = all[i + 2] ?? '';
    const mem = /(\d+)MiB\s*\/\s*(\d+)MiB/.exec(second);
    const temp = /\s(\d+)C\s/.exec(second);
    const pwr = /(\d+(?:\.\d+)?|N\/A)W?\s*\/\s*(\d+(?:\.\d+)?)W/.exec(second);
    const util = /\|\s*(\d+)%\s+\S+\s*\|\s*$/.exec(second.replace(/\s+$/, ''));
    const mig = /\|\s*(Enabled|Disabled|N\/A)\s*\|\s*$/.exec(third.replace(/\s+$/, ''));
    const name = g[2]!.trim();
    if (!mem) out.problems.push(`GPU ${g[1]}: no memory row`);
    out.gpus.push({
      index: Number(g[1]),
      name,
      nameTruncated: name.endsWith('...'),
      pciBusId: g[4]!,
      memoryUsedMiB: mem ? Number(mem[1]) : null,
      memoryTotalMiB: mem ? Number(mem[2]) : null,
      utilizationPct: util ? Number(util[1]) : null,
      temperatureC: temp ? Number(temp[1]) : null,
      powerDrawW: pwr && pwr[1] !== 'N/A' ? Number(pwr[1]) : null,
      powerLimitW: pwr ? Number(pwr[2]) : null,
      migEnabled: mig ? (mig[1] === 'Enabled' ? true : mig[1] === 'Disabled' ? false : null) : null,
    });
  }
  if (!out.driverVersion) out.problems.push('no driver version in the header');
  return out;
}
