import { chmodSync, mkdirSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WeightDownload } from '../../../electron/core/setup/download';
import type { ReadinessReport } from '../../../shared/setup/checklist';
import { TESTED_COMMIT } from '../../../shared/setup/checklist';
import { parseEndpoint } from '../../../shared/setup/endpoints';
import { WEIGHT_REPOS } from '../../../shared/setup/weights';
import { lal } from '../../support/cli';
import { repoRoot, tempDir } from '../../support/temp';
import { liveAvatarRepos, startFakeHub } from './fake-hub';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface EnvSpec {
  probe: Record<string, unknown>;
  reqs: Record<string, string | null>;
}

/**
 * A machine in a temp folder: a Live Avatar checkout (entry script, .git at a commit), a fake Python
 * that answers the two probes with the JSON given, an optional fake ffmpeg, and PATH limited to those
 * plus the nvidia-smi stand-in (4× H200, driver CUDA 13.0).
 */
async function machine(env: EnvSpec, opts: { ffmpeg: boolean; weights: boolean }) {
  const t = tempDir('lal-doctor-');
  cleanups.push(() => t.remove());
  const bin = join(t.path, 'bin');
  const data = join(t.path, 'data');
  const checkout = join(t.path, 'LiveAvatar');
  mkdirSync(bin);
  mkdirSync(data);
  mkdirSync(join(checkout, 'minimal_inference'), { recursive: true });
  writeFileSync(join(checkout, 'minimal_inference', 's2v_streaming_interact.py'), '# entry\n');
  writeFileSync(join(checkout, 'requirements.txt'), 'transformers>=4.49.0,<=4.51.3\nnumpy>=1.23.5,<2\n');
  mkdirSync(join(checkout, '.git', 'refs', 'heads'), { recursive: true });
  writeFileSync(join(checkout, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(join(checkout, '.git', 'refs', 'heads', 'main'), `${TESTED_COMMIT}\n`);
  symlinkSync(process.execPath, join(bin, 'node'));
  const python = join(bin, 'python3.10');
  writeFileSync(python, [
    '#!/bin/sh',
    'case "$1" in',
    `  *probe_env.py) echo 'LAL_PROBE ${JSON.stringify({ executable: python, prefix: t.path, ...env.probe })}' ;;`,
    `  *probe_requirements.py) echo 'LAL_REQS ${JSON.stringify(env.reqs)}' ;;`,
    '  *) echo "unexpected $*" >&2; exit 3 ;;',
    'esac',
    '',
  ].join('\n'));
  chmodSync(python, 0o755);
  if (opts.ffmpeg) {
    writeFileSync(join(bin, 'ffmpeg'), '#!/bin/sh\necho ffmpeg version 6.1\n');
    chmodSync(join(bin, 'ffmpeg'), 0o755);
  }
  writeFileSync(join(data, 'settings.json'), JSON.stringify({ checkoutPath: checkout, pythonPath: python }));
  const ckpt = join(checkout, 'ckpt');
  if (opts.weights) {
    const hub = await startFakeHub({ repos: liveAvatarRepos() });
    const r = await new WeightDownload({ dest: ckpt, repos: WEIGHT_REPOS, endpoints: [parseEndpoint(hub.url)!], statfs: async () => ({ bavail: 1e9, bsize: 4096 }) }).run();
    await hub.close();
    expect(r.phase).toBe('done');
  }
  const PATH = `${bin}:${join(repoRoot, 'test', 'support', 'fake-nvidia-smi')}`;
  return { checkout, ckpt, python, env: { LAL_DATA_DIR: data, PATH, LAL_LANG: 'en' } };
}

const goodEnv: EnvSpec = {
  probe: { python: '3.10.14', torch: '2.8.0+cu128', torch_cuda: '12.8', cuda_available: true, device_count: 4, nccl: '2.27.3', flash_attn: null, flash_attn3: '3.0.0b1', torchrun: null },
  reqs: { transformers: '4.51.3', numpy: '1.26.4', peft: '0.17.1' },
};

const byId = (r: ReadinessReport) => Object.fromEntries(r.items.map((i) => [i.id, i]));

describe('lal doctor', () => {
  it('a complete machine: every item ok, exit 0, and runs may go offline', async () => {
    const m = await machine(goodEnv, { ffmpeg: true, weights: true });
    const r = await lal(['--json', 'doctor'], { env: m.env });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const report = JSON.parse(String(r.stdout)) as ReadinessReport;
    expect(report.items.map((i) => [i.id, i.status])).toEqual([
      ['checkout', 'ok'], ['weights', 'ok'], ['lora', 'ok'], ['python-torch', 'ok'], ['flash-attn', 'ok'], ['requirements', 'ok'], ['ffmpeg', 'ok'],
    ]);
    const items = byId(report);
    expect(items.checkout!.params.commit).toBe(TESTED_COMMIT.slice(0, 12));
    expect(items.weights!.params.files).toBe(11);
    expect(items.lora!.params.path).toBe(join(m.ckpt, 'LiveAvatar', 'models--Quark-Vision--Live-Avatar', 'snapshots', 'b'.repeat(40), 'liveavatar.safetensors'));
    expect(report.ready).toBe(true);
    expect(report.runEnv).toEqual({ HF_HUB_OFFLINE: '1' });

    const human = await lal(['doctor'], { env: m.env });
    expect(String(human.stdout)).toMatch(/✓ Python and torch: ok — Python 3\.10\.14, torch 2\.8\.0\+cu128 \(CUDA 12\.8; driver supports 13\.0\)/);
    expect(String(human.stdout)).toMatch(/Ready\./);
  });

  it('a broken machine: each problem named, with the exact fix argv, exit 1', async () => {
    const broken: EnvSpec = {
      probe: { python: '3.10.12', torch: '2.8.0', torch_cuda: null, flash_attn: null, flash_attn_error: 'ImportError: flash_attn_2_cuda: undefined symbol _ZN3c10', flash_attn3: null },
      reqs: { transformers: '4.57.1', numpy: '2.1.3', peft: null },
    };
    const m = await machine(broken, { ffmpeg: false, weights: true });
    // One shard gone, one cut short, the LoRA's ref missing: what a half-finished manual copy looks like.
    unlinkSync(join(m.ckpt, 'Wan2.2-S2V-14B', 'Wan2.1_VAE.pth'));
    truncateSync(join(m.ckpt, 'Wan2.2-S2V-14B', 'diffusion_pytorch_model-00003-of-00004.safetensors'), 1000);
    rmSync(join(m.ckpt, 'LiveAvatar', 'models--Quark-Vision--Live-Avatar', 'refs'), { recursive: true });
    const r = await lal(['--json', 'doctor'], { env: m.env });
    expect(r.exitCode, String(r.stderr)).toBe(1);
    const items = byId(JSON.parse(String(r.stdout)) as ReadinessReport);
    expect(items.checkout!.status).toBe('ok');
    expect(items.weights!.status).toBe('wrong');
    expect(items.weights!.params.list).toContain('diffusion_pytorch_model-00003-of-00004.safetensors');
    expect(items.weights!.fix!.argv).toEqual(['lal', 'setup', 'weights', '--checkout', m.checkout]);
    expect(items.lora!.status).toBe('wrong'); // the plain README-layout file is there, the cache ref is not
    expect(items['python-torch']!.status).toBe('wrong');
    expect(items['python-torch']!.detail).toBe('python.cpuTorch');
    // The fake driver reports CUDA 13.0, so the newest torch 2.8 build (cu128) is the fix.
    expect(items['python-torch']!.fix!.argv).toEqual([m.python, '-m', 'pip', 'install', 'torch==2.8.0', 'torchvision==0.23.0', '--index-url', 'https://download.pytorch.org/whl/cu128']);
    expect(items['flash-attn']!.status).toBe('wrong');
    // H200s are Hopper: FA3 wheels, as upstream's README says.
    expect(items['flash-attn']!.fix!.argv.slice(0, 5)).toEqual([m.python, '-m', 'pip', 'install', 'flash_attn_3']);
    expect(items.requirements!.status).toBe('wrong');
    expect(items.requirements!.params.list).toBe('transformers 4.57.1 (>=4.49.0,<=4.51.3), numpy 2.1.3 (>=1.23.5,<2)');
    expect(items.requirements!.fix!.argv).toEqual([m.python, '-m', 'pip', 'install', 'transformers>=4.49.0,<=4.51.3', 'numpy>=1.23.5,<2', 'peft==0.17.1']);
    expect(items.ffmpeg!.status).toBe('missing');
    expect(items.ffmpeg!.fix).toEqual({ id: 'install-ffmpeg', argv: ['sudo', 'apt-get', 'install', '-y', 'ffmpeg'], runnable: false });

    const human = await lal(['doctor'], { env: m.env });
    expect(human.exitCode).toBe(1);
    expect(String(human.stdout)).toContain(`fix: ${m.python} -m pip install 'transformers>=4.49.0,<=4.51.3' 'numpy>=1.23.5,<2' peft==0.17.1`);
    expect(String(human.stdout)).toMatch(/6 item\(s\) to fix\./);
  });

  it('nothing there yet: the checkout is missing and every later item says what comes first', async () => {
    const m = await machine(goodEnv, { ffmpeg: true, weights: false });
    rmSync(m.checkout, { recursive: true });
    const r = await lal(['--json', 'doctor'], { env: m.env });
    expect(r.exitCode).toBe(1);
    const items = byId(JSON.parse(String(r.stdout)) as ReadinessReport);
    expect(items.checkout!.status).toBe('missing');
    expect(items.checkout!.fix!.argv).toEqual(['git', 'clone', 'https://github.com/Alibaba-Quark/LiveAvatar.git', m.checkout]);
    expect(items.weights!.status).toBe('missing');
    expect(items.lora!.status).toBe('missing');
    expect(items['python-torch']!.status).toBe('ok');
  });

  it('speaks Chinese with --lang zh', async () => {
    const m = await machine(goodEnv, { ffmpeg: false, weights: false });
    const r = await lal(['--lang', 'zh', 'doctor'], { env: m.env });
    expect(String(r.stdout)).toContain('真实 Live Avatar 配方的就绪检查');
    expect(String(r.stdout)).toContain('ffmpeg 工具: 缺失');
  });
});
