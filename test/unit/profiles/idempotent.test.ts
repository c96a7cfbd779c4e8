import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProfileValue } from '../../../shared/profiles/migrate';
import { recipeErrors } from '../../../shared/profiles/recipe-check';
import { getRecipe } from '../../../shared/recipes';
import { profileScript } from '../../../electron/core/profiles/export';
import { readSource } from '../../../electron/core/profiles/read-source';
import { repoRoot } from '../../support/temp';
import { textArb } from './arbitraries';

/** Script-shaped text built from the pieces forum scripts are made of, with hostile values mixed in. */
const q = (s: string) => fc.constantFrom(`'${s.replace(/'/g, `'\\''`)}'`, `"${s.replace(/(["\\\\$`])/g, '\\\\$1')}"`);
const valueArb = textArb.chain(q);
const flagArb = fc.oneof(
  fc.constantFrom('--fp8', '--offload_kv_cache', '--t5_cpu', '--size 688*368', '--size "720*400"', '--num_clip 3', '--infer_frames 48', '--sample_steps 4', '--offload_model True', '--bogus 1', '--enable_vae_parallel', '--num_gpus_dit 4'),
  valueArb.map((v) => `--prompt ${v}`),
  valueArb.map((v) => `--save_file ${v}`),
  fc.constant('--audio "$AUDIO"'),
);
const lineArb = fc.oneof(
  fc.constantFrom('export NCCL_DEBUG=INFO', 'export ENABLE_COMPILE=true', 'set -e', 'AUDIO=examples/a.wav', 'cd /opt/x', 'echo start', 'export CUDA_VISIBLE_DEVICES=0,1,2,3,4'),
  valueArb.map((v) => `export TRITON_CACHE_DIR=${v}`),
);
const scriptArb = fc
  .tuple(fc.array(lineArb, { maxLength: 5 }), fc.constantFrom(1, 4, 5), fc.array(flagArb, { maxLength: 8 }), fc.boolean())
  .map(([pre, n, flags, pipe]) => `#!/bin/bash\n${pre.join('\n')}\ntorchrun --nproc_per_node=${n} minimal_inference/s2v_streaming_interact.py \\\n  ${flags.join(' \\\n  ')}${pipe ? ' 2>&1 | tee log.txt' : ''}\n`);

describe('script import is safe and stable on generated forum-style scripts', () => {
  it('never throws; what it imports is a valid profile, and export → import gives it back unchanged', async () => {
    const ctx = { resourcesDir: join(repoRoot, 'resources'), checkoutPath: null };
    let imported = 0;
    await fc.assert(
      fc.asyncProperty(scriptArb, async (script) => {
        const r = await readSource(script, 'gen');
        if (!r.profile) {
          expect(r.errors.length).toBeGreaterThan(0);
          return;
        }
        imported++;
        expect(parseProfileValue(r.profile).ok).toBe(true);
        // Values the recipe refuses (a bad --num_clip) are kept as data and named by the recipe check.
        if (recipeErrors(r.profile, getRecipe).length) return;
        const again = await readSource(profileScript(r.profile, ctx), 'gen');
        expect(again.profile, script).toEqual(r.profile);
      }),
      { numRuns: 120 },
    );
    expect(imported).toBeGreaterThan(20);
  }, 120_000);
});
