import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { LineSplitter, type Segment } from '../../../shared/progress/lines';

/**
 * Follows torchrun's per-rank files (`--redirects 3 --log_dir`):
 * `<log_dir>/<rdzv_run_id>_<random>/attempt_<n>/<local_rank>/{stdout,stderr}.log`
 * (torch/distributed/elastic/agent/server/local_elastic_agent.py `_make_log_dir`, `attempt_{restart_count}`).
 * Progress is parsed from these rather than from the `--tee` console: TailLog re-reads partial lines
 * with readline() and prefixes every fragment, which cuts tqdm's `\r` redraws apart, while each
 * file here is exactly one rank's bytes. Polling (not fs.watch) because the files appear in nested
 * folders created after launch and inotify on them is racy.
 */
/** `partial`: the unterminated text now on screen (tqdm draws `\r<bar>`, so the latest state has no terminator yet). */
export type SegmentSink = (rank: number, stream: 'stdout' | 'stderr', seg: Segment, partial: boolean) => void;

interface Tailed {
  rank: number;
  stream: 'stdout' | 'stderr';
  path: string;
  offset: number;
  decoder: StringDecoder;
  splitter: LineSplitter;
}

export class RankLogTail {
  private files = new Map<string, Tailed>();
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> | null = null;

  constructor(
    private readonly logDir: string,
    private readonly sink: SegmentSink,
    private readonly intervalMs = 200,
  ) {}

  start(): void {
    const tick = () => {
      this.busy = this.poll().finally(() => {
        this.busy = null;
        if (this.timer) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, this.intervalMs);
  }

  /** Read everything left and flush unterminated last lines. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.busy) await this.busy;
    await this.poll();
    for (const f of this.files.values()) {
      const rest = f.decoder.end();
      for (const seg of [...(rest ? f.splitter.push(rest) : []), ...f.splitter.flush()]) this.sink(f.rank, f.stream, seg, false);
    }
  }

  /** Paths of the per-rank files found so far. */
  paths(): { rank: number; stream: string; path: string }[] {
    return [...this.files.values()].map((f) => ({ rank: f.rank, stream: f.stream, path: f.path }));
  }

  private async discover(): Promise<void> {
    for (const runDir of await ls(this.logDir)) {
      const base = join(this.logDir, runDir);
      const attempts = (await ls(base)).filter((a) => /^attempt_\d+$/.test(a)).sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)));
      for (const attempt of attempts) {
        for (const rankDir of (await ls(join(base, attempt))).filter((r) => /^\d+$/.test(r))) {
          for (const stream of ['stdout', 'stderr'] as const) {
            const path = join(base, attempt, rankDir, `${stream}.log`);
            if (!this.files.has(path)) {
              try {
                await stat(path);
              } catch {
                continue;
              }
              this.files.set(path, { rank: Number(rankDir), stream, path, offset: 0, decoder: new StringDecoder('utf8'), splitter: new LineSplitter() });
            }
          }
        }
      }
    }
  }

  private async poll(): Promise<void> {
    await this.discover();
    for (const f of this.files.values()) {
      let fh;
      try {
        fh = await open(f.path, 'r');
      } catch {
        continue;
      }
      try {
        const buf = Buffer.allocUnsafe(256 * 1024);
        let read = false;
        for (;;) {
          const { bytesRead } = await fh.read(buf, 0, buf.length, f.offset);
          if (bytesRead <= 0) break;
          read = true;
          f.offset += bytesRead;
          const text = f.decoder.write(buf.subarray(0, bytesRead));
          for (const seg of f.splitter.push(text)) this.sink(f.rank, f.stream, seg, false);
        }
        const onScreen = f.splitter.peek();
        if (read && onScreen) this.sink(f.rank, f.stream, { text: onScreen, kind: 'cr' }, true);
      } finally {
        await fh.close();
      }
    }
  }
}

async function ls(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}
