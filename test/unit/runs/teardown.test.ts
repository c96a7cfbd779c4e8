import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { teardown } from '../../../electron/core/runs/teardown';
import { pidsWithRunId, procStartTimeSync } from '../../../electron/core/runs/proc';
import { newRunId } from '../../../electron/core/runs/run-id';

/**
 * An "agent" that ignores SIGTERM (worst case) with a child in its group and an escaped process in
 * its own session (like torch 2.x workers): teardown must still leave nothing with the run id.
 */
describe('teardown order', () => {
  it('SIGTERM agent → SIGKILL group → sweep by LAL_RUN_ID → VRAM check', async () => {
    const runId = newRunId();
    const script = `trap '' TERM; sleep 300 & setsid sleep 301 & wait`;
    const agent = execa('sh', ['-c', script], { detached: true, reject: false, buffer: false, stdin: 'ignore', cleanup: false, env: { LAL_RUN_ID: runId } });
    for (let i = 0; i < 100 && (await pidsWithRunId(runId)).length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    const before = await pidsWithRunId(runId);
    expect(before.length).toBe(3);
    let calls = 0;
    const report = await teardown({
      runId,
      pid: agent.pid!,
      pgid: agent.pid!,
      startTime: procStartTimeSync(agent.pid!),
      graceMs: 300,
      knownPids: before,
      // First answer: a worker still holds memory; then it is released.
      computeApps: async () => (calls++ === 0 ? [{ pid: before[1], index: 0, usedMiB: 100 }] : []),
    });
    await agent;
    expect(report.steps.map((s) => s.action)).toEqual(['sigterm-agent', 'sigkill-group', 'sweep', 'verify-vram']);
    expect(report.remaining).toEqual([]);
    expect(report.vramReleased).toBe(true);
    expect(await pidsWithRunId(runId)).toEqual([]);
  });

  it('says "unknown" rather than "released" when nvidia-smi reports pids from another pid namespace', async () => {
    const report = await teardown({ runId: newRunId(), pid: null, pgid: null, startTime: null, computeApps: async () => [{ pid: 4_000_000, index: 0, usedMiB: 5 }], vramWaitMs: 0 });
    expect(report.vramReleased).toBeNull();
  });
});
