import { z } from 'zod';

/**
 * A profile is data only: never a shell string. Owned by the profiles feature, which adds
 * versions, migrations, the share code and the .sh import; the contract uses these types.
 */
const settingValue = z.union([z.string(), z.number(), z.boolean()]);

export const profileSchema = z.object({
  format: z.literal('lavprofile'),
  version: z.literal(1),
  name: z.string().min(1).max(200),
  recipe: z.string().min(1),
  mode: z.string().min(1),
  gpus: z.array(z.number().int().min(0).max(63)).max(64).optional(),
  settings: z.record(z.string(), settingValue),
  env: z.record(z.string(), z.string()).optional(),
  notes: z.string().max(20_000).optional(),
  pinned: z.boolean().optional(),
});

export type Profile = z.infer<typeof profileSchema>;

export interface ProfileSummary {
  name: string;
  recipe: string;
  mode: string;
  pinned: boolean;
  builtin: boolean;
}

export interface ImportPreview {
  profile: Profile;
  /** What would run, shown before saving. */
  plan: { argv: string[]; env: Record<string, string> } | null;
  /** Env names outside the recipe allow-list: need consent. */
  envNeedsConsent: string[];
  /** Paths outside the user's chosen folders. */
  flaggedPaths: string[];
  /** Lines of a .sh import that were not understood. */
  unparsed: { line: number; text: string; reason: string }[];
}
