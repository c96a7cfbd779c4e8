import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../support/temp';
import { planMemory, resolveSpec } from '../../../shared/feasibility';
import type { SettingValue } from '../../../shared/run/types';

/**
 * The rehearsal prints its own byte plan (LAL_PLAN, resources/workloads/lalwork/plan.py) before
 * loading; the lead compares it with measured peaks on GPUs. The feasibility model must give the
 * same bytes per rank and phase, so a calibration of one is a calibration of the other. plan.py
 * needs no torch, so this runs the real Python next to the TypeScript model.
 */
const PY = `
import json, sys, types
sys.path.insert(0, sys.argv[1])
from lalwork import plan, shapes
out = []
for c in json.loads(sys.argv[2]):
    a = types.SimpleNamespace(fp8=c.get('fp8', False), load_lora=c.get('load_lora', False), t5_fsdp=c.get('t5_fsdp', False),
        t5_cpu=c.get('t5_cpu', False), offload_model=c.get('offload_model', False), offload_kv_cache=c.get('offload_kv_cache', False),
        num_gpus_dit=c.get('num_gpus_dit', 1), enable_vae_parallel=c.get('enable_vae_parallel', False),
        ulysses_size=c.get('ulysses_size', 1), infer_frames=c.get('infer_frames', 48), _clips=2)
    geo = shapes.geometry(shapes.FULL, c.get('size', '704*384'), a.infer_frames)
    out.append([plan.build_plan(a, shapes.FULL, geo, c['layout'], r, c['world'])['gpu_phases'] for r in range(c['world'])])
print(json.dumps(out))
`;

interface Case {
  mode: string;
  settings: Record<string, SettingValue>;
  py: Record<string, unknown>;
}

const CASES: Case[] = [
  { mode: 'single-offload', settings: { fp8: true, load_lora: true }, py: { layout: 'single', world: 1, fp8: true, load_lora: true, offload_model: true } },
  { mode: 'single-offload', settings: { fp8: true, offload_kv_cache: true, load_lora: false }, py: { layout: 'single', world: 1, fp8: true, offload_kv_cache: true, offload_model: true } },
  { mode: 'single-offload', settings: { fp8: false, offload_kv_cache: true }, py: { layout: 'single', world: 1, offload_kv_cache: true, load_lora: true, offload_model: true } },
  { mode: 'tpp-4gpu', settings: { fp8: true }, py: { layout: 'tpp', world: 4, fp8: true, load_lora: true, num_gpus_dit: 3, enable_vae_parallel: true } },
  { mode: 'tpp-4gpu', settings: { fp8: true, t5_cpu: true }, py: { layout: 'tpp', world: 4, fp8: true, t5_cpu: true, load_lora: true, num_gpus_dit: 3, enable_vae_parallel: true } },
  { mode: 'tpp-5gpu', settings: { fp8: false, offload_model: true, size: '688*368' }, py: { layout: 'tpp', world: 5, offload_model: true, load_lora: true, num_gpus_dit: 4, enable_vae_parallel: true, size: '688*368' } },
  { mode: 'fsdp-ulysses', settings: { ulysses_size: 2, t5_fsdp: false }, py: { layout: 'fsdp', world: 2, ulysses_size: 2, load_lora: true } },
  { mode: 'fsdp-ulysses', settings: { ulysses_size: 4, t5_fsdp: false }, py: { layout: 'fsdp', world: 4, ulysses_size: 4, load_lora: true } },
  { mode: 'fsdp-ulysses', settings: { ulysses_size: 4, t5_fsdp: true }, py: { layout: 'fsdp', world: 4, ulysses_size: 4, t5_fsdp: true, load_lora: true } },
];

describe('rehearsal at scale=full: the model mirrors lalwork/plan.py rank by rank, phase by phase', () => {
  const out = execFileSync('python3', ['-c', PY, join(repoRoot, 'resources/workloads'), JSON.stringify(CASES.map((c) => c.py))], { encoding: 'utf8' });
  const python = JSON.parse(out) as Record<string, number>[][];
  CASES.forEach((c, i) => {
    it(`${c.mode} ${JSON.stringify(c.settings)}`, () => {
      const spec = { recipe: 'rehearsal', mode: c.mode, settings: { scale: 'full', ...c.settings } };
      const r = resolveSpec(spec);
      const plan = planMemory({ recipe: r.recipe, mode: r.mode, values: r.values, nproc: r.nproc, profile: r.profile!, components: r.components, env: {}, cpu: false });
      expect(plan.ranks).toHaveLength(python[i].length);
      plan.ranks.forEach((rk, rank) => {
        for (const [phase, bytes] of Object.entries(python[i][rank])) {
          // With --t5_fsdp our load/encode also count the T5 shard and its gathered layer, which
          // plan.py leaves out; the steady phases must agree exactly.
          if (c.settings.t5_fsdp && (phase === 'load' || phase === 'encode')) continue;
          expect({ rank, phase, bytes: rk.phases[phase] }).toEqual({ rank, phase, bytes: expect.closeTo(bytes, -3) });
        }
      });
    });
  });
});
