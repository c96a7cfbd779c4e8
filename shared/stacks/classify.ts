import type { StackFrame, StackPhase } from './types';

/**
 * Which frame of a stack says where a rank is: walking from the innermost frame out, the first
 * frame that is a torch.distributed collective or point-to-point call, or part of a known long
 * phase. A Python stack cannot see inside C: a rank blocked in `work.wait()` shows the line that
 * called it, so that line's source text (when the caller can read it) is checked as well.
 */
const COMM = new Set([
  'all_reduce', 'all_gather', 'all_gather_into_tensor', 'all_gather_object', 'reduce_scatter', 'reduce_scatter_tensor',
  'all_to_all', 'all_to_all_single', 'broadcast', 'broadcast_object_list', 'barrier', 'monitored_barrier',
  'recv', 'send', 'irecv', 'isend', 'batch_isend_irecv', 'gather', 'scatter', 'reduce', 'wait',
  '_all_gather_base', '_reduce_scatter_base',
]);
const P2P = new Set(['recv', 'send', 'irecv', 'isend', 'batch_isend_irecv']);
const SAVE_FUNCS = new Set(['save', 'save_video', 'write_video', 'write_y4m', 'cache_video', 'merge_video_audio', 'save_file']);

export interface Classified {
  kind: 'comm' | 'phase' | 'compute' | 'none';
  op: string | null;
  /** true for send/recv: the peer is one rank, which the layout may name. */
  p2p: boolean;
  phase: StackPhase | null;
  func: string | null;
  site: StackFrame | null;
}

/** torch, the standard library and installed packages; everything else is the workload's own code. */
export function isLibrary(file: string): boolean {
  const f = file.replace(/\\/g, '/');
  return /\/(site|dist)-packages\//.test(f) || /\/lib\/python\d[\d.]*\/(?!site-packages|dist-packages)/.test(f) || f.startsWith('<frozen ') || /\/torch\//.test(f);
}

function phaseOf(fr: StackFrame): StackPhase | null {
  const file = fr.file.replace(/\\/g, '/');
  if (/\/torch\/(_dynamo|_inductor|_functorch\/aot|fx\/experimental)\//.test(file) || /\/triton\/(compiler|runtime)\//.test(file)) return 'compile';
  if (/\/torch\/utils\/data\//.test(file)) return 'data_loader';
  if (/\/(imageio|imageio_ffmpeg|moviepy|av)\//.test(file) || SAVE_FUNCS.has(fr.func)) return 'save';
  if ((/vae/i.test(file) && /decode/i.test(fr.func)) || /^(decode_block|vae_decode|decode_video)$/.test(fr.func)) return 'vae_decode';
  if (/\/safetensors\//.test(file) || /\/torch\/serialization\.py$/.test(file) || /^(load_state_dict|from_pretrained|load_checkpoint)$/.test(fr.func)) return 'loading';
  return null;
}

function commOf(fr: StackFrame): string | null {
  const file = fr.file.replace(/\\/g, '/');
  if (!/\/torch\/distributed\//.test(file) || !COMM.has(fr.func)) return null;
  return `dist.${fr.func.replace(/^_/, '').replace(/_base$/, '')}`;
}

/** The op named on a source line that blocks in C (`req.wait()`, `dist.recv(...)`), if any. */
export function commOnLine(text: string | null | undefined): string | null {
  if (!text) return null;
  const d = /\bdist(?:ributed)?\.(\w+)\s*\(/.exec(text);
  if (d && COMM.has(d[1])) return `dist.${d[1]}`;
  if (/\.wait\s*\(\s*\)/.test(text)) return 'work.wait';
  return null;
}

/**
 * frames: innermost first. sourceLine: the text of a file's line, when the caller can read it
 * (only consulted for the innermost workload frame).
 */
export function classifyStack(frames: StackFrame[], sourceLine?: (file: string, line: number) => string | null): Classified {
  if (!frames.length) return { kind: 'none', op: null, p2p: false, phase: null, func: null, site: null };
  const site = frames.find((f) => !isLibrary(f.file)) ?? frames[0];
  const func = frames[0].func;
  let lineChecked = false;
  for (let i = 0; i < frames.length; i++) {
    const fr = frames[i];
    const op = commOf(fr);
    if (op) {
      // The workload's line that made the call: the first non-library frame further out.
      const caller = frames.slice(i + 1).find((f) => !isLibrary(f.file)) ?? fr;
      return { kind: 'comm', op, p2p: P2P.has(fr.func), phase: null, func, site: caller };
    }
    const phase = phaseOf(fr);
    if (phase) {
      const at = isLibrary(fr.file) ? frames.slice(i + 1).find((f) => !isLibrary(f.file)) ?? fr : fr;
      return { kind: 'phase', op: null, p2p: false, phase, func, site: at };
    }
    if (!lineChecked && !isLibrary(fr.file) && sourceLine) {
      // The innermost workload frame: a C-level wait shows up only as the line that called it.
      lineChecked = true;
      const lineOp = commOnLine(sourceLine(fr.file, fr.line));
      if (lineOp) return { kind: 'comm', op: lineOp, p2p: /recv|send/.test(lineOp), phase: null, func, site: fr };
    }
  }
  return { kind: 'compute', op: null, p2p: false, phase: null, func, site };
}
