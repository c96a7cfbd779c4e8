import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { repoRoot, tempDir } from '../../support/temp';
import { pidsWithRunId } from '../../../electron/core/runs/proc';
import { preflightNodes } from '../../../electron/core/nodes/preflight';
import { describeChecks } from '../../../electron/core/nodes/describe';
import type { CoreContext } from '../../../electron/core/context';
import type { RunRecord, RunSpec } from '../../../shared/run/types';
import { SSH_CONFIG, SYS_PYTHON, inNode, namespacesUsable, netnsDown, netnsUp, otherTorchPython } from './netns';

/**
 * Issue 18 acceptance: runs across machines, with machines as network namespaces on this host
 * (own address, host name, sshd and PID namespace each). The launcher runs in its own PID namespace
 * too (`unshare --pid`), so its local clean-up cannot reach a node's processes: whatever is gone from
 * a node was stopped by the multi-node machinery itself, as on separate machines.
 * CPU gloo, the rehearsal at tiny scale, TPP 4 ranks = 2 per node.
 */
const usable = namespacesUsable();
const title = usable.ok ? 'multi-node over ssh (network namespaces)' : `multi-node over ssh — SKIPPED: cannot create network namespaces here (${usable.why})`;
const BASE = ['run', '--recipe', 'rehearsal', '--mode', 'tpp-4gpu', '--set', 'device=cpu', '--set', 'scale=tiny', '--set', `python=${SYS_PYTHON}`, '--node', 'lal-n0', '--node', 'lal-n1'];

describe.skipIf(!usable.ok)(title, () => {
  const dir = tempDir('lal-multinode-');
  const env = { LAL_DATA_DIR: dir.path, LAL_LANG: 'en', LAL_SSH_CONFIG: SSH_CONFIG, LAL_NO_PDEATHSIG: '' };
  const ctx = { resourcesDir: join(repoRoot, 'resources') } as CoreContext;
  const spec = (over: Partial<RunSpec> = {}): RunSpec => ({ recipe: 'rehearsal', mode: 'tpp-4gpu', settings: { device: 'cpu', scale: 'tiny' }, python: SYS_PYTHON, nodes: [{ host: 'lal-n0' }, { host: 'lal-n1' }], ...over });

  /** `lal` as a user runs it, in its own PID namespace (a machine apart from the nodes). */
  const lal = (args: string[], timeout = 240_000) =>
    execa('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', 'node', '--import', 'tsx', `${repoRoot}/electron/cli/main.ts`, ...args], {
      cwd: repoRoot,
      reject: false,
      timeout,
      env: { ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent-electron-dist', ...env },
    });
  const runIds = () => (existsSync(join(dir.path, 'runs')) ? readdirSync(join(dir.path, 'runs')).filter((d) => /^\d{8}-/.test(d)) : []);
  const record = (id: string) => JSON.parse(readFileSync(join(dir.path, 'runs', id, 'run.json'), 'utf8')) as RunRecord;
  const consoleOf = (id: string) => readFileSync(join(dir.path, 'runs', id, 'console.log'), 'utf8');
  /** Every process of the run, in any namespace (the root PID namespace sees them all). */
  const leftovers = async (id: string, waitMs = 0) => {
    const end = Date.now() + waitMs;
    for (;;) {
      const pids = await pidsWithRunId(id);
      if (!pids.length || Date.now() > end) return pids;
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const waitFor = async (what: string, ok: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  /** Some rank on the second node has printed a progress bar. */
  const rankProgress = (id: string) => {
    const d = join(dir.path, 'runs', id, 'logs', 'lal-n1', 'attempt_0');
    return existsSync(d) && readdirSync(d).some((r) => existsSync(join(d, r, 'stderr.log')) && /\d+%\|/.test(readFileSync(join(d, r, 'stderr.log'), 'utf8')));
  };
  const newRun = async (before: string[]) => {
    let id = '';
    await waitFor('the run folder', () => !!(id = runIds().find((r) => !before.includes(r)) ?? ''), 60_000);
    return id;
  };

  beforeAll(() => {
    const torch = execaSync(SYS_PYTHON, ['-c', 'import torch, torch.distributed.run'], { reject: false });
    if (torch.exitCode !== 0) throw new Error('torch is missing: apt-get install -y python3-torch python3-tqdm');
    netnsUp(2);
  }, 60_000);
  afterAll(() => {
    netnsDown();
    dir.remove();
  });

  it('a 2-node CPU rehearsal from `lal run --node` succeeds; every rank logs under logs/<node>/; nothing is left on any node', async () => {
    const r = await lal([...BASE, '--set', 'num_clip=2', '--json-events']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const id = runIds()[0];
    const rec = record(id);
    expect(rec.status).toBe('succeeded');
    const logs = join(dir.path, 'runs', id, 'logs');
    const ranks = ['lal-n0', 'lal-n1'].flatMap((n) => readdirSync(join(logs, n, 'attempt_0')).map(Number));
    expect(ranks.sort()).toEqual([0, 1, 2, 3]);
    const nodes = JSON.parse(readFileSync(join(dir.path, 'runs', id, 'nodes.json'), 'utf8')) as { nodes: { name: string; hostname: string; status: string; ranks: Record<string, number> }[] };
    expect(nodes.nodes.map((n) => [n.name, n.hostname, n.status])).toEqual([['lal-n0', 'lal-n0', 'succeeded'], ['lal-n1', 'lal-n1', 'succeeded']]);
    // Progress covered ranks of both nodes (the rehearsal draws bars on every DiT rank).
    const progressRanks = new Set(String(r.stdout).split('\n').filter((l) => l.includes('"type":"progress"')).map((l) => (JSON.parse(l) as { rank: number }).rank));
    expect([...progressRanks].some((k) => k >= 2)).toBe(true);
    // The plan: c10d rendezvous on the first node, the run id as rendezvous id, per-node interface.
    const cfg = JSON.parse(rec.plan.argv[3]) as { endpoint: string; nodes: { agent: { torchrunArgs: string[]; env: Record<string, string> } }[] };
    expect(cfg.endpoint).toMatch(/^lal-n0:295\d\d$/);
    expect(cfg.nodes[1].agent.torchrunArgs).toEqual(expect.arrayContaining(['--rdzv_backend', 'c10d', '--rdzv_id', id, '--nnodes', '2']));
    expect(cfg.nodes[1].agent.env.GLOO_SOCKET_IFNAME).toBe('eth0');
    expect(await leftovers(id)).toEqual([]);
  });

  it('preflight: a firewall rule on the rendezvous node blocks the port → fails naming the node that cannot connect, with the fix; nothing starts', async () => {
    inNode(0, ['nft', 'add', 'table', 'inet', 'laltest']);
    inNode(0, ['nft', 'add', 'chain', 'inet', 'laltest', 'input', '{ type filter hook input priority 0; }']);
    inNode(0, ['nft', 'add', 'rule', 'inet', 'laltest', 'input', 'iifname', 'eth0', 'tcp', 'dport', '29500-29519', 'drop']);
    try {
      const before = runIds();
      const r = await lal([...BASE, '--set', 'num_clip=1']);
      expect(r.exitCode).toBe(1);
      expect(String(r.stderr)).toMatch(/Node lal-n1: cannot connect to the rendezvous port lal-n0:295\d\d/);
      expect(String(r.stderr)).toMatch(/firewall/);
      expect(runIds()).toEqual(before);
    } finally {
      inNode(0, ['nft', 'delete', 'table', 'inet', 'laltest']);
    }
  });

  it('preflight: a wrong interface name (GLOO_SOCKET_IFNAME=eth9) fails on each node, naming the interfaces it has', async () => {
    const pf = await withSshConfig(() => preflightNodes(ctx, spec({ env: { GLOO_SOCKET_IFNAME: 'eth9' } })));
    expect(pf.ok).toBe(false);
    const bad = pf.checks.filter((c) => c.id === 'ifnameMissing');
    expect(bad.map((c) => c.node)).toEqual(['lal-n0', 'lal-n1']);
    const [en] = describeChecks(bad, 'en');
    expect(en.message).toContain('eth9');
    expect(en.message).toContain('eth0');
    expect(describeChecks(bad, 'zh-CN')[0].fix).toMatch(/网卡/);
  });

  it('preflight: a node whose python reports another torch version → torch mismatch naming both nodes and versions', async () => {
    const fake = otherTorchPython('2.4.1+cu121');
    const pf = await withSshConfig(() => preflightNodes(ctx, spec({ nodes: [{ host: 'lal-n0' }, { host: 'lal-n1', python: fake }] })));
    expect(pf.ok).toBe(false);
    const mm = pf.checks.find((c) => c.id === 'torchMismatch');
    expect(String(mm?.vars.versions)).toMatch(/lal-n0: 1\.13.*; lal-n1: 2\.4\.1\+cu121|lal-n1: 2\.4\.1\+cu121.*; lal-n0: 1\.13/);
  });

  it('preflight: an unknown host key is never accepted on the user\'s behalf → names the node and says how to consent once', async () => {
    // The same machines through a config whose known_hosts is empty, as for a user's first connection.
    const cfg = join(dir.path, 'ssh_config_unknown');
    writeFileSync(join(dir.path, 'known_hosts_empty'), '');
    writeFileSync(cfg, readFileSync(SSH_CONFIG, 'utf8').replace(/UserKnownHostsFile \S+/g, `UserKnownHostsFile ${join(dir.path, 'known_hosts_empty')}`).replace(/StrictHostKeyChecking yes/g, 'StrictHostKeyChecking ask'));
    const old = process.env.LAL_SSH_CONFIG;
    process.env.LAL_SSH_CONFIG = cfg;
    try {
      const pf = await preflightNodes(ctx, spec());
      expect(pf.ok).toBe(false);
      expect(pf.checks.filter((c) => c.id === 'sshHostKey').map((c) => c.node)).toEqual(['lal-n0', 'lal-n1']);
      expect(describeChecks(pf.checks.filter((c) => c.id === 'sshHostKey'), 'en')[0].fix).toMatch(/ssh lal-n0.*known_hosts/);
      expect(readFileSync(join(dir.path, 'known_hosts_empty'), 'utf8')).toBe('');
    } finally {
      if (old === undefined) delete process.env.LAL_SSH_CONFIG;
      else process.env.LAL_SSH_CONFIG = old;
    }
  });

  it('preflight: all good → the interface toward the rendezvous host per node, a free port, versions equal', async () => {
    const pf = await withSshConfig(() => preflightNodes(ctx, spec()));
    expect(pf.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(pf.ok).toBe(true);
    expect(pf.ifnames).toEqual(['eth0', 'eth0']);
    expect(pf.port).toBeGreaterThanOrEqual(29500);
  });

  it('a rank that hangs on one node: the stall names the stuck ranks with their nodes, stall_action=stop stops every node', async () => {
    const before = runIds();
    const r = await lal([...BASE, '--set', 'num_clip=3', '--set', 'inject=hang@2:1:3', '--set', 'stall_after_sec=8', '--set', 'stall_action=stop', '--json-events']);
    const id = runIds().find((x) => !before.includes(x))!;
    expect(r.exitCode).toBe(1);
    const stall = String(r.stdout).split('\n').filter((l) => l.includes('"type":"stall"')).map((l) => JSON.parse(l) as { ranks: number[]; nodes?: Record<string, string> })[0];
    expect(stall, String(r.stderr).slice(-1500)).toBeDefined();
    expect(stall.ranks).toContain(3);
    expect(Object.keys(stall.nodes ?? {}).sort()).toEqual(['0', '1', '2', '3']);
    for (const rank of stall.ranks) expect(['lal-n0', 'lal-n1']).toContain(stall.nodes?.[String(rank)]);
    expect(record(id).status).toBe('failed');
    expect(await leftovers(id, 5000)).toEqual([]);
  });

  it('Ctrl-C stops every node: exit 130, no process of the run left in any namespace', async () => {
    const before = runIds();
    const child = lal([...BASE, '--set', 'num_clip=400']);
    const id = await newRun(before);
    await waitFor('progress on the second node', () => rankProgress(id), 120_000);
    // SIGINT to lal itself (the launcher), as a terminal's Ctrl-C would.
    const lalPid = await findLal(id);
    process.kill(lalPid, 'SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(record(id).status).toBe('stopped');
    expect(await leftovers(id, 5000)).toEqual([]);
  });

  it('an agent SIGKILLed on one node: the run fails naming the lost node, the others are stopped, the node is swept, nothing left', async () => {
    const before = runIds();
    const child = lal([...BASE, '--set', 'num_clip=400']);
    const id = await newRun(before);
    await waitFor('progress on the second node', () => rankProgress(id), 120_000);
    const agent = agentPid('lal-n1');
    process.kill(agent, 'SIGKILL');
    const r = await child;
    expect(r.exitCode).toBe(1);
    const con = consoleOf(id);
    expect(con).toMatch(/LAL_NODE_LOST node=lal-n1 host=lal-n1 at=\S+/);
    expect(con).toMatch(/node lal-n1 swept/);
    expect(record(id).status).toBe('failed');
    expect(await leftovers(id, 5000)).toEqual([]);
  });

  it('a node whose link goes down mid-run: lost within seconds, named with the time; its own agent stops its ranks (no pings), nothing left', async () => {
    const before = runIds();
    const child = lal([...BASE, '--set', 'num_clip=400']);
    const id = await newRun(before);
    await waitFor('progress on the second node', () => rankProgress(id), 120_000);
    const t0 = Date.now();
    inNode(1, ['ip', 'link', 'set', 'eth0', 'down']);
    try {
      const r = await child;
      expect(r.exitCode).toBe(1);
      expect(Date.now() - t0).toBeLessThan(60_000);
      expect(consoleOf(id)).toMatch(/LAL_NODE_LOST node=lal-n1 host=lal-n1 at=\S+/);
      // The unreachable node stops itself: its agent hears no ping for 15 s.
      expect(await leftovers(id, 40_000)).toEqual([]);
    } finally {
      inNode(1, ['ip', 'link', 'set', 'eth0', 'up']);
    }
  });
});

/** preflightNodes in this process reads LAL_SSH_CONFIG like the launcher does. */
async function withSshConfig<T>(f: () => Promise<T>): Promise<T> {
  const old = process.env.LAL_SSH_CONFIG;
  process.env.LAL_SSH_CONFIG = SSH_CONFIG;
  try {
    return await f();
  } finally {
    if (old === undefined) delete process.env.LAL_SSH_CONFIG;
    else process.env.LAL_SSH_CONFIG = old;
  }
}

/** The pid (root namespace) of the `lal run` process whose record names this run. */
async function findLal(runId: string): Promise<number> {
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (cmd[0] === 'node' && cmd.includes(`${repoRoot}/electron/cli/main.ts`) && cmd.includes('run')) return Number(p);
    } catch {
      /* gone */
    }
  }
  throw new Error(`no lal process for ${runId}`);
}

/** The node agent's pid (root namespace view) inside namespace lal-nN. */
function agentPid(ns: string): number {
  const pids = String(execaSync('ip', ['netns', 'pids', ns]).stdout).split('\n').filter(Boolean).map(Number);
  for (const p of pids) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.includes('lal_node_agent.py') && cmd.includes('runpy')) return p;
    } catch {
      /* gone */
    }
  }
  throw new Error(`no node agent in ${ns}`);
}
