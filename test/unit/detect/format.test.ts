import { describe, expect, it } from 'vitest';
import { attachProcesses, buildTopology, deriveWarnings, formatReport, memoryBar, parseComputeApps, parseP2p, parseQueryGpuCsv, parseTopoMatrix, type DetectReport } from '../../../shared/detect';
import { h200, section } from './fixtures';

function busyReport(): DetectReport {
  const { gpus } = parseQueryGpuCsv(h200('query-gpu.csv'));
  attachProcesses(gpus, parseComputeApps(h200('busy-apps.csv')).processes);
  gpus[1]!.memoryUsedMiB = 5299;
  const base: Omit<DetectReport, 'warnings'> = {
    takenAt: 'now', nvidiaSmi: { path: '/usr/bin/nvidia-smi', status: 'ok' }, gpus, driver: { version: '580.159.04', cudaVersion: '13.0' },
    topology: buildTopology(parseTopoMatrix(h200('topo-m.txt')), parseP2p(section(h200('topo-p2p.txt')))),
    host: { os: 'Ubuntu 24.04', platform: 'linux', cpuModel: 'AMD EPYC', cpuCores: 64, ramTotalBytes: 503 * 2 ** 30, ramAvailableBytes: 502 * 2 ** 30, shmBytes: 64 * 2 ** 20, outputDir: '/out', outputDirFreeBytes: 900 * 2 ** 30 },
    python: [{ path: '/opt/torch/.venv/bin/python3', source: 'configured', ok: true, pythonVersion: '3.12.3', torchVersion: '2.11.0+cu130', torchCuda: '13.0', ncclVersion: '2.28.9', deviceCount: 4, cudaAvailable: true, flashAttn: null, torchrun: '/opt/torch/.venv/bin/torchrun' }],
    checkout: null,
  };
  return { ...base, warnings: deriveWarnings(base) };
}

describe('formatReport (lal detect, human output)', () => {
  it('one line per GPU with bar and numbers, holders, topology summary, python, warnings', () => {
    const text = formatReport(busyReport(), 'en');
    const lines = text.split('\n');
    expect(lines[0]).toBe('GPUs  (Driver 580.159.04, CUDA 13.0)');
    expect(lines[1]).toMatch(/^ {2}0 {2}NVIDIA H200 {2}\[·+\] 0\.0 \/ 140\.4 GiB used, 139\.8 GiB free {2}cc 9\.0 {2}PCIe 5 x16 38°C 0%$/);
    expect(text).toContain('held by: python3 (pid 840, 5290 MiB)');
    expect(text).toContain('NVLink between all pairs (NV18)');
    expect(text).toContain('peer-to-peer OK between all pairs');
    expect(text).toContain('torch 2.11.0+cu130 (CUDA 13.0), NCCL 2.28.9, 4 GPU, no flash-attn');
    expect(text).toMatch(/! GPU 0, 1 already in use/);
    expect(text).toMatch(/! \/dev\/shm is only 64 MiB/);
    expect(text).toMatch(/i flash-attn is not installed/);
  });

  it('speaks Chinese when asked', () => {
    const text = formatReport(busyReport(), 'zh-CN');
    expect(text).toContain('驱动 580.159.04');
    expect(text).toContain('已用 0.0 / 140.4 GiB');
    expect(text).toContain('所有 GPU 之间均为 NVLink');
    expect(text).toContain('已被占用');
    expect(text).toContain('解决办法');
  });

  it('shows the nvidia-smi failure and its fix instead of GPUs', () => {
    const r = busyReport();
    const failed: DetectReport = { ...r, gpus: [], topology: null, driver: null, warnings: [], nvidiaSmi: { path: null, status: 'nvidia-smi-not-found', message: 'nvidia-smi not found: x', messageZh: '未找到 nvidia-smi：x', fix: 'Install the driver', fixZh: '安装驱动' } };
    expect(formatReport(failed, 'en').split('\n').slice(0, 3)).toEqual(['GPUs', '  ✗ nvidia-smi not found: x', '    fix: Install the driver']);
    expect(formatReport(failed, 'zh-CN')).toContain('未找到 nvidia-smi');
  });

  it('memoryBar scales to the width', () => {
    expect(memoryBar(0, 100, 4)).toBe('[····]');
    expect(memoryBar(50, 100, 4)).toBe('[##··]');
    expect(memoryBar(200, 100, 4)).toBe('[####]');
  });
});
