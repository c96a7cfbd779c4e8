import type { Recipe } from '../recipes/types';

/**
 * Env names a spec sets that the recipe does not allow-list and the user has not consented to
 * (LD_PRELOAD, PYTHONPATH, ...). Owned by the profiles feature; the run planner refuses to build
 * a plan while this is non-empty.
 */
export function envNeedingConsent(env: Record<string, string> | undefined, recipe: Recipe | undefined, allow: string[] = []): string[] {
  const allowed = new Set([...(recipe?.envAllow ?? []), ...allow]);
  return Object.keys(env ?? {}).filter((k) => !allowed.has(k)).sort();
}
