import { statfs, access } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { cpus, freemem, hostname, platform, release, totalmem } from 'node:os';
import si from 'systeminformation';
import type { HostInfo } from '../../../shared/detect';

/** Resolves with the fallback if `p` takes longer than `ms` (systeminformation may spawn helpers). */
export function within<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((res) => {
    const t = setTimeout(() => res(fallback), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        res(v);
      },
      () => {
        clearTimeout(t);
        res(fallback);
      },
    );
  });
}

/** Size and free bytes of the file system holding `p` (its nearest existing parent). */
export async function fsSpace(p: string): Promise<{ total: number; free: number } | null> {
  let dir = resolve(p);
  for (let i = 0; i < 64; i++) {
    try {
      const s = await statfs(dir);
      return { total: s.blocks * s.bsize, free: s.bavail * s.bsize };
    } catch {
      const up = dirname(dir);
      if (up === dir) return null;
      dir = up;
    }
  }
  return null;
}

async function inContainer(): Promise<boolean> {
  for (const f of ['/.dockerenv', '/run/.containerenv']) {
    try {
      await access(f);
      return true;
    } catch {
      /* not this one */
    }
  }
  const cg = await readFile('/proc/1/cgroup', 'utf8').catch(() => '');
  return /docker|kubepods|containerd|libpod/.test(cg);
}

/**
 * CPU, RAM, OS, free disk at the output folder and /dev/shm. systeminformation gives the
 * distribution name and MemAvailable; node:os is the fallback when it is slow or fails.
 */
export async function detectHost(outputDir: string | null, timeoutMs = 4000): Promise<HostInfo> {
  const [cpu, mem, os, out, shm, container] = await Promise.all([
    within(si.cpu().then((c) => `${c.manufacturer} ${c.brand}`.trim()), timeoutMs, null),
    within(si.mem(), timeoutMs, null),
    within(si.osInfo(), timeoutMs, null),
    outputDir ? fsSpace(outputDir) : Promise.resolve(null),
    platform() === 'linux' ? fsSpace('/dev/shm') : Promise.resolve(null),
    platform() === 'linux' ? inContainer() : Promise.resolve(false),
  ]);
  const osName = os ? `${os.distro} ${os.release}`.trim() : `${platform()} ${release()}`;
  return {
    os: osName,
    platform: platform(),
    cpuModel: cpu || cpus()[0]?.model?.trim() || 'unknown',
    cpuCores: cpus().length,
    ramTotalBytes: mem?.total ?? totalmem(),
    // MemAvailable, not MemFree: page cache is reclaimable and counts as available.
    ramAvailableBytes: mem?.available ?? freemem(),
    shmBytes: shm?.total ?? null,
    shmFreeBytes: shm?.free ?? null,
    outputDir: outputDir ? resolve(outputDir) : null,
    outputDirFreeBytes: out?.free ?? null,
    kernel: os?.kernel ?? release(),
    hostname: hostname(),
    container,
  };
}
