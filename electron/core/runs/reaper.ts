import type { LeftoverRun, RunRecord } from '../../../shared/run/types';
import type { RunRecords } from './records';
import { isAlive, pidsWithRunId, provenOwn } from './proc';
import { teardown } from './teardown';
import { sweepNodes } from '../nodes/reap';

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
  if (await provenOwn(rec.pid, rec.procStartTime, rec.runId)) pids.add(rec.pid!);
  // Companion services (companions.ts) run beside torchrun, outside its group: proven the same way.
  for (const c of rec.companions ?? []) if (await provenOwn(c.pid, c.startTime, rec.runId)) pids.add(c.pid!);
  for (const p of await pidsWithRunId(rec.runId)) pids.add(p);
  return [...pids].sort((a, b) => a - b);
}

/** Runs of a dead launcher that may still have processes: active ones, and interrupted ones not yet found empty. */
const mayHaveLeftovers = (rec: RunRecord) => ACTIVE.has(rec.status) || (rec.status === 'interrupted' && !rec.interruption?.noProcessesLeft);

/**
 * Leftovers among `records`, skipping runs this process is managing (`ours`). Reading the records
 * already turned runs of a dead launcher `interrupted` (records.ts); one with no process left is
 * marked so, and later scans skip it.
 */
export async function findLeftovers(records: RunRecords, ours: Set<string>): Promise<LeftoverRun[]> {
  const out: LeftoverRun[] = [];
  for (const rec of records.list()) {
    if (!mayHaveLeftovers(rec) || ours.has(rec.runId)) continue;
    if (await launcherAlive(rec)) continue;
    const pids = await provenPids(rec);
    if (pids.length) {
      out.push({ runId: rec.runId, pids, startedAt: rec.startedAt, argv: rec.plan.argv });
    } else if (rec.status === 'interrupted' && rec.interruption) {
      records.save({ ...rec, interruption: { ...rec.interruption, noProcessesLeft: true } });
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
    // teardown proves the group again itself (the agent may be gone and its group id reused).
    const report = await teardown({
      runId: rec.runId,
      pid: proven ? rec.pid : null,
      pgid: rec.pgid,
      startTime: rec.procStartTime,
      graceMs: 3000,
    });
    // `stopped` by this launcher; `interruption` still says the first one died.
    records.save({ ...rec, status: 'stopped', endedAt: new Date().toISOString(), teardown: report });
    stopped.push(rec.runId);
  }
  // Multi-node runs: their processes live on other machines, out of the local sweep's sight.
  for (const rec of records.list()) {
    if (!rec.spec.nodes?.length || ours.has(rec.runId) || (runIds && !runIds.includes(rec.runId))) continue;
    // `noProcessesLeft` speaks of this machine only, so any interrupted multi-node run is asked again.
    if (!stopped.includes(rec.runId) && ((!ACTIVE.has(rec.status) && rec.status !== 'interrupted') || (await launcherAlive(rec)))) continue;
    const swept = await sweepNodes(rec);
    if (swept.some((n) => n.killed.length) && !stopped.includes(rec.runId)) {
      records.save({ ...rec, status: 'stopped', endedAt: rec.endedAt ?? new Date().toISOString() });
      stopped.push(rec.runId);
    }
  }
  return { stopped };
}
