import { toEnvelope } from '../../../shared/api/envelope';
import type { ApiError } from '../../../shared/api/result';

/**
 * What a screen knows about one piece of data it asked the services for. "unavailable" is its own
 * state because services land one by one: the UI shows a calm inline note, never a blank screen.
 */
export type Loadable<T> =
  | { state: 'loading'; value?: T }
  | { state: 'ready'; value: T }
  | { state: 'unavailable'; message: string; value?: T }
  | { state: 'unauthorized' }
  | { state: 'error'; error: ApiError; value?: T };

export const loading = <T>(prev?: Loadable<T>): Loadable<T> => ({ state: 'loading', value: valueOf(prev) });

export function valueOf<T>(l: Loadable<T> | undefined): T | undefined {
  return l && 'value' in l ? l.value : undefined;
}

/** Turns a thrown ApiFailure (or anything else) into the state a screen can render. */
export function failed<T>(e: unknown, prev?: Loadable<T>): Loadable<T> {
  const error = toApiError(e);
  if (error.code === 'UNAVAILABLE') return { state: 'unavailable', message: error.message, value: valueOf(prev) };
  // The HTTP client reports 401/403 this way: the token is missing or stale, not a crash.
  if (error.code === 'BAD_INPUT' && (error.message === 'unauthorized' || error.message === 'forbidden')) return { state: 'unauthorized' };
  return { state: 'error', error, value: valueOf(prev) };
}

/** Whatever a client threw (ApiFailure over HTTP, the bare envelope from the Electron preload), as the envelope. */
export const toApiError = (e: unknown): ApiError => toEnvelope(e);

export async function load<T>(p: Promise<T>, prev?: Loadable<T>): Promise<Loadable<T>> {
  try {
    return { state: 'ready', value: await p };
  } catch (e) {
    return failed(e, prev);
  }
}
