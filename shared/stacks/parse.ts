import type { StackFrame, ThreadStack } from './types';

/**
 * Parser for faulthandler's plain-text dump (CPython Modules/faulthandler.c, traceback.c):
 *
 *   Thread 0x00007f… (most recent call first):
 *     File "/path/x.py", line 12 in func
 *
 *   Current thread 0x00007f… (most recent call first):
 *     File "…", line 3 in <module>
 *
 * The text is written from a signal handler in C, so a dump can be torn (a process killed mid-write)
 * or carry "  <no Python frame>" / "  ..." lines: anything that does not fit is skipped.
 */
const HEAD = /^(Current thread|Thread|Stack) ?(0x[0-9a-fA-F]+)? ?\(most recent call first\):\s*$/;
const FRAME = /^\s+File "(.*)", line (\d+) in (.+?)\s*$/;

export function parseFaulthandler(text: string): ThreadStack[] {
  const threads: ThreadStack[] = [];
  let cur: ThreadStack | null = null;
  for (const line of text.split('\n')) {
    const h = HEAD.exec(line);
    if (h) {
      cur = { id: h[2] ?? '', current: h[1] !== 'Thread', frames: [] };
      threads.push(cur);
      continue;
    }
    const f = FRAME.exec(line);
    if (f && cur) cur.frames.push({ file: f[1], line: Number(f[2]), func: f[3] });
  }
  return threads;
}

/**
 * The thread that runs the workload: the one running a module's top level (`<module>`: the script
 * torchrun started, outermost, or under runpy for `python -m`); failing that, the deepest stack.
 * faulthandler does not say which thread is the main one, and the signal may land on any of them.
 */
export function mainThread(threads: ThreadStack[]): ThreadStack | null {
  const withModule = threads.filter((t) => t.frames.some((f) => f.func === '<module>'));
  const pool = withModule.length ? withModule : threads;
  let best: ThreadStack | null = null;
  for (const t of pool) if (!best || t.frames.length > best.frames.length) best = t;
  return best;
}

/** `/a/b/lalwork/pipeline.py` → `lalwork/pipeline.py`: enough to find it, short enough for a card. */
export function shortPath(file: string): string {
  const parts = file.split(/[\\/]/).filter(Boolean);
  return parts.slice(-2).join('/') || file;
}

export const frameLabel = (f: StackFrame): string => `${shortPath(f.file)}:${f.line}`;
