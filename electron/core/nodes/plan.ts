import { join, relative, isAbsolute } from 'node:path';
import { readdirSync } from 'node:fs';
import type { Recipe } from '../../../shared/recipes/types';
import type { RunPlan } from '../../../shared/run/types';
import { ApiFailure } from '../../../shared/api/result';
import { nodeNames, type NodeSpec } from '../../../shared/nodes/schema';
import type { BuiltPlan } from '../runs/plan';

/**
 * A multi-node run as one local process: `python3 resources/nodes/lal_nodes.py <config>`, which
 * opens one SSH connection per node and starts torchrun there with c10d rendezvous. The run
 * manager starts, watches and tears down that process exactly as it does a local torchrun, and
 * reads the rank logs it writes under `logs/<node>/attempt_<n>/<rank>/`.
 *
 * Paths inside the run folder and the launcher's resources become `{DIR}`, the node's own run
 * folder, which the node agent substitutes: a node needs none of this machine's paths.
 */
export interface NodesPlanInput {
  built: BuiltPlan;
  recipe: Recipe;
  nodes: NodeSpec[];
  runId: string;
  runDir: string;
  resourcesDir: string;
  /** Rendezvous port on the first node (preflight checks it is free there). */
  port: number;
  /** Local interpreter for the driver (standard library only). */
  localPython: string;
  /** `ssh -F FILE`: an ssh config other than the user's default (tests use their own). */
  sshConfig?: string | null;
  /** Per-node interface that routes to the rendezvous host (preflight), for NCCL/GLOO_SOCKET_IFNAME. */
  ifnames?: (string | null)[];
  /** Seconds the rendezvous waits for late nodes (torch's join_timeout). */
  joinTimeoutSec?: number;
  /** Extra ssh options, e.g. accepting a host key the user just approved. */
  sshOptions?: string[];
}

export interface NodeAgentConfig {
  runId: string;
  node: string;
  dir: string;
  cwd: string | null;
  torchrunArgs: string[];
  env: Record<string, string>;
  rankBase: number;
  graceSec: number;
  pingTimeoutSec: number;
}

export interface DriverConfig {
  runId: string;
  runDir: string;
  endpoint: string;
  files: [string, string][];
  sshOptions: string[];
  pingSec: number;
  nodes: { name: string; host: string; user?: string; port?: number; python?: string; agent: NodeAgentConfig }[];
}

export const DEFAULT_JOIN_TIMEOUT_SEC = 300;
/** The node's run folder: under the login's home, so nothing needs root or a shared file system. */
export const remoteRunDir = (runId: string) => `~/.cache/live-avatar-launcher/runs/${runId}`;

/** How many ranks each node runs: as given, else the mode's processes split evenly. */
export function ranksPerNode(nodes: NodeSpec[], total: number): number[] {
  if (nodes.every((n) => n.gpus !== undefined)) return nodes.map((n) => n.gpus!);
  const given = nodes.reduce((s, n) => s + (n.gpus ?? 0), 0);
  const open = nodes.filter((n) => n.gpus === undefined).length;
  const left = total - given;
  if (left <= 0 || left % open !== 0) {
    throw new ApiFailure({ code: 'BAD_INPUT', field: 'nodes', message: `this mode runs ${total} processes; give each node its count (--node HOST:N) so that they add up to ${total}` });
  }
  return nodes.map((n) => n.gpus ?? left / open);
}

export function buildNodesPlan(input: NodesPlanInput): { plan: RunPlan; driver: DriverConfig } {
  const { built, nodes, runDir, resourcesDir, runId } = input;
  const counts = ranksPerNode(nodes, built.nproc);
  const sum = counts.reduce((a, b) => a + b, 0);
  if (sum !== built.nproc) {
    throw new ApiFailure({ code: 'BAD_INPUT', field: 'nodes', message: `the nodes run ${sum} processes in all but mode ${built.mode.id} needs ${built.nproc}` });
  }
  const names = nodeNames(nodes);
  const toRemote = (s: string) => s.split(runDir).join('{DIR}').split(resourcesDir).join('{DIR}');
  const at = built.plan.argv.indexOf(built.entry);
  const workloadArgs = built.plan.argv.slice(at + 1).map(toRemote);
  const env = Object.fromEntries(Object.entries(built.plan.env).map(([k, v]) => [k, toRemote(v)]));
  const endpoint = `${nodes[0].host.replace(/^\[|\]$/g, '')}:${input.port}`;

  const driverNodes = nodes.map((n, i) => {
    let entry: string;
    let cwd: string | null = null;
    if (built.entry.startsWith(resourcesDir + '/')) {
      entry = `{DIR}/${relative(resourcesDir, built.entry)}`;
    } else {
      const checkout = n.checkout ?? built.spec.checkout;
      if (!checkout) throw new ApiFailure({ code: 'BAD_INPUT', field: `nodes.${i}.checkout`, message: `recipe ${input.recipe.id} needs the upstream code on every node: give node ${n.host} its checkout folder` });
      entry = isAbsolute(input.recipe.entry) ? input.recipe.entry : `${checkout}/${input.recipe.entry}`;
      if (input.recipe.needsCheckout) cwd = checkout;
    }
    const nodeEnv: Record<string, string> = { ...env, LAL_NODE: names[i] };
    const ifname = input.ifnames?.[i];
    // The user's own choice wins; otherwise the interface preflight found toward the rendezvous host.
    if (ifname && !('NCCL_SOCKET_IFNAME' in env)) nodeEnv.NCCL_SOCKET_IFNAME = ifname;
    if (ifname && !('GLOO_SOCKET_IFNAME' in env)) nodeEnv.GLOO_SOCKET_IFNAME = ifname;
    const torchrunArgs = [
      '--nnodes', String(nodes.length),
      '--nproc_per_node', String(counts[i]),
      '--node_rank', String(i),
      '--rdzv_backend', 'c10d',
      '--rdzv_endpoint', endpoint,
      '--rdzv_id', runId,
      // The launcher knows which node holds the store: saying so avoids torch guessing from host names.
      '--rdzv_conf', `join_timeout=${input.joinTimeoutSec ?? DEFAULT_JOIN_TIMEOUT_SEC},is_host=${i === 0 ? 1 : 0}`,
      '--max_restarts', '0',
      '--monitor_interval', '1',
      '--log_dir', '{DIR}/logs',
      '--redirects', '3',
      entry,
      ...workloadArgs,
    ];
    return {
      name: names[i],
      host: n.host,
      ...(n.user ? { user: n.user } : {}),
      ...(n.port ? { port: n.port } : {}),
      ...((n.python ?? built.spec.python) ? { python: n.python ?? built.spec.python } : {}),
      agent: {
        runId,
        node: names[i],
        dir: remoteRunDir(runId),
        cwd,
        torchrunArgs,
        env: nodeEnv,
        rankBase: counts.slice(0, i).reduce((a, b) => a + b, 0),
        graceSec: 1.5,
        pingTimeoutSec: 15,
      },
    };
  });

  const files: [string, string][] = readdirSafe(resourcesDir).map((d) => [join(resourcesDir, d), d]);
  const sshOptions = [...(input.sshConfig ? ['-F', input.sshConfig] : []), ...(input.sshOptions ?? [])];
  const driver: DriverConfig = { runId, runDir, endpoint, files, sshOptions, pingSec: 2, nodes: driverNodes };
  const plan: RunPlan = {
    argv: [input.localPython, '-u', join(resourcesDir, 'nodes', 'lal_nodes.py'), JSON.stringify(driver)],
    env: built.plan.env,
    cwd: runDir,
  };
  return { plan, driver };
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch {
    return [];
  }
}
