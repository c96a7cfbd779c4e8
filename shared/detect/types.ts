/** What detection reports. Owned by the detection feature; the contract only re-exports it. */
export interface GpuProcess {
  pid: number;
  name: string;
  usedMiB: number | null;
  gpuUuid: string;
}

export interface GpuInfo {
  index: number;
  uuid: string;
  name: string;
  pciBusId: string;
  driverVersion: string;
  memoryTotalMiB: number;
  memoryUsedMiB: number;
  memoryFreeMiB: number;
  utilizationPct: number | null;
  temperatureC: number | null;
  powerDrawW: number | null;
  powerLimitW: number | null;
  /** e.g. "9.0"; null when the driver cannot say. */
  computeCapability: string | null;
  pcieGen: number | null;
  pcieWidth: number | null;
  processes: GpuProcess[];
}

export type LinkKind = 'X' | 'NV' | 'PIX' | 'PXB' | 'PHB' | 'NODE' | 'SYS' | 'SOC' | 'unknown';

export interface TopologyLink {
  a: number;
  b: number;
  kind: LinkKind;
  /** Number of NVLinks for NV#. */
  nvlinks?: number;
  raw: string;
}

export interface Topology {
  links: TopologyLink[];
  cpuAffinity: Record<number, string>;
  numaAffinity: Record<number, string>;
  /** P2P read status per pair, "OK" or the nvidia-smi code (NS, CNS, ...). */
  p2p: { a: number; b: number; status: string }[];
}

export interface HostInfo {
  os: string;
  platform: string;
  cpuModel: string;
  cpuCores: number;
  ramTotalBytes: number;
  ramAvailableBytes: number;
  shmBytes: number | null;
  outputDir: string | null;
  outputDirFreeBytes: number | null;
}

export interface PythonEnv {
  path: string;
  source: 'configured' | 'conda-active' | 'venv' | 'conda-env' | 'path';
  ok: boolean;
  error?: string;
  pythonVersion?: string;
  torchVersion?: string | null;
  torchCuda?: string | null;
  cudaAvailable?: boolean | null;
  deviceCount?: number | null;
  ncclVersion?: string | null;
  flashAttn?: string | null;
  torchrun?: string | null;
}

export interface CheckpointComponent {
  name: string;
  files: string[];
  bytesByDtype: Record<string, number>;
  totalBytes: number;
}

export interface CheckoutInfo {
  path: string;
  entryScripts: string[];
  /** Layout ids (recipe modes) this checkout can run unmodified. */
  supportedModes: string[];
  components: CheckpointComponent[];
  missing: string[];
}

export type DetectStatus = 'ok' | 'nvidia-smi-not-found' | 'no-driver' | 'driver-mismatch' | 'no-devices' | 'error';

export interface DetectWarning {
  code: string;
  /** i18n key and params, so each client renders it in its own language. */
  message: string;
  messageZh?: string;
  gpus?: number[];
}

export interface DetectReport {
  takenAt: string;
  nvidiaSmi: { path: string | null; status: DetectStatus; message?: string; messageZh?: string };
  gpus: GpuInfo[];
  driver: { version: string | null; cudaVersion: string | null } | null;
  topology: Topology | null;
  host: HostInfo;
  python: PythonEnv[];
  checkout: CheckoutInfo | null;
  warnings: DetectWarning[];
}
