import type { Api } from '../../../shared/api/contract';
import type { CoreContext } from '../context';
import { notYet } from '../not-yet';

/** Feasibility over the contract. Owned by the feasibility feature. */
export function checkApi(_ctx: CoreContext): Pick<Api, 'check'> {
  return { check: async () => notYet('check') };
}
