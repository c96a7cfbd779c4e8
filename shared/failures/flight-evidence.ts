import type { FlightRank } from '../stacks/types';
import type { Diagnosis } from './types';

/** The env settings that turn the flight recorder on: pointless to suggest once its dumps exist. */
const RECORDER_ENV = new Set(['TORCH_NCCL_TRACE_BUFFER_SIZE', 'TORCH_NCCL_DUMP_ON_TIMEOUT']);
/** Point-to-point ops count per pair of ranks, so their sequence numbers cannot be compared across ranks. */
const P2P = /(^|:)(send|recv)$/;

/**
 * What the NCCL flight recorder says about a watchdog timeout (the dumps torch writes per rank when
 * it fires), added to the NCCL_WATCHDOG_TIMEOUT diagnoses as fields: how many ranks dumped; the
 * ranks whose last enqueued collective is older than the others' (they never reached it); or that
 * every rank enqueued the same one and none finished. When the logs named no rank that fell behind
 * (a torch that prints no "last enqueued" line, or every rank reporting alike) and the dumps do,
 * that rank becomes the laggard. The logs' own laggard is never overridden: both come from torch's
 * same counters, and the logs are what the user can read.
 */
export function withFlightRecorder(diagnoses: Diagnosis[], flight: FlightRank[]): Diagnosis[] {
  if (!flight.length || !diagnoses.some((d) => d.code === 'NCCL_WATCHDOG_TIMEOUT')) return diagnoses;
  const facts = flightFacts(flight);
  return diagnoses.map((d) => {
    if (d.code !== 'NCCL_WATCHDOG_TIMEOUT') return d;
    const fields: Record<string, string | number> = { ...(d.fields ?? {}), flightRanks: flight.length };
    let rank = d.rank;
    if (facts) {
      fields.flightOp = facts.op;
      fields.flightSeq = facts.seq;
      if (facts.behind.length) fields.flightBehind = facts.behind.join(',');
      else if (facts.noneFinished && flight.length > 1) fields.flightAllEnqueued = flight.length;
      if (facts.behind.length && fields.laggard === undefined) {
        const lag = facts.behind[0];
        fields.laggard = lag;
        const enq = flight.find((f) => f.rank === lag)?.lastEnqueued?.seq;
        if (enq !== null && enq !== undefined) fields.laggardEnqueued = enq;
        delete fields.lookAt;
        rank = lag;
      }
    }
    const fixes = d.fixes?.filter((f) => !(f.kind === 'env' && RECORDER_ENV.has(f.name)));
    const { fixes: _old, ...rest } = d;
    return { ...rest, rank, fields, ...(fixes?.length ? { fixes } : {}) };
  });
}

interface FlightFacts {
  op: string;
  seq: number;
  /** Ranks whose last enqueued collective is older than `seq`, ascending. */
  behind: number[];
  /** No rank's last completed collective reached `seq`. */
  noneFinished: boolean;
}

/**
 * The newest collective any rank enqueued, and who never enqueued it. Null when the dumps cannot be
 * compared: a rank's last op is a send/recv, the ranks' last ops are in different process groups,
 * or a dump has no sequence number.
 */
function flightFacts(flight: FlightRank[]): FlightFacts | null {
  const last = flight.map((f) => ({ rank: f.rank, e: f.lastEnqueued }));
  if (last.some((l) => !l.e || l.e.seq === null || P2P.test(l.e.op))) return null;
  if (new Set(last.map((l) => l.e!.pg)).size > 1) return null;
  const newest = last.reduce((a, b) => (b.e!.seq! > a.e!.seq! ? b : a));
  const behind = last.filter((l) => l.e!.seq! < newest.e!.seq!).map((l) => l.rank).sort((a, b) => a - b);
  const seq = newest.e!.seq!;
  const noneFinished = flight.every((f) => f.lastCompleted?.seq === null || f.lastCompleted?.seq === undefined || f.lastCompleted.seq < seq);
  return { op: newest.e!.op, seq, behind, noneFinished };
}
