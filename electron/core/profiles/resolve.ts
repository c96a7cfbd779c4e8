import type { RunSpec } from '../../../shared/run/types';
import { ApiFailure } from '../../../shared/api/result';

/**
 * Turn `--profile FILE` or `--preset NAME` into a run spec (validated). Owned by the profiles
 * feature; the run manager and the CLI call it.
 */
export async function loadRunSpec(_opts: { profile?: string; preset?: string; dataDir: string }): Promise<RunSpec> {
  throw new ApiFailure({ code: 'UNAVAILABLE', message: 'profiles are not available in this build yet' });
}
