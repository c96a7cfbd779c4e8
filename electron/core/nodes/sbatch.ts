import { join } from 'node:path';
import { ApiFailure } from '../../../shared/api/result';
import { buildArgs, getRecipe, resolveNproc, resolveSettings, requireMode } from '../../../shared/recipes';
import { profileToRunSpec } from '../../../shared/profiles/spec';
import type { Profile } from '../../../shared/profiles/schema';
import { RUNNER_SETTING_KEYS } from '../../../shared/profiles/recipe-check';
import { renderSbatch } from '../../../shared/nodes/sbatch';
import { DEFAULT_JOIN_TIMEOUT_SEC, ranksPerNode } from './plan';

/** `lal profile export --format sbatch`: a profile with nodes as a SLURM batch script. */
export function profileSbatch(profile: Profile, ctx: { resourcesDir: string; checkoutPath: string | null }): string {
  const recipe = getRecipe(profile.recipe);
  if (!recipe) throw new ApiFailure({ code: 'BAD_INPUT', field: 'recipe', message: `unknown recipe "${profile.recipe}"` });
  if (!profile.nodes || profile.nodes.length < 2) throw new ApiFailure({ code: 'BAD_INPUT', field: 'nodes', message: 'an sbatch export needs a profile with nodes (at least 2)' });
  const mode = requireMode(recipe, profile.mode);
  const spec = profileToRunSpec(profile);
  const settings = Object.fromEntries(Object.entries(spec.settings).filter(([k]) => !RUNNER_SETTING_KEYS.includes(k)));
  const values = resolveSettings(recipe, mode, settings);
  const counts = ranksPerNode(profile.nodes, resolveNproc(mode, values));
  if (new Set(counts).size !== 1) throw new ApiFailure({ code: 'BAD_INPUT', field: 'nodes', message: `an sbatch export starts the same command on every node: give every node the same process count (now ${counts.join(', ')})` });
  const entry = recipe.entry.startsWith('resource:') ? join(ctx.resourcesDir, recipe.entry.slice('resource:'.length)) : recipe.entry;
  const cpu = values.device === 'cpu';
  return renderSbatch({
    name: profile.name,
    recipe: recipe.id,
    mode: mode.id,
    hosts: profile.nodes.map((n) => n.host),
    nprocPerNode: counts[0],
    gpusPerNode: cpu ? 0 : counts[0],
    entry,
    args: buildArgs(recipe, mode, settings),
    env: { ...recipe.env, ...profile.env, ...(cpu ? { CUDA_VISIBLE_DEVICES: '' } : {}) },
    runFrom: recipe.needsCheckout ? (ctx.checkoutPath ?? 'your Live Avatar checkout') : null,
    joinTimeoutSec: DEFAULT_JOIN_TIMEOUT_SEC,
  });
}
