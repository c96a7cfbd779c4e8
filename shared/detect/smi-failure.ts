import type { DetectStatus } from './types';

/** What running nvidia-smi gave back, transport-neutral so this stays pure. */
export interface SmiOutcome {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** errno code from spawn: ENOENT (not found), EACCES (not executable) ... */
  spawnError?: string | null;
  timedOut?: boolean;
  timeoutMs?: number;
}

export interface SmiFailure {
  status: DetectStatus;
  /** Key under `detect.status` in the i18n namespace. */
  key: 'ok' | 'notFound' | 'noDriver' | 'mismatch' | 'noDevices' | 'nvmlUnknown' | 'gpuLost' | 'error' | 'timeout' | 'notExecutable';
  params: Record<string, string | number>;
}

/**
 * Tells the nvidia-smi failures apart. The texts are nvidia-smi's own (it prints them on stdout):
 * - no driver loaded, exit 9: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA
 *   driver. Make sure that the latest NVIDIA driver is installed and running."
 * - driver updated without reboot, exit 18: "Failed to initialize NVML: Driver/library version mismatch"
 *   followed on newer drivers by "NVML library version: 570.124"
 * - driver loaded, no GPU, exit 6: "No devices were found"
 * Exit codes follow nvidia-smi(1) RETURN VALUE (9 = driver not loaded, 6 = object not found, 18 =
 * NVML_ERROR_LIB_RM_VERSION_MISMATCH); the text wins where both are present.
 */
export function classifySmiFailure(o: SmiOutcome): SmiFailure {
  const text = `${o.stdout}\n${o.stderr}`;
  if (o.spawnError === 'ENOENT') return { status: 'nvidia-smi-not-found', key: 'notFound', params: {} };
  if (o.spawnError === 'EACCES' || o.spawnError === 'ENOEXEC' || o.spawnError === 'EISDIR') {
    return { status: 'error', key: 'notExecutable', params: { detail: o.spawnError, path: '' } };
  }
  if (o.timedOut) return { status: 'error', key: 'timeout', params: { seconds: Math.round((o.timeoutMs ?? 0) / 1000) } };
  if (/couldn't communicate with the NVIDIA driver/i.test(text) || (o.exitCode === 9 && !text.trim())) {
    return { status: 'no-driver', key: 'noDriver', params: {} };
  }
  if (/Driver\/library version mismatch/i.test(text) || (o.exitCode === 18 && !text.trim())) {
    const nvml = /NVML library version:\s*([\w.]+)/i.exec(text);
    return { status: 'driver-mismatch', key: 'mismatch', params: { nvml: nvml ? `, NVML ${nvml[1]}` : '' } };
  }
  if (/No devices were found/i.test(text)) return { status: 'no-devices', key: 'noDevices', params: {} };
  if (o.exitCode === 0 && !o.spawnError) return { status: 'ok', key: 'ok', params: {} };
  // Containers that lost their /dev/nvidia* access (e.g. after `systemctl daemon-reload` on the host).
  if (/Failed to initialize NVML: Unknown Error/i.test(text)) return { status: 'error', key: 'nvmlUnknown', params: {} };
  const lost = lostGpus(text)[0];
  if (lost) return { status: 'error', key: 'gpuLost', params: { bus: lost.busId, detail: lost.detail } };
  const first = text.split('\n').map((l) => l.trim()).find((l) => l) ?? `exit code ${o.exitCode ?? '?'}`;
  return { status: 'error', key: 'error', params: { detail: first.slice(0, 200) } };
}

/**
 * "Unable to determine the device handle for GPU0000:01:00.0: GPU is lost.  Reboot the system to
 * recover this GPU" — nvidia-smi prints one such line per GPU that fell off the bus (Xid 79), in
 * place of its row, while the other GPUs still answer.
 */
export function lostGpus(text: string): { busId: string; detail: string }[] {
  const out: { busId: string; detail: string }[] = [];
  for (const m of text.matchAll(/Unable to determine the device handle for GPU\s*([0-9A-Fa-f:.]+):\s*([^\n]*)/g)) {
    out.push({ busId: m[1]!, detail: m[2]!.trim() });
  }
  return out;
}
