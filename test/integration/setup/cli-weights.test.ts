import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WeightDownload } from '../../../electron/core/setup/download';
import { parseEndpoint } from '../../../shared/setup/endpoints';
import { WEIGHT_REPOS } from '../../../shared/setup/weights';
import { lal } from '../../support/cli';
import { repoRoot, tempDir } from '../../support/temp';
import { liveAvatarRepos, sha256, startFakeHub, type FakeHub } from './fake-hub';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A data folder whose settings name a checkout, so `<checkout>/ckpt` is the allowed default. */
function machine() {
  const t = tempDir('lal-setup-cli-');
  cleanups.push(() => t.remove());
  const data = join(t.path, 'data');
  const checkout = join(t.path, 'LiveAvatar');
  mkdirSync(data, { recursive: true });
  mkdirSync(checkout, { recursive: true });
  writeFileSync(join(data, 'settings.json'), JSON.stringify({ checkoutPath: checkout }));
  return { root: t.path, data, checkout, ckpt: join(checkout, 'ckpt') };
}

async function hub(opts: Parameters<typeof startFakeHub>[0]): Promise<FakeHub> {
  const h = await startFakeHub(opts);
  cleanups.push(() => h.close());
  return h;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('lal setup weights', () => {
  it('resumes after the process is SIGKILLed mid-file, with a Range request, and verifies everything', async () => {
    const m = machine();
    const shard = liveAvatarRepos()[0]!.files[1]!; // the 1.5 MB first DiT shard
    const h = await hub({ repos: liveAvatarRepos(), bytesPerSecond: 150 * 1024 });
    const env = { LAL_DATA_DIR: m.data, LAL_LANG: 'en', HF_ENDPOINT: '' };
    const child = spawn('node', ['--import', 'tsx', `${repoRoot}/electron/cli/main.ts`, 'setup', 'weights', '--endpoint', h.url], {
      cwd: repoRoot, env: { ...process.env, ...env, ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent-electron-dist' }, stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, sig) => r(sig)));
    const part = join(m.ckpt, 'Wan2.2-S2V-14B', `${shard.path}.part`);
    const t0 = Date.now();
    while (!(existsSync(part) && statSync(part).size > 200 * 1024)) {
      if (Date.now() - t0 > 60_000) throw new Error('the download never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const kept = statSync(part).size;
    expect(kept).toBeGreaterThan(200 * 1024);
    expect(kept).toBeLessThan(shard.data.length);
    // Nothing half-written under its final name.
    expect(existsSync(join(m.ckpt, 'Wan2.2-S2V-14B', shard.path))).toBe(false);

    const before = h.log.length;
    const r = await lal(['setup', 'weights', '--endpoint', h.url], { env, timeout: 90_000 });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toMatch(/All 11 files verified/);
    const resumed = h.log.slice(before).find((l) => l.url.includes(sha256(shard.data)) && l.range);
    expect(resumed?.status).toBe(206);
    expect(Number(/\d+/.exec(resumed!.range!)![0])).toBeGreaterThanOrEqual(kept);
    for (const f of liveAvatarRepos()[0]!.files) expect(sha256(readFileSync(join(m.ckpt, 'Wan2.2-S2V-14B', f.path))), f.path).toBe(sha256(f.data));
    expect(walk(m.ckpt).filter((p) => p.endsWith('.part'))).toEqual([]);
    // The LoRA where upstream's scripts will ask for it.
    const commit = readFileSync(join(m.ckpt, 'LiveAvatar', 'models--Quark-Vision--Live-Avatar', 'refs', 'main'), 'utf8');
    expect(existsSync(join(m.ckpt, 'LiveAvatar', 'models--Quark-Vision--Live-Avatar', 'snapshots', commit, 'liveavatar.safetensors'))).toBe(true);
  });

  it('Ctrl-C pauses: exit 1, the .part kept, and a message saying how to resume', async () => {
    const m = machine();
    const h = await hub({ repos: liveAvatarRepos(), bytesPerSecond: 100 * 1024 });
    const child = spawn('node', ['--import', 'tsx', `${repoRoot}/electron/cli/main.ts`, 'setup', 'weights', '--endpoint', h.url], {
      cwd: repoRoot, env: { ...process.env, LAL_DATA_DIR: m.data, LAL_LANG: 'en', ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent-electron-dist' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const t0 = Date.now();
    while (!walk(m.ckpt).some((p) => p.endsWith('.part') && statSync(p).size > 50 * 1024)) {
      if (Date.now() - t0 > 60_000) throw new Error(`the download never started: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(err).toMatch(/Paused at .* of 3\.8 MB\. Run the same command again to resume\./);
    expect(walk(m.ckpt).filter((p) => p.endsWith('.part')).length).toBeGreaterThan(0);
    expect(existsSync(join(m.ckpt, '.lal-weights', 'lock'))).toBe(false);
  });

  it('falls back from a failing endpoint to the next one named', async () => {
    const m = machine();
    const dead = await hub({ repos: liveAvatarRepos(), failAll: 500 });
    const good = await hub({ repos: liveAvatarRepos() });
    // No checkout in the settings: the one named on the command line decides where the weights go.
    writeFileSync(join(m.data, 'settings.json'), '{}');
    const r = await lal(['--json', 'setup', 'weights', '--checkout', m.checkout, '--endpoint', dead.url, '--endpoint', good.url], { env: { LAL_DATA_DIR: m.data } });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const out = JSON.parse(String(r.stdout)) as { phase: string; files: { endpoint?: string }[] };
    expect(out.phase).toBe('done');
    expect(out.files.every((f) => f.endpoint === good.url)).toBe(true);
    expect(dead.log.length).toBeGreaterThan(0);
    expect(readFileSync(join(m.ckpt, 'Wan2.2-S2V-14B', 'config.json'), 'utf8')).toContain('s2v');
  });

  it('refuses a --dest outside the folders the settings allow, and a bad --endpoint, with exit 2', async () => {
    const m = machine();
    const outside = await lal(['setup', 'weights', '--dest', '/etc/lal-weights', '--endpoint', 'http://127.0.0.1:9'], { env: { LAL_DATA_DIR: m.data } });
    expect(outside.exitCode).toBe(2);
    expect(String(outside.stderr)).toMatch(/outside the folders the launcher may write to/);
    const bad = await lal(['setup', 'weights', '--endpoint', 'file:///etc/passwd'], { env: { LAL_DATA_DIR: m.data } });
    expect(bad.exitCode).toBe(2);
    expect(String(bad.stderr)).toMatch(/--endpoint: "file:\/\/\/etc\/passwd" is not/);
  });

  it('a full disk (a 1 MB tmpfs) stops before downloading, with sizes and the folder', async () => {
    const m = machine();
    const h = await hub({ repos: liveAvatarRepos() });
    const mnt = join(m.root, 'small');
    mkdirSync(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    } catch (err) {
      throw new Error(`this test mounts a 1 MB tmpfs and needs root (run the suite as root, as .ci/run does): ${(err as Error).message}`);
    }
    cleanups.push(() => execFileSync('umount', [mnt]));
    writeFileSync(join(m.data, 'settings.json'), JSON.stringify({ checkoutPath: m.checkout, trustedFolders: [mnt] }));
    const r = await lal(['setup', 'weights', '--endpoint', h.url, '--dest', join(mnt, 'ckpt')], { env: { LAL_DATA_DIR: m.data, LAL_LANG: 'en' } });
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr) + String(r.stdout)).toMatch(/not enough disk space: the weights need \d\.\d MB more, but .*small.* has 1\.0 MB free/);
    expect(h.log.some((l) => l.url.startsWith('/cdn/'))).toBe(false);
  });

  it('a disk that fills up mid-file (ENOSPC) stops the whole download with DISK_FULL, not a retry loop', async () => {
    const m = machine();
    const h = await hub({ repos: liveAvatarRepos() });
    const shard = liveAvatarRepos()[0]!.files[1]!;
    mkdirSync(join(m.ckpt, 'Wan2.2-S2V-14B'), { recursive: true });
    // /dev/full answers every write with ENOSPC: the .part file of one shard lands there.
    symlinkSync('/dev/full', join(m.ckpt, 'Wan2.2-S2V-14B', `${shard.path}.part`));
    const r = await new WeightDownload({
      dest: m.ckpt, repos: WEIGHT_REPOS.filter((x) => x.id === 'wan-s2v'), endpoints: [parseEndpoint(h.url)!],
      statfs: async () => ({ bavail: 1e9, bsize: 4096 }), retryDelayMs: 1,
    }).run();
    expect(r.phase).toBe('failed');
    expect(r.error?.code).toBe('DISK_FULL');
    expect(r.error?.message).toMatch(/is full \(writing Wan2\.2-S2V-14B\/diffusion_pytorch_model-00001-of-00004\.safetensors\)/);
    expect(existsSync(join(m.ckpt, 'Wan2.2-S2V-14B', shard.path))).toBe(false);
  });
});
