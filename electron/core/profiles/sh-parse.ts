import { parse, ParseError, type File } from 'sh-syntax';
import type { ShStatement } from '../../../shared/profiles/script-import';
import { parseOnWorker } from './sh-worker';

/**
 * Statement boundaries of a shell script from mvdan/sh (via sh-syntax's wasm build). sh-syntax's
 * Node entry reads its .wasm with node:fs, so it lives in core rather than in the pure shared/
 * layer. Its JSON AST stops at statements (a command is only a Pos/End span), so the words of each
 * statement are split by shared/profiles/sh-words.ts, which reports what it does not understand.
 * The parse itself runs on a worker thread (sh-worker.ts); only the mapping below runs here.
 */
/** `notSyntax`: the parser gave up (deadline, memory), not a syntax error in the script. */
export type ShParse = { ok: true; statements: ShStatement[] } | { ok: false; line: number; message: string; notSyntax?: 'deadline' | 'stopped' };

export async function parseShellScript(text: string): Promise<ShParse> {
  let file: File;
  const off = parseOnWorker(text);
  if (off) {
    const r = await off;
    if (!r.ok) return r.syntax ? { ok: false, line: r.line, message: r.message } : { ok: false, line: r.line, message: r.message, notSyntax: r.deadline ? 'deadline' : 'stopped' };
    file = r.file;
  } else {
    // No worker here (sh-syntax not resolvable as a file, e.g. a bundle without node_modules): the
    // caller has capped the script's size, so parsing in-thread is bounded too.
    try {
      file = await parse(text, { keepComments: false });
    } catch (e) {
      if (e instanceof ParseError) return { ok: false, line: e.Pos?.Line ?? 1, message: e.Text || e.message };
      return { ok: false, line: 1, message: (e as Error).message };
    }
  }
  // Offsets are Go byte offsets into UTF-8: slice the bytes, not the JS string (prompts in Chinese).
  const bytes = new TextEncoder().encode(text);
  const decoder = new TextDecoder();
  const slice = (a: number, b: number) => decoder.decode(bytes.subarray(a, b));
  // The typings name the list `Stmts`; the wasm emits `Stmt` (processor/structs.go). Accept both.
  const raw = file as File & { Stmt?: File['Stmts'] };
  const stmts = raw.Stmts ?? raw.Stmt ?? [];
  return {
    ok: true,
    statements: stmts.map((s) => ({
      line: s.Pos.Line,
      endLine: s.End.Line,
      text: s.Cmd ? slice(s.Cmd.Pos.Offset, s.Cmd.End.Offset) : '',
      cmdLine: s.Cmd ? s.Cmd.Pos.Line : s.Pos.Line,
      whole: slice(s.Pos.Offset, s.End.Offset),
      background: s.Background,
      negated: s.Negated,
      redirects: s.Redirs.map((r) => ({ line: r.Pos.Line, text: slice(r.Pos.Offset, r.End.Offset) })),
    })),
  };
}
