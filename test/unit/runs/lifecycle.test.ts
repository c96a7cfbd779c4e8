import { describe, expect, it } from 'vitest';
import { RankProcess } from '../../../electron/core/runs/lifecycle';
import type { TeardownOptions } from '../../../electron/core/runs/teardown';
import type { TeardownReport } from '../../../shared/run/types';

const report = (tag: string) => ({ steps: [{ step: tag }] }) as unknown as TeardownReport;
const ids = { pid: 4242, pgid: 4242, procStartTime: '987' };
const evidence = { knownPids: [5, 6], computeApps: null };

describe('lifecycle: stop and the sweep after exit', () => {
  it('a stop tears down the agent with its proofs and grace, once; finish returns that report', async () => {
    const calls: TeardownOptions[] = [];
    const p = new RankProcess('r1', { graceMs: 1234, teardown: async (o) => (calls.push(o), report('stop')) });
    expect(p.stopRequested).toBe(false);
    p.stop(ids, evidence);
    p.stop(ids, { knownPids: [], computeApps: null });
    expect(p.stopRequested).toBe(true);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ runId: 'r1', pid: 4242, pgid: 4242, startTime: '987', graceMs: 1234, knownPids: [5, 6], computeApps: null });
    expect(await p.finish(ids, evidence)).toEqual(report('stop'));
    expect(calls).toHaveLength(1);
  });

  it('without a stop, finish sweeps with the agent known gone: no pid to signal, no grace', async () => {
    const calls: TeardownOptions[] = [];
    const p = new RankProcess('r2', { teardown: async (o) => (calls.push(o), report('sweep')) });
    expect(await p.finish(ids, evidence)).toEqual(report('sweep'));
    expect(calls[0]).toMatchObject({ runId: 'r2', pid: null, pgid: 4242, startTime: null, agentGone: true, graceMs: 0, knownPids: [5, 6] });
  });

  it('the default grace is 3 s', () => {
    const calls: TeardownOptions[] = [];
    new RankProcess('r3', { teardown: async (o) => (calls.push(o), report('x')) }).stop(ids, evidence);
    expect(calls[0].graceMs).toBe(3000);
  });
});

describe('lifecycle: spawn', () => {
  it('hands on every console byte from both streams and reports the exit code; ids are the detached group', async () => {
    const p = new RankProcess('r4', { pdeathsig: false });
    const bytes: string[] = [];
    const exit = new Promise<unknown>((resolve) => {
      const got = p.spawn(
        { argv: [process.execPath, '-e', 'process.stdout.write("out\\u00e9"); process.stderr.write("err"); process.exit(3)'], env: {}, cwd: process.cwd() },
        (_raw, text) => bytes.push(text),
        resolve,
      );
      expect(got.pid).toBeGreaterThan(1);
      expect(got.pgid).toBe(got.pid);
    });
    expect(await exit).toEqual({ exitCode: 3, signal: null, spawnError: null });
    expect(bytes.join('').split('').sort().join('')).toBe('outéerr'.split('').sort().join(''));
  });

  it('a spawn that cannot start has no pid to signal and reports why', async () => {
    const p = new RankProcess('r5', { pdeathsig: false });
    const exit = new Promise<{ spawnError: string | null }>((resolve) => {
      const got = p.spawn({ argv: ['/nonexistent/torchrun'], env: {}, cwd: process.cwd() }, () => undefined, resolve);
      expect(got).toEqual({ pid: null, pgid: null, procStartTime: null });
    });
    expect((await exit).spawnError).toMatch(/nonexistent/);
  });
});
