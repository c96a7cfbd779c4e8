import type { Recipe } from '../recipes/types';

/**
 * Env names that can change which code runs or where it is loaded from. They need the user's
 * consent even when a recipe's allow-list would match them (e.g. a `PYTHON*` prefix).
 * Keep in step with shared/recipes/env.ts ENV_NEVER_ALLOWED.
 */
export const ENV_ALWAYS_ASK = ['LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'PYTHONPATH', 'PYTHONSTARTUP', 'PYTHONHOME', 'PYTHONINSPECT', 'PYTHONUSERBASE', 'PATH', 'HF_ENDPOINT', 'BASH_ENV', 'ENV'];

/** Allow-list entries are exact names or prefixes ending in `*` (NCCL_*). */
function allowedByRecipe(allow: readonly string[], name: string): boolean {
  return allow.some((a) => (a.endsWith('*') ? name.startsWith(a.slice(0, -1)) : a === name));
}

/**
 * Env names a spec sets that the recipe does not allow-list and the user has not consented to
 * (LD_PRELOAD, PYTHONPATH, ...). The run planner refuses to build a plan while this is non-empty.
 * Consent is by exact name: `--allow-env LD_PRELOAD` allows that one variable, never a pattern.
 */
export function envNeedingConsent(env: Record<string, string> | undefined, recipe: Recipe | undefined, allow: string[] = []): string[] {
  const consented = new Set(allow);
  return Object.keys(env ?? {})
    .filter((k) => !consented.has(k) && (ENV_ALWAYS_ASK.includes(k) || !allowedByRecipe(recipe?.envAllow ?? [], k)))
    .sort();
}
