import { describe, expect, it } from 'vitest';
import { chmodSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execaSync } from 'execa';
import { NodesGpuSampler } from '../../../electron/core/nodes/gpu-sampler';
import type { GpuSample, RunEvent } from '../../../shared/run/types';
import type { RunSpec } from '../../../shared/run/types';
import { repoRoot, tempDir } from '../../support/temp';
import { SYS_PYTHON, coreOnNet, namespacesUsable, testNet } from './netns';

/**
 * GPUs on the nodes (issue 18 §2, §3): the per-GPU memory check of the preflight and GPU samples
 * from every node. The nodes are network namespaces without GPUs; each gets the repo's fake
 * nvidia-smi (test/support/fake-nvidia-smi) on its PATH through its node interpreter, with a state
 * file that says how much memory other processes hold on each of its cards.
 */
const usable = namespacesUsable();
const title = usable.ok ? 'GPUs on the nodes (network namespaces, fake nvidia-smi)' : `GPUs on the nodes — SKIPPED: cannot create network namespaces here (${usable.why})`;
// Its own machines (lalg-n0, lalg-n1 on 10.231.2.0/24): other multi-node suites may run at the same time.
const net = testNet('lalg', 2, '/tmp/lal-netns-gpu');

describe.skipIf(!usable.ok)(title, () => {
  const dir = tempDir('lal-gpu-nodes-');
  const core = coreOnNet(net, dir, { n: 2, sshConfig: () => net.sshConfig });

  /** A node interpreter whose PATH finds the fake nvidia-smi (2 H200s, memory use from `state`). */
  const nodePython = (name: string, state: object): string => {
    const stateFile = join(dir.path, `${name}.smi.json`);
    writeFileSync(stateFile, JSON.stringify(state));
    const p = join(dir.path, `${name}-python`);
    const path = [join(repoRoot, 'test/support/fake-nvidia-smi'), dirname(process.execPath), '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(':');
    writeFileSync(p, `#!/bin/sh\nexport PATH='${path}' LAL_FAKE_SMI_STATE='${stateFile}' LAL_FAKE_SMI_GPUS=2\nexec ${SYS_PYTHON} "$@"\n`);
    chmodSync(p, 0o755);
    return p;
  };
  const spec = (n1State: object): RunSpec => ({
    recipe: 'rehearsal',
    mode: 'tpp-4gpu',
    settings: { device: 'cuda', scale: 'tiny' },
    nodes: [{ host: net.host(0), python: nodePython('n0', {}) }, { host: net.host(1), python: nodePython('n1', n1State) }],
  });
  const allowNodes = [net.host(0), net.host(1)];

  it('preflight: a GPU on the second node held by another process fails the memory check, naming node, GPU, rank and numbers, with a fix in en and zh', async () => {
    // GPU 1 of lalg-n1 has ~1.1 GiB free; the rehearsal on GPUs needs ~2.3 GiB per rank (the feasibility model).
    const s = spec({ gpus: { 1: { 'memory.used': 142000 } } });
    const en = await core().api.preflightNodes({ spec: s, allowNodes, lang: 'en' });
    expect(en.ok).toBe(false);
    const mem = en.checks.filter((c) => c.id === 'gpuMemory');
    expect(mem.map((c) => c.node)).toEqual([net.host(1)]);
    expect(mem[0].status).toBe('fail');
    expect(mem[0].message).toMatch(new RegExp(`^Node ${net.host(1)}, GPU 1 \\(NVIDIA H200\\): rank 3 needs about \\d+\\.\\d GiB but it has 1\\.\\d GiB free of 140\\.4 GiB \\(\\d+\\.\\d GiB short\\)\\.$`));
    expect(mem[0].fix).toContain(`Free that GPU on ${net.host(1)}`);
    // The first node's cards are free: said so, with the numbers.
    expect(en.checks.find((c) => c.id === 'gpuMemoryOk' && c.node === net.host(0))?.message).toMatch(/every GPU has room \(a rank needs up to \d+\.\d GiB; the least free is 139\.\d GiB\)/);
    expect(en.checks.find((c) => c.id === 'gpuCount')).toBeUndefined();
    const zh = await core().api.preflightNodes({ spec: s, allowNodes, lang: 'zh-CN' });
    const zmem = zh.checks.find((c) => c.id === 'gpuMemory');
    expect(zmem?.message).toContain(`节点 ${net.host(1)} 的 GPU 1`);
    expect(zmem?.fix).toContain('nvidia-smi');
  }, 120_000);

  it('startRun refuses with the same result before anything starts; with the card free the memory check passes', async () => {
    const s = spec({ gpus: { 1: { 'memory.used': 142000 } } });
    const err = (await core().api.startRun({ spec: s, allowNodes, lang: 'en' }).then(
      () => ({ code: 'STARTED', message: '' }),
      (e: { error: { code: string; message: string } }) => e.error,
    ));
    expect(err).toMatchObject({ code: 'UNAVAILABLE' });
    expect(err.message).toMatch(new RegExp(`Node ${net.host(1)}, GPU 1 \\(NVIDIA H200\\): rank 3 needs about`));
    expect((await core().api.listRuns(undefined as never)).length).toBe(0);
    const ok = await core().api.preflightNodes({ spec: spec({}), allowNodes, lang: 'en' });
    expect(ok.checks.filter((c) => c.id === 'gpuMemory')).toEqual([]);
    expect(ok.checks.filter((c) => c.id === 'gpuMemoryOk').map((c) => c.node)).toEqual([net.host(0), net.host(1)]);
  }, 120_000);
  it('GPU samples from every node over ssh, tagged with the node; stopping leaves no nvidia-smi on any node', async () => {
    const nodes = [
      { name: net.host(0), host: net.host(0), python: nodePython('s0', { gpus: { 0: { 'memory.used': 50000, 'utilization.gpu': 97 } } }) },
      { name: net.host(1), host: net.host(1), python: nodePython('s1', { gpus: { 1: { 'memory.used': 70000, 'utilization.gpu': 55 } } }) },
    ];
    const got: GpuSample[][] = [];
    const sampler = new NodesGpuSampler({ nodes, ssh: { config: net.sshConfig }, intervalMs: 300, onSamples: (s) => got.push(s) });
    sampler.start();
    const seen = () => new Set(got.flat().map((s) => s.node));
    const end = Date.now() + 30_000;
    while (seen().size < 2 || got.length < 4) {
      if (Date.now() > end) throw new Error(`samples from ${[...seen()].join(', ') || 'no node'} only`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // Each tick is one node's GPUs, all tagged with that node and its place in the run.
    for (const tick of got) {
      expect(new Set(tick.map((s) => s.node)).size).toBe(1);
      expect(tick.map((s) => s.index)).toEqual([0, 1]);
      expect(tick[0].nodeIndex).toBe(tick[0].node === net.host(0) ? 0 : 1);
    }
    const latest = sampler.latest();
    expect(latest.find((s) => s.node === net.host(0) && s.index === 0)).toMatchObject({ memoryUsedMiB: 50000, memoryTotalMiB: 143771, utilizationPct: 97 });
    expect(latest.find((s) => s.node === net.host(1) && s.index === 1)).toMatchObject({ memoryUsedMiB: 70000, utilizationPct: 55 });
    expect(sampler.peaks()).toMatchObject({ [`${net.host(0)}/0`]: 50000, [`${net.host(1)}/1`]: 70000 });
    sampler.stop();
    await sampler.closed();
    // Nothing of the sampler left inside either node.
    const left = async () => {
      const out: string[] = [];
      for (const ns of [net.host(0), net.host(1)]) {
        const pids = String(execaSync('ip', ['netns', 'pids', ns], { reject: false }).stdout).split('\n').filter(Boolean);
        for (const pid of pids) {
          const cmd = String(execaSync('cat', [`/proc/${pid}/cmdline`], { reject: false }).stdout).replace(/\0/g, ' ');
          if (/nvidia-smi/.test(cmd)) out.push(`${ns}: ${cmd}`);
        }
      }
      return out;
    };
    const until = Date.now() + 10_000;
    let rest = await left();
    while (rest.length && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 250));
      rest = await left();
    }
    expect(rest).toEqual([]);
  }, 60_000);
  it('a GPU run across the nodes streams gpu events from both nodes, tagged with their node (the run itself fails here: the nodes have no CUDA)', async () => {
    const events: RunEvent[] = [];
    const off = core().events.on('runEvent', (e) => events.push(e));
    try {
      const { runId } = await core().api.startRun({ spec: { ...spec({}), settings: { device: 'cuda', scale: 'tiny', num_clip: 1 } }, allowNodes, lang: 'en' });
      const end = Date.now() + 120_000;
      while (!events.some((e) => e.type === 'exit' && e.runId === runId)) {
        if (Date.now() > end) throw new Error('the run did not end');
        await new Promise((r) => setTimeout(r, 250));
      }
      const samples = events.flatMap((e) => (e.type === 'gpu' && e.runId === runId ? e.samples : []));
      expect(new Set(samples.map((x) => x.node))).toEqual(new Set([net.host(0), net.host(1)]));
      const { record } = await core().api.getRun({ runId });
      expect(Object.keys(record.peaksMiB)).toEqual(expect.arrayContaining([`${net.host(0)}/0`, `${net.host(1)}/1`]));
    } finally {
      off();
    }
  }, 180_000);
});
