import type { LeftoverRun, RunRecord } from '../../../shared/run/types';
import type { RunRecords } from './records';
import { environHas, isAlive, pidsWithRunId } from './proc';
import { teardown } from './teardown';

/**
 * Runs whose launcher died (app crash, `kill -9` of lal, a closed terminal) can leave torchrun and
 * its workers holding GPUs and the rendezvous port. A process counts as a leftover of run X only
 * with proof: the recorded agent pid with the recorded start time and LAL_RUN_ID=X in its
 * environment, or any process carrying LAL_RUN_ID=X (a random id nobody else uses). A pid alone
 * never counts: pids are reused.
 */
const ACTIVE = new Set(['starting', 'running', 'stopping']);

export async function launcherAlive(rec: RunRecord): Promise<boolean> {
  if (!rec.launcherPid) return false;
  return isAlive(rec.launcherPid, rec.launcherStartTime ?? undefined);
}

export async function provenPids(rec: RunRecord): Promise<number[]> {
  const pids = new Set<number>();
  if (rec.pid && (await isAlive(rec.pid, rec.procStartTime)) && (await environHas(rec.pid, `LAL_RUN_ID=${rec.runId}`))) pids.add(rec.pid);
  for (const p of await pidsWithRunId(rec.runId)) pids.add(p);
  return [...pids].sort((a, b) => a - b);
}

/**
 * Leftovers among `records`, skipping runs this process is managing (`ours`). A run whose launcher
 * died and that has no process left is marked `lost` so lists stop showing it as running.
 */
export async function findLeftovers(records: RunRecords, ours: Set<string>): Promise<LeftoverRun[]> {
  const out: LeftoverRun[] = [];
  for (const rec of records.list()) {
    if (!ACTIVE.has(rec.status) || ours.has(rec.runId)) continue;
    if (await launcherAlive(rec)) continue;
    const pids = await provenPids(rec);
    if (pids.length) {
      out.push({ runId: rec.runId, pids, startedAt: rec.startedAt, argv: rec.plan.argv });
    } else {
      records.save({ ...rec, status: 'lost', endedAt: rec.endedAt ?? new Date().toISOString() });
    }
  }
  return out;
}

export async function reapLeftovers(records: RunRecords, ours: Set<string>, runIds?: string[]): Promise<{ stopped: string[] }> {
  const stopped: string[] = [];
  for (const left of await findLeftovers(records, ours)) {
    if (runIds && !runIds.includes(left.runId)) continue;
    const rec = records.get(left.runId);
    if (!rec) continue;
    const proven = rec.pid !== null && left.pids.includes(rec.pid);
    const report = await teardown({
      runId: rec.runId,
      pid: proven ? rec.pid : null,
      pgid: proven ? rec.pgid : null,
      startTime: rec.procStartTime,
      graceMs: 3000,
    });
    records.save({ ...rec, status: 'stopped', endedAt: new Date().toISOString(), teardown: report });
    stopped.push(rec.runId);
  }
  return { stopped };
}
