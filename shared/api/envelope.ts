import { ApiFailure, type ApiError, type ErrorCode, type Result } from './result';

/**
 * The one error envelope, `{code, message, field?, details?}`, built and read here for every
 * transport: the HTTP server and client, the in-process client, Electron main's IPC handlers and
 * the preload. Keeping both directions in one module is what keeps them from drifting apart (the
 * preload once put the envelope under `.error` while the renderer read `.code`).
 */
export const errorCodes: readonly ErrorCode[] = ['BAD_INPUT', 'NOT_FOUND', 'CONFLICT', 'CONSENT_REQUIRED', 'UNAVAILABLE', 'INTERNAL'];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * Details must survive JSON (HTTP) and structured clone (IPC, contextBridge) unchanged, so anything
 * else is dropped rather than shipped half-copied.
 */
function plainDetails(details: unknown): unknown {
  if (details === undefined) return undefined;
  try {
    const text = JSON.stringify(details);
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

/** Only the four envelope fields, in a fresh plain object: no prototype, stack or extra keys leak out. */
export function envelope(error: ApiError): ApiError {
  const out: ApiError = { code: error.code, message: error.message };
  if (typeof error.field === 'string') out.field = error.field;
  const details = plainDetails(error.details);
  if (details !== undefined) out.details = details;
  return out;
}

/** A value that is a well-formed envelope, or null. */
export function parseEnvelope(v: unknown): ApiError | null {
  if (!isRecord(v)) return null;
  const { code, message, field } = v;
  if (typeof code !== 'string' || !errorCodes.includes(code as ErrorCode) || typeof message !== 'string') return null;
  if (field !== undefined && typeof field !== 'string') return null;
  return envelope({ code: code as ErrorCode, message, field, details: v.details });
}

/**
 * Whatever was thrown, as an envelope: an ApiFailure keeps its own; an object that already is an
 * envelope (the preload's rejection) is kept; anything else is INTERNAL with its message.
 */
export function toEnvelope(err: unknown): ApiError {
  if (err instanceof ApiFailure) return envelope(err.error);
  const parsed = parseEnvelope(err);
  if (parsed) return parsed;
  if (isRecord(err) && 'error' in err) {
    const inner = parseEnvelope(err.error);
    if (inner) return inner;
  }
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : String(err);
  return { code: 'INTERNAL', message };
}

/** Runs one call and answers with a Result carrying the envelope: what a transport puts on the wire. */
export async function settle<T>(call: () => Promise<T> | T): Promise<Result<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    return { ok: false, error: toEnvelope(err) };
  }
}

/** A Result read back off the wire; anything malformed becomes an INTERNAL envelope, never a throw. */
export function parseResult(v: unknown): Result<unknown> {
  if (isRecord(v) && v.ok === true) return { ok: true, value: v.value };
  if (isRecord(v) && v.ok === false) {
    return { ok: false, error: parseEnvelope(v.error) ?? { code: 'INTERNAL', message: 'malformed error from the service' } };
  }
  return { ok: false, error: { code: 'INTERNAL', message: 'malformed answer from the service' } };
}

/** The value of a Result, or an ApiFailure carrying its envelope (HTTP and in-process clients). */
export function unwrap(v: unknown): unknown {
  const r = parseResult(v);
  if (!r.ok) throw new ApiFailure(r.error);
  return r.value;
}

/**
 * The value of a Result, or a rejection with the bare envelope as a plain object. Electron's
 * contextBridge copies an Error's message but drops its own properties, so the preload rejects with
 * the envelope itself; ApiFailure exposes the same fields, so a caller reads `.code` either way.
 */
export function unwrapPlain(v: unknown): unknown {
  const r = parseResult(v);
  if (!r.ok) throw r.error;
  return r.value;
}

/** A transport's own failure (no handler, a dropped channel) as a plain envelope rejection. */
export function rejectPlain(err: unknown): never {
  throw toEnvelope(err);
}
