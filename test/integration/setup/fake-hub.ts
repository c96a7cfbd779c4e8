import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Hugging Face Hub (and ModelScope) on loopback, written for these tests. It
 * serves what the downloader uses, the way the Hub does:
 * - `GET /api/models/{org}/{name}/revision/{rev}?blobs=true`: commit `sha` and `siblings[]` with
 *   `size` and, for LFS files, `lfs.{sha256,size}`;
 * - `HEAD|GET /{org}/{name}/resolve/{rev}/{path}`: `X-Repo-Commit`, `ETag`; LFS files answer 302 to a
 *   CDN path on the same server with `X-Linked-Size` / `X-Linked-Etag`, small files come inline;
 * - `GET /cdn/{sha256}`: the bytes, with `Range` → 206 + `Content-Range`, `Accept-Ranges: bytes`;
 * - ModelScope: `/api/v1/models/{org}/{name}/repo/files?Revision=&Recursive=true` and
 *   `/api/v1/models/{org}/{name}/repo?Revision=&FilePath=`.
 * Knobs make it misbehave: fail everything, flip one byte of a file once, send slowly, cut a body.
 */
export interface FakeFile {
  path: string;
  data: Buffer;
  lfs: boolean;
}

export interface FakeRepo {
  repo: string;
  commit: string;
  files: FakeFile[];
}

export interface FakeHubOptions {
  repos: FakeRepo[];
  /** Answer every request with this status (a dead or blocked endpoint). */
  failAll?: number;
  /** Serve files ModelScope-style too. */
  modelscope?: boolean;
  /** Bytes per second for file bodies (0 = as fast as possible). */
  bytesPerSecond?: number;
  /** Flip one byte in the middle of these files, the first `flipTimes` times each is served. */
  flip?: { path: string; times: number }[];
  /** Close the connection after this many body bytes, once per path. */
  cutAfter?: { path: string; bytes: number }[];
  /** Ignore Range (always 200 with the whole file). */
  noRange?: boolean;
}

export interface FakeHub {
  url: string;
  server: Server;
  /** Every request line, for assertions (e.g. `Range` headers seen). */
  log: { method: string; url: string; range: string | null; status: number }[];
  close(): Promise<void>;
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** git's object id of a blob: what the Hub lists as `blobId`. */
export const gitBlobId = (b: Buffer) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

/** Deterministic bytes, different per seed, so a misplaced file is caught by its hash. */
export function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed * 2654435761 >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** The two repos of the real recipe, with the file names upstream loads, at test sizes. */
export function liveAvatarRepos(scale = 1): FakeRepo[] {
  const kb = (n: number) => Math.round(n * 1024 * scale);
  return [
    {
      repo: 'Wan-AI/Wan2.2-S2V-14B',
      commit: 'a'.repeat(40),
      files: [
        { path: 'config.json', data: Buffer.from('{"model_type":"s2v"}\n'), lfs: false },
        { path: 'diffusion_pytorch_model-00001-of-00004.safetensors', data: bytes(kb(1536), 1), lfs: true },
        { path: 'diffusion_pytorch_model-00002-of-00004.safetensors', data: bytes(kb(512), 2), lfs: true },
        { path: 'diffusion_pytorch_model-00003-of-00004.safetensors', data: bytes(kb(512), 3), lfs: true },
        { path: 'diffusion_pytorch_model-00004-of-00004.safetensors', data: bytes(kb(256), 4), lfs: true },
        { path: 'models_t5_umt5-xxl-enc-bf16.pth', data: bytes(kb(384), 5), lfs: true },
        { path: 'Wan2.1_VAE.pth', data: bytes(kb(128), 6), lfs: true },
        { path: 'wav2vec2-large-xlsr-53-english/config.json', data: Buffer.from('{}\n'), lfs: false },
        { path: 'wav2vec2-large-xlsr-53-english/model.safetensors', data: bytes(kb(128), 7), lfs: true },
      ],
    },
    {
      repo: 'Quark-Vision/Live-Avatar',
      commit: 'b'.repeat(40),
      files: [
        { path: 'README.md', data: Buffer.from('# Live Avatar LoRA\n'), lfs: false },
        { path: 'liveavatar.safetensors', data: bytes(kb(256), 8), lfs: true },
      ],
    },
  ];
}

export async function startFakeHub(opts: FakeHubOptions): Promise<FakeHub> {
  const log: FakeHub['log'] = [];
  const flips = new Map((opts.flip ?? []).map((f) => [f.path, f.times]));
  const cuts = new Map((opts.cutAfter ?? []).map((c) => [c.path, c.bytes]));
  const byRepo = new Map(opts.repos.map((r) => [r.repo, r]));
  const bySha = new Map<string, { repo: FakeRepo; file: FakeFile }>();
  for (const r of opts.repos) for (const f of r.files) bySha.set(sha256(f.data), { repo: r, file: f });

  const server = createServer((req, res) => {
    const done = (status: number) => log.push({ method: req.method ?? '', url: req.url ?? '', range: req.headers.range ?? null, status });
    if (opts.failAll) {
      res.writeHead(opts.failAll, { 'content-type': 'text/plain' }).end('unavailable');
      return done(opts.failAll);
    }
    const u = new URL(req.url ?? '/', 'http://x');
    const p = decodeURIComponent(u.pathname);
    let m: RegExpExecArray | null;
    if ((m = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(p))) {
      const r = byRepo.get(m[1]!);
      if (!r) return json(res, 404, { error: 'Repository not found' }, done);
      return json(res, 200, {
        id: r.repo,
        sha: r.commit,
        siblings: r.files.map((f) => ({ rfilename: f.path, size: f.data.length, blobId: gitBlobId(f.lfs ? Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(f.data)}\nsize ${f.data.length}\n`) : f.data), ...(f.lfs ? { lfs: { sha256: sha256(f.data), size: f.data.length, pointerSize: 134 } } : {}) })),
      }, done);
    }
    if ((m = /^\/api\/v1\/models\/([^/]+\/[^/]+)\/repo\/files$/.exec(p)) && opts.modelscope) {
      const r = byRepo.get(m[1]!);
      if (!r) return json(res, 200, { Code: 10010205001, Message: 'model not found' }, done);
      return json(res, 200, {
        Code: 200,
        Data: { Files: [{ Path: 'wav2vec2-large-xlsr-53-english', Name: 'wav2vec2-large-xlsr-53-english', Type: 'tree', Size: 0 },
          ...r.files.map((f) => ({ Path: f.path, Name: f.path.split('/').pop(), Type: 'blob', Size: f.data.length, Sha256: sha256(f.data), Revision: 'c'.repeat(40) }))] },
      }, done);
    }
    if ((m = /^\/api\/v1\/models\/([^/]+\/[^/]+)\/repo$/.exec(p)) && opts.modelscope) {
      const r = byRepo.get(m[1]!);
      const f = r?.files.find((x) => x.path === u.searchParams.get('FilePath'));
      if (!f) return json(res, 404, { Code: 404 }, done);
      return sendBytes(req, res, f, {}, done);
    }
    if ((m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(p))) {
      const r = byRepo.get(m[1]!);
      const f = r?.files.find((x) => x.path === m![3]);
      if (!r || !f || (m[2] !== r.commit && m[2] !== 'main')) {
        res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end();
        return done(404);
      }
      const etag = f.lfs ? sha256(f.data) : createHash('sha1').update(f.data).digest('hex');
      const common = { 'x-repo-commit': r.commit, etag: `"${etag}"` };
      if (f.lfs) {
        res.writeHead(302, { ...common, location: `/cdn/${sha256(f.data)}?X-Amz-Expires=3600`, 'x-linked-size': String(f.data.length), 'x-linked-etag': `"${etag}"`, 'content-length': '0' }).end();
        return done(302);
      }
      return sendBytes(req, res, f, common, done);
    }
    if ((m = /^\/cdn\/([0-9a-f]{64})$/.exec(p))) {
      const hit = bySha.get(m[1]!);
      if (!hit) return json(res, 404, {}, done);
      return sendBytes(req, res, hit.file, { etag: `"${m[1]}"` }, done);
    }
    json(res, 404, { error: 'not found' }, done);
  });

  function sendBytes(req: IncomingMessage, res: ServerResponse, f: FakeFile, headers: Record<string, string>, done: (s: number) => void) {
    let data = f.data;
    const left = flips.get(f.path) ?? 0;
    if (left > 0 && req.method === 'GET') {
      flips.set(f.path, left - 1);
      data = Buffer.from(data);
      data[data.length >> 1] ^= 0xff;
    }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let status = 200;
    if (range && !opts.noRange) {
      start = Number(range[1]);
      if (start >= data.length) {
        res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
        return done(416);
      }
      status = 206;
    }
    const body = data.subarray(start);
    res.writeHead(status, {
      ...headers,
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
      'content-length': String(body.length),
      ...(status === 206 ? { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` } : {}),
    });
    done(status);
    if (req.method === 'HEAD') return res.end();
    const cut = cuts.get(f.path);
    if (cut !== undefined) cuts.delete(f.path);
    const rate = opts.bytesPerSecond ?? 0;
    const chunk = rate > 0 ? Math.max(1024, Math.floor(rate / 20)) : 256 * 1024;
    let pos = 0;
    const step = () => {
      if (res.destroyed) return;
      if (cut !== undefined && pos >= cut) {
        res.destroy();
        return;
      }
      if (pos >= body.length) return void res.end();
      const end = Math.min(body.length, pos + chunk, cut !== undefined ? Math.max(cut, pos + 1) : Infinity);
      const ok = res.write(body.subarray(pos, end));
      pos = end;
      const next = () => (rate > 0 ? setTimeout(step, 50) : setImmediate(step));
      if (ok) next();
      else res.once('drain', next);
    };
    step();
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    log,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

function json(res: ServerResponse, status: number, body: unknown, done: (s: number) => void) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  done(status);
}
