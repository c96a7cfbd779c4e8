import { ApiFailure } from '../../shared/api/result';
import type { Lang } from '../../shared/i18n';
import { translate } from '../../shared/i18n/translate';
import { parseNodeFlag, type NodeSpec } from '../../shared/nodes/schema';

/** `--node [USER@]HOST[:NPROC]`, repeatable: null when none was given, else at least two nodes. */
export function parseNodes(flags: string[], lang: Lang): NodeSpec[] | null {
  if (!flags.length) return null;
  const nodes: NodeSpec[] = [];
  for (const f of flags) {
    const r = parseNodeFlag(f);
    if ('error' in r) throw new ApiFailure({ code: 'BAD_INPUT', field: 'node', message: translate('nodes', 'cli.badNode', { error: r.error }, lang) });
    nodes.push(r.node);
  }
  if (nodes.length < 2) throw new ApiFailure({ code: 'BAD_INPUT', field: 'node', message: translate('nodes', 'cli.oneNode', {}, lang) });
  return nodes;
}
