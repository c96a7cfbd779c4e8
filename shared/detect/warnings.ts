import { bilingual } from './text';
import type { DetectReport, DetectWarning, GpuInfo, PythonEnv, WarningSeverity } from './types';
import { compareVersions } from './values';

export interface WarningInputs {
  /** Parse problems of nvidia-smi outputs: which output, and the first problem. */
  problems?: { what: string; detail: string }[];
  /** true when the planned run uses --fp8 (then a pre-Ada GPU is an error, not a note). */
  fp8Wanted?: boolean;
  /** GPUs nvidia-smi could not reach ("Unable to determine the device handle …"). */
  lostGpus?: { busId: string; detail: string }[];
  /** Python probing was skipped on purpose (lal detect --no-python): say nothing about torch. */
  pythonSkipped?: boolean;
  /** CUDA_VISIBLE_DEVICES of the launcher's own environment, to explain a count mismatch. */
  cudaVisibleDevices?: string | null;
}

type Params = Record<string, string | number>;

function warning(code: string, key: string, params: Params, severity: WarningSeverity, gpus?: number[]): DetectWarning {
  const msg = bilingual(`warn.${key}.message`, params);
  const fix = bilingual(`warn.${key}.fix`, params);
  return { code, key: `warn.${key}`, params, severity, message: msg.en, messageZh: msg.zh, fix: fix.en, fixZh: fix.zh, ...(gpus ? { gpus } : {}) };
}

/**
 * Minimum Linux driver per CUDA toolkit (NVIDIA CUDA release notes, "CUDA Toolkit and Corresponding
 * Driver Versions"). Only used when nvidia-smi's header did not print the CUDA version itself.
 */
const CUDA_MIN_DRIVER: [string, string][] = [
  ['13.0', '580.65.06'], ['12.9', '575.51.03'], ['12.8', '570.26'], ['12.6', '560.28.03'], ['12.5', '555.42.02'],
  ['12.4', '550.54.14'], ['12.3', '545.23.06'], ['12.2', '535.54.03'], ['12.1', '530.30.02'], ['12.0', '525.60.13'],
  ['11.8', '520.61.05'], ['11.7', '515.43.04'], ['11.6', '510.39.01'], ['11.5', '495.29.05'], ['11.4', '470.42.01'],
  ['11.3', '465.19.01'], ['11.2', '460.27.03'], ['11.1', '455.23'], ['11.0', '450.36.06'],
];

/** Highest CUDA version a driver supports, from the table above. */
export function cudaForDriver(driver: string): string | null {
  for (const [cuda, min] of CUDA_MIN_DRIVER) if (compareVersions(driver, min) >= 0) return cuda;
  return null;
}

/**
 * The environment runs will use: the configured one, else the owner of the torchrun on PATH (the
 * run manager's default, electron/core/torchrun/resolve.ts), else an active conda env/venv with
 * torch, else the first with torch.
 */
export function primaryPython(envs: PythonEnv[]): PythonEnv | null {
  return (
    envs.find((e) => e.source === 'configured') ??
    envs.find((e) => e.source === 'torchrun' && e.torchVersion) ??
    envs.find((e) => (e.source === 'conda-active' || e.source === 'venv') && e.torchVersion) ??
    envs.find((e) => e.torchVersion) ??
    envs[0] ??
    null
  );
}

const ccNumber = (cc: string | null): number | null => (cc && /^\d+\.\d+$/.test(cc) ? Number(cc) : null);

/** Whether a torch arch list (sm_80, compute_90 ...) has code that runs on compute capability cc. */
export function archSupports(archs: string[], cc: string): boolean {
  const [maj, min] = cc.split('.').map(Number) as [number, number];
  const target = maj * 10 + min;
  for (const a of archs) {
    const m = /^(sm|compute)_(\d+)(\d)[a-z]?$/.exec(a);
    if (!m) continue;
    const aMaj = Number(m[2]);
    const v = aMaj * 10 + Number(m[3]);
    // cubins run on the same major with an equal or higher minor; PTX JITs forward to any newer GPU.
    if (m[1] === 'sm' && aMaj === maj && v <= target) return true;
    if (m[1] === 'compute' && v <= target) return true;
  }
  return false;
}

function gib(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

function byName(gpus: GpuInfo[]): Map<string, GpuInfo[]> {
  const m = new Map<string, GpuInfo[]>();
  for (const g of gpus) m.set(g.name, [...(m.get(g.name) ?? []), g]);
  return m;
}

/** A GPU counts as busy when a compute process holds memory on it, or ≥ 1 GiB is used by processes we cannot see (containers). */
export const BUSY_UNSEEN_MIB = 1024;

/** Everything the report implies that a user should act on, in both languages. */
export function deriveWarnings(r: Omit<DetectReport, 'warnings'>, inputs: WarningInputs = {}): DetectWarning[] {
  const out: DetectWarning[] = [];
  const driver = r.driver?.version ?? r.gpus[0]?.driverVersion ?? null;
  const driverCuda = r.driver?.cudaVersion ?? (driver ? cudaForDriver(driver) : null);
  const py = primaryPython(r.python);

  for (const l of inputs.lostGpus ?? []) out.push(warning('gpu-lost', 'gpuLost', { bus: l.busId, detail: l.detail }, 'error'));
  for (const p of inputs.problems ?? []) out.push(warning('smi-partial-output', 'partialOutput', { what: p.what, detail: p.detail }, 'warn'));

  if (py?.torchVersion && py.torchCuda && driver && driverCuda) {
    const [tMaj, tMin] = py.torchCuda.split('.').map(Number) as [number, number];
    const [dMaj, dMin] = driverCuda.split('.').map(Number) as [number, number];
    const params = { torch: py.torchVersion, python: py.path, torchCuda: py.torchCuda, driver, driverCuda };
    if (tMaj > dMaj) out.push(warning('driver-too-old', 'driverTooOld', params, 'error'));
    else if (tMaj === dMaj && tMin > dMin) out.push(warning('driver-minor-old', 'driverMinorOld', params, 'warn'));
  }

  for (const [name, group] of byName(r.gpus.filter((g) => (ccNumber(g.computeCapability) ?? 99) < 8.9))) {
    const ids = group.map((g) => g.index);
    out.push(warning('fp8-unsupported', 'fp8Unsupported', { gpus: ids.join(', '), name, cc: group[0]!.computeCapability ?? '?' }, inputs.fp8Wanted ? 'error' : 'info', ids));
  }

  const present = new Set(r.gpus.map((g) => g.index));
  const noP2p = (r.topology?.p2p ?? []).filter((p) => p.status !== 'OK' && p.status !== 'X' && (!present.size || (present.has(p.a) && present.has(p.b))));
  if (noP2p.length) {
    const ids = [...new Set(noP2p.flatMap((p) => [p.a, p.b]))].sort((a, b) => a - b);
    out.push(
      warning('p2p-unavailable', 'p2pUnavailable', {
        pairs: noP2p.map((p) => `${p.a}–${p.b}`).join(', '),
        status: [...new Set(noP2p.map((p) => p.status))].join('/'),
      }, 'info', ids),
    );
  }

  const mig = r.gpus.filter((g) => g.migEnabled === true);
  if (mig.length) out.push(warning('mig-enabled', 'migEnabled', { gpus: mig.map((g) => g.index).join(', ') }, 'warn', mig.map((g) => g.index)));

  // accelerate's check_cuda_p2p_ib_support (docs/upstream-notes.md §15): RTX 40xx + driver < 550.40.07.
  const rtx40 = r.gpus.filter((g) => /RTX\s*40\d0/i.test(g.name));
  if (rtx40.length >= 2 && driver && compareVersions(driver, '550.40.07') < 0) {
    out.push(warning('rtx40-old-driver', 'rtx40OldDriver', { gpus: rtx40.map((g) => g.index).join(', '), name: rtx40[0]!.name, driver }, 'warn', rtx40.map((g) => g.index)));
  }

  const busy = r.gpus.filter((g) => g.processes.length > 0 || g.memoryUsedMiB >= BUSY_UNSEEN_MIB);
  if (busy.length) {
    const holders = busy
      .map((g) => {
        const procs = g.processes.map((p) => `${p.name || '?'} (pid ${p.pid}${p.usedMiB !== null ? `, ${p.usedMiB} MiB` : ''})`);
        return `GPU ${g.index} ${g.memoryUsedMiB} MiB${procs.length ? `: ${procs.join(', ')}` : ''}`;
      })
      .join('; ');
    out.push(warning('gpus-busy', 'gpusBusy', { gpus: busy.map((g) => g.index).join(', '), holders }, 'warn', busy.map((g) => g.index)));
  }

  if (r.host.shmBytes !== null && r.host.shmBytes < 1024 ** 3 && r.gpus.length !== 1) {
    out.push(warning('shm-small', 'shmSmall', { size: gib(r.host.shmBytes) }, r.gpus.length >= 2 ? 'warn' : 'info'));
  }
  if (r.host.outputDir && r.host.outputDirFreeBytes !== null && r.host.outputDirFreeBytes < 20 * 1024 ** 3) {
    out.push(warning('disk-low', 'diskLow', { dir: r.host.outputDir, free: gib(r.host.outputDirFreeBytes) }, 'warn'));
  }

  for (const e of r.python.filter((x) => x.timedOut)) {
    out.push(warning('python-probe-timeout', 'probeTimeout', { python: e.path, seconds: Math.round((e.probeMs ?? 0) / 1000) }, 'warn'));
  }
  if (inputs.pythonSkipped) {
    /* nothing to judge */
  } else if (!r.python.some((e) => e.torchVersion)) {
    out.push(warning('no-torch', 'noTorch', { count: r.python.length }, r.gpus.length ? 'warn' : 'info'));
  } else if (py?.torchVersion) {
    const base = { python: py.path, torch: py.torchVersion };
    if (!py.torchCuda && r.gpus.length) out.push(warning('torch-cpu-only', 'torchCpuOnly', base, 'error'));
    if (py.torchCuda && py.torchArchList?.length) {
      const missing = r.gpus.filter((g) => g.computeCapability && !archSupports(py.torchArchList ?? [], g.computeCapability));
      if (missing.length) {
        const cc = missing[0]!.computeCapability!;
        out.push(warning('arch-missing', 'archMissing', { ...base, gpus: missing.map((g) => g.index).join(', '), cc, sm: cc.replace('.', ''), archs: py.torchArchList.join(' ') }, 'error', missing.map((g) => g.index)));
      }
    }
    if (py.flashAttnError) out.push(warning('flash-attn-broken', 'flashAttnBroken', { ...base, detail: py.flashAttnError }, 'warn'));
    else if (!py.flashAttn && !py.flashAttn3) out.push(warning('flash-attn-missing', 'flashAttnMissing', base, 'info'));
    if (py.deviceCount !== null && py.deviceCount !== undefined && py.cudaAvailable && r.gpus.length && py.deviceCount !== r.gpus.length) {
      out.push(warning('device-count-differs', 'deviceCountDiffers', { python: py.path, torchCount: py.deviceCount, smiCount: r.gpus.length, visible: inputs.cudaVisibleDevices ?? '?' }, 'info'));
    }
  }

  if (r.checkout?.missing.length) {
    out.push(warning('checkout-missing', 'checkoutMissing', { path: r.checkout.path, missing: r.checkout.missing.join(', ') }, 'warn'));
  }
  return out;
}

/** Builds the unreadable-checkout warning (core calls it when the folder cannot be listed). */
export function checkoutUnreadable(path: string, detail: string): DetectWarning {
  return warning('checkout-unreadable', 'checkoutUnreadable', { path, detail }, 'warn');
}
