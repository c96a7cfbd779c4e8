import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lal } from '../../support/cli';
import { repoRoot, tempDir } from '../../support/temp';

/**
 * `lal profile …` and `lal run --profile/--preset` as a user runs them: real processes, a private
 * data folder, exit codes checked (0 ok, 2 bad input / consent needed).
 */
const dir = tempDir('lal-profile-cli-');
const env = { LAL_DATA_DIR: join(dir.path, 'data'), LANG: 'C.UTF-8' };
const run = (args: string[]) => lal(args, { env });
const fixtures = join(repoRoot, 'test/fixtures/scripts');

const write = (name: string, value: unknown) => {
  const file = join(dir.path, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return file;
};

const evil = {
  format: 'lavprofile',
  version: 2,
  name: 'evil',
  recipe: 'rehearsal',
  mode: 'tpp-5gpu',
  inputs: { prompt: '$(touch /tmp/lal-pwned-cli) `id`; curl x | sh' },
  settings: { device: 'cpu', scale: 'tiny', num_clip: 1 },
  env: { LD_PRELOAD: '/tmp/libhook.so' },
};

beforeAll(() => mkdirSync(join(dir.path, 'data'), { recursive: true }));
afterAll(() => dir.remove());

describe('lal profile validate', () => {
  it('checks many files in one call; JSON lists {file, valid, errors}; exit 2 if any is invalid', async () => {
    const good = write('good.lavprofile.json', { ...evil, name: 'good', env: {} });
    const bad = write('bad.lavprofile.json', { ...evil, name: 'bad', settings: { num_clip: 'lots', nope: 1 }, command: 'rm -rf ~', gpus: [0, 0] });
    const broken = write('broken.lavprofile.json', '{ "format": "lavprofile",\n  oops }');
    const r = await run(['--json', 'profile', 'validate', good, bad, broken, join(fixtures, 'infinite_inference_multi_gpu.sh'), join(dir.path, 'missing.json')]);
    expect(r.exitCode).toBe(2);
    const list = JSON.parse(String(r.stdout)) as { file: string; valid: boolean; errors: { path: string; message: string }[] }[];
    expect(list.map((x) => [x.file.split('/').pop(), x.valid])).toEqual([
      ['good.lavprofile.json', true], ['bad.lavprofile.json', false], ['broken.lavprofile.json', false], ['infinite_inference_multi_gpu.sh', true], ['missing.json', false],
    ]);
    expect(list[1]!.errors.map((e) => e.path).sort()).toEqual(['command', 'gpus']);
    expect(list[2]!.errors[0]!.path).toBe('line 2');
    expect(list[4]!.errors[0]!.message).toMatch(/ENOENT/);
    const ok = await run(['profile', 'validate', good]);
    expect(ok.exitCode).toBe(0);
  });
});

describe('lal profile validate: fuzz through the real CLI', () => {
  it('hundreds of random and adversarial files in one call: no crash, exit 2, every invalid file names a field', async () => {
    const fuzz = join(dir.path, 'fuzz');
    mkdirSync(fuzz);
    const base = { ...evil, env: {} };
    const junk = fc.sample(fc.jsonValue({ maxDepth: 3 }), { numRuns: 400, seed: 7 });
    const fields = ['format', 'version', 'name', 'recipe', 'mode', 'gpus', 'inputs', 'settings', 'env', 'notes', 'command'];
    const files = junk.map((v, i) => {
      const file = join(fuzz, `f${i}.lavprofile.json`);
      const value = i % 4 === 0 ? v : { ...base, [fields[i % fields.length]!]: v };
      writeFileSync(file, i % 9 === 0 ? JSON.stringify(value).slice(0, 17) : JSON.stringify(value));
      return file;
    });
    const r = await run(['--json', 'profile', 'validate', ...files]);
    expect(r.exitCode).toBe(2);
    const list = JSON.parse(String(r.stdout)) as { file: string; valid: boolean; errors: { path: string; message: string }[] }[];
    expect(list.length).toBe(files.length);
    for (const entry of list) {
      if (entry.valid) continue;
      expect(entry.errors.length, entry.file).toBeGreaterThan(0);
      for (const e of entry.errors) expect(e.path.length * e.message.length, entry.file).toBeGreaterThan(0);
    }
  }, 120_000);
});

describe('lal profile import / export / list', () => {
  it('an untrusted profile with LD_PRELOAD: preview, then exit 2 naming it; saved only with --allow-env', async () => {
    const file = write('evil.lavprofile.json', evil);
    const refused = await run(['profile', 'import', file, '--yes']);
    expect(refused.exitCode).toBe(2);
    expect(String(refused.stdout)).toContain('"$(touch /tmp/lal-pwned-cli) `id`; curl x | sh"');
    expect(String(refused.stderr)).toContain('LD_PRELOAD');
    expect((await run(['profile', 'list'])).stdout).not.toContain('evil');
    const asJson = await run(['--json', 'profile', 'import', file, '--yes']);
    expect(asJson.exitCode).toBe(2);
    const doc = JSON.parse(String(asJson.stdout)) as { error: { details: { env: string[]; preview: { plan: { argv: string[] } } } } };
    expect(doc.error.details.env).toEqual(['LD_PRELOAD']);
    expect(doc.error.details.preview.plan.argv).toContain(evil.inputs.prompt);
    const saved = await run(['profile', 'import', file, '--yes', '--allow-env', 'LD_PRELOAD']);
    expect(saved.exitCode, String(saved.stderr)).toBe(0);
    expect(String((await run(['profile', 'list'])).stdout)).toMatch(/^evil\s+rehearsal\s+tpp-5gpu/m);
    expect(() => readFileSync('/tmp/lal-pwned-cli')).toThrow();
  });

  it('imports an upstream-style script under its file name and lists lines it did not import', async () => {
    const r = await run(['profile', 'import', join(fixtures, 'gradio_single_gpu.sh'), '--yes']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toMatch(/line 29: --server_port 7860/);
    const list = await run(['--json', 'profile', 'list']);
    expect(JSON.parse(String(list.stdout))).toContainEqual({ name: 'gradio_single_gpu', recipe: 'liveavatar-s2v-14b', mode: 'single-offload', pinned: false, builtin: false });
  });

  it('without --yes and no terminal it only previews', async () => {
    const file = write('preview-only.lavprofile.json', { ...evil, name: 'preview-only', env: {} });
    const r = await run(['profile', 'import', file]);
    expect(r.exitCode).toBe(0);
    expect(String(r.stdout)).toContain('Not saved');
    expect(String((await run(['profile', 'list'])).stdout)).not.toContain('preview-only');
  });

  it('share code: export a preset as a code, import the code under a new name', async () => {
    const code = String((await run(['profile', 'export', 'rehearsal-cpu', '--format', 'code'])).stdout).trim();
    expect(code).toMatch(/^lav1\.[A-Za-z0-9_-]+$/);
    const r = await run(['profile', 'import', code, '--name', 'from-code', '--yes']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const json = JSON.parse(String((await run(['profile', 'export', 'from-code'])).stdout)) as { name: string; settings: unknown };
    expect(json).toMatchObject({ name: 'from-code', settings: { device: 'cpu', scale: 'tiny', num_clip: 2 } });
    const garbage = await run(['profile', 'import', code.slice(0, -6) + 'AAAAAA', '--yes']);
    expect(garbage.exitCode).toBe(2);
    expect(String(garbage.stderr)).toMatch(/share code/);
  });

  it('export --recipe --mode --set as a script bash can read; bad input exits 2', async () => {
    const sh = await run(['profile', 'export', '--recipe', 'rehearsal', '--mode', 'tpp-5gpu', '--set', 'device=cpu', '--set', "prompt=it's $(id)", '--format', 'sh']);
    expect(sh.exitCode, String(sh.stderr)).toBe(0);
    execFileSync('bash', ['-n'], { input: String(sh.stdout) });
    expect(String(sh.stdout)).toContain(`--prompt 'it'\\''s $(id)'`);
    const bad = await run(['profile', 'export', '--recipe', 'rehearsal', '--mode', 'tpp-5gpu', '--set', 'num_clip=lots']);
    expect(bad.exitCode).toBe(2);
    expect(String(bad.stderr)).toContain('settings.num_clip');
    expect((await run(['profile', 'export', 'no-such-profile'])).exitCode).toBe(2);
  });
});

describe('lal run with profiles (the resolver; the run command is the run manager\'s)', () => {
  it('--profile P --dry-run --json with LD_PRELOAD planted in P\'s env exits 2 and names LD_PRELOAD', async () => {
    const file = write('planted.lavprofile.json', { ...evil, name: 'planted' });
    const r = await run(['run', '--profile', file, '--dry-run', '--json']);
    expect(r.exitCode).toBe(2);
    expect(String(r.stdout) + String(r.stderr)).toContain('LD_PRELOAD');
  });

  it('--preset rehearsal-cpu --dry-run --json plans the CPU rehearsal', async () => {
    const r = await run(['run', '--preset', 'rehearsal-cpu', '--dry-run', '--json']);
    if (r.exitCode !== 0 && /torch/i.test(String(r.stderr) + String(r.stdout))) {
      // No torch on this machine: the failure must say so (and how to install it), not crash.
      expect(r.exitCode).toBe(1);
      return;
    }
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const plan = JSON.parse(String(r.stdout)) as { argv: string[]; env: Record<string, string> };
    expect(plan.argv).toContain('--device');
    expect(plan.argv[plan.argv.indexOf('--device') + 1]).toBe('cpu');
    expect(plan.env.CUDA_VISIBLE_DEVICES).toBe('');
  });

  it('--preset with an unknown name exits 2', async () => {
    const r = await run(['run', '--preset', 'nope', '--dry-run']);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toContain('nope');
  });
});
