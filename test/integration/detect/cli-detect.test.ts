import { mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectAll } from '../../../electron/core/detect';
import type { DetectReport } from '../../../shared/detect';
import { lal } from '../../support/cli';
import { repoRoot, tempDir } from '../../support/temp';

const FAKE_DIR = join(repoRoot, 'test/support/fake-nvidia-smi');
const tmp = tempDir('lal-detect-cli-');
afterAll(() => tmp.remove());

// A PATH with node and python3 (with torch) and nothing else: certainly no nvidia-smi.
const bare = join(tmp.path, 'bin');
mkdirSync(bare);
symlinkSync(process.execPath, join(bare, 'node'));
symlinkSync('/usr/bin/python3', join(bare, 'python3'));
const env = (extra: Record<string, string> = {}) => ({ PATH: bare, LAL_DATA_DIR: join(tmp.path, 'data'), LANG: 'C.UTF-8', ...extra });
const withFake = (extra: Record<string, string> = {}) => env({ PATH: `${FAKE_DIR}:${bare}`, ...extra });

async function detectJson(e: Record<string, string>, args: string[] = []): Promise<{ code: number | undefined; report: DetectReport }> {
  const r = await lal(['--json', 'detect', ...args], { env: e });
  try {
    return { code: r.exitCode, report: JSON.parse(String(r.stdout)) as DetectReport };
  } catch {
    throw new Error(`lal detect --json printed no JSON (exit ${r.exitCode}): ${r.stdout}\n${r.stderr}`);
  }
}

describe('lal detect', () => {
  it('without a GPU: "nvidia-smi not found", exit 0, and still host and Python', async () => {
    const { code, report } = await detectJson(env());
    expect(code).toBe(0);
    expect(report.nvidiaSmi.status).toBe('nvidia-smi-not-found');
    expect(report.nvidiaSmi.message).toMatch(/^nvidia-smi not found/);
    expect(report.nvidiaSmi.messageZh).toMatch(/未找到 nvidia-smi/);
    expect(report.nvidiaSmi.fix).toMatch(/Install the NVIDIA driver/);
    expect(report.gpus).toEqual([]);
    expect(report.host.ramTotalBytes).toBeGreaterThan(0);
    expect(report.host.cpuCores).toBeGreaterThan(0);
    expect(report.host.shmBytes).toBeGreaterThan(0);
    expect(report.python.find((p) => p.source === 'path')).toMatchObject({ path: join(bare, 'python3'), ok: true });
    expect(report.python[0]!.torchVersion).toMatch(/^\d/);
    expect(Array.isArray(report.warnings)).toBe(true);
  });

  it('with the stand-in on PATH: 4× NVIDIA H200, 143771 MiB each, driver 580.159.04, NVLink between all pairs', async () => {
    const { code, report } = await detectJson(withFake());
    expect(code).toBe(0);
    expect(report.nvidiaSmi).toMatchObject({ status: 'ok', path: join(FAKE_DIR, 'nvidia-smi') });
    expect(report.gpus.map((g) => [g.index, g.name, g.memoryTotalMiB, g.memoryUsedMiB, g.memoryFreeMiB, g.computeCapability])).toEqual(
      [0, 1, 2, 3].map((i) => [i, 'NVIDIA H200', 143771, 0, 143156, '9.0']),
    );
    for (const g of report.gpus) expect(g.uuid).toMatch(/^GPU-[0-9a-f-]{36}$/);
    expect(report.driver).toEqual({ version: '580.159.04', cudaVersion: '13.0' });
    expect(report.topology?.nvlinkAllPairs).toBe(true);
    expect(report.topology?.links).toHaveLength(6);
    expect(report.topology?.p2p.every((p) => p.status === 'OK')).toBe(true);
    // Debian's CPU-only torch next to four H200s is worth an error.
    expect(report.warnings.map((w) => w.code)).toContain('torch-cpu-only');
  });

  it('busy GPUs: holders joined to their GPUs, and a warning', async () => {
    const { report } = await detectJson(withFake({ LAL_FAKE_SMI_MODE: 'busy' }), ['--no-python']);
    expect(report.gpus.map((g) => g.processes.map((p) => `${p.pid}:${p.usedMiB}`))).toEqual([['840:520'], ['840:5290'], [], []]);
    expect(report.warnings.find((w) => w.code === 'gpus-busy')?.gpus).toEqual([0, 1]);
    expect(report.python).toEqual([]);
    // Skipped on purpose: no "no torch found" noise.
    expect(report.warnings.map((w) => w.code)).toEqual(['gpus-busy']);
  });

  for (const [mode, status] of [['no-driver', 'no-driver'], ['mismatch', 'driver-mismatch'], ['no-devices', 'no-devices']] as const) {
    it(`${mode}: reported with its own explanation, exit 0`, async () => {
      const { code, report } = await detectJson(withFake({ LAL_FAKE_SMI_MODE: mode }), ['--no-python']);
      expect(code).toBe(0);
      expect(report.nvidiaSmi.status).toBe(status);
      expect(report.nvidiaSmi.fix?.length).toBeGreaterThan(20);
      expect(report.gpus).toEqual([]);
    });
  }

  for (const mode of ['garbled', 'truncated']) {
    it(`${mode} output: a partial report with a warning, never a crash`, async () => {
      const { code, report } = await detectJson(withFake({ LAL_FAKE_SMI_MODE: mode }), ['--no-python']);
      expect(code).toBe(0);
      expect(report.nvidiaSmi.status).toBe('ok');
      expect(report.gpus.length).toBeGreaterThan(0);
      expect(report.warnings.filter((w) => w.code === 'smi-partial-output').length).toBeGreaterThan(0);
    });
  }

  it('human output: compact table in the asked language', async () => {
    const r = await lal(['--lang', 'zh', 'detect', '--no-python'], { env: withFake({ LAL_FAKE_SMI_MODE: 'busy' }) });
    expect(r.exitCode).toBe(0);
    const out = String(r.stdout);
    expect(out.split('\n')[0]).toBe('GPU  (驱动 580.159.04，CUDA 13.0)');
    expect(out).toContain('  1  NVIDIA H200  [#···············] 已用 5.2 / 140.4 GiB');
    expect(out).toContain('占用者：python3 (pid 840, 5290 MiB)');
    expect(out).toContain('所有 GPU 之间均为 NVLink（NV18）');
  });

  it('bad --checkout: a one-line error naming the flag, exit 2', async () => {
    const r = await lal(['detect', '--checkout', join(tmp.path, 'nope')], { env: env() });
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr).trim()).toBe(`lal: --checkout: ${join(tmp.path, 'nope')} is not a folder`);
  });
});

describe('detectAll', () => {
  it('a hanging nvidia-smi is cut off at the limit and reported', async () => {
    const t0 = Date.now();
    const r = await detectAll({ nvidiaSmi: join(FAKE_DIR, 'nvidia-smi'), resourcesDir: join(repoRoot, 'resources'), skipPython: true, timeoutMs: 800, env: { ...process.env, LAL_FAKE_SMI_MODE: 'hang' } });
    expect(Date.now() - t0).toBeLessThan(6000);
    expect(r.nvidiaSmi).toMatchObject({ status: 'error', message: 'nvidia-smi did not answer within 1 s.' });
    expect(dirname(r.nvidiaSmi.path ?? '')).toBe(FAKE_DIR);
  });

  it('an unreadable checkout becomes a warning', async () => {
    const r = await detectAll({ nvidiaSmi: '/nonexistent/nvidia-smi', checkout: '/nonexistent/la', resourcesDir: join(repoRoot, 'resources'), skipPython: true });
    expect(r.checkout).toBeNull();
    expect(r.nvidiaSmi.status).toBe('nvidia-smi-not-found');
    expect(r.warnings.find((w) => w.code === 'checkout-unreadable')?.message).toContain('/nonexistent/la');
  });
});
