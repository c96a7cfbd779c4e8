import type { Recipe } from '../recipes/types';
import { envNameAllowed, envNameNamesPath, envNameRisky } from '../recipes/env';

export { envNameNamesPath, envNameRisky };

/**
 * Env names a spec sets that the recipe does not allow-list by exact name and the user has not
 * consented to (LD_PRELOAD, PYTHONPATH, NCCL_NET_PLUGIN, CUDA_INJECTION64_PATH, NCCL_DEBUG_FILE ...).
 * The one consent rule for the CLI, the server and the app: the run planner refuses to build a plan
 * while this is non-empty, the import preview and the wizard's Review list exactly these names.
 * Consent is by exact name: `--allow-env LD_PRELOAD` allows that one variable, never a pattern.
 * The value does not matter: `NCCL_NET_PLUGIN=foo` (a bare name the loader searches for) is as
 * risky as an absolute path.
 */
export function envNeedingConsent(env: Record<string, string> | undefined, recipe: Recipe | undefined, allow: readonly string[] = []): string[] {
  const consented = new Set(allow);
  return Object.keys(env ?? {})
    .filter((k) => !consented.has(k) && !envNameAllowed(recipe?.envAllow ?? [], k))
    .sort();
}
