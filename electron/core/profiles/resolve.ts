import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { RunSpec } from '../../../shared/run/types';
import { ApiFailure } from '../../../shared/api/result';
import { MAX_IMPORT_SOURCE } from '../../../shared/api/contract';
import { getRecipe } from '../../../shared/recipes';
import { recipeErrors } from '../../../shared/profiles/recipe-check';
import { profileToRunSpec } from '../../../shared/profiles/spec';
import { PROFILE_EXTENSION, type Profile } from '../../../shared/profiles/schema';
import { ProfileLibrary } from './library';
import { readSource } from './read-source';

/**
 * Turn `--profile FILE` or `--preset NAME` into a run spec (validated). `--profile` takes a
 * `.lavprofile.json` (any version), a file holding a share code, or a launch script; `--preset`
 * takes a built-in preset or a saved profile's name. Env consent is not decided here: the run
 * planner refuses a spec whose env needs consent (CONSENT_REQUIRED, exit 2, naming each variable).
 */
export async function loadRunSpec(opts: { profile?: string; preset?: string; dataDir: string }): Promise<RunSpec> {
  if ((opts.profile === undefined) === (opts.preset === undefined)) {
    throw new ApiFailure({ code: 'BAD_INPUT', field: 'profile', message: 'give exactly one of --profile FILE or --preset NAME' });
  }
  let profile: Profile;
  if (opts.preset !== undefined) {
    profile = new ProfileLibrary(opts.dataDir).get(opts.preset).profile;
  } else {
    const file = opts.profile!;
    let text: string;
    try {
      // A profile is a few KB: never read a huge (or endless, like /dev/zero) file into memory.
      const st = statSync(file);
      const mb = MAX_IMPORT_SOURCE / 1_000_000;
      const problem = !st.isFile()
        ? { message: 'is not a regular file', messageZh: '不是普通文件' }
        : st.size > MAX_IMPORT_SOURCE ? { message: `is larger than ${mb} MB; a profile or launch script is a few KB`, messageZh: `超过 ${mb} MB；配置或启动脚本通常只有几 KB` } : null;
      if (problem) {
        const errors = [{ path: '(file)', ...problem }];
        throw new ApiFailure({ code: 'BAD_INPUT', field: '(file)', message: `${file}: ${errors[0]!.message}`, details: { errors } });
      }
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if (e instanceof ApiFailure) throw e;
      throw new ApiFailure({ code: 'NOT_FOUND', field: 'profile', message: `cannot read profile ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
    }
    const r = await readSource(text, basename(file).replace(PROFILE_EXTENSION, '').replace(/\.(json|sh|txt)$/, ''));
    if (!r.profile) {
      const first = r.errors[0]!;
      throw new ApiFailure({ code: 'BAD_INPUT', field: first.path, message: `${file}: ${first.path}: ${first.message}`, details: { errors: r.errors } });
    }
    profile = r.profile;
  }
  const problems = recipeErrors(profile, getRecipe);
  if (problems.length) {
    const first = problems[0]!;
    throw new ApiFailure({ code: 'BAD_INPUT', field: first.path, message: `${first.path}: ${first.message}`, details: { errors: problems } });
  }
  return profileToRunSpec(profile);
}
