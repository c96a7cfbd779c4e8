import type { DetectReport } from '../detect/types';
import type { HardwareGpu } from './types';
import { ApiFailure } from '../api/result';
import { GiB, MiB } from './constants';
import { linksFromNames, uniformLinks, type LinkMap, type PairLink } from './links';

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
  /**
   * How several of these talk in the usual box: NVLink between all pairs (SXM baseboards), NVLink
   * bridges between pairs only (`pairs`, PCIe cards such as the H100 NVL), PCIe P2P, or host memory
   * (GeForce: no P2P). A what-if check assumes this and says so.
   */
  link: PairLink & { pairs?: boolean };
}

export const GPU_TABLE: GpuModel[] = [
  { name: 'RTX 3090', aliases: ['3090', 'rtx3090', 'geforcertx3090'], memoryMiB: 24576, cc: '8.6', link: { kind: 'shm' } },
  { name: 'RTX 4090', aliases: ['4090', 'rtx4090', 'geforcertx4090'], memoryMiB: 24564, cc: '8.9', link: { kind: 'shm' } },
  { name: 'RTX 5090', aliases: ['5090', 'rtx5090', 'geforcertx5090'], memoryMiB: 32607, cc: '12.0', link: { kind: 'shm' } },
  { name: 'RTX A6000', aliases: ['a6000', 'rtxa6000'], memoryMiB: 49140, cc: '8.6', link: { kind: 'pcie-p2p' } },
  { name: 'RTX 6000 Ada', aliases: ['rtx6000ada', '6000ada', 'rtx6000adageneration'], memoryMiB: 49140, cc: '8.9', link: { kind: 'pcie-p2p' } },
  { name: 'L40S', aliases: ['l40s'], memoryMiB: 46068, cc: '8.9', link: { kind: 'pcie-p2p' } },
  { name: 'L40', aliases: ['l40'], memoryMiB: 46068, cc: '8.9', link: { kind: 'pcie-p2p' } },
  { name: 'A100-40GB', aliases: ['a10040gb', 'a10040g', 'a100sxm440gb', 'a100pcie40gb'], memoryMiB: 40960, cc: '8.0', link: { kind: 'nvlink', nvlinks: 12 } },
  { name: 'A100-80GB', aliases: ['a10080gb', 'a10080g', 'a100sxm480gb', 'a100pcie80gb'], memoryMiB: 81920, cc: '8.0', link: { kind: 'nvlink', nvlinks: 12 } },
  { name: 'A800', aliases: ['a800', 'a80080gb'], memoryMiB: 81920, cc: '8.0', link: { kind: 'nvlink', nvlinks: 8 } },
  { name: 'H100', aliases: ['h100', 'h10080gb', 'h100sxm', 'h100sxm580gb', 'h10080gbhbm3'], memoryMiB: 81559, cc: '9.0', link: { kind: 'nvlink', nvlinks: 18 } },
  { name: 'H100 PCIe', aliases: ['h100pcie'], memoryMiB: 81559, cc: '9.0', link: { kind: 'pcie-p2p' } },
  { name: 'H100 NVL', aliases: ['h100nvl', 'h100nvl94gb'], memoryMiB: 95830, cc: '9.0', link: { kind: 'nvlink', nvlinks: 12, pairs: true } },
  { name: 'H800', aliases: ['h800', 'h80080gb'], memoryMiB: 81559, cc: '9.0', link: { kind: 'nvlink', nvlinks: 8 } },
  { name: 'H20', aliases: ['h20', 'h2096gb'], memoryMiB: 97871, cc: '9.0', link: { kind: 'nvlink', nvlinks: 18 } },
  { name: 'H200', aliases: ['h200', 'h200141gb', 'h200nvl'], memoryMiB: 143771, cc: '9.0', link: { kind: 'nvlink', nvlinks: 18 } },
  { name: 'B200', aliases: ['b200'], memoryMiB: 183359, cc: '10.0', link: { kind: 'nvlink', nvlinks: 18 } },
];

/**
 * What an idle card of a named model has free below nvidia-smi's total: 480 MiB on the H100 80GB
 * (81079 of 81559 free, docs/validation-data/h100x1-allocator/machine.txt), 616 MiB on the H200
 * (139.8 of 140.4 GiB, docs/validation-data/h200x8/detect.txt). The larger one, for every preset.
 * A raw size (`1x48GiB`) is taken as usable memory as written.
 */
export const DRIVER_RESERVED_BYTES = 616 * MiB;

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
      // nvidia-smi's total includes memory the driver keeps: an idle card reports less free.
      gpu = { name: model.name, memoryBytes: bytes, availableBytes: bytes - DRIVER_RESERVED_BYTES, computeCapability: model.cc };
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

/**
 * The links a what-if spec implies: each group's preset (NVLink all pairs, NVLink bridges in pairs
 * 0-1, 2-3, …, PCIe P2P or host memory); GPUs of different models meet over host memory. Raw
 * sizes (`1x48GiB`) and unknown names carry no preset: the GPU-name rule decides.
 */
export function linksForSpec(gpus: HardwareGpu[]): LinkMap {
  const models = new Map<number, GpuModel | undefined>(gpus.map((g) => [g.index, findGpuModel(g.name)]));
  // A name no preset knows (a raw size, a new part): fall back to the name rule.
  if (gpus.some((g) => !models.get(g.index))) return linksFromNames(gpus);
  const first = gpus.length ? models.get(gpus[0]!.index) : undefined;
  if (first && gpus.every((g) => models.get(g.index) === first) && !first.link.pairs) return uniformLinks(stripPairs(first.link), 'preset');
  const start = new Map<number, number>();
  gpus.forEach((g, pos) => start.set(g.index, pos));
  return {
    source: 'preset',
    between(a, b) {
      const ma = models.get(a);
      if (!ma || ma !== models.get(b)) return { kind: 'shm' };
      if (!ma.link.pairs) return stripPairs(ma.link);
      // Bridges join neighbours of a group: positions 0-1, 2-3, … within the same model.
      const pa = start.get(a) ?? a;
      const pb = start.get(b) ?? b;
      return Math.floor(pa / 2) === Math.floor(pb / 2) ? stripPairs(ma.link) : { kind: 'pcie-p2p' };
    },
  };
}

function stripPairs(l: GpuModel['link']): PairLink {
  return l.kind === 'nvlink' ? { kind: 'nvlink', nvlinks: l.nvlinks } : { kind: l.kind };
}
