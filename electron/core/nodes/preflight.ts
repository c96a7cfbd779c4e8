import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { CoreContext } from '../context';
import type { RunSpec } from '../../../shared/run/types';
import type { Lang } from '../../../shared/i18n';
import { ApiFailure } from '../../../shared/api/result';
import { getRecipe } from '../../../shared/recipes';
import { findMode, resolveNproc, resolveSettings } from '../../../shared/recipes/settings';
import { nodeNames, type NodeSpec } from '../../../shared/nodes/schema';
import { judgePreflight, type NodeFacts, type NodeProbe, type NodesPreflight } from '../../../shared/nodes/preflight';
import type { NodesLaunchFacts } from './prepare';
import { nodePythonDefault, sshConfigFromEnv } from './prepare';
import { ranksPerNode } from './plan';
import { rankNeeds } from './memory';
import { sshArgv, type SshOptions } from './ssh';
import { describeChecks } from './describe';
import { splitRunnerSettings } from '../runs/args';

/** First rendezvous port tried on the first node; the listener takes the next free one of 20. */
export const RDZV_PORT_BASE = 29500;
const PORT_TRIES = 20;

export interface PreflightOptions {
  ssh?: SshOptions;
  /** Seconds for one node's probe (importing torch on a cold disk takes a while). */
  probeTimeoutSec?: number;
  /** Bytes each rank needs on its GPU (by global rank); default: the feasibility model's prediction on the GPUs the nodes report. */
  rankBytes?: (number | null)[] | null;
}

/**
 * Preflight on every node, before anything starts: each node's facts over ssh (in parallel), then a
 * listener on the rendezvous port of the first node and a connect from every node to it, exactly
 * the path torchrun's agents and workers will take.
 */
export async function preflightNodes(ctx: CoreContext, input: RunSpec, opts: PreflightOptions = {}): Promise<NodesPreflight> {
  // Runner keys (python=, stall_action=…) are not the recipe's flags.
  const { spec } = splitRunnerSettings(input);
  const nodes = spec.nodes ?? [];
  if (nodes.length < 2) throw new ApiFailure({ code: 'BAD_INPUT', field: 'nodes', message: 'a multi-node run has at least 2 nodes' });
  const recipe = getRecipe(spec.recipe);
  if (!recipe) throw new ApiFailure({ code: 'BAD_INPUT', field: 'recipe', message: `unknown recipe "${spec.recipe}"` });
  const mode = findMode(recipe, spec.mode);
  if (!mode) throw new ApiFailure({ code: 'BAD_INPUT', field: 'mode', message: `recipe ${recipe.id} has no mode "${spec.mode}"` });
  const values = resolveSettings(recipe, mode, spec.settings);
  const counts = ranksPerNode(nodes, resolveNproc(mode, values));
  const names = nodeNames(nodes);
  const rdzvHost = nodes[0].host.replace(/^\[|\]$/g, '');
  const userIfname = spec.env?.NCCL_SOCKET_IFNAME ?? spec.env?.GLOO_SOCKET_IFNAME ?? null;
  const script = readFileSync(join(ctx.resourcesDir, 'nodes', 'lal_node_probe.py'), 'utf8');
  const ssh: SshOptions = { config: sshConfigFromEnv(), ...opts.ssh };
  const fallback = nodePythonDefault(ctx, spec);
  const py = (n: NodeSpec) => n.python ?? fallback ?? 'python3';
  const timeout = (opts.probeTimeoutSec ?? 90) * 1000;

  const probes: NodeProbe[] = await Promise.all(
    nodes.map(async (n, i) => {
      const probe: NodeProbe = { name: names[i], host: n.host, ranks: counts[i] };
      const checkout = recipe.needsCheckout ? (n.checkout ?? spec.checkout ?? '') : '';
      const argv = sshArgv(n, [py(n), '-c', script, 'probe', rdzvHost, userIfname ?? '', checkout], ssh);
      const r = await execa(argv[0], argv.slice(1), { reject: false, timeout, stdin: 'ignore' });
      const got = Date.now() / 1000;
      const line = String(r.stdout ?? '').trim().split('\n').pop() ?? '';
      try {
        if (r.exitCode !== 0) throw new Error('exit');
        probe.facts = JSON.parse(line) as NodeFacts;
        probe.clockOffsetSec = probe.facts.time - got;
      } catch {
        probe.sshError = { code: r.exitCode ?? null, stderr: lastLines(String(r.stderr ?? '') || String(r.message ?? '')) };
      }
      return probe;
    }),
  );

  let port: { port: number; free: boolean } | null = null;
  if (probes[0].facts) {
    const argv = sshArgv(nodes[0], [py(nodes[0]), '-c', script, 'listen', String(RDZV_PORT_BASE), String(PORT_TRIES)], ssh);
    const listener = execa(argv[0], argv.slice(1), { reject: false, timeout: 60_000, stdin: 'pipe', buffer: false });
    const first = await firstLine(listener.stdout, 30_000);
    const m = /^(LISTENING|BUSY) (\d+)/.exec(first ?? '');
    if (m) port = { port: Number(m[2]), free: m[1] === 'LISTENING' };
    if (port?.free) {
      await Promise.all(
        nodes.map(async (n, i) => {
          if (!probes[i].facts) return;
          const a = sshArgv(n, [py(n), '-c', script, 'connect', rdzvHost, String(port!.port)], ssh);
          const r = await execa(a[0], a.slice(1), { reject: false, timeout: 30_000, stdin: 'ignore' });
          try {
            probes[i].reach = JSON.parse(String(r.stdout).trim().split('\n').pop() ?? '') as { ok: boolean; error?: string };
          } catch {
            probes[i].reach = { ok: false, error: lastLines(String(r.stderr ?? '')) };
          }
        }),
      );
    }
    listener.stdin?.end();
    await Promise.race([listener, new Promise((r) => setTimeout(r, 5000))]);
    listener.kill('SIGKILL');
  }

  const needsGpus = values.device !== 'cpu';
  // The per-GPU memory check: each rank's predicted need against the free memory of the GPU it gets.
  const rankBytes = needsGpus ? (opts.rankBytes ?? rankNeeds(spec, probes)) : null;
  return judgePreflight({ nodes: probes, rdzvHost, port, needsGpus, userIfname, rankBytes });
}

/** startRun's gate: the facts the plan needs, or a refusal that lists every failed check with its fix. */
export async function nodesPreflightGate(ctx: CoreContext, spec: RunSpec, lang: Lang = 'en'): Promise<NodesLaunchFacts> {
  const pf = await preflightNodes(ctx, spec);
  if (!pf.ok || pf.port === null) {
    const lines = describeChecks(pf.checks.filter((c) => c.status === 'fail'), lang).map((d) => `- ${d.message}\n  → ${d.fix}`);
    throw new ApiFailure({ code: 'UNAVAILABLE', field: 'nodes', message: `preflight failed on the nodes; nothing was started\n${lines.join('\n')}`, details: { preflight: pf } });
  }
  return { port: pf.port, ifnames: pf.ifnames };
}

function lastLines(s: string): string {
  return s.trim().split('\n').slice(-3).join('\n');
}

function firstLine(stream: NodeJS.ReadableStream | null | undefined, ms: number): Promise<string | null> {
  return new Promise((resolve) => {
    if (!stream) return resolve(null);
    let buf = '';
    const t = setTimeout(() => done(null), ms);
    const onData = (b: Buffer) => {
      buf += b.toString();
      const i = buf.indexOf('\n');
      if (i >= 0) done(buf.slice(0, i));
    };
    const done = (v: string | null) => {
      clearTimeout(t);
      stream.off('data', onData);
      resolve(v);
    };
    stream.on('data', onData);
    stream.on('end', () => done(buf || null));
  });
}
