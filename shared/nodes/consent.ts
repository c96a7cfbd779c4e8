import type { NodeSpec } from './schema';

/**
 * Consent before the launcher connects anywhere (issue 18, threat model): a profile, share code or
 * launch script from someone else may list machines, and running it must not make the launcher ssh
 * to them unless the user agreed to each host. Hosts the user typed (`--node`, the wizard's
 * Machines rows) or ticked (`--allow-node`, the consent box) count as consent; a host from a file
 * never does. Matching is on the host alone: that is where the connection goes.
 */
export const MAX_ALLOW_NODES = 64;

const norm = (host: string): string => host.trim().replace(/^\[|\]$/g, '').toLowerCase();

/** The hosts of `nodes` the user has not agreed to, in order, each once. */
export function nodesNeedingConsent(nodes: readonly Pick<NodeSpec, 'host'>[] | undefined, allowNodes: readonly string[] = []): string[] {
  const allowed = new Set(allowNodes.map(norm));
  const out: string[] = [];
  for (const n of nodes ?? []) {
    if (!allowed.has(norm(n.host)) && !out.includes(n.host)) out.push(n.host);
  }
  return out;
}
