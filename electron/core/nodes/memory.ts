import type { RunSpec } from '../../../shared/run/types';
import type { HardwareGpu } from '../../../shared/feasibility/types';
import type { NodeProbe } from '../../../shared/nodes/preflight';
import { predictPerGpu } from '../../../shared/feasibility';

/**
 * What each rank of a multi-node run needs on its GPU, by global rank: the feasibility model's
 * per-rank prediction for the spec's recipe, mode and settings, placed on the GPUs the nodes
 * reported (node i's local rank j on its GPU j), so a rank is judged on the card it will get.
 * The model prices NCCL buffers for links inside one box; across nodes they go over the network
 * and cost about the same on the GPU. Null when the model cannot price this spec (the preflight
 * then checks GPU counts only, as before).
 */
export function rankNeeds(spec: RunSpec, probes: NodeProbe[]): (number | null)[] | null {
  const hardware: HardwareGpu[] = [];
  for (const p of probes) {
    const gpus = p.facts?.gpus ?? [];
    for (let j = 0; j < p.ranks; j++) {
      const g = gpus[j];
      hardware.push({ index: hardware.length, name: g?.name ?? 'unknown', memoryBytes: g?.totalBytes ?? 0, availableBytes: g?.freeBytes ?? g?.totalBytes ?? 0, computeCapability: null });
    }
  }
  try {
    // GPU indexes and nodes of the spec mean nothing to a one-box model: ranks are placed in order.
    const { gpus: _g, nodes: _n, ...one } = spec;
    const perGpu = predictPerGpu(one, hardware, null);
    const out: (number | null)[] = hardware.map(() => null);
    for (const g of perGpu) if (typeof g.rank === 'number' && g.rank < out.length && !g.missing) out[g.rank] = g.requiredBytes;
    return out.some((b) => b !== null) ? out : null;
  } catch {
    return null;
  }
}
