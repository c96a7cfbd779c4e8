import { describe, expect, it } from 'vitest';
import { cudaTagFor, evaluate, type ReadinessFacts } from '../../../shared/setup/checklist';
import { defaultEndpoints, fileUrl, listingUrl, parseEndpoint } from '../../../shared/setup/endpoints';
import { fixCommand, quoteArgv, safeAbsPath } from '../../../shared/setup/fixes';
import { parseHfListing, parseModelScopeListing, safeRepoPath } from '../../../shared/setup/listing';
import { eta, formatEta, RateMeter } from '../../../shared/setup/progress';
import { compareVersions, satisfies } from '../../../shared/setup/versions';
import { hubCacheRepoFolder, refPath, targetPath, WEIGHT_REPOS } from '../../../shared/setup/weights';

const lora = WEIGHT_REPOS.find((r) => r.id === 'liveavatar-lora')!;
const wan = WEIGHT_REPOS.find((r) => r.id === 'wan-s2v')!;

describe('weights layout', () => {
  it('puts the LoRA in the huggingface_hub cache layout upstream reads, the base model in --local-dir layout', () => {
    expect(hubCacheRepoFolder('Quark-Vision/Live-Avatar')).toBe('models--Quark-Vision--Live-Avatar');
    expect(targetPath(lora, 'c0ffee', 'liveavatar.safetensors')).toBe('LiveAvatar/models--Quark-Vision--Live-Avatar/snapshots/c0ffee/liveavatar.safetensors');
    expect(refPath(lora)).toBe('LiveAvatar/models--Quark-Vision--Live-Avatar/refs/main');
    expect(targetPath(wan, 'c0ffee', 'google/umt5-xxl/spiece.model')).toBe('Wan2.2-S2V-14B/google/umt5-xxl/spiece.model');
    expect(refPath(wan)).toBeNull();
  });
});

describe('endpoints', () => {
  it('names the Hub, a mirror from HF_ENDPOINT, ModelScope and custom URLs; refuses the rest', () => {
    expect(parseEndpoint('hf')).toEqual({ kind: 'hf', base: 'https://huggingface.co', label: 'hf' });
    expect(parseEndpoint('mirror')?.base).toBe('https://hf-mirror.com');
    expect(parseEndpoint('mirror', 'https://my.mirror/')?.base).toBe('https://my.mirror');
    expect(parseEndpoint('modelscope')?.kind).toBe('modelscope');
    expect(parseEndpoint('modelscope=http://127.0.0.1:8/')).toEqual({ kind: 'modelscope', base: 'http://127.0.0.1:8', label: 'modelscope=http://127.0.0.1:8/' });
    for (const bad of ['file:///etc/passwd', 'ftp://x', 'https://user:pw@host', 'https://h/?q=1', 'nonsense']) expect(parseEndpoint(bad), bad).toBeNull();
  });

  it('tries the user\'s HF_ENDPOINT first, ModelScope last', () => {
    expect(defaultEndpoints().map((e) => e.base)).toEqual(['https://huggingface.co', 'https://hf-mirror.com', 'https://www.modelscope.cn']);
    expect(defaultEndpoints('https://hf-mirror.com').map((e) => e.label)).toEqual(['HF_ENDPOINT', 'hf', 'modelscope']);
  });

  it('builds the Hub and ModelScope URL schemes, escaping each path segment', () => {
    const hf = parseEndpoint('hf')!;
    const ms = parseEndpoint('modelscope')!;
    expect(listingUrl(hf, 'Wan-AI/Wan2.2-S2V-14B', 'main')).toBe('https://huggingface.co/api/models/Wan-AI/Wan2.2-S2V-14B/revision/main?blobs=true');
    expect(fileUrl(hf, 'Wan-AI/Wan2.2-S2V-14B', 'abc', 'google/umt5 xxl/a#b')).toBe('https://huggingface.co/Wan-AI/Wan2.2-S2V-14B/resolve/abc/google/umt5%20xxl/a%23b');
    expect(listingUrl(ms, 'Wan-AI/Wan2.2-S2V-14B', 'master')).toBe('https://www.modelscope.cn/api/v1/models/Wan-AI/Wan2.2-S2V-14B/repo/files?Revision=master&Recursive=true');
    expect(fileUrl(ms, 'Wan-AI/Wan2.2-S2V-14B', 'master', 'a/b.pth')).toBe('https://www.modelscope.cn/api/v1/models/Wan-AI/Wan2.2-S2V-14B/repo?Revision=master&FilePath=a%2Fb.pth');
  });
});

describe('listings', () => {
  const sha = 'ab'.repeat(32);
  it('reads sizes and LFS sha256 from a Hub listing, sorted, at its commit', () => {
    const l = parseHfListing({ sha: 'f'.repeat(40), siblings: [{ rfilename: 'b.safetensors', size: 5, lfs: { sha256: sha.toUpperCase(), size: 5 } }, { rfilename: 'a.json', size: 2 }] });
    expect(l).toEqual({ ok: true, commit: 'f'.repeat(40), files: [{ path: 'a.json', size: 2, sha256: null }, { path: 'b.safetensors', size: 5, sha256: sha }] });
  });

  it('keeps the git blob id of plain git files, never of LFS pointers', () => {
    const l = parseHfListing({ sha: 'f'.repeat(40), siblings: [{ rfilename: 'a.json', size: 2, blobId: 'C'.repeat(40) }, { rfilename: 'b.bin', size: 5, blobId: 'd'.repeat(40), lfs: { sha256: sha, size: 5 } }] });
    expect(l).toMatchObject({ ok: true, files: [{ path: 'a.json', gitSha1: 'c'.repeat(40) }, { path: 'b.bin', sha256: sha }] });
    expect(l.ok && l.files[1]!.gitSha1).toBeUndefined();
  });

  it('refuses paths that would leave the weights folder, duplicates, and listings without sizes', () => {
    for (const p of ['../x', 'a/../../x', '/etc/passwd', 'C:\\x', 'a\\b', 'a//b', 'a/./b', 'x\ny', '']) expect(safeRepoPath(p), JSON.stringify(p)).toBe(false);
    expect(parseHfListing({ sha: 'f'.repeat(40), siblings: [{ rfilename: '../../.bashrc', size: 1 }] })).toMatchObject({ ok: false });
    expect(parseHfListing({ sha: 'f'.repeat(40), siblings: [{ rfilename: 'a', size: 1 }, { rfilename: 'a', size: 1 }] })).toMatchObject({ ok: false, reason: 'file listed twice: a' });
    expect(parseHfListing({ sha: 'f'.repeat(40), siblings: [{ rfilename: 'a' }] })).toMatchObject({ ok: false });
    expect(parseHfListing({ sha: '../../x', siblings: [{ rfilename: 'a', size: 1 }] })).toMatchObject({ ok: false });
    expect(parseHfListing('<html>')).toMatchObject({ ok: false });
  });

  it('reads a ModelScope listing, skipping folders', () => {
    const l = parseModelScopeListing({ Code: 200, Data: { Files: [{ Path: 'g', Type: 'tree', Size: 0 }, { Path: 'g/x.pth', Type: 'blob', Size: 9, Sha256: sha }] } }, 'master');
    expect(l).toEqual({ ok: true, commit: 'master', files: [{ path: 'g/x.pth', size: 9, sha256: sha }] });
    expect(parseModelScopeListing({ Code: 10010205001, Data: { Files: [] } }, 'master')).toMatchObject({ ok: false });
  });
});

describe('progress', () => {
  it('measures speed over a window and gives an ETA only when moving', () => {
    const m = new RateMeter(5000);
    m.add(0, 0);
    m.add(1000, 1_000_000);
    m.add(2000, 2_000_000);
    expect(m.speed()).toBe(1_000_000);
    expect(eta(5_000_000, m.speed())).toBe(5);
    expect(eta(10, 0)).toBeNull();
    expect(formatEta(3725)).toBe('1h02m');
  });
});

describe('versions', () => {
  it('compares like pip for the pins that matter', () => {
    expect(satisfies('4.51.3', '>=4.49.0,<=4.51.3')).toBe(true);
    expect(satisfies('4.52.0', '>=4.49.0,<=4.51.3')).toBe(false);
    expect(satisfies('1.26.4', '>=1.23.5,<2')).toBe(true);
    expect(compareVersions('2.0.0rc1', '2.0.0')).toBe(-1);
    expect(satisfies('2.8.0+cu128', '==2.8.0')).toBe(true);
    expect(compareVersions('12.10', '12.8')).toBe(1);
  });
});

describe('fixes', () => {
  it('builds argv only from safe parameters', () => {
    expect(fixCommand('pin-requirements', { python: '/opt/conda/envs/la/bin/python' })?.argv[0]).toBe('/opt/conda/envs/la/bin/python');
    for (const python of ['python; rm -rf ~', 'relative/python', '/bin/py\nthon', undefined]) expect(fixCommand('pin-requirements', { python }), String(python)).toBeNull();
    expect(fixCommand('install-torch', { python: '/p', cudaTag: 'cu999' as never })).toBeNull();
    expect(fixCommand('clone-checkout', { checkout: '/home/me/LiveAvatar' })?.argv).toEqual(['git', 'clone', 'https://github.com/Alibaba-Quark/LiveAvatar.git', '/home/me/LiveAvatar']);
    expect(fixCommand('install-requirements', { python: 'C:\\py\\python.exe', checkout: 'C:\\LiveAvatar' })?.argv.at(-1)).toBe('C:\\LiveAvatar\\requirements.txt');
    expect(safeAbsPath('/ok/path')).toBe(true);
  });

  it('quotes for copy-paste so a path with a quote stays one word', () => {
    expect(quoteArgv(['/p', '-m', 'pip', 'install', 'numpy<2', "/it's"])).toBe(`/p -m pip install 'numpy<2' '/it'\\''s'`);
  });
});

describe('checklist', () => {
  const base: ReadinessFacts = {
    platform: 'linux',
    checkout: { path: '/la', exists: true, entry: true, commit: 'a'.repeat(40) },
    weightsDir: '/la/ckpt',
    weights: WEIGHT_REPOS.map((r) => ({ repo: r.repo, manifest: true, commit: 'c', files: 2, bytes: 10, totalBytes: 10, missing: [], wrongSize: [], partial: 0 })),
    lora: { expected: '/la/ckpt/LiveAvatar/x', refCommit: 'c', found: true, plainOnly: false },
    python: { path: '/py', ok: true, version: '3.10.14', torch: '2.8.0', torchCuda: '12.8', flashAttn: '2.8.3' },
    driverCuda: '12.8',
    hopper: false,
    packages: { transformers: '4.51.3', numpy: '1.26.4', peft: '0.17.1' },
    ffmpeg: '/usr/bin/ffmpeg',
  };

  it('is ready when every fact is right, and says runs may go offline', () => {
    const r = evaluate(base);
    expect(r.ready).toBe(true);
    expect(r.runEnv).toEqual({ HF_HUB_OFFLINE: '1' });
  });

  it('flags torch built for a newer CUDA than the driver, and picks the wheel the driver can run', () => {
    const r = evaluate({ ...base, driverCuda: '12.6', python: { ...base.python, torchCuda: '12.8' } });
    const py = r.items.find((i) => i.id === 'python-torch')!;
    expect(py.status).toBe('wrong');
    expect(py.fix?.argv.at(-1)).toBe('https://download.pytorch.org/whl/cu126');
    expect(cudaTagFor('12.4')).toBeNull();
    const old = evaluate({ ...base, driverCuda: '12.4', python: { ...base.python, torchCuda: '12.8' } }).items.find((i) => i.id === 'python-torch')!;
    expect(old.detail).toBe('python.driverOld');
    expect(old.fix).toBeNull();
  });

  it('offers FA2 off Hopper and FA3 on it', () => {
    const none = { ...base, python: { ...base.python, flashAttn: null } };
    expect(evaluate(none).items.find((i) => i.id === 'flash-attn')!.fix?.argv).toContain('flash-attn==2.8.3');
    expect(evaluate({ ...none, hopper: true }).items.find((i) => i.id === 'flash-attn')!.fix?.argv).toContain('flash_attn_3');
  });

  it('weights never listed are missing, with the download command for the folder', () => {
    const r = evaluate({ ...base, weights: base.weights.map((w) => ({ ...w, manifest: false })) });
    const w = r.items.find((i) => i.id === 'weights')!;
    expect(w.status).toBe('missing');
    expect(w.fix?.argv).toEqual(['lal', 'setup', 'weights', '--checkout', '/la']);
    const elsewhere = evaluate({ ...base, weightsDir: '/data/w', weights: base.weights.map((x) => ({ ...x, manifest: false })) });
    expect(elsewhere.items.find((i) => i.id === 'weights')!.fix?.argv).toEqual(['lal', 'setup', 'weights', '--dest', '/data/w']);
    const byHand = evaluate({ ...base, weights: base.weights.map((x) => ({ ...x, manifest: false, folderExists: x.repo.startsWith('Wan') })) });
    expect(byHand.items.find((i) => i.id === 'weights')!.detail).toBe('weights.unverified');
  });
});

describe('contract', () => {
  it('runFix takes a fix id from the fixed table and nothing else', async () => {
    const { methods } = await import('../../../shared/api/contract');
    expect(methods.runFix.input.safeParse({ fixId: 'pin-requirements' }).success).toBe(true);
    expect(methods.runFix.input.safeParse({ fixId: 'rm -rf /' }).success).toBe(false);
    expect(methods.runFix.input.safeParse({ fixId: 'pin-requirements', argv: ['sh', '-c', 'x'] }).success).toBe(false);
    expect(methods.setupDownloadStart.input.safeParse({ repos: ['../../etc'] }).success).toBe(false);
  });
});
