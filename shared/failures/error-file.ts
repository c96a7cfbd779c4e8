/**
 * torchelastic's per-rank error file (`TORCHELASTIC_ERROR_FILE`, docs/upstream-notes.md §10.11), written by a
 * worker whose entry point uses `@record`:
 * `{"message": {"message": "RuntimeError: …", "extraInfo": {"py_callstack": "…", "timestamp": "1732262906"}}}`;
 * `message` may also be a plain string with `timestamp` at the top level, and the agent's copy adds
 * `errorCode`. Anything else is not an error file and is read as plain text.
 */
export interface ErrorFile {
  message: string;
  callstack: string | null;
  /** Seconds since the epoch. */
  timestamp: number | null;
  errorCode: number | null;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseErrorFile(text: string): ErrorFile | null {
  const t = text.trim();
  if (!t.startsWith('{') || t.length > 8 * 1024 * 1024) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(t);
  } catch {
    return null;
  }
  if (!isObj(doc)) return null;
  const msg = doc.message;
  let message: string | null = null;
  let extra: Record<string, unknown> = {};
  if (typeof msg === 'string') {
    message = msg;
    extra = doc;
  } else if (isObj(msg) && typeof msg.message === 'string') {
    message = msg.message;
    if (isObj(msg.extraInfo)) extra = msg.extraInfo;
  }
  if (message === null) return null;
  const ts = Number(extra.timestamp ?? doc.timestamp);
  const code = Number(doc.errorCode);
  return {
    message,
    callstack: typeof extra.py_callstack === 'string' ? extra.py_callstack : null,
    timestamp: Number.isFinite(ts) && ts > 0 ? ts : null,
    errorCode: Number.isFinite(code) && doc.errorCode !== undefined ? code : null,
  };
}

/** The error file as log text: the traceback, then the exception line, as the worker would print it. */
export function errorFileAsLog(ef: ErrorFile): string {
  const stack = ef.callstack ? ef.callstack.replace(/\s+$/, '') : '';
  const last = stack.split('\n').pop() ?? '';
  return last.trim() === ef.message.trim() ? stack : `${stack}${stack ? '\n' : ''}${ef.message}`;
}
