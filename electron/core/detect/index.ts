import { hostname, platform, release, cpus, totalmem, freemem } from 'node:os';
import type { DetectReport } from '../../../shared/detect/types';

export interface DetectOptions {
  nvidiaSmi?: string | null;
  python?: string | null;
  checkout?: string | null;
  outputDir?: string | null;
  resourcesDir: string;
  timeoutMs?: number;
}

/** Placeholder until the detection feature lands: host only, no GPUs. */
export async function detectAll(_opts: DetectOptions): Promise<DetectReport> {
  return {
    takenAt: new Date().toISOString(),
    nvidiaSmi: { path: null, status: 'nvidia-smi-not-found' },
    gpus: [],
    driver: null,
    topology: null,
    host: {
      os: `${platform()} ${release()} (${hostname()})`,
      platform: platform(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      cpuCores: cpus().length,
      ramTotalBytes: totalmem(),
      ramAvailableBytes: freemem(),
      shmBytes: null,
      outputDir: null,
      outputDirFreeBytes: null,
    },
    python: [],
    checkout: null,
    warnings: [],
  };
}
