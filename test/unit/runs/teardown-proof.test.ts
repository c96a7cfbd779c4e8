import { afterEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { killRunNow, teardown } from '../../../electron/core/runs/teardown';
import { groupMembers, isAlive, pidsWithRunId, procStartTimeSync, provenGroup, provenOwn, signalQuiet, sleep } from '../../../electron/core/runs/proc';
import { newRunId } from '../../../electron/core/runs/run-id';

/**
 * Teardown signals only what it has proven to be the run's own (pid + start time + LAL_RUN_ID; a
 * group through its leader or, once the agent is gone, its members), with real processes: a
 * stranger under a recorded pid or group id must survive every path, including an agent that
 * already exited and a second Ctrl-C.
 */
const started: number[] = [];

/** A detached `sh -c script` (its own session and group), with LAL_RUN_ID when `runId` is given. */
function group(script: string, runId?: string) {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  if (runId) env.LAL_RUN_ID = runId;
  const child = execa('sh', ['-c', script], { detached: true, reject: false, stdio: 'ignore', cleanup: false, env, extendEnv: false });
  started.push(child.pid!);
  return child;
}

async function waitFor(cond: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await cond()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

afterEach(async () => {
  // Only what this file started: each group by the id we got at spawn.
  for (const pgid of started.splice(0)) {
    for (const m of await groupMembers(pgid)) signalQuiet(m.pid, 'SIGKILL');
    signalQuiet(pgid, 'SIGKILL');
  }
});

describe('teardown proves ownership before any signal', () => {
  it('leaves a stranger alone when the record names its pid and group with its real start time', async () => {
    const runId = newRunId();
    const stranger = group('sleep 30 & wait');
    await waitFor(async () => (await groupMembers(stranger.pid!)).length === 2, 'the stranger group');
    const report = await teardown({ runId, pid: stranger.pid!, pgid: stranger.pid!, startTime: procStartTimeSync(stranger.pid!), graceMs: 200, sweepMs: 100 });
    expect(report.steps).toEqual([]);
    expect(await isAlive(stranger.pid!)).toBe(true);
    expect((await groupMembers(stranger.pid!)).length).toBe(2);
  });

  it('refuses a pid whose start time or run id does not match', async () => {
    const runId = newRunId();
    const agent = group('exec sleep 30', runId);
    await waitFor(async () => (await pidsWithRunId(runId)).length === 1, 'the agent');
    const st = procStartTimeSync(agent.pid!);
    expect(await provenOwn(agent.pid!, st, runId)).toBe(true);
    expect(await provenOwn(agent.pid!, String(Number(st) + 1), runId)).toBe(false);
    expect(await provenOwn(agent.pid!, null, runId)).toBe(false);
    expect(await provenOwn(agent.pid!, st, newRunId())).toBe(false);
    expect(await provenGroup(agent.pid!, String(Number(st) + 1), runId)).toBe(false);
    expect(await provenGroup(agent.pid!, st, runId)).toBe(true);
    expect(await provenGroup(process.pid, st, runId)).toBe(false);
    expect(await provenGroup(1, st, runId)).toBe(false);
  });

  it('after the agent exited, kills its group through a member that carries the run id (even members that dropped it)', async () => {
    const runId = newRunId();
    // The "agent" leaves two processes in its group and exits; one cleared its environment.
    const agent = group('sleep 300 & env -i sleep 301 & exit 0', runId);
    const agentStart = procStartTimeSync(agent.pid!);
    await agent;
    await waitFor(async () => (await groupMembers(agent.pid!)).length === 2, 'the orphaned group');
    const members = await groupMembers(agent.pid!);
    expect(await provenGroup(agent.pid!, agentStart, runId)).toBe(true);
    const report = await teardown({ runId, pid: null, pgid: agent.pid!, startTime: agentStart, agentGone: true, graceMs: 0, sweepMs: 500 });
    expect(report.steps.map((s) => s.action)).toContain('sigkill-group');
    await waitFor(async () => !(await Promise.all(members.map((m) => isAlive(m.pid)))).some(Boolean), 'the group to die');
  });

  it('after the agent exited, leaves a group whose members are all strangers', async () => {
    const runId = newRunId();
    const stranger = group('sleep 302 & exit 0');
    const st = procStartTimeSync(stranger.pid!);
    await stranger;
    await waitFor(async () => (await groupMembers(stranger.pid!)).length === 1, 'the stranger group');
    const report = await teardown({ runId, pid: null, pgid: stranger.pid!, startTime: st, agentGone: true, graceMs: 0, sweepMs: 100 });
    expect(report.steps).toEqual([]);
    expect((await groupMembers(stranger.pid!)).length).toBe(1);
  });

  it('refuses a group with a member older than the agent (the group id was someone else\'s first)', async () => {
    const runId = newRunId();
    const g = group('sleep 303 & exit 0', runId);
    const st = procStartTimeSync(g.pid!);
    await g;
    await waitFor(async () => (await groupMembers(g.pid!)).length === 1, 'the orphaned group');
    // A record claiming an agent that started well after this group's member did.
    expect(await provenGroup(g.pid!, String(Number(st) + 100_000), runId)).toBe(false);
    expect(await provenGroup(g.pid!, st, runId)).toBe(true);
  });

  it('a second Ctrl-C (killRunNow) kills only proven processes, and is safe to repeat after teardown', async () => {
    const runId = newRunId();
    const agent = group('trap "" TERM; sleep 300 & setsid sleep 301 & wait', runId);
    await waitFor(async () => (await pidsWithRunId(runId)).length === 3, 'the run');
    const rec = { runId, pid: agent.pid!, pgid: agent.pid!, procStartTime: procStartTimeSync(agent.pid!) };
    const stranger = group('sleep 30 & wait');
    await waitFor(async () => (await groupMembers(stranger.pid!)).length === 2, 'the stranger group');

    const hit = await killRunNow(rec);
    expect(hit).toContain(-agent.pid!);
    await agent;
    await waitFor(async () => (await pidsWithRunId(runId)).length === 0, 'the run to die');
    // Again, now that the agent is gone; then with the record pointing at the stranger's group.
    expect(await killRunNow(rec)).toEqual([]);
    expect(await killRunNow({ ...rec, pid: stranger.pid!, pgid: stranger.pid! })).toEqual([]);
    expect(await killRunNow({ ...rec, pid: null, pgid: stranger.pid! })).toEqual([]);
    expect((await groupMembers(stranger.pid!)).length).toBe(2);
  });
});
