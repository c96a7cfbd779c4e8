import { readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiFailure } from '../../../shared/api/result';
import { defaultPreset, PRESETS, torchInstallHint } from '../../../shared/profiles/presets';
import { encodeShareCode } from '../../../shared/profiles/share-code';
import type { DetectReport, GpuInfo } from '../../../shared/detect/types';
import { EventBus } from '../../../electron/core/events';
import { SettingsStore } from '../../../electron/core/settings';
import type { CoreContext } from '../../../electron/core/context';
import { profilesApi } from '../../../electron/core/profiles/api';
import { loadRunSpec } from '../../../electron/core/profiles/resolve';
import { repoRoot, tempDir } from '../../support/temp';
import { profile } from './helpers';

let dir: ReturnType<typeof tempDir>;
let ctx: CoreContext;
let api: ReturnType<typeof profilesApi>;

beforeEach(() => {
  dir = tempDir('lal-profiles-');
  const settings = new SettingsStore(dir.path);
  ctx = { dataDir: dir.path, resourcesDir: join(repoRoot, 'resources'), events: new EventBus(), settings, detect: async () => ({}) as DetectReport, overrides: {} };
  api = profilesApi(ctx);
});
afterEach(() => dir.remove());

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiFailure) return e.error;
    throw e;
  }
  throw new Error('expected a failure');
};

describe('profile library', () => {
  it('lists the presets on a fresh machine, read-only', async () => {
    const list = await api.listProfiles(undefined);
    expect(list.map((p) => p.name)).toEqual(PRESETS.map((p) => p.name));
    expect(list.every((p) => p.builtin)).toBe(true);
    expect((await failure(api.deleteProfile({ name: 'rehearsal-cpu' }))).code).toBe('BAD_INPUT');
    expect((await failure(api.renameProfile({ name: 'rehearsal-cpu', to: 'x' }))).code).toBe('BAD_INPUT');
  });

  it('saving over a preset makes a copy', async () => {
    const preset = await api.getProfile({ name: 'rehearsal-cpu' });
    const saved = await api.saveProfile({ profile: { ...preset, settings: { ...preset.settings, num_clip: 5 } }, overwrite: true });
    expect(saved).toMatchObject({ name: 'rehearsal-cpu (copy)', builtin: false });
    expect((await api.getProfile({ name: 'rehearsal-cpu' })).settings.num_clip).toBe(2);
  });

  it('save, get, duplicate, rename, pin, delete', async () => {
    await api.saveProfile({ profile: profile({ name: '我的 配置', settings: { num_clip: 3, device: 'cpu' } }) });
    expect(readdirSync(join(dir.path, 'profiles')).filter((f) => f.endsWith('.lavprofile.json'))).toEqual(['我的_配置.lavprofile.json']);
    expect((await failure(api.saveProfile({ profile: profile({ name: '我的 配置' }) }))).code).toBe('CONFLICT');
    await api.duplicateProfile({ name: '我的 配置', to: 'copy' });
    await api.pinProfile({ name: 'copy', pinned: true });
    const renamed = await api.renameProfile({ name: 'copy', to: 'renamed' });
    expect(renamed).toMatchObject({ name: 'renamed', pinned: true });
    await api.pinProfile({ name: 'rehearsal-cpu', pinned: true });
    const list = await api.listProfiles(undefined);
    expect(list.filter((p) => p.pinned).map((p) => p.name)).toEqual(['renamed', 'rehearsal-cpu']);
    expect(await api.deleteProfile({ name: 'renamed' })).toEqual({ deleted: true });
    expect((await failure(api.getProfile({ name: 'renamed' }))).code).toBe('NOT_FOUND');
    expect((await failure(api.renameProfile({ name: '我的 配置', to: 'a/b' }))).field).toBe('to');
  });

  it('refuses env outside the allow-list without consent, naming it', async () => {
    const p = profile({ name: 'evil', env: { LD_PRELOAD: '/tmp/x.so', NCCL_DEBUG: 'INFO', PYTHONPATH: '/tmp' } });
    const err = await failure(api.saveProfile({ profile: p }));
    expect(err).toMatchObject({ code: 'CONSENT_REQUIRED', details: { env: ['LD_PRELOAD', 'PYTHONPATH'] } });
    expect((await failure(api.saveProfile({ profile: p, allowEnv: ['LD_PRELOAD'] }))).details).toEqual({ env: ['PYTHONPATH'] });
    expect(await api.saveProfile({ profile: p, allowEnv: ['LD_PRELOAD', 'PYTHONPATH'] })).toMatchObject({ name: 'evil' });
  });

  it('refuses settings the recipe does not know, naming the field', async () => {
    const err = await failure(api.saveProfile({ profile: profile({ settings: { num_clip: 'lots' } }) }));
    expect(err).toMatchObject({ code: 'BAD_INPUT', field: 'settings.num_clip' });
  });

  it('reports a broken file instead of failing the whole list', async () => {
    mkdirSync(join(dir.path, 'profiles'), { recursive: true });
    writeFileSync(join(dir.path, 'profiles', 'bad.lavprofile.json'), '{"format":"lavprofile","version":2,"name":"bad","recipe":"rehearsal","mode":"x","command":"rm"}');
    expect((await api.listProfiles(undefined)).some((p) => p.name === 'bad')).toBe(false);
  });

  it('exports json, code and sh', async () => {
    const json = await api.exportProfile({ name: 'rehearsal-cpu', format: 'json' });
    expect(JSON.parse(json.text)).toEqual(PRESETS[3]);
    expect(json.filename).toBe('rehearsal-cpu.lavprofile.json');
    expect((await api.exportProfile({ name: 'rehearsal-cpu', format: 'code' })).text.trim()).toBe(encodeShareCode(PRESETS[3]!));
    const sh = await api.exportProfile({ name: 'liveavatar-5gpu', format: 'sh' });
    expect(sh.text).toContain('torchrun --nproc_per_node=5 minimal_inference/s2v_streaming_interact.py');
    expect(sh.text).toContain("--size '720*400'");
  });
});

describe('import preview', () => {
  it('shows argv and env, needs consent for LD_PRELOAD, flags paths outside trusted folders', async () => {
    ctx.settings.update({ trustedFolders: ['/srv/media'] });
    const p = profile({ name: 'shared', inputs: { prompt: '$(rm -rf ~)' }, settings: { save_file: '/home/victim/.bashrc', device: 'cpu' }, env: { LD_PRELOAD: '/tmp/hook.so', TRITON_CACHE_DIR: '/srv/media/triton' } });
    const preview = await api.previewImport({ source: JSON.stringify(p) });
    expect(preview.kind).toBe('json');
    // TRITON_CACHE_DIR names a folder: it needs consent like LD_PRELOAD, even inside a trusted folder.
    expect(preview.envNeedsConsent).toEqual(['LD_PRELOAD', 'TRITON_CACHE_DIR']);
    expect(preview.flaggedPaths).toEqual([{ field: 'settings.save_file', path: '/home/victim/.bashrc' }, { field: 'env.LD_PRELOAD', path: '/tmp/hook.so' }]);
    expect(preview.plan!.argv).toContain('$(rm -rf ~)');
    expect(preview.plan!.argv[preview.plan!.argv.indexOf('--prompt') + 1]).toBe('$(rm -rf ~)');
    expect(preview.plan!.env.LD_PRELOAD).toBe('/tmp/hook.so');
    expect(preview.plan!.env.CUDA_VISIBLE_DEVICES).toBe('');
    expect(preview.feasibility === null ? preview.feasibilityError : 'checked').toBeTruthy();
  });

  it('the .sh export passes the script the same flags as the app\'s own plan (save_file aside)', async () => {
    const { planFor } = await import('../../../electron/core/profiles/preview');
    const { profileScript } = await import('../../../electron/core/profiles/export');
    for (const preset of PRESETS) {
      const plan = planFor(ctx, preset).plan!;
      const entryAt = plan.argv.findIndex((a) => a.endsWith('.py'));
      const fromPlan = plan.argv.slice(entryAt + 1);
      const i = fromPlan.indexOf('--save_file');
      if (i >= 0) fromPlan.splice(i, 2);
      const script = profileScript(preset, { resourcesDir: ctx.resourcesDir, checkoutPath: null });
      const body = script.slice(script.indexOf('torchrun'));
      const scriptArgs = body.split(' \\\n').slice(1).join(' ');
      expect(scriptArgs.replace(/'/g, '').split(/\s+/).filter(Boolean), preset.name).toEqual(fromPlan);
    }
  });

  it('takes share codes and scripts too, and reports unknown recipes as a plan error', async () => {
    expect((await api.previewImport({ source: encodeShareCode(PRESETS[4]!) })).kind).toBe('code');
    const sh = await api.previewImport({ source: readFileSync(join(repoRoot, 'test/fixtures/scripts/gradio_multi_gpu.sh'), 'utf8') });
    expect(sh).toMatchObject({ kind: 'sh', envNeedsConsent: ['HF_ENDPOINT'] });
    expect(sh.unparsed.length).toBe(3);
    const unknown = await api.previewImport({ source: JSON.stringify(profile({ recipe: 'nope' })) });
    expect(unknown.plan).toBeNull();
    expect(unknown.planError).toMatchObject({ path: 'recipe' });
    expect((await failure(api.previewImport({ source: 'lav1.garbage!!' }))).code).toBe('BAD_INPUT');
  });
});

describe('run spec resolver (lal run --preset / --profile)', () => {
  it('resolves presets, saved profiles and files of any version', async () => {
    expect(await loadRunSpec({ preset: 'rehearsal-cpu', dataDir: dir.path })).toEqual({ recipe: 'rehearsal', mode: 'tpp-5gpu', settings: { device: 'cpu', scale: 'tiny', num_clip: 2 } });
    const v0 = join(dir.path, 'old.json');
    writeFileSync(v0, JSON.stringify({ recipe: 'rehearsal', mode: 'single-offload', settings: { prompt: 'p', device: 'cpu' }, env: { LD_PRELOAD: 'x' } }));
    expect(await loadRunSpec({ profile: v0, dataDir: dir.path })).toEqual({ recipe: 'rehearsal', mode: 'single-offload', settings: { device: 'cpu', prompt: 'p' }, env: { LD_PRELOAD: 'x' } });
    const sh = join(repoRoot, 'test/fixtures/scripts/infinite_inference_multi_gpu.sh');
    expect(await loadRunSpec({ profile: sh, dataDir: dir.path })).toMatchObject({ recipe: 'liveavatar-s2v-14b', mode: 'tpp-5gpu', gpus: [0, 1, 2, 3, 4] });
  });

  it('fails with NOT_FOUND / BAD_INPUT naming the field', async () => {
    expect((await failure(loadRunSpec({ preset: 'nope', dataDir: dir.path }))).code).toBe('NOT_FOUND');
    expect((await failure(loadRunSpec({ profile: join(dir.path, 'missing.json'), dataDir: dir.path }))).code).toBe('NOT_FOUND');
    const bad = join(dir.path, 'bad.lavprofile.json');
    writeFileSync(bad, JSON.stringify(profile({ settings: { num_clip: 0 } })));
    expect(await failure(loadRunSpec({ profile: bad, dataDir: dir.path }))).toMatchObject({ code: 'BAD_INPUT', field: 'settings.num_clip' });
  });
});

describe('default preset and torch hint', () => {
  const gpu = (mib: number): GpuInfo => ({ memoryTotalMiB: mib }) as GpuInfo;
  const checkout = { path: '/la', entryScripts: [], supportedModes: [], components: [], missing: [] };
  it('CPU rehearsal without a GPU; Live Avatar layouts only with a checkout and memory', () => {
    expect(defaultPreset({ gpus: [], checkout: null }).name).toBe('rehearsal-cpu');
    expect(defaultPreset(null).name).toBe('rehearsal-cpu');
    expect(defaultPreset({ gpus: [gpu(24_564)], checkout }).name).toBe('rehearsal-gpu');
    expect(defaultPreset({ gpus: [gpu(81_559)], checkout: null }).name).toBe('rehearsal-gpu');
    expect(defaultPreset({ gpus: [gpu(49_140)], checkout }).name).toBe('liveavatar-single-gpu');
    expect(defaultPreset({ gpus: Array(5).fill(gpu(81_559)), checkout }).name).toBe('liveavatar-5gpu');
    expect(defaultPreset({ gpus: Array(4).fill(gpu(81_559)), checkout }).name).toBe('liveavatar-4gpu');
  });
  it('says how to install torch where it is missing', () => {
    expect(torchInstallHint({ python: [{ path: '/usr/bin/python3', source: 'path', ok: true, torchVersion: '2.8.0' }], gpus: [] })).toBeNull();
    const hint = torchInstallHint({ python: [{ path: '/usr/bin/python3', source: 'path', ok: true, torchVersion: null }], gpus: [] })!;
    expect(hint).toMatchObject({ key: 'profile.torchMissing', apt: 'sudo apt-get install -y python3-torch python3-tqdm' });
    expect(hint.pip).toContain('/usr/bin/python3 -m pip install torch --index-url https://download.pytorch.org/whl/cpu');
  });
});
