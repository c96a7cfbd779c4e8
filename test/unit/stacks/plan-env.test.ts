import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildPlan } from '../../../electron/core/runs/plan';
import { tinyRecipe } from '../../integration/run/tiny-recipe';

/**
 * What the planner injects for stacks on demand (issue 22): our sitecustomize folder first on
 * PYTHONPATH and LAL_STACKS_DIR in the run folder. A profile can neither set nor redirect them.
 */
const torchrun = { argv: ['/usr/bin/python3', '/res/torchrun/lal_torchrun.py'], python: '/usr/bin/python3', patched: true, reason: '' };
const base = { recipe: tinyRecipe, runId: '20261122-000000-abcdef', runDir: '/data/runs/20261122-000000-abcdef', resourcesDir: '/res', torchrun, port: 29611 };

afterEach(() => vi.unstubAllEnvs());

describe('plan: stacks on demand', () => {
  it('adds LAL_STACKS_DIR=<runDir>/stacks and resources/stacks first on PYTHONPATH, keeping an inherited PYTHONPATH after it', () => {
    vi.stubEnv('PYTHONPATH', '/home/u/lib');
    const { plan } = buildPlan({ ...base, spec: { recipe: 'tiny', mode: 'two', settings: {} } });
    expect(plan.env.LAL_STACKS_DIR).toBe(`${base.runDir}/stacks`);
    expect(plan.env.PYTHONPATH).toBe('/res/stacks:/home/u/lib');
  });

  it('a profile cannot set them without consent, and with consent ours still wins (its PYTHONPATH follows ours)', () => {
    const env = { PYTHONPATH: '/evil', LAL_STACKS_DIR: '/tmp/elsewhere' };
    expect(() => buildPlan({ ...base, spec: { recipe: 'tiny', mode: 'two', settings: {}, env } })).toThrow(/PYTHONPATH/);
    const { plan } = buildPlan({ ...base, spec: { recipe: 'tiny', mode: 'two', settings: {}, env }, allowEnv: ['PYTHONPATH', 'LAL_STACKS_DIR'] });
    expect(plan.env.LAL_STACKS_DIR).toBe(`${base.runDir}/stacks`);
    expect(plan.env.PYTHONPATH).toBe('/res/stacks:/evil');
  });
});
