import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildArgs, getRecipe, resolveNproc, resolveSettings, requireMode } from '../../../shared/recipes';
import { normalizeProfile } from '../../../shared/profiles/normalize';
import { PRESETS } from '../../../shared/profiles/presets';
import { profileToRunSpec } from '../../../shared/profiles/spec';
import type { Profile } from '../../../shared/profiles/schema';
import { profileScript } from '../../../electron/core/profiles/export';
import { readSource } from '../../../electron/core/profiles/read-source';
import { repoRoot, tempDir } from '../../support/temp';
import { normalizedProfileArb } from './arbitraries';
import { INJECTIONS, profile } from './helpers';

const ctx = { resourcesDir: join(repoRoot, 'resources'), checkoutPath: null };
const roundTrip = async (p: Profile) => {
  const text = profileScript(p, ctx);
  const r = await readSource(text, 'fallback');
  return { text, ...r };
};

describe('.sh export imports back to the same profile', () => {
  it('every preset and every imported upstream script', async () => {
    const fixtures = join(repoRoot, 'test/fixtures/scripts');
    const imported: Profile[] = [];
    for (const f of ['infinite_inference_multi_gpu.sh', 'infinite_inference_single_gpu.sh', 'gradio_multi_gpu.sh', 'gradio_single_gpu.sh', 'forum_4gpu_hazards.sh']) {
      const r = await readSource(readFileSync(join(fixtures, f), 'utf8'), f);
      imported.push(r.profile!);
    }
    for (const p of [...PRESETS.map((x) => normalizeProfile(x, getRecipe(x.recipe))), ...imported]) {
      const r = await roundTrip(p);
      expect(r.errors, r.text).toEqual([]);
      expect(r.profile, r.text).toEqual(p);
      expect(r.unparsed).toEqual([]);
    }
  }, 60_000);

  it('random profiles with hostile strings (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(normalizedProfileArb, async (p) => {
        const r = await roundTrip(p);
        expect(r.errors, r.text).toEqual([]);
        expect(r.profile, r.text).toEqual(p);
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});

describe('bash runs the exported script with every value as one literal argument', () => {
  const dir = tempDir('lal-sh-export-');
  afterAll(() => dir.remove());
  const bin = join(dir.path, 'bin');
  mkdirSync(bin);
  // A stand-in torchrun that prints what it was given: argv and the environment it sees.
  writeFileSync(join(bin, 'torchrun'), `#!/usr/bin/env python3\nimport json, os, sys\nprint(json.dumps({"argv": sys.argv[1:], "env": dict(os.environ)}))\n`);
  chmodSync(join(bin, 'torchrun'), 0o755);

  const runScript = (text: string, i: number): { argv: string[]; env: Record<string, string> } => {
    const file = join(dir.path, `p${i}.sh`);
    writeFileSync(file, text);
    const out = execFileSync('bash', ['--noprofile', '--norc', file], { cwd: dir.path, env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir.path } });
    return JSON.parse(out.toString('utf8')) as { argv: string[]; env: Record<string, string> };
  };

  const expected = (p: Profile) => {
    const recipe = getRecipe(p.recipe)!;
    const mode = requireMode(recipe, p.mode);
    const spec = profileToRunSpec(p);
    const values = resolveSettings(recipe, mode, spec.settings);
    const entry = recipe.entry.startsWith('resource:') ? join(ctx.resourcesDir, recipe.entry.slice('resource:'.length)) : recipe.entry;
    return { argv: [`--nproc_per_node=${resolveNproc(mode, values)}`, entry, ...buildArgs(recipe, mode, spec.settings)], env: { ...recipe.env, ...p.env } };
  };

  it('injection strings stay inert: same argv as the planner, nothing executed', () => {
    let i = 0;
    for (const evil of INJECTIONS) {
      const p = profile({ name: `evil ${i}`, inputs: { prompt: evil }, settings: { save_file: evil, device: 'cpu', inject: 'hang@1:2' }, env: { TRITON_CACHE_DIR: evil, NCCL_DEBUG: evil } });
      const got = runScript(profileScript(p, ctx), i++);
      const want = expected(p);
      expect(got.argv).toEqual(want.argv);
      expect(got.argv[got.argv.indexOf('--prompt') + 1]).toBe(evil);
      expect(got.argv[got.argv.indexOf('--save_file') + 1]).toBe(evil);
      for (const [k, v] of Object.entries(want.env)) expect(got.env[k], k).toBe(v);
      expect(got.env.CUDA_VISIBLE_DEVICES).toBe('');
    }
    // `touch /tmp/lal-pwned` inside backticks must not have run.
    expect(() => readFileSync('/tmp/lal-pwned')).toThrow();
  }, 60_000);

  it('random profiles (fast-check): bash hands torchrun exactly the planner\'s argv and env', () => {
    let i = 100;
    fc.assert(
      fc.property(normalizedProfileArb, (p) => {
        const got = runScript(profileScript(p, ctx), i++);
        const want = expected(p);
        expect(got.argv).toEqual(want.argv);
        for (const [k, v] of Object.entries(want.env)) expect(got.env[k], k).toBe(v);
        if (p.gpus) expect(got.env.CUDA_VISIBLE_DEVICES).toBe(p.gpus.join(','));
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
