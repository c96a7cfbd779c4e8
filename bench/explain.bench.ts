// Failure explainer on a 100 MB torchrun log (NCCL_DEBUG=INFO noise, tqdm bars, agent lines and
// one real OOM near the end) against `grep -E` with the catalog's keyword patterns on the same file.
// grep only finds lines; the explainer also rejoins wrapped lines, parses torchrun's table and
// picks the root cause, so a ratio of a few is the goal, not 1.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATALOG } from '../shared/failures/catalog';
import { explainLogs } from '../shared/failures/explain';
import { explainPaths } from '../electron/core/explain';
import type { BenchResult } from './types';

const TARGET = 100 * 1024 * 1024;

function makeLog(): string {
  const noise = [
    'vm:1963:1963 [0] NCCL INFO Channel 00/0 : 0[0] -> 1[1] via P2P/CUMEM',
    'vm:1964:1964 [1] NCCL INFO ncclCommInitRankConfig comm 0x4534c2c0 rank 1 nranks 4 cudaDev 1 nvmlDev 1 busId 70 commId 0x86f36d51282dcc13 - Init COMPLETE',
    'vm:1965:1965 [2] NCCL INFO Connected all rings, use ring PXN 0 GDR 1',
    '[default2]: 50%|█████     | 2/4 [00:00<00:00,  9.95it/s]',
    '[default0]:[rank0]: clip 12 done, 48 frames, 1.84 s',
    'W1122 07:08:11.246000 1441 torch/distributed/run.py:851] Setting OMP_NUM_THREADS environment variable for each process to be 1 in default',
  ];
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < TARGET - 4096; i++) {
    const l = noise[i % noise.length];
    parts.push(l);
    size += l.length + 1;
  }
  parts.push(readFileSync(new URL('../test/fixtures/captured/logs/fail-oom.log', import.meta.url), 'utf8'));
  return parts.join('\n');
}

/** The catalog triggers in POSIX ERE (GNU grep has no \d). */
function eres(): string[] {
  return CATALOG.map((e) =>
    e.trigger.source
      .replace(/\(\?:/g, '(')
      .replace(/\\d/g, '[0-9]')
      .replace(/\\s/g, '[[:space:]]')
      .replace(/\\w/g, '[[:alnum:]_]')
      .replace(/\\\//g, '/'),
  );
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export default async function (): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lal-bench-explain-'));
  try {
    const file = join(dir, 'console.log');
    const text = makeLog();
    writeFileSync(file, text);
    const mb = statSync(file).size / 1024 / 1024;
    const args = ['-E', '-n', ...eres().flatMap((p) => ['-e', p]), file];
    // Warm the page cache and the JIT once, then take the best of 3 each.
    execFileSync('grep', args, { maxBuffer: 64 * 1024 * 1024 });
    explainLogs([{ name: 'warm', text: text.slice(0, 1 << 20) }], { lang: 'en' });
    let grepMs = Infinity;
    let memMs = Infinity;
    let fileMs = Infinity;
    let verdict = '';
    for (let i = 0; i < 3; i++) {
      grepMs = Math.min(grepMs, time(() => execFileSync('grep', args, { maxBuffer: 64 * 1024 * 1024 })).ms);
      const m = time(() => explainLogs([{ name: 'console.log', text }], { lang: 'en' }));
      memMs = Math.min(memMs, m.ms);
      verdict = m.value[0] ? `${m.value[0].code}@${m.value[0].rank}` : 'none';
      const f = await timeAsync(() => explainPaths([file], 'en'));
      fileMs = Math.min(fileMs, f.ms);
    }
    if (verdict !== 'CUDA_OOM@1') throw new Error(`wrong verdict on the 100 MB log: ${verdict}`);
    const heapMb = process.memoryUsage().heapUsed / 1024 / 1024;
    return [
      { name: 'explainLogs 100 MB vs grep -E', ratio: memMs / grepMs, detail: `${mb.toFixed(0)} MB: explainLogs ${memMs.toFixed(0)} ms, grep -E ${grepMs.toFixed(0)} ms, verdict ${verdict}` },
      { name: 'explainPaths (streamed) 100 MB vs grep -E', ratio: fileMs / grepMs, detail: `explainPaths ${fileMs.toFixed(0)} ms (${((mb / fileMs) * 1000).toFixed(0)} MB/s), grep -E ${grepMs.toFixed(0)} ms, heap after ${heapMb.toFixed(0)} MB` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
