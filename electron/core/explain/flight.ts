import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { flightRankOf, summarizeFlight } from '../../../shared/stacks/flight';
import { parsePickle } from '../../../shared/stacks/pickle';
import type { FlightRank } from '../../../shared/stacks/types';
import { readRegularFile } from './files';

/** A real dump of 2000 entries with their stack frames is a few MiB; past this it is not one. */
const MAX_DUMP_BYTES = 32 * 1024 * 1024;
/** More ranks than any one job the launcher runs; a folder with more dump-named files is not a run's. */
const MAX_DUMPS = 256;

/**
 * The NCCL flight-recorder dumps in a run folder (`nccl_trace_rank_<R>`, written on a watchdog
 * timeout; the launcher sets the prefix, runs/plan.ts), each rank's last enqueued and last completed
 * collective. Read with shared/stacks/pickle.ts, plain data only: the folder may be someone else's.
 * A file that is too large, torn or not a dump is left out; never throws.
 */
export async function readFlight(dir: string): Promise<FlightRank[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => flightRankOf(n) !== null).sort();
  const out: FlightRank[] = [];
  for (const name of names.slice(0, MAX_DUMPS)) {
    const file = join(dir, name);
    const bytes = await readRegularFile(file, MAX_DUMP_BYTES);
    if (!bytes) continue;
    let data: unknown;
    try {
      data = parsePickle(bytes);
    } catch {
      continue;
    }
    const s = summarizeFlight(flightRankOf(name)!, file, data);
    if (s) out.push(s);
  }
  return out.sort((a, b) => a.rank - b.rank);
}
