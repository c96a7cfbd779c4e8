import type { RunSpec } from '../../../shared/run/types';
import type { Lang } from '../../../shared/i18n';
import { ApiFailure } from '../../../shared/api/result';
import { nodesNeedingConsent } from '../../../shared/nodes/consent';
import { trNodes } from './text';

/**
 * planRun, startRun and preflightNodes call this before anything touches the network: a spec whose
 * nodes the user has not agreed to is refused with CONSENT_REQUIRED naming every host (exit 2 on
 * the CLI), the same way env names and paths are (runs/plan.ts).
 */
export function refuseNodesWithoutConsent(spec: RunSpec, allowNodes: readonly string[] | undefined, lang: Lang): void {
  const hosts = nodesNeedingConsent(spec.nodes, allowNodes ?? []);
  if (!hosts.length) return;
  throw new ApiFailure({
    code: 'CONSENT_REQUIRED',
    field: 'nodes',
    message: trNodes(lang, 'cli.consent', { hosts: hosts.join(', '), first: hosts[0]! }),
    details: { nodes: hosts },
  });
}
