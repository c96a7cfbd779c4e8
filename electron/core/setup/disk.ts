import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface DiskSpace {
  /** Bytes an unprivileged writer may still use. */
  free: number;
  /** The folder that was measured (the nearest one that exists). */
  at: string;
}

export type StatfsFn = (path: string) => Promise<{ bavail: number | bigint; bsize: number | bigint }>;

/** Free space where `target` will be created: statfs of the nearest existing ancestor. */
export async function freeSpace(target: string, fn: StatfsFn = statfs): Promise<DiskSpace> {
  let p = target;
  for (;;) {
    try {
      const s = await fn(p);
      return { free: Number(s.bavail) * Number(s.bsize), at: p };
    } catch (err) {
      const parent = dirname(p);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === p) throw err;
      p = parent;
    }
  }
}
