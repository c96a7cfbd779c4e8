import { createCore, type Core } from '../core/app';
import type { AppInfo } from '../../shared/api/contract';
import type { GlobalOptions } from './output';

/** Core for one CLI invocation, with the global flags as overrides. */
export function cliCore(g: GlobalOptions, transport: AppInfo['transport'] = 'in-process'): Core {
  return createCore({ transport, nvidiaSmi: g.nvidiaSmi ?? null, python: g.python ?? null });
}
