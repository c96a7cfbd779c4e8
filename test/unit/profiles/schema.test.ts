import { describe, expect, it } from 'vitest';
import { parseProfileText, parseProfileValue } from '../../../shared/profiles/migrate';
import { PROFILE_VERSION } from '../../../shared/profiles/schema';
import { profile } from './helpers';

describe('profile schema and migrations', () => {
  it('accepts a current profile unchanged', () => {
    const p = profile({ gpus: [0, 1, 2, 3, 4], inputs: { prompt: 'hi' }, settings: { size: '720*400', fp8: true, num_clip: 3 }, env: { NCCL_DEBUG: 'INFO' }, notes: 'n' });
    const r = parseProfileValue(p);
    expect(r).toEqual({ ok: true, profile: p, migratedFrom: null });
  });

  it('migrates v0 (a bare run spec) to the current version, moving media into inputs', () => {
    const r = parseProfileValue(
      { recipe: 'liveavatar-s2v-14b', mode: 'tpp-5gpu', settings: { size: '720*400', prompt: 'p', image: 'a.jpg' }, gpus: [0, 1, 2, 3, 4], env: { NCCL_DEBUG: 'WARN' }, python: '/usr/bin/python3', stallAction: 'stop' },
      'from-file',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.migratedFrom).toBe(0);
    expect(r.profile).toEqual({
      format: 'lavprofile',
      version: PROFILE_VERSION,
      name: 'from-file',
      recipe: 'liveavatar-s2v-14b',
      mode: 'tpp-5gpu',
      gpus: [0, 1, 2, 3, 4],
      inputs: { prompt: 'p', image: 'a.jpg' },
      settings: { size: '720*400', stall_action: 'stop' },
      env: { NCCL_DEBUG: 'WARN' },
    });
  });

  it('migrates v1 (settings hold the media) to v2', () => {
    const r = parseProfileValue({ format: 'lavprofile', version: 1, name: 'old', recipe: 'rehearsal', mode: 'single-offload', settings: { audio: 'x.wav', num_clip: 2 }, pinned: true });
    expect(r.ok && r.profile).toEqual({ format: 'lavprofile', version: 2, name: 'old', recipe: 'rehearsal', mode: 'single-offload', inputs: { audio: 'x.wav' }, settings: { num_clip: 2 }, env: {}, pinned: true });
    expect(r.ok && r.migratedFrom).toBe(1);
  });

  it('refuses a newer version and a foreign format, naming the field', () => {
    expect(parseProfileValue({ format: 'lavprofile', version: 99, name: 'x', recipe: 'r', mode: 'm' })).toEqual({ ok: false, errors: [{ path: 'version', message: expect.stringContaining('newer'), messageZh: expect.stringContaining('更新') }] });
    expect(parseProfileValue({ format: 'pinokio', version: 1 })).toMatchObject({ ok: false, errors: [{ path: 'format', message: expect.stringContaining('lavprofile') }] });
    expect(parseProfileValue([1, 2])).toMatchObject({ ok: false, errors: [{ path: '(profile)', message: expect.any(String) }] });
  });

  it('has no place for a command: unknown fields are named one by one', () => {
    const r = parseProfileValue({ ...profile(), command: 'rm -rf ~', preLaunch: 'curl x | sh' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path).sort()).toEqual(['command', 'preLaunch']);
  });

  it('gives field-level errors for bad values', () => {
    const r = parseProfileValue({
      ...profile(),
      name: 'a/b',
      gpus: [0, 0, 99],
      settings: { 'bad key; rm': 1, python: '/tmp/evil', ok: 'x\u0000y', n: Number.NaN },
      env: { '1BAD': 'x', 'LD PRELOAD': 'y' },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.errors.map((e) => e.path);
    for (const p of ['name', 'gpus', 'gpus.2', 'settings.bad key; rm', 'settings.python', 'settings.ok', 'settings.n', 'env.1BAD', 'env.LD PRELOAD']) expect(paths).toContain(p);
    for (const e of r.errors) {
      expect(e.message.length).toBeGreaterThan(3);
      // Every message also in Chinese, without English placeholders leaking through.
      expect(e.messageZh, e.path).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('reports JSON syntax errors with the line', () => {
    const r = parseProfileText('{\n  "format": "lavprofile",\n  "version": 2,\n  oops\n}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.path).toBe('line 4');
  });
});
