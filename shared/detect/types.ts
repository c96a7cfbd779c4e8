/** What detection reports. Owned by the detection feature; the contract only re-exports it. */
export interface GpuProcess {
  pid: number;
  name: string;
  usedMiB: number | null;
  gpuUuid: string;
  /** PCI bus id as nvidia-smi prints it; used to join when the uuid is masked or missing. */
  gpuBusId?: string;
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
  /** MIG mode from the table ("MIG M." column); absent when the table was not read. */
  migEnabled?: boolean | null;
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
  /** GPU indexes that appear in the matrix. */
  gpuIndexes?: number[];
  /** True when every pair of GPUs is joined by NVLink (false with fewer than 2 GPUs). */
  nvlinkAllPairs?: boolean;
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
  /** Free bytes in /dev/shm (NCCL's shared-memory transport lives there). */
  shmFreeBytes?: number | null;
  kernel?: string;
  hostname?: string;
  /** True inside Docker/Podman/containerd, where /dev/shm defaults to 64 MB. */
  container?: boolean;
}

export interface PythonEnv {
  path: string;
  /** Where it came from; `torchrun` = the interpreter named in the shebang of the torchrun on PATH (what runs use by default). */
  source: 'configured' | 'conda-active' | 'venv' | 'conda-env' | 'torchrun' | 'path';
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
  /** FA3 (`flash_attn_interface`, Hopper builds) version or "present". */
  flashAttn3?: string | null;
  /** Why flash_attn was found but failed to import (ABI mismatch etc.). */
  flashAttnError?: string | null;
  /** sm_XX targets the torch build carries, e.g. ["sm_80", "sm_90"]. */
  torchArchList?: string[];
  /** sys.prefix of the interpreter (tells a venv from its base). */
  prefix?: string;
  timedOut?: boolean;
  probeMs?: number;
}

export interface CheckpointComponent {
  name: string;
  files: string[];
  bytesByDtype: Record<string, number>;
  totalBytes: number;
  /** Parameter count from safetensors headers (0 for .pth, whose header is not read). */
  params?: number;
  /** Files whose header could not be read (truncated download, not safetensors). */
  problems?: string[];
}

export interface CheckoutLayout {
  /** Recipe mode id (single-offload, tpp-4gpu, tpp-5gpu). */
  mode: string;
  entry: string;
  nproc: number;
  allowed: boolean;
  /** The upstream line that allows or forbids it. */
  reason: string;
}

export interface CheckoutInfo {
  path: string;
  entryScripts: string[];
  /** Layout ids (recipe modes) this checkout can run unmodified. */
  supportedModes: string[];
  components: CheckpointComponent[];
  missing: string[];
  layouts?: CheckoutLayout[];
  ckptDir?: string;
  loraFile?: string | null;
}

export type DetectStatus = 'ok' | 'nvidia-smi-not-found' | 'no-driver' | 'driver-mismatch' | 'no-devices' | 'error';

export type WarningSeverity = 'info' | 'warn' | 'error';

export interface DetectWarning {
  code: string;
  /** English text. */
  message: string;
  messageZh?: string;
  gpus?: number[];
  /** Key in the `detect` i18n namespace and its params, so a client can re-render in its language. */
  key?: string;
  params?: Record<string, string | number>;
  severity?: WarningSeverity;
  /** What to do, when there is something to do. */
  fix?: string;
  fixZh?: string;
}

export interface DetectReport {
  takenAt: string;
  nvidiaSmi: {
    path: string | null;
    status: DetectStatus;
    message?: string;
    messageZh?: string;
    fix?: string;
    fixZh?: string;
    exitCode?: number | null;
  };
  gpus: GpuInfo[];
  driver: { version: string | null; cudaVersion: string | null } | null;
  topology: Topology | null;
  host: HostInfo;
  python: PythonEnv[];
  checkout: CheckoutInfo | null;
  warnings: DetectWarning[];
  /** How long detection took, per part, in ms. */
  timings?: Record<string, number>;
  /**
   * Parts still being probed: set only on the early report core pushes as `detectUpdated` once the
   * GPUs are known (Python probes can take many seconds); the full report that follows has none.
   */
  pending?: { python?: boolean; checkout?: boolean };
}
