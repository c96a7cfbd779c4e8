import type { Recipe } from './types';
import { liveAvatar } from './liveavatar';
import { wan22 } from './wan22';
import { stepVideo } from './step-video';
import { rehearsal } from './rehearsal';
import { stepVideoRehearsal } from './step-video-rehearsal';

/** Every recipe the app knows. Owned by the feasibility/recipes feature. */
export const recipes: Recipe[] = [liveAvatar, wan22, stepVideo, rehearsal, stepVideoRehearsal];

export function getRecipe(id: string): Recipe | undefined {
  return recipes.find((r) => r.id === id);
}

export { buildArgs, resolveSettings, resolveNproc, requiredGpus, oneGpuFlag, findMode, requireMode, roleOf, coerceFlag } from './settings';
export type { Values } from './settings';
export { envNameAllowed, envNameRisky, ENV_ALLOW_COMMON, ENV_NEVER_ALLOWED } from './env';
