import type { Api, MethodOutput } from '../../../shared/api/contract';
import { ApiFailure } from '../../../shared/api/result';
import { getRecipe } from '../../../shared/recipes';
import { envNeedingConsent } from '../../../shared/profiles/consent';
import { recipeErrors } from '../../../shared/profiles/recipe-check';
import { parseProfileValue } from '../../../shared/profiles/migrate';
import { profileSchema } from '../../../shared/profiles/schema';
import { defaultPreset } from '../../../shared/profiles/presets';
import type { CoreContext } from '../context';
import { checkApi } from '../check/api';
import { exportProfileText } from './export';
import { ProfileLibrary } from './library';
import { previewProfile } from './preview';
import { readSource } from './read-source';

type ProfileMethods =
  | 'listProfiles' | 'getProfile' | 'saveProfile' | 'deleteProfile' | 'renameProfile'
  | 'duplicateProfile' | 'pinProfile' | 'previewImport' | 'exportProfile' | 'exportSpec' | 'validateProfile' | 'profileProblems';

/** Profiles and presets over the contract. Owned by the profiles feature. */
export function profilesApi(ctx: CoreContext): Pick<Api, ProfileMethods> {
  const library = () => new ProfileLibrary(ctx.dataDir);
  const check = checkApi(ctx).check;

  return {
    listProfiles: async (input) => {
      const list = library().list();
      if (!input?.withDefault) return list;
      const name = defaultPreset(await ctx.detect()).name;
      return list.map((p) => (p.builtin && p.name === name ? { ...p, isDefault: true } : p));
    },

    getProfile: async ({ name }) => library().get(name).profile,

    saveProfile: async ({ profile, allowEnv, overwrite }) => {
      const parsed = parseProfileValue(profile);
      if (!parsed.ok) {
        const first = parsed.errors[0]!;
        throw new ApiFailure({ code: 'BAD_INPUT', field: `profile.${first.path}`, message: `profile.${first.path}: ${first.message}`, details: { errors: parsed.errors } });
      }
      const valid = parsed.profile;
      const problems = recipeErrors(valid, getRecipe);
      if (problems.length) {
        const first = problems[0]!;
        throw new ApiFailure({ code: 'BAD_INPUT', field: first.path, message: `${first.path}: ${first.message}`, details: { errors: problems } });
      }
      const needConsent = envNeedingConsent(valid.env, getRecipe(valid.recipe), allowEnv ?? []);
      if (needConsent.length) {
        throw new ApiFailure({
          code: 'CONSENT_REQUIRED',
          field: 'env',
          message: `this profile sets environment variables that can change what code runs: ${needConsent.join(', ')}. Allow each explicitly (--allow-env ${needConsent[0]})`,
          details: { env: needConsent },
        });
      }
      return library().save(valid, overwrite ?? false);
    },

    deleteProfile: async ({ name }) => ({ deleted: library().delete(name) }),
    renameProfile: async ({ name, to }) => library().rename(name, checkedName(to)),
    duplicateProfile: async ({ name, to }) => library().duplicate(name, checkedName(to)),
    pinProfile: async ({ name, pinned }) => library().pin(name, pinned),

    previewImport: async ({ source, allowEnv }) => {
      const r = await readSource(source, 'imported');
      if (!r.profile) {
        const first = r.errors[0] ?? { path: '(input)', message: 'not a profile' };
        throw new ApiFailure({ code: 'BAD_INPUT', field: first.path, message: `${first.path}: ${first.message}`, details: { errors: r.errors, unparsed: r.unparsed } });
      }
      const preview = await previewProfile({ ctx, check: (spec) => check({ spec }) }, r.profile, { kind: r.kind, unparsed: r.unparsed, nameTaken: library().exists(r.profile.name) });
      return allowEnv?.length ? { ...preview, envNeedsConsent: preview.envNeedsConsent.filter((n) => !allowEnv.includes(n)) } : preview;
    },

    exportProfile: async ({ name, format }) => {
      const s = ctx.settings.get();
      return exportProfileText(library().get(name).profile, format, { resourcesDir: ctx.resourcesDir, checkoutPath: s.checkoutPath });
    },

    exportSpec: async ({ profile, format }) => {
      const problems = recipeErrors(profile, getRecipe);
      const first = problems[0];
      if (first) throw new ApiFailure({ code: 'BAD_INPUT', field: first.path, message: problems.map((e) => `${e.path}: ${e.message}`).join('\n'), details: { errors: problems } });
      const s = ctx.settings.get();
      return exportProfileText(profile, format, { resourcesDir: ctx.resourcesDir, checkoutPath: s.checkoutPath });
    },

    // Answers, never throws, for a bad profile: validating many files reports each one.
    profileProblems: async () => library().scan().broken,

    validateProfile: async ({ source, stem }) => {
      const r = await readSource(source, stem ?? 'imported');
      const out: MethodOutput<'validateProfile'> = { valid: false, errors: r.errors };
      if (r.kind === 'sh') out.unparsed = r.unparsed;
      if (r.profile) {
        out.errors = recipeErrors(r.profile, getRecipe);
        const consent = envNeedingConsent(r.profile.env, getRecipe(r.profile.recipe));
        if (consent.length) out.envNeedsConsent = consent;
      }
      out.valid = out.errors.length === 0;
      return out;
    },
  };
}

function checkedName(name: string): string {
  const r = profileSchema.shape.name.safeParse(name);
  if (!r.success) throw new ApiFailure({ code: 'BAD_INPUT', field: 'to', message: `to: ${r.error.issues[0]?.message ?? 'invalid name'}` });
  return name;
}
