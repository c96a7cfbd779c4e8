import { describe, expect, it } from 'vitest';
import { archSupports, attachProcesses, cudaForDriver, deriveWarnings, parseComputeApps, parseP2p, parseQueryGpuCsv, parseTopoMatrix, buildTopology, type DetectReport, type GpuInfo, type PythonEnv } from '../../../shared/detect';
import { h200, section } from './fixtures';

const host: DetectReport['host'] = {
  os: 'Ubuntu 22.04', platform: 'linux', cpuModel: 'x', cpuCores: 64, ramTotalBytes: 512 * 2 ** 30, ramAvailableBytes: 500 * 2 ** 30,
  shmBytes: 64 * 2 ** 30, outputDir: '/out', outputDirFreeBytes: 500 * 2 ** 30,
};
const torchEnv = (over: Partial<PythonEnv> = {}): PythonEnv => ({
  path: '/opt/venv/bin/python', source: 'configured', ok: true, pythonVersion: '3.12.3', torchVersion: '2.11.0+cu130', torchCuda: '13.0',
  cudaAvailable: true, deviceCount: 4, ncclVersion: '2.28.9', flashAttn: '2.8.3', flashAttn3: null, torchrun: '/opt/venv/bin/torchrun',
  torchArchList: ['sm_75', 'sm_80', 'sm_86', 'sm_90', 'sm_100', 'sm_120'], ...over,
});

function gpu(index: number, name: string, cc: string, over: Partial<GpuInfo> = {}): GpuInfo {
  return {
    index, uuid: `GPU-${index}`, name, pciBusId: `00000000:0${index}:00.0`, driverVersion: '535.183.01', memoryTotalMiB: 24564, memoryUsedMiB: 1,
    memoryFreeMiB: 24000, utilizationPct: 0, temperatureC: 40, powerDrawW: 50, powerLimitW: 450, computeCapability: cc, pcieGen: 4, pcieWidth: 16, processes: [], ...over,
  };
}

function report(over: Partial<Omit<DetectReport, 'warnings'>>): Omit<DetectReport, 'warnings'> {
  const { gpus } = parseQueryGpuCsv(h200('query-gpu.csv'));
  return {
    takenAt: 'now', nvidiaSmi: { path: '/usr/bin/nvidia-smi', status: 'ok' }, gpus,
    driver: { version: '580.159.04', cudaVersion: '13.0' },
    topology: buildTopology(parseTopoMatrix(h200('topo-m.txt')), parseP2p(section(h200('topo-p2p.txt')))),
    host, python: [torchEnv()], checkout: null, ...over,
  };
}
const codes = (r: Omit<DetectReport, 'warnings'>, inputs = {}) => deriveWarnings(r, inputs).map((w) => w.code);

describe('deriveWarnings', () => {
  it('the healthy H200 machine with torch 2.11+cu130 and flash-attn has nothing to say', () => {
    expect(codes(report({}))).toEqual([]);
  });

  it('driver too old for torch’s CUDA build: major is an error, minor a warning', () => {
    const old = report({ driver: { version: '535.183.01', cudaVersion: '12.2' } });
    const w = deriveWarnings(old).find((x) => x.code === 'driver-too-old');
    expect(w?.severity).toBe('error');
    expect(w?.message).toContain('CUDA 13.0');
    expect(w?.messageZh).toContain('535.183.01');
    const minor = report({ driver: { version: '550.54.14', cudaVersion: '12.4' }, python: [torchEnv({ torchVersion: '2.8.0+cu128', torchCuda: '12.8' })] });
    expect(codes(minor)).toContain('driver-minor-old');
    // Without a CUDA version in the header, the driver table decides.
    expect(cudaForDriver('535.183.01')).toBe('12.2');
    expect(cudaForDriver('580.159.04')).toBe('13.0');
    expect(cudaForDriver('440.33')).toBeNull();
  });

  it('fp8 on compute capability < 8.9: a note, an error when the run wants --fp8', () => {
    const a100 = report({ gpus: [gpu(0, 'NVIDIA A100-SXM4-80GB', '8.0'), gpu(1, 'NVIDIA A100-SXM4-80GB', '8.0')], topology: null, driver: { version: '550.127.08', cudaVersion: '12.4' }, python: [torchEnv({ torchCuda: '12.4', deviceCount: 2 })] });
    const note = deriveWarnings(a100).find((w) => w.code === 'fp8-unsupported');
    expect(note).toMatchObject({ severity: 'info', gpus: [0, 1] });
    expect(deriveWarnings(a100, { fp8Wanted: true }).find((w) => w.code === 'fp8-unsupported')?.severity).toBe('error');
    expect(codes(report({ gpus: [gpu(0, 'NVIDIA GeForce RTX 4090', '8.9')], topology: null, driver: { version: '560.35.03', cudaVersion: '12.6' }, python: [torchEnv({ torchCuda: '12.6', deviceCount: 1 })] }))).not.toContain('fp8-unsupported');
  });

  it('P2P not supported: explained, and NCCL_P2P_DISABLE is not suggested because it would change nothing', () => {
    const topo = buildTopology(null, parseP2p(' \tGPU0\tGPU1\t\n GPU0\tX\tCNS\t\n GPU1\tCNS\tX\t\n'));
    const gpus = [gpu(0, 'NVIDIA GeForce RTX 3090', '8.6', { driverVersion: '560.35.03' }), gpu(1, 'NVIDIA GeForce RTX 3090', '8.6', { driverVersion: '560.35.03' })];
    const w = deriveWarnings(report({ gpus, topology: topo, driver: { version: '560.35.03', cudaVersion: '12.6' }, python: [torchEnv({ torchCuda: '12.6', deviceCount: 2 })] })).find((x) => x.code === 'p2p-unavailable');
    expect(w).toMatchObject({ severity: 'info', gpus: [0, 1], params: { pairs: '0–1', status: 'CNS' } });
    expect(w?.fix).toMatch(/NCCL_P2P_DISABLE=1 would not change anything/);
  });

  it('RTX 40xx with a driver before 550.40.07: suggest NCCL_P2P_DISABLE=1 (P2P claims OK but hangs)', () => {
    const gpus = [0, 1, 2, 3].map((i) => gpu(i, 'NVIDIA GeForce RTX 4090', '8.9'));
    const r = report({ gpus, topology: null, driver: { version: '535.183.01', cudaVersion: '12.2' }, python: [torchEnv({ torchCuda: '12.1', deviceCount: 4 })] });
    const w = deriveWarnings(r).find((x) => x.code === 'rtx40-old-driver');
    expect(w).toMatchObject({ severity: 'warn', gpus: [0, 1, 2, 3] });
    expect(w?.fix).toContain('NCCL_P2P_DISABLE=1');
    const fixed = report({ gpus: gpus.map((g) => ({ ...g, driverVersion: '550.54.14' })), topology: null, driver: { version: '550.54.14', cudaVersion: '12.4' }, python: [torchEnv({ torchCuda: '12.1', deviceCount: 4 })] });
    expect(codes(fixed)).not.toContain('rtx40-old-driver');
    expect(codes(report({ gpus: gpus.slice(0, 1), topology: null, driver: { version: '535.183.01', cudaVersion: '12.2' }, python: [torchEnv({ torchCuda: '12.1', deviceCount: 1 })] }))).not.toContain('rtx40-old-driver');
  });

  it('GPUs already busy: names each holder', () => {
    const { gpus } = parseQueryGpuCsv(h200('query-gpu.csv'));
    attachProcesses(gpus, parseComputeApps(h200('busy-apps.csv')).processes);
    const w = deriveWarnings(report({ gpus })).find((x) => x.code === 'gpus-busy');
    expect(w?.gpus).toEqual([0, 1]);
    expect(w?.message).toContain('python3 (pid 840, 5290 MiB)');
    // Memory used by processes this container cannot see still counts.
    const hidden = gpus.map((g) => ({ ...g, processes: [] as GpuInfo['processes'], memoryUsedMiB: g.index === 3 ? 20_000 : 0 }));
    expect(deriveWarnings(report({ gpus: hidden })).find((x) => x.code === 'gpus-busy')?.gpus).toEqual([3]);
  });

  it('small /dev/shm (Docker default 64 MB) on a multi-GPU box', () => {
    const w = deriveWarnings(report({ host: { ...host, shmBytes: 64 * 1024 * 1024 } })).find((x) => x.code === 'shm-small');
    expect(w).toMatchObject({ severity: 'warn', params: { size: '64 MiB' } });
    expect(w?.fix).toContain('--shm-size');
  });

  it('Python: no torch, CPU-only torch, missing arch, flash-attn missing or broken, probe timeout', () => {
    expect(codes(report({ python: [{ path: '/usr/bin/python3', source: 'path', ok: true, torchVersion: null }] }))).toContain('no-torch');
    expect(codes(report({ python: [torchEnv({ torchCuda: null })] }))).toContain('torch-cpu-only');
    const blackwell = report({ gpus: [gpu(0, 'NVIDIA GeForce RTX 5090', '12.0', { driverVersion: '575.51.03' })], topology: null, driver: { version: '575.51.03', cudaVersion: '12.9' }, python: [torchEnv({ torchCuda: '12.4', deviceCount: 1, torchArchList: ['sm_50', 'sm_80', 'sm_86', 'sm_90'] })] });
    expect(deriveWarnings(blackwell).find((w) => w.code === 'arch-missing')?.params).toMatchObject({ cc: '12.0', sm: '120' });
    expect(codes(report({ python: [torchEnv({ flashAttn: null })] }))).toContain('flash-attn-missing');
    expect(codes(report({ python: [torchEnv({ flashAttn: null, flashAttn3: '3.0.0b1' })] }))).not.toContain('flash-attn-missing');
    expect(codes(report({ python: [torchEnv({ flashAttn: null, flashAttnError: 'ImportError: undefined symbol: _ZN3c104cuda9SetDeviceEi' })] }))).toContain('flash-attn-broken');
    expect(codes(report({ python: [torchEnv(), { path: '/hang/python', source: 'path', ok: false, timedOut: true, probeMs: 20000 }] }))).toContain('python-probe-timeout');
    expect(codes(report({ python: [torchEnv({ deviceCount: 2 })] }), { cudaVisibleDevices: '0,1' })).toContain('device-count-differs');
  });

  it('arch compatibility follows CUDA rules: same-major cubins forward, PTX to any newer GPU', () => {
    expect(archSupports(['sm_80'], '8.9')).toBe(true);
    expect(archSupports(['sm_90'], '8.9')).toBe(false);
    expect(archSupports(['sm_90'], '12.0')).toBe(false);
    expect(archSupports(['sm_90', 'compute_90'], '12.0')).toBe(true);
    expect(archSupports(['sm_100a', 'sm_120'], '12.0')).toBe(true);
  });

  it('partial nvidia-smi output and a half-downloaded checkout are reported', () => {
    const w = deriveWarnings(report({ checkout: { path: '/la', entryScripts: [], supportedModes: [], components: [], missing: ['T5 (ckpt/x.pth)'] } }), { problems: [{ what: '--query-gpu', detail: 'line 3: 7 of 15 fields' }] });
    expect(w.map((x) => x.code)).toEqual(['smi-partial-output', 'checkout-missing']);
    expect(w[0]!.message).toContain('line 3: 7 of 15 fields');
    for (const x of w) expect(x.messageZh).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('MIG', () => {
  it('a GPU with MIG on is flagged (NCCL cannot span MIG instances)', () => {
    const gpus = [gpu(0, 'NVIDIA A100-SXM4-80GB', '8.0', { migEnabled: true }), gpu(1, 'NVIDIA A100-SXM4-80GB', '8.0', { migEnabled: false })];
    const w = deriveWarnings(report({ gpus, topology: null, driver: { version: '550.127.08', cudaVersion: '12.4' }, python: [torchEnv({ torchCuda: '12.4', deviceCount: 2 })] })).find((x) => x.code === 'mig-enabled');
    expect(w).toMatchObject({ gpus: [0], severity: 'warn' });
    expect(w?.fix).toContain('-mig 0');
  });
});

describe('primaryPython', () => {
  it('configured first, then the torchrun owner, then an active env with torch, then any with torch', async () => {
    const { primaryPython } = await import('../../../shared/detect');
    const path = torchEnv({ source: 'path', path: '/p' });
    const tr = torchEnv({ source: 'torchrun', path: '/t' });
    const conda = torchEnv({ source: 'conda-active', path: '/c' });
    expect(primaryPython([path, conda, tr, torchEnv({ source: 'configured', path: '/cfg' })])?.path).toBe('/cfg');
    expect(primaryPython([path, conda, tr])?.path).toBe('/t');
    expect(primaryPython([path, conda])?.path).toBe('/c');
    expect(primaryPython([{ path: '/x', source: 'path', ok: true, torchVersion: null }, path])?.path).toBe('/p');
    expect(primaryPython([])).toBeNull();
  });
});
