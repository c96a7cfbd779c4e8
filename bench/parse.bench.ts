// Parser throughput on a generated 100 MB NCCL INFO log (real lines from
// test/fixtures/captured/logs/progress-nccl-info.log, repeated), against `grep -E -c` with the same
// patterns on the same file. Ratio = our time / grep's time (lower is better; grep only counts
// matching lines, we also split on \r, decode UTF-8, track bars per rank and phases).
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, writeFileSync, appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { execa } from 'execa';
import { LineSplitter } from '../shared/progress/lines';
import { ProgressTracker } from '../shared/progress/tracker';
import { splitRankPrefix } from '../shared/progress/prefix';
import type { BenchResult } from './types';

const fixture = new URL('../test/fixtures/captured/logs/progress-nccl-info.log', import.meta.url).pathname;
const TARGET = 100 * 1024 * 1024;
const PHASES = [
  { phase: 'loading' as const, match: 'Creating WanS2V pipeline' },
  { phase: 'generating' as const, match: 'complete prepare conditional inputs' },
  { phase: 'saving' as const, match: 'denoising video done' },
  { phase: 'done' as const, match: 'Finished.' },
];
// The same things our parser looks for: a tqdm bar (N/M [) and the phase lines.
const GREP = `[0-9]+%\\|[^|]*\\| *[0-9]+/[0-9]+ *\\[|${PHASES.map((p) => p.match.replace(/\./g, '\\.')).join('|')}`;

function ourParse(file: string): { bars: number; ms: number } {
  const t0 = performance.now();
  const tracker = new ProgressTracker({ nproc: 8, clips: 1, barsPerClip: 1, frameRanks: [0], framesPerBar: 12, realtimeFps: 25, phases: PHASES });
  const split = new LineSplitter();
  const dec = new StringDecoder('utf8');
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let n: number;
  let t = 0;
  while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) {
    for (const seg of split.push(dec.write(buf.subarray(0, n)))) {
      const { rank, text } = splitRankPrefix(seg.text);
      tracker.feed(rank ?? 0, { text, kind: seg.kind }, t++);
    }
  }
  closeSync(fd);
  for (const seg of split.flush()) tracker.feed(0, seg, t++);
  return { bars: tracker.snapshot().ranks[0].barsDone ?? 0, ms: performance.now() - t0 };
}

async function grepParse(file: string): Promise<{ lines: number; ms: number }> {
  const t0 = performance.now();
  const r = await execa('grep', ['-E', '-c', GREP, file], { reject: false, env: { LC_ALL: 'C' } });
  return { lines: Number(String(r.stdout).trim()), ms: performance.now() - t0 };
}

export default async function bench(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lal-parse-bench-'));
  const file = join(dir, 'nccl-info-100mb.log');
  try {
    const text = readFileSync(fixture, 'utf8');
    writeFileSync(file, '');
    const block = text.repeat(64);
    while (!existsSync(file) || statSync(file).size < TARGET) appendFileSync(file, block);
    const size = statSync(file).size;
    // Warm the page cache for both contenders.
    await grepParse(file);
    const ours: number[] = [];
    const grep: number[] = [];
    let bars = 0;
    let lines = 0;
    for (let i = 0; i < 3; i++) {
      const o = ourParse(file);
      ours.push(o.ms);
      bars = o.bars;
      const g = await grepParse(file);
      grep.push(g.ms);
      lines = g.lines;
    }
    const best = (xs: number[]) => Math.min(...xs);
    const mb = size / (1 << 20);
    return [
      {
        name: 'parse 100 MB NCCL INFO log (tqdm + phases)',
        ratio: best(ours) / best(grep),
        detail: `ours ${(mb / (best(ours) / 1000)).toFixed(0)} MB/s (${best(ours).toFixed(0)} ms, ${bars} bars) vs grep -E -c ${(mb / (best(grep) / 1000)).toFixed(0)} MB/s (${best(grep).toFixed(0)} ms, ${lines} lines); ${mb.toFixed(0)} MB, best of 3; ratio = our time / grep time`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
