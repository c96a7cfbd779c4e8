import { join } from 'node:path';
import { ApiFailure } from '../../../shared/api/result';
import { buildArgs, getRecipe, resolveNproc, resolveSettings, requireMode } from '../../../shared/recipes';
import { canonicalJson } from '../../../shared/profiles/canonical';
import { encodeShareCode } from '../../../shared/profiles/share-code';
import { renderScript } from '../../../shared/profiles/sh-export';
import { profileToRunSpec } from '../../../shared/profiles/spec';
import { PROFILE_EXTENSION, type Profile } from '../../../shared/profiles/schema';
import { RUNNER_SETTING_KEYS } from '../../../shared/profiles/recipe-check';
import { profileSbatch } from '../nodes/sbatch';

/** A profile as text: the JSON file, the share code, or a runnable bash script. */
export type ExportFormat = 'json' | 'code' | 'sh' | 'sbatch';

export interface ExportContext {
  resourcesDir: string;
  checkoutPath: string | null;
}

export function exportProfileText(profile: Profile, format: ExportFormat, ctx: ExportContext): { text: string; filename: string } {
  const stem = profile.name.replace(/[<>:"|?*\s/\\]+/g, '_') || 'profile';
  const shared: Profile = { ...profile };
  delete shared.pinned;
  if (format === 'json') return { text: JSON.stringify(JSON.parse(canonicalJson(shared)), null, 2) + '\n', filename: stem + PROFILE_EXTENSION };
  if (format === 'code') return { text: encodeShareCode(shared) + '\n', filename: `${stem}.lavcode.txt` };
  // A profile with nodes, for SLURM (electron/core/nodes/sbatch.ts).
  if (format === 'sbatch') return { text: profileSbatch(shared, ctx), filename: `${stem}.sbatch` };
  return { text: profileScript(shared, ctx), filename: `${stem}.sh` };
}

export function profileScript(profile: Profile, ctx: ExportContext): string {
  const recipe = getRecipe(profile.recipe);
  if (!recipe) throw new ApiFailure({ code: 'BAD_INPUT', field: 'recipe', message: `unknown recipe "${profile.recipe}"` });
  const mode = requireMode(recipe, profile.mode);
  const spec = profileToRunSpec(profile);
  const settings = Object.fromEntries(Object.entries(spec.settings).filter(([k]) => !RUNNER_SETTING_KEYS.includes(k)));
  const values = resolveSettings(recipe, mode, settings);
  const args = buildArgs(recipe, mode, settings);
  const resource = recipe.entry.startsWith('resource:');
  const entry = resource ? join(ctx.resourcesDir, recipe.entry.slice('resource:'.length)) : recipe.entry;
  const gpus = profile.gpus?.length ? profile.gpus.join(',') : values.device === 'cpu' ? '' : null;
  return renderScript({
    profile,
    nproc: resolveNproc(mode, values),
    entry,
    args,
    env: { ...recipe.env, ...profile.env },
    cudaVisibleDevices: gpus,
    runFrom: recipe.needsCheckout ? (ctx.checkoutPath ?? 'your Live Avatar checkout (the folder with minimal_inference/)') : null,
  });
}
