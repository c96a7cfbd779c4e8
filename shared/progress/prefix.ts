/**
 * Which rank printed a console line. torchrun `--tee` prefixes `[<role><local_rank>]:` (tail_log.py
 * `TailLog` header, `[default3]:` with the default role); torch >= 2.2 workers prefix their own
 * stderr with `[rankN]:` once the process group exists (docs/upstream-notes.md §9.2).
 */
const TEE = /^\[([A-Za-z_][\w-]*?)(\d+)\]:/;
const RANK = /^\[rank(\d+)\]:\s?/;

export function splitRankPrefix(line: string): { rank: number | null; text: string } {
  let rank: number | null = null;
  let text = line;
  const tee = TEE.exec(text);
  if (tee) {
    rank = Number(tee[2]);
    text = text.slice(tee[0].length);
  }
  const r = RANK.exec(text);
  if (r) {
    rank = Number(r[1]);
    text = text.slice(r[0].length);
  }
  return { rank, text };
}
