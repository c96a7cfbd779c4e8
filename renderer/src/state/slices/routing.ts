import type { SliceContext } from './context';

export type Route = { name: 'home' } | { name: 'wizard' } | { name: 'run'; runId: string } | { name: 'history' } | { name: 'profiles' } | { name: 'settings' };

export interface RoutingState {
  route: Route;
  /** Set when a call came back 401/403: the page was opened without its token. */
  unauthorized: boolean;
}

export interface RoutingActions {
  navigate(route: Route): void;
}

/** Which screen is showing. Opening a run's screen also starts watching that run. */
export function routingSlice({ set, get }: SliceContext): RoutingState & RoutingActions {
  return {
    route: { name: 'home' },
    unauthorized: false,
    navigate(route) {
      set({ route });
      if (route.name === 'run') void get().watchRun(route.runId);
    },
  };
}
