import { lines, stripAnsi } from './values';

/** `nvidia-smi -L`: "GPU 0: NVIDIA H200 (UUID: GPU-…)" lines (MIG lines, indented, are skipped). */
export function parseGpuList(text: string): { index: number; name: string; uuid: string }[] {
  const out: { index: number; name: string; uuid: string }[] = [];
  for (const l of lines(text)) {
    const m = /^GPU (\d+): (.+?) \(UUID: ([^)]+)\)\s*$/.exec(l);
    if (m) out.push({ index: Number(m[1]), name: m[2]!, uuid: m[3]! });
  }
  return out;
}

/** `nvidia-smi nvlink -s`: active links and their speed per GPU. */
export function parseNvlinkStatus(text: string): { index: number; links: number; gbPerLink: number[] }[] {
  const out: { index: number; links: number; gbPerLink: number[] }[] = [];
  let cur: { index: number; links: number; gbPerLink: number[] } | null = null;
  for (const l of lines(stripAnsi(text))) {
    const g = /^GPU (\d+):/.exec(l);
    if (g) {
      cur = { index: Number(g[1]), links: 0, gbPerLink: [] };
      out.push(cur);
      continue;
    }
    const link = /^\s+Link \d+: ([\d.]+) GB\/s/.exec(l);
    if (link && cur) {
      cur.links++;
      cur.gbPerLink.push(Number(link[1]));
    }
  }
  return out;
}

/**
 * Valid field names from `nvidia-smi --help-query-gpu` / `--help-query-compute-apps`
 * (`"name" or "gpu_name"` lines), so a query can be checked against what the driver accepts.
 */
export function parseHelpQuery(text: string): Set<string> {
  const out = new Set<string>();
  for (const l of lines(text)) {
    if (!/^"/.test(l)) continue;
    for (const m of l.matchAll(/"([^"]+)"/g)) out.add(m[1]!);
  }
  return out;
}

/**
 * The loaded kernel module's version from /proc/driver/nvidia/version ("NVRM version: NVIDIA UNIX
 * Open Kernel Module for x86_64  580.159.04  Release Build …"). Next to NVML's version it shows
 * which side of a "Driver/library version mismatch" is stale.
 */
export function parseNvrmVersion(text: string): { version: string; open: boolean } | null {
  const m = /NVRM version:.*?(\d{3}\.\d+(?:\.\d+)?)/.exec(text);
  return m ? { version: m[1]!, open: /Open Kernel Module/i.test(text) } : null;
}
