import { constants } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ApiFailure } from '../../../shared/api/result';
import type { Explainer } from '../../../shared/failures/explain';

/**
 * Feeding files to the explainer: read in 4 MiB chunks (a 100 MB console never sits in memory
 * whole), binary files refused by name, empty files noted. A run folder is read in the run
 * manager's layout: `console.log` (torchrun's merged `--tee` output) and torchrun's `--log_dir`
 * tree `logs/<rdzv-id>_<rand>/attempt_<n>/<local_rank>/{stdout.log,stderr.log,error.json}`
 * (torch 2.x; 1.13 has `logs/<run_id>/attempt_<n>/<rank>/`), rank taken from the folder name.
 */
export interface ExplainNote {
  file: string;
  kind: 'empty' | 'binary' | 'long-lines' | 'unreadable' | 'no-logs';
  message: string;
}

const CHUNK = 4 * 1024 * 1024;
const SNIFF = 8192;

/** NUL bytes, or mostly control bytes, in the first 8 KiB: not a log. */
export async function looksBinary(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SNIFF);
    const { bytesRead } = await fh.read(buf, 0, SNIFF, 0);
    let control = 0;
    for (let i = 0; i < bytesRead; i++) {
      const b = buf[i];
      if (b === 0) return true;
      if (b < 7 || (b > 13 && b < 27) || (b > 27 && b < 32)) control++;
    }
    return bytesRead > 0 && control / bytesRead > 0.1;
  } finally {
    await fh.close();
  }
}

/**
 * Raw bytes in CHUNK pieces with the next read already in flight while the scanner works on the
 * current one (a stream reading one chunk at a time left the scanner idle ~15% of the time on a
 * 100 MB log, issue 15's bench). The two buffers are reused: `use` must copy what it keeps, which
 * the scanner does (it keeps only a few carried lines, copied).
 */
async function readAhead(path: string, use: (bytes: Uint8Array) => void): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const bufs = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
    let k = 0;
    let pos = 0;
    let pending = fh.read(bufs[0], 0, CHUNK, 0);
    try {
      for (;;) {
        const { bytesRead } = await pending;
        if (bytesRead === 0) return;
        const cur = bufs[k];
        pos += bytesRead;
        k ^= 1;
        pending = fh.read(bufs[k], 0, CHUNK, pos);
        use(cur.subarray(0, bytesRead));
      }
    } finally {
      // A read still in flight (the scanner threw) must end before the handle closes.
      await pending.catch(() => undefined);
    }
  } finally {
    await fh.close();
  }
}

export async function feedFile(ex: Explainer, path: string, label: string, rank: number | null, notes: ExplainNote[]): Promise<void> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    notes.push({ file: label, kind: 'unreadable', message: (e as Error).message });
    return;
  }
  if (size === 0) {
    notes.push({ file: label, kind: 'empty', message: 'empty file' });
    return;
  }
  if (basename(path) === 'error.json' && size < 8 * 1024 * 1024) {
    const { readFile } = await import('node:fs/promises');
    if (ex.errorFile(label, rank, await readFile(path, 'utf8'))) return;
  }
  if (await looksBinary(path)) {
    notes.push({ file: label, kind: 'binary', message: 'binary file, not a log' });
    return;
  }
  const src = ex.source(label, rank);
  try {
    await readAhead(path, (bytes) => src.pushBytes(bytes));
  } catch (e) {
    notes.push({ file: label, kind: 'unreadable', message: (e as Error).message });
  }
  src.end();
}

/** `<runDir>/logs/**` per-rank files of the last attempt of every rendezvous folder. */
export async function rankFiles(logsDir: string): Promise<{ path: string; rank: number }[]> {
  const out: { path: string; rank: number }[] = [];
  for (const run of await dirs(logsDir)) out.push(...(await lastAttemptFiles(join(logsDir, run))));
  return out;
}

/** `<id>/attempt_<n>/<rank>/…` of the highest n. */
async function lastAttemptFiles(runDir: string): Promise<{ path: string; rank: number }[]> {
  const attempts = (await dirs(runDir))
    .map((a) => /^attempt_(\d+)$/.exec(a))
    .filter((m): m is RegExpExecArray => !!m)
    .sort((a, b) => Number(b[1]) - Number(a[1]));
  return attempts.length ? attemptFiles(join(runDir, attempts[0][0])) : [];
}

/** `<attempt>/<rank>/{error.json,stderr.log,stdout.log}`, error.json first: its timestamp orders the failures before the logs are read. */
async function attemptFiles(attemptDir: string): Promise<{ path: string; rank: number }[]> {
  const out: { path: string; rank: number }[] = [];
  for (const r of (await dirs(attemptDir)).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(a) - Number(b))) {
    for (const f of ['error.json', 'stderr.log', 'stdout.log']) {
      const p = join(attemptDir, r, f);
      if (await isFile(p)) out.push({ path: p, rank: Number(r) });
    }
  }
  return out;
}

/**
 * Per-rank files of a folder given to `lal explain`: a run folder (`logs/` inside), or any level of
 * torchrun's own `--log_dir` tree that users point at: the log dir, one `<id>` folder, one attempt.
 */
export async function rankFilesOf(dir: string): Promise<{ path: string; rank: number }[]> {
  for (const found of [() => rankFiles(join(dir, 'logs')), () => rankFiles(dir), () => lastAttemptFiles(dir), () => attemptFiles(dir)]) {
    const files = await found();
    if (files.length) return files;
  }
  return [];
}

async function dirs(path: string): Promise<string[]> {
  try {
    return (await readdir(path, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}

/**
 * A small regular file of a run folder (run.json, a flight-recorder dump, a companion's log), or
 * null. The folder may be someone else's: a FIFO named like one would block a plain open or
 * readFile forever (and with it the explain worker), so the file is opened non-blocking and must be
 * a regular file once open. `tail`: past `maxBytes`, keep the last `maxBytes` instead of refusing.
 */
export async function readRegularFile(path: string, maxBytes: number, opts: { tail?: boolean } = {}): Promise<Buffer | null> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => null);
  if (!fh) return null;
  try {
    const st = await fh.stat();
    if (!st.isFile() || (st.size > maxBytes && !opts.tail)) return null;
    const len = Math.min(st.size, maxBytes);
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, st.size - len);
    return buf.subarray(0, bytesRead);
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export function badInput(file: string, message: string): ApiFailure {
  return new ApiFailure({ code: 'BAD_INPUT', field: file, message: `${file}: ${message}` });
}
