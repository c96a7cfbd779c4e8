/**
 * Preflight of a multi-node run, judged from what each node reported (pure: the probing is in
 * electron/core/nodes/preflight.ts). Each check names its node and carries a fix in en and zh
 * (shared/i18n/locales/nodes.ts, `preflight.<id>`), because a run across machines fails in ways
 * that one machine never shows: a node that cannot be reached, different torch or NCCL builds, a
 * rendezvous port that is taken or filtered, a host name one node cannot resolve, the wrong
 * interface for NCCL/gloo, a tiny /dev/shm, a clock far off.
 */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface PreflightCheck {
  id: string;
  /** The node's name (logs/<node>/), or null for a check about all of them. */
  node: string | null;
  status: CheckStatus;
  vars: Record<string, string | number>;
}

/** What lal_node_probe.py prints for one node. */
export interface NodeFacts {
  hostname: string;
  python: string;
  executable: string;
  torch: string | null;
  torchError?: string;
  cuda?: boolean;
  nccl?: string | null;
  /** From nvidia-smi on the node where it has one (gpuSource), else from torch. */
  gpus?: { index?: number; name: string; totalBytes: number; freeBytes: number | null }[];
  gpuSource?: 'nvidia-smi';
  resolved: string[];
  resolveError?: string;
  route: string | null;
  interfaces: string[];
  ifnamesMissing: string[];
  shmBytes: number | null;
  diskFreeBytes: number;
  time: number;
  checkoutMissing?: boolean;
}

export interface NodeProbe {
  name: string;
  host: string;
  /** Ranks this node will run. */
  ranks: number;
  /** ssh failed: its exit code and last stderr line. */
  sshError?: { code: number | null; stderr: string };
  facts?: NodeFacts;
  /** Seconds the node's clock is ahead of the launcher's (negative: behind). */
  clockOffsetSec?: number;
  /** Connect to the rendezvous port from this node. */
  reach?: { ok: boolean; error?: string };
}

export interface PreflightInput {
  nodes: NodeProbe[];
  rdzvHost: string;
  /** The listener on the first node: the port it holds, or busy. */
  port: { port: number; free: boolean } | null;
  /** GPUs needed (device is not cpu). */
  needsGpus: boolean;
  /** Bytes one rank needs on its GPU, when the feasibility model knows (every rank alike). */
  perRankBytes?: number | null;
  /** Bytes each rank needs, by global rank (node i runs ranks rankBase(i)…): the model's per-rank prediction. */
  rankBytes?: (number | null)[] | null;
  /** NCCL/GLOO_SOCKET_IFNAME the user set (one name for every node). */
  userIfname?: string | null;
}

export interface NodesPreflight {
  ok: boolean;
  checks: PreflightCheck[];
  port: number | null;
  /** Interface toward the rendezvous host, per node (for NCCL_SOCKET_IFNAME/GLOO_SOCKET_IFNAME). */
  ifnames: (string | null)[];
}

const GiB = 1024 ** 3;
export const SHM_MIN_BYTES = 1 * GiB;
export const DISK_MIN_BYTES = 5 * GiB;
export const CLOCK_MAX_SEC = 2;

export function judgePreflight(input: PreflightInput): NodesPreflight {
  const checks: PreflightCheck[] = [];
  const add = (id: string, node: string | null, status: CheckStatus, vars: Record<string, string | number> = {}) => checks.push({ id, node, status, vars });

  let rankBase = 0;
  for (const n of input.nodes) {
    const base = rankBase;
    rankBase += n.ranks;
    const v = { node: n.name, host: n.host };
    if (n.sshError) {
      const e = n.sshError.stderr;
      const id = /host key verification failed|no .* host key is known|REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(e)
        ? 'sshHostKey'
        : /permission denied/i.test(e)
          ? 'sshAuth'
          : n.sshError.code === 127 || /not found|no such file/i.test(e)
            ? 'pythonMissing'
            : 'sshUnreachable';
      add(id, n.name, 'fail', { ...v, error: e.slice(0, 300) });
      continue;
    }
    const f = n.facts;
    if (!f) continue;
    add('sshOk', n.name, 'ok', { ...v, hostname: f.hostname });
    if (!f.torch) add('torchMissing', n.name, 'fail', { ...v, python: f.executable, error: f.torchError ?? '' });
    if (f.checkoutMissing) add('checkoutMissing', n.name, 'fail', v);
    if (!f.resolved.length) add('resolve', n.name, 'fail', { ...v, rdzv: input.rdzvHost, error: f.resolveError ?? '' });
    if (input.userIfname) {
      if (f.ifnamesMissing.length) add('ifnameMissing', n.name, 'fail', { ...v, ifname: f.ifnamesMissing.join(','), interfaces: f.interfaces.join(', '), route: f.route ?? '?' });
    } else if (f.route) {
      add('route', n.name, 'ok', { ...v, ifname: f.route, rdzv: input.rdzvHost });
    } else if (f.resolved.length) {
      add('noRoute', n.name, 'warn', { ...v, rdzv: input.rdzvHost });
    }
    if (input.needsGpus) {
      const gpus = f.gpus ?? [];
      if (gpus.length < n.ranks) add('gpuCount', n.name, 'fail', { ...v, have: gpus.length, need: n.ranks });
      // Local rank j takes the node's GPU j: each GPU against the rank that will run on it.
      let worst: number | null = null;
      let most = 0;
      for (const [j, g] of gpus.slice(0, n.ranks).entries()) {
        const need = input.rankBytes?.[base + j] ?? input.perRankBytes;
        if (!need) continue;
        const free = g.freeBytes ?? g.totalBytes;
        most = Math.max(most, need);
        worst = worst === null ? free : Math.min(worst, free);
        if (free < need) {
          add('gpuMemory', n.name, 'fail', { ...v, rank: base + j, gpu: g.index ?? j, gpuName: g.name, needGiB: (need / GiB).toFixed(1), freeGiB: (free / GiB).toFixed(1), totalGiB: (g.totalBytes / GiB).toFixed(1), shortGiB: ((need - free) / GiB).toFixed(1) });
        }
      }
      if (worst !== null && !checks.some((c) => c.id === 'gpuMemory' && c.node === n.name)) {
        add('gpuMemoryOk', n.name, 'ok', { ...v, needGiB: (most / GiB).toFixed(1), freeGiB: (worst / GiB).toFixed(1) });
      }
    }
    if (f.shmBytes !== null && f.shmBytes < SHM_MIN_BYTES) add('shm', n.name, 'warn', { ...v, mib: Math.round(f.shmBytes / 1024 ** 2) });
    if (f.diskFreeBytes < DISK_MIN_BYTES) add('disk', n.name, 'warn', { ...v, gib: (f.diskFreeBytes / GiB).toFixed(1) });
    if (n.clockOffsetSec !== undefined && Math.abs(n.clockOffsetSec) > CLOCK_MAX_SEC) add('clock', n.name, 'warn', { ...v, sec: n.clockOffsetSec.toFixed(1) });
    if (n.reach && !n.reach.ok && input.port?.free) add('portBlocked', n.name, 'fail', { ...v, rdzv: input.rdzvHost, port: input.port.port, error: n.reach.error ?? '' });
  }

  const probed = input.nodes.filter((n) => n.facts);
  for (const key of ['torch', 'nccl', 'python'] as const) {
    const vals = new Map<string, string[]>();
    for (const n of probed) {
      const val = n.facts![key];
      if (val === undefined || val === null) continue;
      vals.set(val, [...(vals.get(val) ?? []), n.name]);
    }
    if (vals.size > 1) {
      const list = [...vals].map(([ver, names]) => `${names.join(', ')}: ${ver}`).join('; ');
      // Python minor versions may differ; torch and NCCL builds must match or collectives hang.
      add(key === 'python' ? 'pythonMismatch' : key === 'torch' ? 'torchMismatch' : 'ncclMismatch', null, key === 'python' ? 'warn' : 'fail', { versions: list });
    }
  }
  if (input.port && !input.port.free) add('portBusy', input.nodes[0]?.name ?? null, 'fail', { node: input.nodes[0]?.name ?? '', port: input.port.port });

  const ifnames = input.nodes.map((n) => (input.userIfname ? null : (n.facts?.route ?? null)));
  return { ok: !checks.some((c) => c.status === 'fail'), checks, port: input.port?.free ? input.port.port : null, ifnames };
}
