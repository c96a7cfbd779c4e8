import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Which node each rank runs on, from the multi-node driver's `nodes.json` (ranks are assigned by
 * the c10d rendezvous, so only the nodes know). `{}` for a single-machine run.
 */
export function rankNodes(runDir: string): Record<string, string> {
  try {
    const j = JSON.parse(readFileSync(join(runDir, 'nodes.json'), 'utf8')) as { nodes?: { name?: string; ranks?: Record<string, number> }[] };
    const out: Record<string, string> = {};
    for (const n of j.nodes ?? []) for (const r of Object.keys(n.ranks ?? {})) if (n.name) out[r] = n.name;
    return out;
  } catch {
    return {};
  }
}

/** The stall event's `nodes` field, present only on multi-node runs. */
export function stallNodes(runDir: string): { nodes?: Record<string, string> } {
  const nodes = rankNodes(runDir);
  return Object.keys(nodes).length ? { nodes } : {};
}
