import { join } from 'node:path';
import { ApiFailure } from '../../../shared/api/result';
import { getRecipe } from '../../../shared/recipes';
import { envNeedingConsent } from '../../../shared/profiles/consent';
import { profileToRunSpec } from '../../../shared/profiles/spec';
import { recipeErrors } from '../../../shared/profiles/recipe-check';
import type { FieldError, ImportPreview, Profile } from '../../../shared/profiles/schema';
import type { FeasibilityReport } from '../../../shared/feasibility/types';
import type { RunSpec } from '../../../shared/run/types';
import type { CoreContext } from '../context';
import { buildPlan } from '../runs/plan';
import { flagPaths } from './trust';

/**
 * What a profile would run on this machine, before anything is saved or started: the exact argv
 * and environment from the run planner, the env names that need consent, paths outside the user's
 * folders, and the feasibility verdict on this machine's GPUs.
 */
export interface PreviewDeps {
  ctx: CoreContext;
  /** The feasibility check over the contract; absent or failing: the preview says so. */
  check?: (spec: RunSpec) => Promise<FeasibilityReport>;
}

/** Placeholder shown in argv when no checkout folder is set yet. */
export const CHECKOUT_PLACEHOLDER = '<Live Avatar folder>';

export function trustedFolders(ctx: CoreContext): string[] {
  const s = ctx.settings.get();
  return [...s.trustedFolders, ctx.dataDir, ...(s.checkoutPath ? [s.checkoutPath] : []), ...(s.outputDir ? [s.outputDir] : [])];
}

export function planFor(ctx: CoreContext, profile: Profile): { plan: ImportPreview['plan']; error: FieldError | null } {
  const recipe = getRecipe(profile.recipe);
  if (!recipe) return { plan: null, error: { path: 'recipe', message: `unknown recipe "${profile.recipe}"` } };
  const invalid = recipeErrors(profile, getRecipe);
  if (invalid.length) return { plan: null, error: invalid[0]! };
  const spec = profileToRunSpec(profile);
  const settings = ctx.settings.get();
  try {
    const built = buildPlan({
      spec,
      recipe,
      runId: 'preview',
      runDir: join(settings.outputDir ?? ctx.dataDir, 'runs', '<run id>'),
      resourcesDir: ctx.resourcesDir,
      torchrun: { argv: ['torchrun'], python: settings.pythonPath ?? 'python3', patched: false, reason: 'preview' },
      port: 29500,
      checkoutFallback: settings.checkoutPath ?? CHECKOUT_PLACEHOLDER,
      // Consent is reported separately (envNeedsConsent, flaggedPaths); the preview still shows what would run.
      allowEnv: Object.keys(spec.env ?? {}),
      skipPathConsent: true,
    });
    return { plan: built.plan, error: null };
  } catch (e) {
    if (e instanceof ApiFailure) return { plan: null, error: { path: e.error.field ?? 'profile', message: e.error.message } };
    throw e;
  }
}

export async function previewProfile(deps: PreviewDeps, profile: Profile, extra: Pick<ImportPreview, 'kind' | 'unparsed' | 'nameTaken'>): Promise<ImportPreview> {
  const { ctx } = deps;
  const recipe = getRecipe(profile.recipe);
  const { plan, error } = planFor(ctx, profile);
  const settings = ctx.settings.get();
  let feasibility: FeasibilityReport | null = null;
  let feasibilityError: string | null = null;
  if (!deps.check) feasibilityError = 'the feasibility check is not available';
  else if (error) feasibilityError = `not checked: ${error.path}: ${error.message}`;
  else {
    try {
      feasibility = await deps.check(profileToRunSpec(profile));
    } catch (e) {
      feasibilityError = e instanceof ApiFailure ? e.error.message : (e as Error).message;
    }
  }
  return {
    ...extra,
    profile,
    plan,
    planError: error,
    envNeedsConsent: envNeedingConsent(profile.env, recipe),
    ...(profile.nodes?.length ? { nodeHosts: profile.nodes.map((n) => n.host) } : {}),
    flaggedPaths: flagPaths(profile, recipe, { trusted: trustedFolders(ctx), base: settings.checkoutPath }),
    feasibility,
    feasibilityError,
  };
}
