import type { GpuProcessSample, GpuSample } from '../../../shared/run/types';
import type { BuiltPlan } from './plan';
import { GpuSampler } from './gpu-sampler';
import { NodesGpuSampler, nodesSamplerFor } from '../nodes/gpu-sampler';

/**
 * Observation, part four: which GPU sampler a run gets. None on CPU; across several machines,
 * nvidia-smi on every node over ssh with samples tagged by node; else one local `nvidia-smi -lms`
 * over the GPUs the plan made visible.
 */
export type RunSampler = GpuSampler | NodesGpuSampler;

export function gpuSamplerFor(
  built: BuiltPlan,
  nvidiaSmi: string | null,
  onSamples: (samples: GpuSample[], processes?: GpuProcessSample[]) => void,
): RunSampler | null {
  if (built.values.device === 'cpu') return null;
  if (built.spec.nodes?.length) return nodesSamplerFor(built.plan.argv, (samples) => onSamples(samples));
  if (!nvidiaSmi) return null;
  const visible = built.plan.env.CUDA_VISIBLE_DEVICES;
  const gpus = visible ? visible.split(',').map(Number).filter(Number.isInteger) : [];
  const sampler: GpuSampler = new GpuSampler({ nvidiaSmi, gpus, onSamples: (samples) => onSamples(samples, sampler.processes()) });
  return sampler;
}
