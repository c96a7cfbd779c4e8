import type { Api } from '../../../shared/api/contract';
import type { CoreContext } from '../context';
import { notYet } from '../not-yet';

/** The failure explainer over the contract. Owned by the failure explainer feature. */
export function explainApi(_ctx: CoreContext): Pick<Api, 'explain'> {
  return { explain: async () => notYet('explain') };
}
