import { describe, expect, it } from 'vitest';
import { classifySmiFailure, detectText, lostGpus } from '../../../shared/detect';

const NO_DRIVER = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n";
const MISMATCH = 'Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 570.124\n';
const MISMATCH_OLD = 'Failed to initialize NVML: Driver/library version mismatch\n';

describe('classifySmiFailure tells the nvidia-smi failures apart', () => {
  it('not on PATH', () => {
    expect(classifySmiFailure({ exitCode: null, stdout: '', stderr: '', spawnError: 'ENOENT' })).toMatchObject({ status: 'nvidia-smi-not-found', key: 'notFound' });
  });
  it('no driver loaded (exit 9)', () => {
    expect(classifySmiFailure({ exitCode: 9, stdout: NO_DRIVER, stderr: '' })).toMatchObject({ status: 'no-driver', key: 'noDriver' });
  });
  it('driver/library mismatch (exit 18), with and without the NVML line', () => {
    expect(classifySmiFailure({ exitCode: 18, stdout: MISMATCH, stderr: '' })).toEqual({ status: 'driver-mismatch', key: 'mismatch', params: { nvml: ', NVML 570.124' } });
    expect(classifySmiFailure({ exitCode: 18, stdout: MISMATCH_OLD, stderr: '' })).toMatchObject({ status: 'driver-mismatch', params: { nvml: '' } });
  });
  it('no devices (exit 6)', () => {
    expect(classifySmiFailure({ exitCode: 6, stdout: 'No devices were found\n', stderr: '' })).toMatchObject({ status: 'no-devices', key: 'noDevices' });
  });
  it('timeouts, permissions and other NVML errors keep their first line', () => {
    expect(classifySmiFailure({ exitCode: null, stdout: '', stderr: '', timedOut: true, timeoutMs: 10_000 })).toEqual({ status: 'error', key: 'timeout', params: { seconds: 10 } });
    expect(classifySmiFailure({ exitCode: null, stdout: '', stderr: '', spawnError: 'EACCES' })).toMatchObject({ status: 'error', key: 'notExecutable' });
    const lib = "NVIDIA-SMI couldn't find libnvidia-ml.so library in your system. Please make sure that the NVIDIA Display Driver is properly installed and present in your system.";
    expect(classifySmiFailure({ exitCode: 12, stdout: `${lib}\n`, stderr: '' })).toEqual({ status: 'error', key: 'error', params: { detail: lib } });
    expect(classifySmiFailure({ exitCode: 0, stdout: '0, GPU-x', stderr: '' }).status).toBe('ok');
  });
  it('each failure has a plain explanation and a fix in both languages', () => {
    for (const key of ['notFound', 'noDriver', 'mismatch', 'noDevices', 'error', 'timeout']) {
      for (const lang of ['en', 'zh-CN'] as const) {
        const msg = detectText(`status.${key}.message`, { nvml: '', detail: 'x', seconds: 1 }, lang);
        const fix = detectText(`status.${key}.fix`, {}, lang);
        expect(msg).not.toBe(`status.${key}.message`);
        expect(fix.length).toBeGreaterThan(20);
        if (lang === 'zh-CN') expect(msg).toMatch(/[\u4e00-\u9fff]/);
      }
    }
    expect(detectText('status.mismatch.message', { nvml: ', NVML 570.124' })).toContain('NVML 570.124');
  });
});

describe('NVML errors seen in containers and on failing hardware', () => {
  it('"Unknown Error" and a lost GPU have their own explanations', () => {
    expect(classifySmiFailure({ exitCode: 255, stdout: 'Failed to initialize NVML: Unknown Error\n', stderr: '' }).key).toBe('nvmlUnknown');
    const lost = 'Unable to determine the device handle for GPU0000:01:00.0: GPU is lost.  Reboot the system to recover this GPU\n';
    expect(classifySmiFailure({ exitCode: 15, stdout: lost, stderr: '' })).toEqual({ status: 'error', key: 'gpuLost', params: { bus: '0000:01:00.0', detail: 'GPU is lost.  Reboot the system to recover this GPU' } });
    expect(lostGpus(`0, GPU-a, NVIDIA H200\n${lost}`)).toEqual([{ busId: '0000:01:00.0', detail: 'GPU is lost.  Reboot the system to recover this GPU' }]);
  });
});
