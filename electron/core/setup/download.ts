import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, link, mkdir, open, readFile, rename, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileUrl, listingUrl, MODELSCOPE_DEFAULT_REVISION } from '../../../shared/setup/endpoints';
import { parseHfListing, parseModelScopeListing } from '../../../shared/setup/listing';
import { eta, formatBytes, RateMeter } from '../../../shared/setup/progress';
import type { DownloadErrorCode, DownloadProgress, Endpoint, FileProgress, RepoFile, RepoManifest } from '../../../shared/setup/types';
import { PART_SUFFIX, plainAliasPath, refPath, STATE_FOLDER, targetPath, type WeightRepo } from '../../../shared/setup/weights';
import { freeSpace, type StatfsFn } from './disk';
import { readManifest, VerifiedStore, writeManifest } from './state';

export interface DownloadOptions {
  /** Absolute weights folder (usually `<checkout>/ckpt`); the caller has checked it is allowed. */
  dest: string;
  repos: readonly WeightRepo[];
  /** Tried in order, for the listing and again for every file. */
  endpoints: readonly Endpoint[];
  concurrency?: number;
  /** Attempts per endpoint for a transient failure (network, 5xx, cut-off body). */
  attempts?: number;
  /** A request that delivers no byte for this long is dropped and resumed. */
  stallMs?: number;
  progressIntervalMs?: number;
  onProgress?: (p: DownloadProgress) => void;
  /** Test seams. */
  fetchImpl?: typeof fetch;
  statfs?: StatfsFn;
  retryDelayMs?: number;
}

export class DownloadError extends Error {
  constructor(public readonly code: DownloadErrorCode, message: string) {
    super(message);
  }
}

/** Fails this endpoint for this file; `next` says to move on to the next endpoint without retrying. */
class AttemptError extends Error {
  constructor(message: string, public readonly next: boolean) {
    super(message);
  }
}

interface Job {
  repo: WeightRepo;
  manifest: RepoManifest;
  file: RepoFile;
  /** Absolute final path. */
  target: string;
  /** Key in the verified store and the progress list. */
  rel: string;
  progress: FileProgress;
  meter: RateMeter;
}

const HEADER_TIMEOUT_MS = 30_000;

/**
 * One download of the weight repos into `dest`: list (or reuse the saved manifest), check free disk,
 * fetch files in parallel into `<final>.part` with Range resume, verify size and sha256, and only then
 * rename to the final name. A restart of the process picks up every `.part` where it ended.
 */
export class WeightDownload {
  private readonly abort = new AbortController();
  private stopReason: 'pause' | 'cancel' | 'fatal' | null = null;
  private fatal: DownloadError | null = null;
  private jobs: Job[] = [];
  private phase: DownloadProgress['phase'] = 'idle';
  private readonly total = new RateMeter();
  private readonly verified: VerifiedStore;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly opts: DownloadOptions) {
    this.verified = new VerifiedStore(opts.dest);
    this.fetchImpl = opts.fetchImpl ?? fetch;
  }

  pause(): void {
    this.stop('pause');
  }

  cancel(): void {
    this.stop('cancel');
  }

  private stop(reason: 'pause' | 'cancel' | 'fatal'): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.abort.abort(new Error(reason));
  }

  snapshot(): DownloadProgress {
    const now = Date.now();
    const files = this.jobs.map((j) => {
      const speed = j.progress.state === 'downloading' ? j.meter.speed(now) : 0;
      return { ...j.progress, speed, etaSeconds: j.progress.state === 'done' ? 0 : eta(j.progress.total - j.progress.bytes, speed) };
    });
    const bytes = files.reduce((n, f) => n + f.bytes, 0);
    const total = files.reduce((n, f) => n + f.total, 0);
    const speed = this.phase === 'downloading' ? this.total.speed(now) : 0;
    return {
      phase: this.phase,
      dest: this.opts.dest,
      bytes,
      total,
      speed,
      etaSeconds: this.phase === 'done' ? 0 : eta(total - bytes, speed),
      files,
      ...(this.fatal ? { error: { code: this.fatal.code, message: this.fatal.message } } : {}),
    };
  }

  /** Runs to the end: done, failed, paused or cancelled. Never rejects; the outcome is in the result. */
  async run(): Promise<DownloadProgress> {
    const tick = setInterval(() => this.emit(), this.opts.progressIntervalMs ?? 500);
    let release: (() => Promise<void>) | null = null;
    try {
      release = await lockDest(this.opts.dest);
      this.phase = 'listing';
      this.emit();
      const manifests: RepoManifest[] = [];
      for (const r of this.opts.repos) manifests.push(await this.manifestFor(r));
      this.jobs = manifests.flatMap((m, i) => this.jobsFor(this.opts.repos[i]!, m));
      await this.settleExisting();
      await this.checkDisk();
      this.phase = 'downloading';
      this.emit();
      await this.runWorkers();
      if (!this.stopReason) {
        for (let i = 0; i < manifests.length; i++) await this.finishRepo(this.opts.repos[i]!, manifests[i]!);
      }
      this.phase = this.outcome();
    } catch (err) {
      if (err instanceof DownloadError) this.fatal ??= err;
      else if (!this.stopReason) this.fatal ??= new DownloadError('IO', (err as Error).message);
      this.phase = this.outcome();
    } finally {
      clearInterval(tick);
      this.verified.flush();
      await release?.();
    }
    if (this.phase === 'cancelled') await this.removeParts();
    for (const j of this.jobs) if (j.progress.state === 'downloading' || j.progress.state === 'verifying' || j.progress.state === 'queued') j.progress.state = this.phase === 'failed' ? j.progress.state : 'paused';
    this.emit();
    return this.snapshot();
  }

  private outcome(): DownloadProgress['phase'] {
    if (this.fatal) return 'failed';
    if (this.stopReason === 'cancel') return 'cancelled';
    if (this.stopReason === 'pause') return 'paused';
    if (this.jobs.some((j) => j.progress.state === 'failed')) {
      const bad = this.jobs.filter((j) => j.progress.state === 'failed');
      const verify = bad.every((j) => /: (sha256|sha1|size) /.test(j.progress.error ?? ''));
      this.fatal = new DownloadError(verify ? 'VERIFY_FAILED' : 'ALL_ENDPOINTS_FAILED',
        `${bad.length} file(s) could not be fetched from any endpoint: ${bad.slice(0, 3).map((j) => `${j.rel} (${j.progress.error})`).join('; ')}`);
      return 'failed';
    }
    return 'done';
  }

  private emit(): void {
    this.opts.onProgress?.(this.snapshot());
  }

  // ---- listing ----

  private async manifestFor(r: WeightRepo): Promise<RepoManifest> {
    const saved = readManifest(this.opts.dest, r);
    if (saved) return saved;
    const problems: string[] = [];
    for (const ep of this.opts.endpoints) {
      if (this.stopReason) throw new DownloadError('IO', 'stopped');
      const id = ep.kind === 'modelscope' ? r.modelscope : r.repo;
      if (!id) {
        problems.push(`${ep.label}: ${r.repo} is not published there`);
        continue;
      }
      const revision = ep.kind === 'modelscope' ? MODELSCOPE_DEFAULT_REVISION : r.revision;
      try {
        const res = await this.request(listingUrl(ep, id, revision), {}, HEADER_TIMEOUT_MS);
        if (!res.ok) {
          await res.body?.cancel().catch(() => undefined);
          problems.push(`${ep.label}: HTTP ${res.status}`);
          continue;
        }
        const text = await res.text();
        if (text.length > 20_000_000) throw new Error('listing larger than 20 MB');
        const listing = ep.kind === 'hf' ? parseHfListing(JSON.parse(text)) : parseModelScopeListing(JSON.parse(text), revision);
        if (!listing.ok) {
          problems.push(`${ep.label}: ${listing.reason}`);
          continue;
        }
        const m: RepoManifest = { repo: r.repo, commit: listing.commit, listedBy: ep.label, files: listing.files };
        writeManifest(this.opts.dest, r, m);
        return m;
      } catch (err) {
        if (this.stopReason) throw new DownloadError('IO', 'stopped');
        problems.push(`${ep.label}: ${(err as Error).message}`);
      }
    }
    throw new DownloadError('ALL_ENDPOINTS_FAILED', `could not list ${r.repo}: ${problems.join('; ')}`);
  }

  private jobsFor(r: WeightRepo, m: RepoManifest): Job[] {
    return m.files.map((file) => {
      const rel = targetPath(r, m.commit, file.path);
      return {
        repo: r, manifest: m, file, rel,
        target: join(this.opts.dest, ...rel.split('/')),
        progress: { repo: r.repo, path: file.path, state: 'queued', bytes: 0, total: file.size, speed: 0, etaSeconds: null },
        meter: new RateMeter(),
      };
    });
  }

  /** Final files already verified (or verifiable now) are done; `.part` files count as progress. */
  private async settleExisting(): Promise<void> {
    for (const j of this.jobs) {
      const s = await stat(j.target).catch(() => null);
      if (s?.isFile() && s.size === j.file.size) {
        const v = this.verified.get(j.rel);
        const known = v && v.size === s.size && v.mtimeMs === s.mtimeMs && v.sha256 === digestId(j.file);
        if (!known) {
          // Files from another tool (or an older launcher) are hashed once; that takes a while for 10 GB.
          j.progress = { ...j.progress, state: 'verifying', bytes: s.size };
          this.emit();
        }
        if (known || (await this.hashMatches(j.target, j.file))) {
          if (!known) this.verified.set(j.rel, { size: s.size, mtimeMs: s.mtimeMs, sha256: digestId(j.file) });
          j.progress = { ...j.progress, state: 'done', bytes: j.file.size };
          continue;
        }
      }
      if (!s && (await this.adoptPlainCopy(j))) continue;
      if (s) {
        // A wrong file under the final name (older version, cut short by another tool) is set aside,
        // never trusted: the fresh copy arrives through `.part` like any other.
        await unlink(j.target).catch(() => undefined);
        this.verified.delete(j.rel);
      }
      const part = await stat(j.target + PART_SUFFIX).catch(() => null);
      j.progress = { ...j.progress, state: 'queued', bytes: part?.isFile() ? Math.min(part.size, j.file.size) : 0 };
    }
  }

  /**
   * A LoRA fetched by hand with the README's `--local-dir` command already sits at the plain path:
   * when its bytes verify, it is linked into the cache layout instead of being fetched again.
   */
  private async adoptPlainCopy(j: Job): Promise<boolean> {
    const alias = plainAliasPath(j.repo, j.file.path);
    if (!alias) return false;
    const aliasAbs = join(this.opts.dest, ...alias.split('/'));
    const a = await stat(aliasAbs).catch(() => null);
    if (!a?.isFile() || a.size !== j.file.size || !(await this.hashMatches(aliasAbs, j.file))) return false;
    await mkdir(dirname(j.target), { recursive: true });
    await link(aliasAbs, j.target).catch(() => copyFile(aliasAbs, j.target));
    const s = await stat(j.target);
    this.verified.set(j.rel, { size: s.size, mtimeMs: s.mtimeMs, sha256: digestId(j.file) });
    j.progress = { ...j.progress, state: 'done', bytes: j.file.size };
    return true;
  }

  private async hashMatches(path: string, f: RepoFile): Promise<boolean> {
    return (await digestMismatch(path, f)) === null;
  }

  private async checkDisk(): Promise<void> {
    const need = this.jobs.reduce((n, j) => n + (j.progress.state === 'done' ? 0 : j.file.size - j.progress.bytes), 0);
    if (need === 0) return;
    const space = await freeSpace(this.opts.dest, this.opts.statfs);
    if (space.free < need) {
      throw new DownloadError('DISK_FULL',
        `not enough disk space: the weights need ${formatBytes(need)} more, but ${space.at} has ${formatBytes(space.free)} free. Free ${formatBytes(need - space.free)} or choose another folder with --dest.`);
    }
  }

  // ---- fetching ----

  private async runWorkers(): Promise<void> {
    const queue = this.jobs.filter((j) => j.progress.state !== 'done');
    const worker = async () => {
      for (let j = queue.shift(); j && !this.stopReason; j = queue.shift()) await this.fetchJob(j);
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.opts.concurrency ?? 4, queue.length)) }, worker));
  }

  private async fetchJob(j: Job): Promise<void> {
    const errors: string[] = [];
    const attempts = this.opts.attempts ?? 3;
    for (const ep of this.opts.endpoints) {
      const id = ep.kind === 'modelscope' ? j.repo.modelscope : j.repo.repo;
      if (!id) continue;
      // The Hub and its mirrors serve the pinned commit; ModelScope has its own history, and the
      // sha256 from the listing decides whether its copy is the same file.
      const revision = ep.kind === 'modelscope' ? MODELSCOPE_DEFAULT_REVISION : j.manifest.commit;
      if (ep.kind === 'modelscope' && digestId(j.file) === null && j.manifest.listedBy !== ep.label) continue;
      for (let a = 0; a < attempts && !this.stopReason; a++) {
        try {
          j.progress.endpoint = ep.label;
          await this.fetchOnce(j, fileUrl(ep, id, revision, j.file.path));
          j.progress = { ...j.progress, state: 'done', bytes: j.file.size, error: undefined };
          return;
        } catch (err) {
          if (this.stopReason) return;
          if (err instanceof DownloadError) {
            this.fatal ??= err;
            this.stop('fatal');
            return;
          }
          const e = err as AttemptError;
          errors.push(`${ep.label}: ${e.message}`);
          j.progress.error = e.message;
          if (e.next) break;
          await sleep(this.opts.retryDelayMs ?? 500 * 2 ** a, this.abort.signal);
        }
      }
      if (this.stopReason) return;
    }
    j.progress = { ...j.progress, state: 'failed', error: errors[errors.length - 1] ?? 'no endpoint serves this repo' };
  }

  /** One request from the `.part` file's end to the file's end, then verify and rename. */
  private async fetchOnce(j: Job, url: string): Promise<void> {
    const part = j.target + PART_SUFFIX;
    await mkdir(dirname(part), { recursive: true });
    let offset = await stat(part).then((s) => s.size, () => 0);
    if (offset > j.file.size) {
      await truncate(part, 0);
      offset = 0;
    }
    if (offset < j.file.size) {
      j.progress.state = 'downloading';
      offset = await this.receive(j, url, part, offset);
    }
    j.progress.state = 'verifying';
    j.progress.bytes = offset;
    const s = await stat(part);
    if (s.size !== j.file.size) throw new AttemptError(`size ${s.size} ≠ ${j.file.size} expected`, false);
    const mismatch = await digestMismatch(part, j.file);
    if (mismatch) {
      await unlink(part).catch(() => undefined);
      j.progress.bytes = 0;
      throw new AttemptError(`${mismatch}; fetching it again`, false);
    }
    await rename(part, j.target);
    const done = await stat(j.target);
    this.verified.set(j.rel, { size: done.size, mtimeMs: done.mtimeMs, sha256: digestId(j.file) });
  }

  /** Streams the body onto the `.part` file; returns its new length. */
  private async receive(j: Job, url: string, part: string, from: number): Promise<number> {
    const res = await this.request(url, from > 0 ? { Range: `bytes=${from}-` } : {}, HEADER_TIMEOUT_MS).catch((err: Error) => {
      throw new AttemptError(err.message, false);
    });
    let offset = from;
    if (res.status === 416 && from > 0) {
      await res.body?.cancel().catch(() => undefined);
      // The server says there is nothing after `from`: verify decides whether that part is whole.
      return from;
    }
    if (res.status === 200 && from > 0) {
      offset = 0; // No Range support here: start over rather than append a second copy.
    } else if (res.status === 206) {
      const start = /bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
      if (!start || Number(start[1]) !== from) {
        await res.body?.cancel().catch(() => undefined);
        throw new AttemptError(`the server resumed at ${start?.[1] ?? '?'} instead of ${from}`, true);
      }
    } else if (res.status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      // 4xx will not change on retry (missing file, gated repo): the next endpoint may have it.
      throw new AttemptError(`HTTP ${res.status}`, res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429);
    }
    if (!res.body) throw new AttemptError('empty response', false);
    const fh = await open(part, offset === 0 ? 'w' : 'r+');
    const stall = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => stall.abort(), this.opts.stallMs ?? 60_000);
    };
    const reader = res.body.getReader();
    const onStall = () => void reader.cancel().catch(() => undefined);
    stall.signal.addEventListener('abort', onStall);
    this.abort.signal.addEventListener('abort', onStall);
    try {
      arm();
      j.meter.reset();
      j.meter.add(Date.now(), offset);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (offset + value.length > j.file.size) throw new AttemptError(`the server sent more than ${j.file.size} bytes`, true);
        try {
          await fh.write(value, 0, value.length, offset);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC' || (err as NodeJS.ErrnoException).code === 'EDQUOT') {
            throw new DownloadError('DISK_FULL', `the disk holding ${this.opts.dest} is full (writing ${j.rel}); ${formatBytes(j.file.size - offset)} of this file were still to come. Free space and run the download again: it resumes where it stopped.`);
          }
          throw new DownloadError('IO', `cannot write ${part}: ${(err as Error).message}`);
        }
        offset += value.length;
        j.progress.bytes = offset;
        const now = Date.now();
        j.meter.add(now, offset);
        this.total.add(now, this.jobs.reduce((n, x) => n + x.progress.bytes, 0));
        arm();
      }
      if (this.stopReason) throw new AttemptError('stopped', true);
      if (stall.signal.aborted) throw new AttemptError(`no data for ${Math.round((this.opts.stallMs ?? 60_000) / 1000)} s`, false);
      // A body cut short comes back as a clean end: the length check below sends it round again.
      await fh.datasync();
    } catch (err) {
      if (err instanceof DownloadError || err instanceof AttemptError) throw err;
      if (stall.signal.aborted) throw new AttemptError(`no data for ${Math.round((this.opts.stallMs ?? 60_000) / 1000)} s`, false);
      throw new AttemptError(`connection lost: ${(err as Error).message}`, false);
    } finally {
      clearTimeout(timer);
      stall.signal.removeEventListener('abort', onStall);
      this.abort.signal.removeEventListener('abort', onStall);
      await fh.close();
    }
    if (offset < j.file.size) throw new AttemptError(`connection closed at ${offset} of ${j.file.size} bytes`, false);
    return offset;
  }

  /** fetch with redirects followed, the run's abort signal, and a limit on waiting for headers. */
  private async request(url: string, headers: Record<string, string>, headerTimeoutMs: number): Promise<Response> {
    const ctrl = new AbortController();
    const onAbort = () => ctrl.abort();
    this.abort.signal.addEventListener('abort', onAbort);
    const timer = setTimeout(() => ctrl.abort(), headerTimeoutMs);
    try {
      return await this.fetchImpl(url, { headers: { 'User-Agent': 'live-avatar-launcher', ...headers }, redirect: 'follow', signal: ctrl.signal });
    } catch (err) {
      const cause = (err as { cause?: Error }).cause;
      throw new Error(cause?.message ? `${(err as Error).message}: ${cause.message}` : (err as Error).message);
    } finally {
      clearTimeout(timer);
      // The body is cut by pause/cancel through its reader (receive), so the link can go now.
      this.abort.signal.removeEventListener('abort', onAbort);
    }
  }

  // ---- after the last byte ----

  /** Cache-layout repos get `refs/main` and the plain alias once every file of them is in place. */
  private async finishRepo(r: WeightRepo, m: RepoManifest): Promise<void> {
    const ref = refPath(r);
    if (!ref) return;
    const mine = this.jobs.filter((j) => j.repo.id === r.id);
    if (mine.some((j) => j.progress.state !== 'done')) return;
    const refAbs = join(this.opts.dest, ...ref.split('/'));
    await mkdir(dirname(refAbs), { recursive: true });
    const tmp = `${refAbs}.${process.pid}.tmp`;
    // huggingface_hub reads the ref verbatim; no trailing newline.
    await writeFile(tmp, m.commit);
    await rename(tmp, refAbs);
    for (const j of mine) {
      const alias = plainAliasPath(r, j.file.path);
      if (!alias) continue;
      const aliasAbs = join(this.opts.dest, ...alias.split('/'));
      const [a, t] = await Promise.all([stat(aliasAbs).catch(() => null), stat(j.target)]);
      if (a && a.ino === t.ino && a.dev === t.dev) continue;
      await mkdir(dirname(aliasAbs), { recursive: true });
      const tmpAlias = `${aliasAbs}.${process.pid}.tmp`;
      await unlink(tmpAlias).catch(() => undefined);
      // A hard link costs no space; a file system without them gets a copy.
      await link(j.target, tmpAlias).catch(() => copyFile(j.target, tmpAlias));
      await rename(tmpAlias, aliasAbs);
    }
  }

  private async removeParts(): Promise<void> {
    for (const j of this.jobs) if (j.progress.state !== 'done') await unlink(j.target + PART_SUFFIX).catch(() => undefined);
    for (const j of this.jobs) if (j.progress.state !== 'done') j.progress.bytes = 0;
  }
}

/**
 * One writer per weights folder: the app and `lal setup weights` (or two windows) appending to the
 * same `.part` would only produce files that fail verification. A lock left by a process that died
 * (SIGKILL, power loss) names a pid that no longer runs and is taken over.
 */
async function lockDest(dest: string): Promise<() => Promise<void>> {
  const file = join(dest, STATE_FOLDER, 'lock');
  await mkdir(dirname(file), { recursive: true });
  for (let i = 0; i < 2; i++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return () => unlink(file).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new DownloadError('IO', `another download (process ${pid}) is writing into ${dest}; wait for it, pause it, or stop that process`);
      }
      await unlink(file).catch(() => undefined);
    }
  }
  throw new DownloadError('IO', `cannot lock ${dest} for downloading`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const digestId = (f: RepoFile): string | null => f.sha256 ?? f.gitSha1 ?? null;

/** Why the file's bytes are not the listed ones (sha256 for LFS files, the git blob sha1 otherwise), or null. */
async function digestMismatch(path: string, f: RepoFile): Promise<string | null> {
  if (f.sha256) {
    const got = (await hashFile(path, createHash('sha256'))).digest('hex');
    return got === f.sha256 ? null : `sha256 ${got.slice(0, 12)}… ≠ ${f.sha256.slice(0, 12)}… expected`;
  }
  if (f.gitSha1) {
    const got = (await hashFile(path, createHash('sha1').update(`blob ${f.size}\0`))).digest('hex');
    return got === f.gitSha1 ? null : `sha1 ${got.slice(0, 12)}… ≠ git blob ${f.gitSha1.slice(0, 12)}… expected`;
  }
  return null;
}

async function hashFile(path: string, h: Hash): Promise<Hash> {
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) h.update(chunk as Buffer);
  return h;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(() => {
      signal.removeEventListener('abort', done);
      resolve();
    }, ms);
    const done = () => {
      clearTimeout(t);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
  });
}
