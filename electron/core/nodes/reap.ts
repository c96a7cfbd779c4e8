import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { RunRecord } from '../../../shared/run/types';
import { nodeNames } from '../../../shared/nodes/schema';
import { defaultResourcesDir } from '../paths';
import { sshConfigFromEnv } from './prepare';
import { sshArgv } from './ssh';

export interface NodeSweep {
  node: string;
  killed: number[];
  left: number[];
  error?: string;
}

/**
 * `lal runs --reap` for a multi-node run: its processes live on the nodes, where the local sweep
 * cannot see them. Each node is asked over ssh to kill what carries the run's LAL_RUN_ID and that
 * node's LAL_NODE (resources/nodes/lal_node_probe.py `sweep`). A node that cannot be reached is
 * reported, never waited for: its own agent stops the run when the launcher's pings stop.
 */
export async function sweepNodes(rec: RunRecord, resourcesDir = defaultResourcesDir()): Promise<NodeSweep[]> {
  const nodes = rec.spec.nodes ?? [];
  if (!nodes.length) return [];
  const script = readFileSync(join(resourcesDir, 'nodes', 'lal_node_probe.py'), 'utf8');
  const names = nodeNames(nodes);
  return Promise.all(
    nodes.map(async (n, i): Promise<NodeSweep> => {
      const argv = sshArgv(n, [n.python ?? rec.spec.python ?? 'python3', '-c', script, 'sweep', rec.runId, names[i]], { config: sshConfigFromEnv() });
      const r = await execa(argv[0], argv.slice(1), { reject: false, timeout: 20_000, stdin: 'ignore' });
      try {
        const got = JSON.parse(String(r.stdout).trim().split('\n').pop() ?? '') as { killed: number[]; left: number[] };
        return { node: names[i], killed: got.killed, left: got.left };
      } catch {
        return { node: names[i], killed: [], left: [], error: String(r.stderr || r.message || 'no answer').trim().split('\n').slice(-1)[0] };
      }
    }),
  );
}
