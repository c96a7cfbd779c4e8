import type { CoreContext } from '../context';
import type { Recipe } from '../../../shared/recipes/types';
import type { RunSpec } from '../../../shared/run/types';
import type { BuiltPlan } from '../runs/plan';
import { buildNodesPlan } from './plan';

/** What preflight found that the plan needs: the rendezvous port and each node's interface. */
export interface NodesLaunchFacts {
  port: number;
  ifnames: (string | null)[];
}

/** The ssh config the launcher passes with -F (tests point it at their own); none: the user's default. */
export const sshConfigFromEnv = (): string | null => process.env.LAL_SSH_CONFIG || null;

/**
 * The run manager's hook for a spec with `nodes`: the single-node plan, rewritten to start the
 * multi-node driver. The rehearsal's output file is written on whichever node holds rank 0, so the
 * local "output missing" check is off (the node's run folder keeps it).
 */
export function prepareNodes(ctx: CoreContext, spec: RunSpec, recipe: Recipe, first: BuiltPlan, runId: string, runDir: string, facts: NodesLaunchFacts | null): { built: BuiltPlan; port: number; note: string } {
  const port = facts?.port ?? 29500;
  const python = nodePythonDefault(ctx, spec);
  const { plan } = buildNodesPlan({
    built: python && !first.spec.python ? { ...first, spec: { ...first.spec, python } } : first,
    recipe,
    nodes: spec.nodes ?? [],
    runId,
    runDir,
    resourcesDir: ctx.resourcesDir,
    port,
    localPython: process.env.LAL_DRIVER_PYTHON || 'python3',
    sshConfig: sshConfigFromEnv(),
    ifnames: facts?.ifnames,
  });
  const note = `${spec.nodes?.length ?? 0} nodes over ssh, c10d rendezvous on ${spec.nodes?.[0]?.host}:${port}`;
  return { built: { ...first, plan, saveFile: null }, port, note };
}

/** A node's interpreter when neither the node nor the spec names one: this machine's chosen Python (often the same path on a cluster). */
export function nodePythonDefault(ctx: CoreContext, spec: RunSpec): string | undefined {
  return spec.python ?? ctx.overrides?.python ?? ctx.settings?.get().pythonPath ?? undefined;
}
