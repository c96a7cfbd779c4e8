import type { Diagnosis } from './types';
import { Collector, type SourceScanner } from './scan';
import { errorFileAsLog, parseErrorFile } from './error-file';
import { decide, type DecideOptions, type Verdict } from './verdict';

export interface LogSource {
  /** File name or label shown as evidence. */
  name: string;
  text: string;
  /** Rank this file belongs to, when it is a per-rank log. */
  rank?: number | null;
}

/**
 * Streaming form: feed each source chunk by chunk (a 100 MB log never sits in memory whole), then
 * ask for the verdict. `explainLogs` is this with one chunk per source.
 */
export class Explainer {
  private readonly c = new Collector();

  /** A log stream. Per-rank files pass their rank: it beats any prefix inside. */
  source(name: string, rank: number | null = null): SourceScanner {
    return this.c.source(name, rank);
  }

  /**
   * A torchelastic error.json (C11). Its timestamp is the most reliable first-failure clock.
   * Returns false when the text is not an error file (then read it as a log).
   */
  errorFile(name: string, rank: number | null, text: string): boolean {
    const ef = parseErrorFile(text);
    if (!ef) return false;
    if (rank !== null && ef.timestamp !== null) this.c.errorFileTime.set(rank, ef.timestamp);
    const s = this.c.source(name, rank);
    s.push(errorFileAsLog(ef));
    s.end();
    return true;
  }

  /** Per source: lines read and lines longer than the matcher's window (read in pieces). */
  stats(): { name: string; lines: number; bytes: number; longLines: number }[] {
    return this.c.sources.map((s) => ({ ...s }));
  }

  /** The one root-cause picker's verdict: diagnoses (root cause first), torchrun's exits, the blamed exit. */
  verdict(opts: DecideOptions = {}): Verdict {
    return decide(this.c, opts);
  }

  /** Root cause first. Empty when nothing in the logs looks like a failure. */
  diagnoses(opts: DecideOptions = {}): Diagnosis[] {
    return this.verdict(opts).diagnoses;
  }
}

/** Diagnoses of whole texts, root cause first, without language (describe.ts words them). Never throws on odd text. */
export function explainLogs(sources: LogSource[], opts: DecideOptions = {}): Diagnosis[] {
  const ex = new Explainer();
  for (const src of sources) {
    const rank = src.rank ?? null;
    if (/(?:^|[/\\])error\.json$/.test(src.name) && ex.errorFile(src.name, rank, src.text)) continue;
    const s = ex.source(src.name, rank);
    // The prefilter skips what cannot matter, as for files.
    s.pushText(src.text);
    s.end();
  }
  return ex.diagnoses(opts);
}
