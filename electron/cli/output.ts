import { toEnvelope } from '../../shared/api/envelope';
import { exitCodeFor } from '../../shared/api/result';

/** Exit codes: 0 ok, 1 the thing checked failed, 2 bad input or usage. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

export class CliError extends Error {
  constructor(message: string, public readonly exitCode: 1 | 2 = 2, public readonly details?: unknown) {
    super(message);
  }
}

export interface GlobalOptions {
  json?: boolean;
  debug?: boolean;
  lang?: 'en' | 'zh-CN';
  nvidiaSmi?: string;
  python?: string;
}

/** Every command's action: gets the global options, returns an exit code. */
export type RunAction = (fn: (g: GlobalOptions) => Promise<number>) => Promise<void>;

/**
 * Text from logs or from someone else's run folder, made safe to print on a terminal: control
 * characters (ESC sequences that retitle the window, rewrite the clipboard through OSC 52, or hide
 * lines; bare \r that overwrites a line) become U+FFFD. Line breaks and tabs stay.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\ufffd');
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/**
 * One clear line; the stack only with --debug. Anything but a CliError is read through the one
 * error envelope, as every other transport reads it: an ApiFailure keeps its code, anything else is
 * INTERNAL (exit 1).
 */
export function reportError(err: unknown, opts: GlobalOptions): number {
  let code: number = EXIT.FAILED;
  let message: string;
  let details: unknown;
  if (err instanceof CliError) {
    code = err.exitCode;
    message = err.message;
    details = err.details;
  } else {
    const e = toEnvelope(err);
    code = exitCodeFor(e);
    message = e.field && !e.message.includes(e.field) ? `${e.field}: ${e.message}` : e.message;
    details = e.details;
  }
  if (opts.json) {
    process.stdout.write(JSON.stringify({ error: { message, exitCode: code, details } }) + '\n');
  } else {
    process.stderr.write(`lal: ${message}\n`);
  }
  if (opts.debug && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  return code;
}
