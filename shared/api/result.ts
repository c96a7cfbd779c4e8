/** Errors cross every transport as data, never as thrown exceptions, so each adapter reports them the same way. */
export type ErrorCode = 'BAD_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'CONSENT_REQUIRED' | 'UNAVAILABLE' | 'INTERNAL';

export interface ApiError {
  code: ErrorCode;
  message: string;
  /** Field path or file:line the error is about, when there is one. */
  field?: string;
  details?: unknown;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/**
 * The envelope as an exception. Its fields are also its own properties, so a caller reads `.code`
 * the same whether it caught this or the bare envelope the Electron preload rejects with.
 */
export class ApiFailure extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly details?: unknown;
  constructor(public readonly error: ApiError) {
    super(error.message);
    this.name = 'ApiFailure';
    this.code = error.code;
    if (error.field !== undefined) this.field = error.field;
    if (error.details !== undefined) this.details = error.details;
  }
}

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (error: ApiError): Result<never> => ({ ok: false, error });

/** Exit code convention shared by the CLI: 0 ok, 1 the checked thing failed, 2 bad input or usage. */
export function exitCodeFor(error: ApiError): 1 | 2 {
  return error.code === 'BAD_INPUT' || error.code === 'CONSENT_REQUIRED' || error.code === 'NOT_FOUND' ? 2 : 1;
}
