import { z } from 'zod';
import type { FeasibilityReport } from '../feasibility/types';
import { profileNodesSchema } from '../nodes/schema';

/**
 * A profile is data only: recipe, mode, GPU choice, inputs, typed settings, env and notes. There is
 * no field that holds a command line or script; settings become separate argv entries and env
 * values become environment entries, never shell text (docs/profiles.md, "Safety").
 *
 * Version history (see migrate.ts): v0 is a bare run spec `{recipe, mode, settings, ...}` as
 * `lal run --profile` took before profiles existed; v1 added the envelope (format, version, name);
 * v2 (current) moves the per-run media (prompt, image, audio, pose video) into `inputs`.
 */
export const PROFILE_FORMAT = 'lavprofile';
export const PROFILE_VERSION = 2;
export const PROFILE_EXTENSION = '.lavprofile.json';

/** Settings a user swaps between runs; kept apart so a shared profile's inputs are easy to replace. */
export const INPUT_KEYS = ['prompt', 'image', 'audio', 'pose_video'] as const;
export type InputKey = (typeof INPUT_KEYS)[number];

/**
 * Runner settings that name things on one machine (an interpreter, a checkout, an output folder).
 * A profile from someone else must not choose which program runs, so profiles cannot carry them.
 */
export const MACHINE_KEYS = ['python', 'checkout', 'output_dir', 'outputDir'] as const;

const MAX_TEXT = 20_000;
const noNul = (s: string) => !s.includes('\0');
const NUL_MESSAGE = 'must not contain a NUL character (it cannot be passed to a program)';

export const ID_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const SETTING_KEY_RE = /^[a-z][a-z0-9_]{0,63}$/;
export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** Names become file names: no separators, no control characters, no leading dot. */
export const NAME_RE = /^(?!\.)[^/\\\u0000-\u001f\u007f]{1,100}$/;

const text = (max: number) => z.string().max(max, `at most ${max} characters`).refine(noNul, NUL_MESSAGE);

export const settingValueSchema = z.union([
  text(MAX_TEXT),
  z.number().finite('must be a finite number'),
  z.boolean(),
]);

const settingKey = z
  .string()
  .regex(SETTING_KEY_RE, 'setting names are lower-case flag names without dashes, e.g. num_clip')
  .refine((k) => !(MACHINE_KEYS as readonly string[]).includes(k), 'this setting names something on one machine (interpreter, folder); set it in Settings, not in a profile');

const envName = z.string().regex(ENV_NAME_RE, 'environment variable names are letters, digits and _, not starting with a digit');

export const profileSchema = z
  .object({
    format: z.literal(PROFILE_FORMAT),
    version: z.literal(PROFILE_VERSION),
    name: z.string().regex(NAME_RE, 'names are 1–100 characters without / \\ or control characters, not starting with a dot'),
    recipe: z.string().regex(ID_RE, 'recipe ids are lower-case letters, digits, . _ -'),
    mode: z.string().regex(ID_RE, 'mode ids are lower-case letters, digits, . _ -'),
    gpus: z
      .array(z.number().int().min(0).max(63))
      .max(64)
      .refine((a) => new Set(a).size === a.length, 'a GPU index is listed twice')
      .optional(),
    inputs: z.partialRecord(z.enum(INPUT_KEYS), text(MAX_TEXT)).default({}),
    settings: z.record(settingKey, settingValueSchema).default({}),
    env: z.record(envName, text(8_192)).default({}),
    notes: text(MAX_TEXT).optional(),
    pinned: z.boolean().optional(),
    /** Machines of a multi-node run; interpreter and checkout per node are this machine's settings, not a profile's. */
    nodes: profileNodesSchema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    // One value per flag: with `prompt` in both inputs and settings, one screen would show one and the
    // run would use the other. Refused rather than silently picking a winner (docs/profiles.md).
    for (const key of Object.keys(p.inputs)) {
      if (key in p.settings) ctx.addIssue({ code: 'custom', path: ['settings', key], message: INPUT_TWICE_MESSAGE });
    }
  });

/** Field error for an input key set in both `inputs` and `settings`. */
export const INPUT_TWICE_MESSAGE = 'also set in "inputs": a profile sets each input once, in "inputs"; remove one of the two';

export type Profile = z.output<typeof profileSchema>;
export type ProfileInput = z.input<typeof profileSchema>;

export interface ProfileSummary {
  name: string;
  recipe: string;
  mode: string;
  pinned: boolean;
  builtin: boolean;
  notes?: string;
  /** The preset this machine starts with (listProfiles({withDefault: true}) only). */
  isDefault?: boolean;
}

/** One problem, named by its field path (`settings.num_clip`) or script line (`line 12`). */
export interface FieldError {
  path: string;
  message: string;
  messageZh?: string;
}

export interface UnparsedLine {
  line: number;
  text: string;
  reason: string;
  reasonZh?: string;
}

export type ImportKind = 'json' | 'code' | 'sh';

export interface ImportPreview {
  kind: ImportKind;
  profile: Profile;
  /** What would run, shown before saving: argv and the environment the run adds. */
  plan: { argv: string[]; env: Record<string, string>; cwd: string } | null;
  /** Why there is no plan (unknown recipe, bad setting, ...), when there is none. */
  planError: FieldError | null;
  /** Env names outside the recipe allow-list: they need consent (`--allow-env NAME`). */
  envNeedsConsent: string[];
  /** Machines the profile would ssh to (its nodes): the run asks consent for each (`--allow-node HOST`). */
  nodeHosts?: string[];
  /** Paths outside the user's chosen folders (settings.trustedFolders and the data folder). */
  flaggedPaths: { field: string; path: string }[];
  /** Lines of a .sh import that were not understood. */
  unparsed: UnparsedLine[];
  /** Feasibility re-checked on this machine's GPUs; null when the check is unavailable. */
  feasibility: FeasibilityReport | null;
  feasibilityError: string | null;
  /** The profile is a built-in preset's name: saving makes a copy under a new name. */
  nameTaken: boolean;
}
