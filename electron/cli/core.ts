import { createCore, type Core } from '../core/app';
import { inProcessClient } from '../core/in-process';
import type { ApiClient, AppInfo } from '../../shared/api/contract';
import type { GlobalOptions } from './output';

/** What a command gets: the contract client, its events, and the folders core resolved. */
export interface CliCore extends Core {
  api: ApiClient;
}

/**
 * Core for one CLI invocation, with the global flags as overrides. Commands reach it only through
 * the contract client, so an answer or error is exactly what the server or Electron would give
 * (validated input, the one error envelope). `lal serve` gets the same core to put on HTTP.
 */
export function cliCore(g: GlobalOptions, transport: AppInfo['transport'] = 'in-process', own: { checkout?: string } = {}): CliCore {
  const core = createCore({ transport, nvidiaSmi: g.nvidiaSmi ?? null, python: g.python ?? null, checkout: own.checkout ?? null });
  return transport === 'in-process' ? { ...core, api: inProcessClient(core) } : { ...core, api: { ...core.api, on: core.events.on.bind(core.events) } };
}
