import { z } from 'zod';
import type { FlightEntry, FlightRank } from './types';

/**
 * The NCCL flight recorder (torch >= 2.2, `TORCH_NCCL_TRACE_BUFFER_SIZE` > 0) writes one pickle per
 * rank to `$TORCH_NCCL_DEBUG_INFO_TEMP_FILE<rank>` when the watchdog times out (pytorch
 * ProcessGroupNCCL.cpp, "dump debug info"). shared/stacks/pickle.ts reads it as plain data
 * (the dict as torch wrote it); this picks from it the last
 * collective each rank enqueued and the last one that completed. Old dumps (version 2.0–2.2) have
 * only `entries`; newer ones also `pg_status` with the last enqueued/completed sequence ids.
 */
const entrySchema = z
  .object({
    profiling_name: z.string().optional(),
    collective_seq_id: z.number().optional().nullable(),
    p2p_seq_id: z.number().optional().nullable(),
    seq_id: z.number().optional().nullable(),
    state: z.string().optional().nullable(),
    pg_id: z.union([z.number(), z.string()]).optional().nullable(),
    process_group: z.array(z.unknown()).optional().nullable(),
    is_p2p: z.boolean().optional().nullable(),
  })
  .passthrough();

const dumpSchema = z
  .object({
    version: z.string().optional(),
    entries: z.array(entrySchema).default([]),
    pg_status: z.record(z.string(), z.record(z.string(), z.unknown())).optional().nullable(),
  })
  .passthrough();

type Entry = z.infer<typeof entrySchema>;

function toEntry(e: Entry): FlightEntry {
  const seq = e.is_p2p ? e.p2p_seq_id : e.collective_seq_id ?? e.seq_id;
  const pg = Array.isArray(e.process_group) && typeof e.process_group[0] === 'string' ? e.process_group[0] : e.pg_id !== undefined && e.pg_id !== null ? String(e.pg_id) : null;
  return { seq: typeof seq === 'number' ? seq : null, op: e.profiling_name ?? '?', pg, state: e.state ?? null };
}

/** Parse one rank's dump (already converted to JSON). Returns null for anything that is not a dump. */
export function summarizeFlight(rank: number, file: string, json: unknown): FlightRank | null {
  // The reader reports a file it could not read as {error}; that is no dump.
  if (json && typeof json === 'object' && 'error' in json && !('entries' in json)) return null;
  const d = dumpSchema.safeParse(json);
  if (!d.success) return null;
  const entries = d.data.entries;
  const last = entries.length ? toEntry(entries[entries.length - 1]) : null;
  const done = [...entries].reverse().find((e) => e.state === 'completed');
  return { rank, file, lastEnqueued: last, lastCompleted: done ? toEntry(done) : null };
}

/** `nccl_trace_rank_3` → 3 (the file prefix the launcher sets, then the rank). */
export function flightRankOf(name: string, prefix = 'nccl_trace_rank_'): number | null {
  if (!name.startsWith(prefix)) return null;
  const rest = name.slice(prefix.length);
  return /^\d+$/.test(rest) ? Number(rest) : null;
}
