import type { ApiClient } from '../../../../shared/api/contract';
import type { Loadable } from '../../lib/loadable';
import type { AppActions, AppState } from '../app-store';

type Full = AppState & AppActions;

/**
 * What every slice is built with: the contract client, zustand's set/get over the whole store (a
 * slice may read another's state and call its actions, e.g. the wizard's launch navigates), and
 * `note`, which flags the page as opened without its token when a call came back 401/403.
 */
export interface SliceContext {
  api: ApiClient;
  set: (partial: Partial<Full> | ((s: Full) => Partial<Full>)) => void;
  get: () => Full;
  note: <T>(l: Loadable<T>) => Loadable<T>;
  /** Timers and subscriptions a slice started, stopped by dispose(). */
  onDispose: (fn: () => void) => void;
}
