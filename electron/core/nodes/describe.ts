import type { Lang } from '../../../shared/i18n';
import type { PreflightCheck } from '../../../shared/nodes/preflight';
import { trNodes } from './text';

/** A preflight check in words: what was found and the fix, in the reader's language. */
export function describeChecks(checks: PreflightCheck[], lang: Lang): { id: string; node: string | null; status: string; message: string; fix: string }[] {
  return checks.map((c) => ({
    id: c.id,
    node: c.node,
    status: c.status,
    message: trNodes(lang, `preflight.${c.id}.message`, c.vars),
    fix: trNodes(lang, `preflight.${c.id}.fix`, c.vars),
  }));
}
