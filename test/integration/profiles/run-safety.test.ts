import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Zlib } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../../shared/profiles/share-code';
import { lal } from '../../support/cli';
import { tempDir } from '../../support/temp';

/**
 * Issue 14 over the real CLI (`lal` as a process, a private data folder and a private HOME):
 * a shared profile cannot write into $HOME or load a library into the ranks without consent, a
 * path cannot pose as an option, `--set output_dir` is honoured, an input set twice is refused,
 * and oversized share codes and scripts are refused with a clear error in both languages.
 * Exit codes: 2 for bad input and missing consent.
 */
const dir = tempDir('lal-run-safety-');
const home = join(dir.path, 'home');
const env = { LAL_DATA_DIR: join(dir.path, 'data'), HOME: home, LANG: 'C.UTF-8' };
const run = (args: string[]) => lal(args, { env });
const out = (r: { stdout: unknown; stderr: unknown }) => String(r.stdout) + String(r.stderr);
/** A plan needs torchrun (Debian's python3-torch): without it the test fails saying how to install it. */
const planned = <T extends { exitCode?: number; stdout: unknown; stderr: unknown }>(r: T): T => {
  if (r.exitCode === 1 && /torch/i.test(out(r))) throw new Error(`planning needs torch: apt-get install -y python3-torch python3-tqdm\n${out(r)}`);
  expect(r.exitCode, out(r)).toBe(0);
  return r;
};

const write = (name: string, value: unknown) => {
  const file = join(dir.path, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return file;
};

const base = { format: 'lavprofile', version: 2, recipe: 'rehearsal', mode: 'tpp-5gpu', inputs: { prompt: 'hello' }, env: {} };
const bashrc = join(home, '.bashrc');

beforeAll(() => {
  mkdirSync(join(dir.path, 'data'), { recursive: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(bashrc, '# my shell settings\n');
});
afterAll(() => dir.remove());

describe('lal run: paths a profile names are checked when the run is planned', () => {
  it('a profile whose save_file points into $HOME exits 2 naming the field, and runs only with --allow-path', async () => {
    for (const target of [bashrc, '~/.bashrc']) {
      const file = write('home-writer.lavprofile.json', { ...base, name: 'home-writer', settings: { device: 'cpu', scale: 'tiny', num_clip: 1, save_file: target } });
      // Not a dry run: nothing may start and the file must stay as it was.
      const refused = await run(['run', '--profile', file]);
      expect(refused.exitCode, out(refused)).toBe(2);
      expect(String(refused.stderr)).toMatch(/settings\.save_file/);
      expect(String(refused.stderr)).toContain('--allow-path');
      expect(readFileSync(bashrc, 'utf8')).toBe('# my shell settings\n');
      const asJson = await run(['--json', 'run', '--profile', file, '--dry-run']);
      expect(asJson.exitCode).toBe(2);
      expect((JSON.parse(String(asJson.stdout)) as { error: { details: { paths: unknown } } }).error.details.paths).toEqual([{ field: 'settings.save_file', path: target }]);
      const allowed = planned(await run(['--json', 'run', '--profile', file, '--dry-run', '--allow-path', target === bashrc ? home : target]));
      const plan = JSON.parse(String(allowed.stdout)) as { argv: string[] };
      expect(plan.argv[plan.argv.indexOf('--save_file') + 1]).toBe(target);
    }
  }, 120_000);

  it('a path that starts with - or holds a newline is refused outright (exit 2, BAD_INPUT naming it)', async () => {
    for (const bad of ['-rf', '--fp8', 'a\nb']) {
      const r = await run(['--json', 'run', '--recipe', 'rehearsal', '--mode', 'tpp-5gpu', '--set', 'device=cpu', '--set', `save_file=${bad}`, '--allow-path', bad, '--dry-run']);
      expect(r.exitCode, out(r)).toBe(2);
      expect(String(r.stdout)).toContain('settings.save_file');
    }
  }, 60_000);

  it('--set output_dir=DIR is honoured: the run folder is under DIR (with consent when it is outside)', async () => {
    const videos = join(home, 'videos');
    const refused = await run(['run', '--recipe', 'rehearsal', '--mode', 'tpp-5gpu', '--set', 'device=cpu', '--set', `output_dir=${videos}`, '--dry-run']);
    expect(refused.exitCode, out(refused)).toBe(2);
    expect(String(refused.stderr)).toContain('outputDir');
    const r = planned(await run(['--json', 'run', '--recipe', 'rehearsal', '--mode', 'tpp-5gpu', '--set', 'device=cpu', '--set', `output_dir=${videos}`, '--allow-path', videos, '--dry-run']));
    const plan = JSON.parse(String(r.stdout)) as { argv: string[] };
    expect(plan.argv[plan.argv.indexOf('--log_dir') + 1]!.startsWith(join(videos, 'runs') + '/')).toBe(true);
    expect(plan.argv[plan.argv.indexOf('--save_file') + 1]!.startsWith(join(videos, 'runs') + '/')).toBe(true);
  }, 60_000);
});

describe('lal run: env that loads code or names a file needs --allow-env', () => {
  it('CUDA_INJECTION64_PATH, NCCL_NET_PLUGIN, NCCL_DEBUG_FILE (relative values): exit 2 naming each; planned with --allow-env for each', async () => {
    // Every name of issue 14 is checked at plan level in test/unit/profiles/run-consent.test.ts.
    const names = ['CUDA_INJECTION64_PATH', 'NCCL_DEBUG_FILE', 'NCCL_NET_PLUGIN'];
    const file = write('env-loaders.lavprofile.json', { ...base, name: 'env-loaders', settings: { device: 'cpu', scale: 'tiny' }, env: Object.fromEntries(names.map((n) => [n, 'libevil.so'])) });
    const refused = await run(['--json', 'run', '--profile', file, '--dry-run']);
    expect(refused.exitCode, out(refused)).toBe(2);
    expect((JSON.parse(String(refused.stdout)) as { error: { details: { env: string[] } } }).error.details.env).toEqual(names);
    const partly = await run(['--json', 'run', '--profile', file, '--dry-run', '--allow-env', 'NCCL_NET_PLUGIN']);
    expect((JSON.parse(String(partly.stdout)) as { error: { details: { env: string[] } } }).error.details.env).toEqual(['CUDA_INJECTION64_PATH', 'NCCL_DEBUG_FILE']);
    const allowed = planned(await run(['--json', 'run', '--profile', file, '--dry-run', ...names.flatMap((n) => ['--allow-env', n])]));
    expect((JSON.parse(String(allowed.stdout)) as { env: Record<string, string> }).env.NCCL_NET_PLUGIN).toBe('libevil.so');
  }, 90_000);
});

describe('one spec builder over the CLI', () => {
  it('prompt in both inputs and settings: validate, import and run all refuse it naming settings.prompt', async () => {
    const file = write('twice.lavprofile.json', { ...base, name: 'twice', settings: { device: 'cpu', prompt: 'the other prompt' } });
    for (const args of [['profile', 'validate', file], ['profile', 'import', file, '--yes'], ['run', '--profile', file, '--dry-run']]) {
      const r = await run(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(out(r), args.join(' ')).toContain('settings.prompt');
    }
    const zh = await run(['--lang', 'zh', 'run', '--profile', file, '--dry-run']);
    expect(String(zh.stderr)).toMatch(/settings\.prompt.*"inputs" 里也设置了它/);
  }, 60_000);
});

describe('caps on untrusted input, in both languages', () => {
  it('a share-code bomb is refused while inflating, with a clear message in English and Chinese', async () => {
    const parts: Uint8Array[] = [];
    const z = new Zlib({ level: 9 }, (c) => parts.push(c));
    const mb = new Uint8Array(1 << 20);
    for (let i = 0; i < 100; i++) z.push(mb, i === 99);
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    const file = write('bomb.txt', 'lav1.' + toBase64Url(bytes));
    const en = await run(['profile', 'import', file, '--yes']);
    expect(en.exitCode, out(en)).toBe(2);
    expect(String(en.stderr)).toMatch(/expands to more than 1 MB/);
    const zh = await run(['--lang', 'zh', 'profile', 'import', file, '--yes']);
    expect(zh.exitCode).toBe(2);
    expect(String(zh.stderr)).toMatch(/解压后超过 1 MB/);
  }, 60_000);

  it('a launch script over 256 KB is refused before parsing, in English and Chinese', async () => {
    const file = write('huge.sh', '#!/bin/bash\n' + 'echo "padding padding padding"\n'.repeat(10_000));
    const en = await run(['profile', 'validate', file]);
    expect(en.exitCode).toBe(2);
    expect(out(en)).toMatch(/at most 256 KB/);
    const zh = await run(['--lang', 'zh', 'profile', 'validate', file]);
    expect(out(zh)).toMatch(/最多 256 KB/);
    const asRun = await run(['run', '--profile', file, '--dry-run']);
    expect(asRun.exitCode).toBe(2);
    expect(String(asRun.stderr)).toMatch(/at most 256 KB/);
    expect(existsSync(join(dir.path, 'data', 'runs'))).toBe(false);
  }, 60_000);
});
