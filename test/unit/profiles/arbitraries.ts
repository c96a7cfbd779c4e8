import fc from 'fast-check';
import { getRecipe } from '../../../shared/recipes';
import type { FlagSpec, Recipe } from '../../../shared/recipes/types';
import type { SettingValue } from '../../../shared/run/types';
import { normalizeProfile } from '../../../shared/profiles/normalize';
import { PROFILE_FORMAT, PROFILE_VERSION, type Profile } from '../../../shared/profiles/schema';
import { INJECTIONS } from './helpers';

/** Text users (and attackers) put in prompts and paths: injections, CJK, quotes, newlines; never NUL. */
export const textArb = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.includes('\0')),
  fc.string({ unit: fc.constantFrom('a', ' ', "'", '"', '\\', '$', '`', '\n', ';', '|', '&', '(', ')', '*', '~', '#', '=', '-', '中', '文'), minLength: 1, maxLength: 30 }),
);

const valueFor = (f: FlagSpec): fc.Arbitrary<SettingValue> => {
  switch (f.type) {
    case 'enum':
      return fc.constantFrom(...(f.choices ?? ['x']));
    case 'int':
      return fc.integer({ min: f.min ?? 0, max: Math.min(f.max ?? 100_000, (f.min ?? 0) + 100_000) });
    case 'float': {
      // Inside the flag's own bounds, as for ints (the planner refuses the rest, naming the field).
      const min = f.min ?? -5;
      const max = Math.max(min, Math.min(f.max ?? 50, min + 55));
      return fc.oneof(fc.integer({ min: Math.ceil(min), max: Math.floor(max) }), fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v)));
    }
    case 'bool':
      return fc.boolean();
    default:
      return f.repeat === 'comma' ? fc.constantFrom('hang@1:2', 'crash@0:1:3,slow@1:1') : textArb;
  }
};

const ENV_NAMES = ['NCCL_DEBUG', 'NCCL_P2P_DISABLE', 'TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC', 'OMP_NUM_THREADS', 'TRITON_CACHE_DIR', 'PYTORCH_CUDA_ALLOC_CONF', 'LD_PRELOAD', 'PYTHONPATH'];

function profileFor(recipe: Recipe): fc.Arbitrary<Profile> {
  return fc.constantFrom(...recipe.modes.filter((m) => !m.nprocFrom)).chain((mode) => {
    const free = recipe.flags.filter((f) => !f.modeOwned && !(f.name in mode.flags) && !['prompt', 'image', 'audio', 'pose_video'].includes(f.name));
    const settingsArb = fc.subarray(free, { maxLength: 8 }).chain((flags) => fc.tuple(...flags.map(valueFor)).map((vals) => Object.fromEntries(flags.map((f, i) => [f.name, vals[i]!]))));
    const inputKeys = ['prompt', 'image', 'audio'].filter((k) => recipe.flags.some((f) => f.name === k));
    const inputsArb = fc.record(Object.fromEntries(inputKeys.map((k) => [k, textArb])), { requiredKeys: [] });
    const envArb = fc.dictionary(fc.constantFrom(...ENV_NAMES), textArb, { maxKeys: 3 });
    const gpusArb = fc.option(fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6, 7], { minLength: mode.gpus, maxLength: mode.gpus }), { nil: undefined });
    return fc
      .record({
        name: fc.string({ minLength: 1, maxLength: 30 }).filter((s) => /^(?!\.)[^/\\\u0000-\u001f\u007f]{1,100}$/.test(s)),
        settings: settingsArb,
        inputs: inputsArb,
        env: envArb,
        gpus: gpusArb,
        notes: fc.option(textArb, { nil: undefined }),
      })
      .map((r) => {
        const p: Profile = { format: PROFILE_FORMAT, version: PROFILE_VERSION, name: r.name, recipe: recipe.id, mode: mode.id, inputs: r.inputs as Profile['inputs'], settings: r.settings as Record<string, SettingValue>, env: r.env };
        if (r.gpus && mode.gpus > 0) p.gpus = r.gpus;
        if (r.notes !== undefined) p.notes = r.notes;
        return p;
      });
  });
}

/** Valid profiles of the shipped recipes, as a user would save them. */
export const profileArb: fc.Arbitrary<Profile> = fc.oneof(profileFor(getRecipe('rehearsal')!), profileFor(getRecipe('liveavatar-s2v-14b')!));

/** The same, normalized (nothing that equals a default): the form an import produces. */
export const normalizedProfileArb = profileArb.map((p) => normalizeProfile(p, getRecipe(p.recipe)));
