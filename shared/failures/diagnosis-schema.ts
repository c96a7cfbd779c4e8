import { z } from 'zod';
import type { Diagnosis } from './types';

/**
 * A recorded diagnosis as `lal explain` may read it from someone else's run folder (run.json is
 * hostile input there): codes, ranks and fields only, bounded, words absent (old records carried
 * words and are explained from their logs instead). Anything else makes the whole verdict unusable.
 */
const fixSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('set'), key: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), value: z.union([z.string().max(256), z.number().finite(), z.boolean()]) }).strict(),
  z.object({ kind: z.literal('env'), name: z.string().regex(/^[A-Z][A-Z0-9_]{0,127}$/), value: z.string().max(256) }).strict(),
  z.object({ kind: z.literal('mode'), mode: z.string().regex(/^[\w.-]{1,64}$/) }).strict(),
  z.object({ kind: z.literal('port') }).strict(),
]);

export const recordedDiagnosisSchema = z
  .object({
    code: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/),
    rank: z.number().int().min(0).max(1 << 20).nullable(),
    evidence: z.object({ file: z.string().max(4096), line: z.number().int().min(0), text: z.string().max(4000) }).strict().nullable(),
    fields: z
      .record(z.string().regex(/^\w{1,64}$/), z.union([z.string().max(2000), z.number().finite()]))
      .refine((f) => Object.keys(f).length <= 64, 'too many fields')
      .optional(),
    fixes: z.array(fixSchema).max(16).optional(),
    consequence: z.boolean().optional(),
  })
  .strict();

const recordedVerdictSchema = z.object({
  endedAt: z.string().min(1),
  diagnoses: z.array(recordedDiagnosisSchema).min(1).max(64),
});

/** The verdict a finished run recorded (decided once, at its end), or null when there is none to trust. */
export function recordedVerdict(record: unknown): Diagnosis[] | null {
  const r = recordedVerdictSchema.safeParse(record);
  return r.success ? r.data.diagnoses : null;
}
