import type { Recipe } from '../recipes/types';
// Names that change which code runs (LD_PRELOAD, PYTHONPATH, ...) always need consent, even when a
// recipe's prefix would match them: envNameAllowed refuses ENV_NEVER_ALLOWED first.
import { envNameAllowed } from '../recipes/env';

/**
 * Env names a spec sets that the recipe does not allow-list and the user has not consented to
 * (LD_PRELOAD, PYTHONPATH, ...). The run planner refuses to build a plan while this is non-empty.
 * Consent is by exact name: `--allow-env LD_PRELOAD` allows that one variable, never a pattern.
 */
export function envNeedingConsent(env: Record<string, string> | undefined, recipe: Recipe | undefined, allow: string[] = []): string[] {
  const consented = new Set(allow);
  return Object.keys(env ?? {})
    .filter((k) => !consented.has(k) && !envNameAllowed(recipe?.envAllow ?? [], k))
    .sort();
}
