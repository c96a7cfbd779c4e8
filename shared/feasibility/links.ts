import type { Topology } from '../detect/types';
import type { HardwareGpu } from './types';

/**
 * How NCCL moves data between two GPUs of a run, which decides how much buffer memory it takes:
 * - `nvlink`: direct over NVLink (many channels, buffers grow with each peer);
 * - `pcie-p2p`: peer-to-peer over PCIe (P2P status OK, no NVLink);
 * - `shm`: through host shared memory (no P2P: GeForce cards, `NCCL_P2P_DISABLE=1`).
 * Where the answer came from matters as much: a detected topology is a fact, a preset or a GPU
 * name is an assumption, and the Mode card and `lal check` say which.
 */
export type PairLink = { kind: 'nvlink'; nvlinks: number } | { kind: 'pcie-p2p' } | { kind: 'shm' };
export type LinkSource = 'detected' | 'preset' | 'name' | 'env';

export interface LinkMap {
  source: LinkSource;
  /** Link between two physical GPU indexes (order-free). */
  between(a: number, b: number): PairLink;
}

/** NVLink count of the measured 8x/4x H200 hosts (NV18): the NCCL constants were fitted there. */
export const MEASURED_NVLINKS = 18;

const SHM: PairLink = { kind: 'shm' };

/** One link for every pair. */
export function uniformLinks(link: PairLink, source: LinkSource): LinkMap {
  return { source, between: () => link };
}

/**
 * From `nvidia-smi topo -m` and `topo -p2p r` as detection parsed them: NV# is NVLink with # links;
 * anything else is PCIe, with P2P when the P2P matrix says OK for the pair and host memory otherwise.
 * A pair missing from the matrix gets the slowest assumption (shm), which is the smallest NCCL
 * figure: the error band widens for it (see `ncclUncertain`).
 */
export function linksFromTopology(topo: Topology): LinkMap {
  const key = (a: number, b: number) => (a < b ? `${a}-${b}` : `${b}-${a}`);
  const nv = new Map<string, number>();
  for (const l of topo.links) if (l.kind === 'NV') nv.set(key(l.a, l.b), l.nvlinks ?? 1);
  const p2p = new Map<string, string>();
  for (const p of topo.p2p) p2p.set(key(p.a, p.b), p.status.toUpperCase());
  return {
    source: 'detected',
    between(a, b) {
      const n = nv.get(key(a, b));
      if (n !== undefined) return { kind: 'nvlink', nvlinks: n };
      return p2p.get(key(a, b)) === 'OK' ? { kind: 'pcie-p2p' } : SHM;
    },
  };
}

/**
 * Datacenter SXM parts talk over NVLink. Only used when neither a detected topology nor a preset
 * says anything (a hardware spec of raw sizes, or detection without nvidia-smi topo).
 */
export function likelyNvlink(g: Pick<HardwareGpu, 'name'>): boolean {
  return /\b(H100|H200|H800|H20|A100|A800|B200|GB200|B300)\b/i.test(g.name) && !/pcie|nvl\b/i.test(g.name);
}

export function linksFromNames(gpus: HardwareGpu[]): LinkMap {
  const nvlink = gpus.length > 1 && gpus.every(likelyNvlink);
  return uniformLinks(nvlink ? { kind: 'nvlink', nvlinks: MEASURED_NVLINKS } : SHM, 'name');
}

/** A short, language-free description of a link for messages: "NV18", "PCIe P2P", "SHM". */
export function linkLabel(l: PairLink): string {
  return l.kind === 'nvlink' ? `NV${l.nvlinks}` : l.kind === 'pcie-p2p' ? 'PCIe P2P' : 'SHM';
}

/** The links among a run's GPUs, summarised: the distinct labels, most common first. */
export function summariseLinks(links: LinkMap, indexes: number[]): string[] {
  const counts = new Map<string, number>();
  for (let i = 0; i < indexes.length; i++) {
    for (let j = i + 1; j < indexes.length; j++) {
      const label = linkLabel(links.between(indexes[i]!, indexes[j]!));
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([l]) => l);
}
