import type { ApiClient } from '../../shared/api/contract';
import type { Core } from './app';

/** The contract without a transport: the CLI and the contract tests call core directly. */
export function inProcessClient(core: Core): ApiClient {
  return Object.assign(Object.create(null), core.api, { on: core.events.on.bind(core.events) }) as ApiClient;
}
