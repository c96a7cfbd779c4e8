import { methodNames, type ApiClient, type EventName, type Events } from '../../../shared/api/contract';
import { ApiFailure } from '../../../shared/api/result';
import type { DetectReport, GpuInfo } from '../../../shared/detect/types';

type Impl = Partial<Record<keyof ApiClient, (input: never) => Promise<unknown>>>;

/** A contract client where every method is "not available" unless the test gives it a body. */
export function fakeApi(impl: Impl = {}) {
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  const calls: { method: string; input: unknown }[] = [];
  const client = {} as Record<string, unknown>;
  for (const name of methodNames) {
    client[name] = async (input: unknown) => {
      calls.push({ method: name, input });
      const f = impl[name] as ((i: unknown) => Promise<unknown>) | undefined;
      if (!f) throw new ApiFailure({ code: 'UNAVAILABLE', message: `${name} is not available in this build yet` });
      return f(input);
    };
  }
  client.on = (event: EventName, l: (p: unknown) => void) => {
    if (!listeners.has(event)) listeners.set(event, new Set());
    listeners.get(event)!.add(l);
    return () => listeners.get(event)!.delete(l);
  };
  const emit = <E extends EventName>(event: E, payload: Events[E]) => {
    for (const l of listeners.get(event) ?? []) l(payload);
  };
  return { api: client as unknown as ApiClient, emit, calls };
}

export function h200(index: number): GpuInfo {
  return {
    index, uuid: `GPU-${index}`, name: 'NVIDIA H200', pciBusId: `00000000:00:0${6 + index}.0`, driverVersion: '580.159.04',
    memoryTotalMiB: 143771, memoryUsedMiB: index === 1 ? 20480 : 0, memoryFreeMiB: index === 1 ? 123291 : 143156, utilizationPct: 0,
    temperatureC: 38, powerDrawW: 81, powerLimitW: 700, computeCapability: '9.0', pcieGen: 5, pcieWidth: 16,
    processes: index === 1 ? [{ pid: 4242, name: 'python3', usedMiB: 20480, gpuUuid: 'GPU-1' }] : [],
  };
}

export function report(gpus = 4): DetectReport {
  return {
    takenAt: '2026-11-22T09:00:00Z',
    nvidiaSmi: { path: '/usr/bin/nvidia-smi', status: 'ok' },
    gpus: Array.from({ length: gpus }, (_, i) => h200(i)),
    driver: { version: '580.159.04', cudaVersion: '13.0' },
    topology: null,
    host: { os: 'linux', platform: 'linux', cpuModel: 'Xeon', cpuCores: 2, ramTotalBytes: 24 * 2 ** 30, ramAvailableBytes: 12 * 2 ** 30, shmBytes: null, outputDir: null, outputDirFreeBytes: null },
    python: [],
    checkout: null,
    warnings: [{ code: 'x', message: 'flash-attn is missing', messageZh: '缺少 flash-attn', fix: 'install it', fixZh: '安装它', severity: 'warn' }],
  };
}
