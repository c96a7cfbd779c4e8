import { methodNames, type ApiClient, type MethodName } from '../../shared/api/contract';
import { settle, unwrap } from '../../shared/api/envelope';
import type { Core } from './app';

/**
 * The contract without a transport: the CLI and the contract tests call core directly. Errors still
 * pass through the envelope, so a caller sees the same ApiFailure it would get over HTTP or IPC,
 * never a raw exception from inside core.
 */
export function inProcessClient(core: Core): ApiClient {
  const client = Object.create(null) as Record<string, unknown>;
  for (const name of methodNames) {
    const fn = core.api[name as MethodName] as (i: unknown) => Promise<unknown>;
    client[name] = async (input: unknown) => unwrap(await settle(() => fn(input)));
  }
  client.on = core.events.on.bind(core.events);
  return client as unknown as ApiClient;
}
