import type { DetectReport } from '../detect/types';
import type { HardwareGpu } from './types';
import { ApiFailure } from '../api/result';
import { GiB, MiB } from './constants';

/**
 * What-if hardware: `5xH800`, `4xRTX 4090`, `1x48GiB@8.9`, `4 x H200`, or groups joined by `+`/`,`
 * (`1xH100+1xRTX 4090`). Memory is what nvidia-smi reports as total (MiB), so a what-if check sees
 * the same numbers as a detected card; compute capability decides fp8 (≥ 8.9).
 */
export interface GpuModel {
  name: string;
  aliases: string[];
  memoryMiB: number;
  cc: string;
}

export const GPU_TABLE: GpuModel[] = [
  { name: 'RTX 3090', aliases: ['3090', 'rtx3090', 'geforcertx3090'], memoryMiB: 24576, cc: '8.6' },
  { name: 'RTX 4090', aliases: ['4090', 'rtx4090', 'geforcertx4090'], memoryMiB: 24564, cc: '8.9' },
  { name: 'RTX 5090', aliases: ['5090', 'rtx5090', 'geforcertx5090'], memoryMiB: 32607, cc: '12.0' },
  { name: 'RTX A6000', aliases: ['a6000', 'rtxa6000'], memoryMiB: 49140, cc: '8.6' },
  { name: 'RTX 6000 Ada', aliases: ['rtx6000ada', '6000ada', 'rtx6000adageneration'], memoryMiB: 49140, cc: '8.9' },
  { name: 'L40S', aliases: ['l40s'], memoryMiB: 46068, cc: '8.9' },
  { name: 'L40', aliases: ['l40'], memoryMiB: 46068, cc: '8.9' },
  { name: 'A100-40GB', aliases: ['a10040gb', 'a10040g', 'a100sxm440gb', 'a100pcie40gb'], memoryMiB: 40960, cc: '8.0' },
  { name: 'A100-80GB', aliases: ['a10080gb', 'a10080g', 'a100sxm480gb', 'a100pcie80gb'], memoryMiB: 81920, cc: '8.0' },
  { name: 'A800', aliases: ['a800', 'a80080gb'], memoryMiB: 81920, cc: '8.0' },
  { name: 'H100', aliases: ['h100', 'h10080gb', 'h100sxm', 'h100sxm580gb', 'h10080gbhbm3'], memoryMiB: 81559, cc: '9.0' },
  { name: 'H100 PCIe', aliases: ['h100pcie'], memoryMiB: 81559, cc: '9.0' },
  { name: 'H800', aliases: ['h800', 'h80080gb'], memoryMiB: 81559, cc: '9.0' },
  { name: 'H20', aliases: ['h20', 'h2096gb'], memoryMiB: 97871, cc: '9.0' },
  { name: 'H200', aliases: ['h200', 'h200141gb', 'h200nvl'], memoryMiB: 143771, cc: '9.0' },
  { name: 'B200', aliases: ['b200'], memoryMiB: 183359, cc: '10.0' },
];

const norm = (s: string) => s.toLowerCase().replace(/nvidia|geforce|[\s_\-()]/g, '');

function bad(message: string): ApiFailure {
  return new ApiFailure({ code: 'BAD_INPUT', field: 'hardware', message });
}

export function findGpuModel(name: string): GpuModel | undefined {
  const n = norm(name);
  if (!n) return undefined;
  return GPU_TABLE.find((g) => norm(g.name) === n || g.aliases.includes(n));
}

const GROUP = /^\s*(?:(\d+)\s*[x×*]\s*)?(.+?)\s*$/i;
const SIZE = /^(\d+(?:\.\d+)?)\s*(gib|gb|g)?(?:\s*@\s*(\d+(?:\.\d+)?))?$/i;

export function parseHardwareSpec(spec: string): HardwareGpu[] {
  if (typeof spec !== 'string' || !spec.trim()) throw bad('hardware spec is empty; write e.g. 5xH800, 4xRTX 4090 or 1x48GiB@8.9');
  const out: HardwareGpu[] = [];
  for (const group of spec.split(/[+,;]/)) {
    const m = GROUP.exec(group);
    if (!m || !m[2]) throw bad(`hardware: cannot read "${group.trim()}"; write N x MODEL or N x <GiB>GiB[@<cc>]`);
    const count = m[1] === undefined ? 1 : Number(m[1]);
    if (!Number.isInteger(count) || count < 1 || count > 64) throw bad(`hardware: GPU count "${m[1]}" in "${group.trim()}" must be 1–64`);
    const what = m[2];
    const size = SIZE.exec(what);
    let gpu: Omit<HardwareGpu, 'index'>;
    if (size) {
      const amount = Number(size[1]);
      if (!(amount > 0 && amount <= 4096)) throw bad(`hardware: memory "${size[1]}" in "${group.trim()}" must be between 0 and 4096 GiB`);
      const cc = size[3] ?? null;
      if (cc !== null && !/^\d{1,2}\.\d$/.test(cc)) throw bad(`hardware: compute capability "${cc}" in "${group.trim()}" must look like 8.9`);
      // GB is decimal, GiB (and a bare number) binary.
      const bytes = (size[2] ?? 'gib').toLowerCase() === 'gb' ? amount * 1e9 : amount * GiB;
      gpu = { name: `${amount} ${size[2] ?? 'GiB'}${cc ? `@${cc}` : ''}`, memoryBytes: Math.round(bytes), availableBytes: Math.round(bytes), computeCapability: cc };
    } else {
      if (/^a100$/i.test(norm(what))) throw bad(`hardware: "${what}" is ambiguous: write A100-40GB or A100-80GB`);
      const model = findGpuModel(what);
      if (!model) throw bad(`hardware: unknown GPU model "${what}"; known: ${GPU_TABLE.map((g) => g.name).join(', ')}; or write e.g. 1x48GiB@8.9`);
      const bytes = model.memoryMiB * MiB;
      gpu = { name: model.name, memoryBytes: bytes, availableBytes: bytes, computeCapability: model.cc };
    }
    for (let i = 0; i < count; i++) out.push({ index: out.length, ...gpu });
  }
  if (out.length > 64) throw bad('hardware: more than 64 GPUs');
  return out;
}

/** Detected GPUs with the memory that is free right now (other processes' use counts against the run). */
export function hardwareFromDetect(report: Pick<DetectReport, 'gpus'> | null | undefined): HardwareGpu[] {
  return (report?.gpus ?? []).map((g) => ({
    index: g.index,
    name: g.name,
    memoryBytes: g.memoryTotalMiB * MiB,
    availableBytes: Math.max(0, g.memoryFreeMiB) * MiB,
    computeCapability: g.computeCapability,
  }));
}
