import { existsSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WeightDownload } from '../../../electron/core/setup/download';
import { parseEndpoint } from '../../../shared/setup/endpoints';
import type { Endpoint } from '../../../shared/setup/types';
import { WEIGHT_REPOS } from '../../../shared/setup/weights';
import { tempDir } from '../../support/temp';
import { liveAvatarRepos, sha256, startFakeHub, type FakeHub } from './fake-hub';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function hub(opts: Parameters<typeof startFakeHub>[0]): Promise<FakeHub> {
  const h = await startFakeHub(opts);
  cleanups.push(() => h.close());
  return h;
}
function dest(): string {
  const t = tempDir('lal-weights-');
  cleanups.push(() => t.remove());
  return join(t.path, 'ckpt');
}
const ep = (url: string, kind: 'hf' | 'modelscope' = 'hf'): Endpoint => parseEndpoint(kind === 'hf' ? url : `modelscope=${url}`)!;
const plenty = async () => ({ bavail: 1e9, bsize: 4096 });

/** Every file of the fake repos, where the real layout puts it, byte for byte. */
function expectComplete(dir: string) {
  const [wan, lora] = liveAvatarRepos();
  for (const f of wan!.files) expect(sha256(readFileSync(join(dir, 'Wan2.2-S2V-14B', f.path))), f.path).toBe(sha256(f.data));
  const snap = join(dir, 'LiveAvatar', 'models--Quark-Vision--Live-Avatar', 'snapshots', lora!.commit);
  for (const f of lora!.files) expect(sha256(readFileSync(join(snap, f.path)))).toBe(sha256(f.data));
  const leftovers = walk(dir).filter((p) => p.endsWith('.part'));
  expect(leftovers).toEqual([]);
}
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('weight download against a local Hub', () => {
  it('lists the pinned commit, follows CDN redirects and lands every file verified', async () => {
    const h = await hub({ repos: liveAvatarRepos() });
    const d = dest();
    const seen: string[] = [];
    const r = await new WeightDownload({ dest: d, repos: WEIGHT_REPOS, endpoints: [ep(h.url)], statfs: plenty, progressIntervalMs: 20, onProgress: (p) => seen.push(p.phase) }).run();
    expect(r.phase).toBe('done');
    expect(r.bytes).toBe(r.total);
    expectComplete(d);
    // Files are fetched at the listed commit, never at a moving branch.
    expect(h.log.filter((l) => l.url.includes('/resolve/')).every((l) => /resolve\/(a{40}|b{40})\//.test(l.url))).toBe(true);
    expect(h.log.some((l) => l.url.startsWith('/cdn/') && l.status === 200)).toBe(true);
    expect(seen).toContain('listing');
    expect(seen[seen.length - 1]).toBe('done');
  });

  it('puts the LoRA where hf_hub_download(cache_dir="ckpt/LiveAvatar") resolves it, and the plain file beside it', async () => {
    const h = await hub({ repos: liveAvatarRepos() });
    const d = dest();
    await new WeightDownload({ dest: d, repos: WEIGHT_REPOS, endpoints: [ep(h.url)], statfs: plenty }).run();
    // huggingface_hub's offline resolution: refs/<revision> holds the commit, the file sits in snapshots/<commit>/.
    const cache = join(d, 'LiveAvatar', 'models--Quark-Vision--Live-Avatar');
    const commit = readFileSync(join(cache, 'refs', 'main'), 'utf8');
    expect(commit).toBe('b'.repeat(40));
    const resolved = join(cache, 'snapshots', commit, 'liveavatar.safetensors');
    const lora = liveAvatarRepos()[1]!.files.find((f) => f.path === 'liveavatar.safetensors')!;
    expect(sha256(readFileSync(resolved))).toBe(sha256(lora.data));
    // The README's --local-dir place is the same bytes (a hard link, so no second copy on disk).
    const plain = join(d, 'LiveAvatar', 'liveavatar.safetensors');
    expect(statSync(plain).ino).toBe(statSync(resolved).ino);
  });

  it('adopts a LoRA fetched by hand into ckpt/LiveAvatar (the README layout) instead of fetching it again', async () => {
    const h = await hub({ repos: liveAvatarRepos() });
    const d = dest();
    const lora = liveAvatarRepos()[1]!.files.find((f) => f.path === 'liveavatar.safetensors')!;
    mkdirSync(join(d, 'LiveAvatar'), { recursive: true });
    writeFileSync(join(d, 'LiveAvatar', 'liveavatar.safetensors'), lora.data);
    const r = await new WeightDownload({ dest: d, repos: WEIGHT_REPOS.filter((x) => x.id === 'liveavatar-lora'), endpoints: [ep(h.url)], statfs: plenty }).run();
    expect(r.phase).toBe('done');
    expect(h.log.some((l) => l.url.includes(sha256(lora.data)))).toBe(false);
    const snap = join(d, 'LiveAvatar', 'models--Quark-Vision--Live-Avatar', 'snapshots', 'b'.repeat(40), 'liveavatar.safetensors');
    expect(statSync(snap).ino).toBe(statSync(join(d, 'LiveAvatar', 'liveavatar.safetensors')).ino);
    expect(readFileSync(join(d, 'LiveAvatar', 'models--Quark-Vision--Live-Avatar', 'refs', 'main'), 'utf8')).toBe('b'.repeat(40));
  });

  it('keeps a base model fetched by hand with --local-dir once its bytes verify, fetching only what is missing', async () => {
    const h = await hub({ repos: liveAvatarRepos() });
    const d = dest();
    const wanFiles = liveAvatarRepos()[0]!.files;
    for (const f of wanFiles.slice(0, 4)) {
      mkdirSync(join(d, 'Wan2.2-S2V-14B', f.path, '..'), { recursive: true });
      writeFileSync(join(d, 'Wan2.2-S2V-14B', f.path), f.data);
    }
    const r = await new WeightDownload({ dest: d, repos: WEIGHT_REPOS.filter((x) => x.id === 'wan-s2v'), endpoints: [ep(h.url)], statfs: plenty }).run();
    expect(r.phase).toBe('done');
    const fetched = h.log.filter((l) => l.url.includes('/resolve/')).map((l) => decodeURIComponent(l.url.split('/').slice(5).join('/')));
    expect(fetched.sort()).toEqual(wanFiles.slice(4).map((f) => f.path).sort());
  });

  it('catches a flipped byte by sha256, throws the copy away and fetches it again', async () => {
    const h = await hub({ repos: liveAvatarRepos(), flip: [{ path: 'diffusion_pytorch_model-00002-of-00004.safetensors', times: 1 }] });
    const d = dest();
    const r = await new WeightDownload({ dest: d, repos: WEIGHT_REPOS, endpoints: [ep(h.url)], statfs: plenty, retryDelayMs: 1 }).run();
    expect(r.phase).toBe('done');
    expectComplete(d);
    const gets = h.log.filter((l) => l.url.startsWith('/cdn/') && l.method === 'GET');
    const shard2 = sha256(liveAvatarRepos()[0]!.files[2]!.data);
    expect(gets.filter((l) => l.url.includes(shard2)).length).toBe(2);
  });

  it('verifies small git-stored files by their git blob id, and refetches a corrupt one', async () => {
    const h = await hub({ repos: liveAvatarRepos(), flip: [{ path: 'config.json', times: 1 }] });
    const d = dest();
    const r = await new WeightDownload({ dest: d, repos: WEIGHT_REPOS.filter((x) => x.id === 'wan-s2v'), endpoints: [ep(h.url)], statfs: plenty, retryDelayMs: 1 }).run();
    expect(r.phase).toBe('done');
    expect(readFileSync(join(d, 'Wan2.2-S2V-14B', 'config.json'), 'utf8')).toBe('{"model_type":"s2v"}\n');
    expect(h.log.filter((l) => l.url.endsWith(`/resolve/${'a'.repeat(40)}/config.json`) && l.method === 'GET').length).toBe(2);
  });

  it('gives up with VERIFY_FAILED and leaves nothing under the final name when every copy is corrupt', async () => {
    const h = await hub({ repos: liveAvatarRepos(), flip: [{ path: 'Wan2.1_VAE.pth', times: 99 }] });
    const d = dest();
    const r = await new WeightDownload({ dest: d, repos: WEIGHT_REPOS, endpoints: [ep(h.url)], statfs: plenty, retryDelayMs: 1, attempts: 2 }).run();
    expect(r.phase).toBe('failed');
    expect(r.error?.code).toBe('VERIFY_FAILED');
    expect(r.error?.message).toContain('Wan2.1_VAE.pth');
    expect(existsSync(join(d, 'Wan2.2-S2V-14B', 'Wan2.1_VAE.pth'))).toBe(false);
  });

  it('resumes a body cut mid-file with a Range request from where the .part ends', async () => {
    const shard = 'diffusion_pytorch_model-00001-of-00004.safetensors';
    const h = await hub({ repos: liveAvatarRepos(), cutAfter: [{ path: shard, bytes: 700 * 1024 }] });
    const d = dest();
    const r = await new WeightDownload({ dest: d, repos: WEIGHT_REPOS, endpoints: [ep(h.url)], statfs: plenty, retryDelayMs: 1 }).run();
    expect(r.phase).toBe('done');
    expectComplete(d);
    const shardSha = sha256(liveAvatarRepos()[0]!.files[1]!.data);
    const ranged = h.log.find((l) => l.url.includes(shardSha) && l.range);
    expect(ranged?.range).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(ranged!.range!)![0])).toBeGreaterThan(0);
    expect(ranged?.status).toBe(206);
  });

  it('falls back to the next endpoint when the first one fails, and to ModelScope last', async () => {
    const dead = await hub({ repos: liveAvatarRepos(), failAll: 503 });
    const good = await hub({ repos: liveAvatarRepos() });
    const d = dest();
    const r = await new WeightDownload({ dest: d, repos: WEIGHT_REPOS, endpoints: [ep(dead.url), ep(good.url)], statfs: plenty, retryDelayMs: 1, attempts: 1 }).run();
    expect(r.phase).toBe('done');
    expectComplete(d);
    expect(dead.log.length).toBeGreaterThan(0);
    const manifest = JSON.parse(readFileSync(join(d, '.lal-weights', 'wan-s2v.manifest.json'), 'utf8')) as { listedBy: string };
    expect(manifest.listedBy).toBe(good.url);
  });

  it('lists and fetches from ModelScope with its own URL scheme when the Hub is unreachable', async () => {
    const dead = await hub({ repos: liveAvatarRepos(), failAll: 502 });
    const ms = await hub({ repos: liveAvatarRepos(), modelscope: true });
    const d = dest();
    const wanOnly = WEIGHT_REPOS.filter((r) => r.id === 'wan-s2v');
    const r = await new WeightDownload({ dest: d, repos: wanOnly, endpoints: [ep(dead.url), ep(ms.url, 'modelscope')], statfs: plenty, retryDelayMs: 1, attempts: 1 }).run();
    expect(r.phase).toBe('done');
    for (const f of liveAvatarRepos()[0]!.files) expect(sha256(readFileSync(join(d, 'Wan2.2-S2V-14B', f.path)))).toBe(sha256(f.data));
    expect(ms.log.some((l) => l.url.startsWith('/api/v1/models/Wan-AI/Wan2.2-S2V-14B/repo/files?Revision=master&Recursive=true'))).toBe(true);
    expect(ms.log.some((l) => l.url.includes('/repo?Revision=master&FilePath=wav2vec2-large-xlsr-53-english%2Fmodel.safetensors'))).toBe(true);
  });

  it('says the LoRA repo is not on ModelScope instead of pretending', async () => {
    const ms = await hub({ repos: liveAvatarRepos(), modelscope: true });
    const d = dest();
    const loraOnly = WEIGHT_REPOS.filter((r) => r.id === 'liveavatar-lora');
    const r = await new WeightDownload({ dest: d, repos: loraOnly, endpoints: [ep(ms.url, 'modelscope')], statfs: plenty }).run();
    expect(r.phase).toBe('failed');
    expect(r.error?.code).toBe('ALL_ENDPOINTS_FAILED');
    expect(r.error?.message).toContain('Quark-Vision/Live-Avatar is not published there');
    expect(ms.log).toEqual([]);
  });

  it('refuses to start when the disk cannot hold the whole set, naming sizes and the folder', async () => {
    const h = await hub({ repos: liveAvatarRepos() });
    const d = dest();
    const r = await new WeightDownload({ dest: d, repos: WEIGHT_REPOS, endpoints: [ep(h.url)], statfs: async () => ({ bavail: 100, bsize: 4096 }) }).run();
    expect(r.phase).toBe('failed');
    expect(r.error?.code).toBe('DISK_FULL');
    expect(r.error?.message).toMatch(/need .*MB more, but .* has 410 KB free/);
    expect(h.log.some((l) => l.url.includes('/resolve/') || l.url.startsWith('/cdn/'))).toBe(false);
  });

  it('counts a .part already on disk against the space needed and keeps it', async () => {
    const h = await hub({ repos: liveAvatarRepos() });
    const d = dest();
    const files = liveAvatarRepos()[0]!.files;
    const shard = files[1]!;
    mkdirSync(join(d, 'Wan2.2-S2V-14B'), { recursive: true });
    writeFileSync(join(d, 'Wan2.2-S2V-14B', `${shard.path}.part`), shard.data.subarray(0, 1000 * 1024));
    const total = liveAvatarRepos().flatMap((r) => r.files).reduce((n, f) => n + f.data.length, 0);
    const free = total - 1000 * 1024 + 10;
    const r = await new WeightDownload({ dest: d, repos: WEIGHT_REPOS, endpoints: [ep(h.url)], statfs: async () => ({ bavail: free, bsize: 1 }) }).run();
    expect(r.phase).toBe('done');
    expectComplete(d);
  });

  it('rejects a listing whose paths would escape the weights folder', async () => {
    const repos = liveAvatarRepos();
    repos[1]!.files.push({ path: '../../evil.sh', data: Buffer.from('rm -rf ~'), lfs: false });
    const h = await hub({ repos });
    const d = dest();
    const r = await new WeightDownload({ dest: d, repos: WEIGHT_REPOS.filter((x) => x.id === 'liveavatar-lora'), endpoints: [ep(h.url)], statfs: plenty }).run();
    expect(r.phase).toBe('failed');
    expect(r.error?.message).toContain('unsafe file path');
    expect(existsSync(join(d, '..', 'evil.sh'))).toBe(false);
  });

  it('pauses without losing bytes and resumes from the .part files', async () => {
    const h = await hub({ repos: liveAvatarRepos(), bytesPerSecond: 400 * 1024 });
    const d = dest();
    const dl = new WeightDownload({ dest: d, repos: WEIGHT_REPOS, endpoints: [ep(h.url)], statfs: plenty, concurrency: 2 });
    const running = dl.run();
    await until(() => dl.snapshot().bytes > 200 * 1024);
    dl.pause();
    const paused = await running;
    expect(paused.phase).toBe('paused');
    const parts = walk(d).filter((p) => p.endsWith('.part'));
    expect(parts.length).toBeGreaterThan(0);
    const before = h.log.length;
    const h2 = h; // same server, full speed is not needed: resume must send Range for the parts
    const r = await new WeightDownload({ dest: d, repos: WEIGHT_REPOS, endpoints: [ep(h2.url)], statfs: plenty, concurrency: 4 }).run();
    expect(r.phase).toBe('done');
    expectComplete(d);
    expect(h.log.slice(before).some((l) => l.range && l.status === 206)).toBe(true);
  });

  it('refuses a second writer into the same folder while the first one runs, and takes over a dead one\'s lock', async () => {
    const h = await hub({ repos: liveAvatarRepos(), bytesPerSecond: 300 * 1024 });
    const d = dest();
    mkdirSync(join(d, '.lal-weights'), { recursive: true });
    // A lock from a process that no longer exists (SIGKILLed earlier) does not block.
    writeFileSync(join(d, '.lal-weights', 'lock'), '2147483646');
    const first = new WeightDownload({ dest: d, repos: WEIGHT_REPOS, endpoints: [ep(h.url)], statfs: plenty });
    const running = first.run();
    await until(() => first.snapshot().phase === 'downloading');
    // A live pid (the parent of this test) holding the lock, as another app or CLI would.
    writeFileSync(join(d, '.lal-weights', 'lock'), String(process.ppid));
    const second = await new WeightDownload({ dest: d, repos: WEIGHT_REPOS, endpoints: [ep(h.url)], statfs: plenty }).run();
    expect(second.phase).toBe('failed');
    expect(second.error?.message).toContain(`another download (process ${process.ppid}) is writing into`);
    writeFileSync(join(d, '.lal-weights', 'lock'), String(process.pid));
    first.pause();
    expect((await running).phase).toBe('paused');
    expect(existsSync(join(d, '.lal-weights', 'lock'))).toBe(false);
  });

  it('cancel removes partial files and reports cancelled', async () => {
    const h = await hub({ repos: liveAvatarRepos(), bytesPerSecond: 300 * 1024 });
    const d = dest();
    const dl = new WeightDownload({ dest: d, repos: WEIGHT_REPOS, endpoints: [ep(h.url)], statfs: plenty });
    const running = dl.run();
    await until(() => dl.snapshot().bytes > 100 * 1024);
    dl.cancel();
    const r = await running;
    expect(r.phase).toBe('cancelled');
    expect(walk(d).filter((p) => p.endsWith('.part'))).toEqual([]);
  });
});

async function until(cond: () => boolean, ms = 20_000) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
