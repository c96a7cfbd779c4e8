import { readFile, readdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';

/**
 * Linux /proc helpers for proving which processes belong to a run. A pid alone can be reused; pid +
 * start time (/proc/<pid>/stat field 22, proc_pid_stat(5)) + LAL_RUN_ID in /proc/<pid>/environ is
 * proof (docs/upstream-notes.md §14.1 item 3). Other users' environ is unreadable, which is fine: we only
 * ever started processes as ourselves.
 */

/** Field 22 (starttime, clock ticks since boot). The comm field may contain spaces and ')' so split after the last ')'. */
export function parseStartTime(stat: string): string | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const rest = stat.slice(close + 2).split(' ');
  // rest[0] is field 3 (state), so field 22 is rest[19].
  return rest[19] ?? null;
}

export function parseStat(stat: string): { state: string; ppid: number; pgid: number; startTime: string | null } | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const rest = stat.slice(close + 2).split(' ');
  return { state: rest[0], ppid: Number(rest[1]), pgid: Number(rest[2]), startTime: rest[19] ?? null };
}

export function procStartTimeSync(pid: number): string | null {
  try {
    return parseStartTime(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

export async function procStat(pid: number) {
  try {
    return parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** Alive and not a zombie (a zombie holds no memory and cannot be killed further). */
export async function isAlive(pid: number, startTime?: string | null): Promise<boolean> {
  const st = await procStat(pid);
  if (!st || st.state === 'Z' || st.state === 'X') return false;
  return startTime ? st.startTime === startTime : true;
}

export async function environHas(pid: number, entry: string): Promise<boolean> {
  try {
    const buf = await readFile(`/proc/${pid}/environ`);
    const needle = Buffer.from(entry + '\0');
    const i = buf.indexOf(needle);
    // Must start an entry: at 0 or right after a NUL.
    return i === 0 || (i > 0 && buf.indexOf(Buffer.from('\0' + entry + '\0')) >= 0);
  } catch {
    return false;
  }
}

/** Every live process whose environment carries LAL_RUN_ID=<runId>, except ourselves. */
export async function pidsWithRunId(runId: string): Promise<number[]> {
  const entry = `LAL_RUN_ID=${runId}`;
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return [];
  }
  const pids = names.filter((n) => /^\d+$/.test(n)).map(Number).filter((p) => p !== process.pid);
  const hits = await Promise.all(pids.map(async (p) => ((await environHas(p, entry)) && (await isAlive(p)) ? p : 0)));
  return hits.filter((p) => p > 0).sort((a, b) => a - b);
}

/** The LAL_RUN_ID entry a process of this run carries. */
export const runIdEntry = (runId: string) => `LAL_RUN_ID=${runId}`;

/**
 * Proof that `pid` is this run's process and not a stranger that got its number: alive, the
 * recorded start time (field 22), and the run's LAL_RUN_ID in its environment. Without a recorded
 * start time there is no proof.
 */
export async function provenOwn(pid: number | null, startTime: string | null | undefined, runId: string): Promise<boolean> {
  if (!pid || !startTime || !Number.isSafeInteger(pid) || pid <= 1) return false;
  return (await isAlive(pid, startTime)) && (await environHas(pid, runIdEntry(runId))) && (await isAlive(pid, startTime));
}

/** Every live process whose process group is `pgid`, with its start time. */
export async function groupMembers(pgid: number): Promise<{ pid: number; startTime: string | null }[]> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return [];
  }
  const out: { pid: number; startTime: string | null }[] = [];
  await Promise.all(
    names
      .filter((n) => /^\d+$/.test(n))
      .map(async (n) => {
        const st = await procStat(Number(n));
        if (st && st.pgid === pgid && st.state !== 'Z' && st.state !== 'X') out.push({ pid: Number(n), startTime: st.startTime });
      }),
  );
  return out.sort((a, b) => a.pid - b.pid);
}

/**
 * Proof that process group `pgid` is the one this run's agent made (the agent runs detached, so its
 * group id is its pid), before a signal goes to the whole group:
 * - the leader still lives: it must be proven ours (pid + start time + LAL_RUN_ID);
 * - the leader is gone (the agent exited, or a second Ctrl-C after the first teardown): a group id
 *   stays taken while any member lives, so the group is ours when a member carries our LAL_RUN_ID
 *   and no member started before the agent did (a group made by someone who later got the agent's
 *   number would hold only strangers). Without the agent's start time every member must carry it.
 * An empty group, or any doubt, is no proof: then only individually proven processes are signalled.
 */
export async function provenGroup(pgid: number | null, agentStartTime: string | null | undefined, runId: string): Promise<boolean> {
  if (!pgid || !Number.isSafeInteger(pgid) || pgid <= 1 || pgid === process.pid) return false;
  const leader = await procStat(pgid);
  if (leader && leader.state !== 'Z' && leader.state !== 'X') return provenOwn(pgid, agentStartTime, runId);
  const members = await groupMembers(pgid);
  if (!members.length) return false;
  const carries = await Promise.all(members.map((m) => environHas(m.pid, runIdEntry(runId))));
  if (!carries.some(Boolean)) return false;
  if (!agentStartTime) return carries.every(Boolean);
  const t0 = Number(agentStartTime);
  return members.every((m) => m.startTime !== null && Number(m.startTime) >= t0);
}

/** SIGKILL (or `sig`) to each process of the run, re-checking its start time right before the signal. */
export async function signalRunProcesses(runId: string, sig: NodeJS.Signals = 'SIGKILL'): Promise<number[]> {
  const hit: number[] = [];
  for (const pid of await pidsWithRunId(runId)) {
    const st = procStartTimeSync(pid);
    if (st && (await isAlive(pid, st)) && (await environHas(pid, runIdEntry(runId))) && signalQuiet(pid, sig)) hit.push(pid);
  }
  return hit;
}

export async function cmdline(pid: number): Promise<string[] | null> {
  try {
    const buf = await readFile(`/proc/${pid}/cmdline`);
    const parts = buf.toString('utf8').split('\0');
    if (parts[parts.length - 1] === '') parts.pop();
    return parts;
  } catch {
    return null;
  }
}

/**
 * Signal one process (pid > 0) or one process group (pid < 0). Refuses 0, ±1 and non-integers:
 * kill(0) is our own group and kill(-1) is every process we may signal, which a bad record or a
 * failed spawn must never turn into.
 */
export function signalQuiet(pid: number, sig: NodeJS.Signals): boolean {
  if (!Number.isSafeInteger(pid) || Math.abs(pid) <= 1) return false;
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
