import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { explainLogs, Explainer } from '../../../shared/failures/explain';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../support/temp';
import { EXCERPTS } from './excerpts';

/** Verdict = the root cause's code and rank; noise, interleaving and wrapping must not move it. */
const verdict = (text: string) => {
  const d = explainLogs([{ name: 'x', text }]);
  return d.length ? `${d[0].code}@${d[0].rank}` : 'none';
};

const NOISE = [
  'vm:1963:1963 [0] NCCL INFO Channel 00/0 : 0[0] -> 1[1] via P2P/CUMEM',
  'vm:1964:1964 [1] NCCL INFO ncclCommInitRankConfig comm 0x4534c2c0 rank 1 nranks 4 cudaDev 1 nvmlDev 1 busId 70 commId 0x86f36d51282dcc13 - Init COMPLETE',
  'W1122 07:08:11.246000 1441 torch/distributed/run.py:851] Setting OMP_NUM_THREADS environment variable for each process to be 1 in default, to avoid your system being overloaded, please further tune the variable for optimal performance in your application as needed.',
  '/usr/lib/python3/dist-packages/torch/_utils.py:776: UserWarning: TypedStorage is deprecated.',
  'FutureWarning: `torch.cuda.amp.autocast(args...)` is deprecated.',
  ' 25%|██▌       | 1/4 [00:00<00:00,  9.95it/s]',
  'Warning: PYTORCH_CUDA_ALLOC_CONF is deprecated, use PYTORCH_ALLOC_CONF instead',
  '',
];

// Excerpts whose lines carry their rank (prefixes, or the agent table) survive any reordering.
const SAMPLES = EXCERPTS.filter((e) => !e.rankFile);

function wrap(text: string, width: number): string {
  return text
    .split('\n')
    .flatMap((l) => {
      if (l.length <= width) return [l];
      const out: string[] = [];
      for (let i = 0; i < l.length; i += width) out.push(l.slice(i, i + width));
      return out;
    })
    .join('\n');
}

describe('property: the verdict is stable', () => {
  it('under inserted noise lines', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...NOISE)), { maxLength: 30 }), (ex, inserts) => {
        const lines = ex.text.split('\n');
        for (const [pos, n] of inserts) lines.splice(pos % (lines.length + 1), 0, n);
        expect(verdict(lines.join('\n'))).toBe(`${ex.code}@${ex.rank}`);
      }),
      { numRuns: 150 },
    );
  });

  it('under hard-wrapping at any terminal width ≥ 40', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES), fc.integer({ min: 40, max: 240 }), (ex, width) => {
        expect(verdict(wrap(ex.text, width))).toBe(`${ex.code}@${ex.rank}`);
      }),
      { numRuns: 200 },
    );
  });

  it('under interleaving with another rank\'s healthy output (prefixed), then wrapping', () => {
    // Not the collective timeouts: a healthy rank that printed no watchdog line *is* the one that fell
    // behind (C03 (b)1), so adding one legitimately moves that verdict (rootcause.test.ts covers it).
    const failing = SAMPLES.filter((e) => e.rank !== null && e.text.includes(`[rank${e.rank}]:`) && !/WATCHDOG|HEARTBEAT/.test(e.code));
    fc.assert(
      fc.property(
        fc.constantFrom(...failing),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 200 }),
        fc.option(fc.integer({ min: 60, max: 200 }), { nil: undefined }),
        (ex, picks, width) => {
          const other = ex.rank === 0 ? 5 : 0;
          const mine = ex.text.split('\n');
          const theirs = Array.from({ length: 20 }, (_, i) => (i % 2 ? `[rank${other}]: clip ${i} done` : `[rank${other}]: loading shard ${i} of 20`));
          const out: string[] = [];
          let a = 0;
          let b = 0;
          for (const p of picks) {
            if (p && a < mine.length) out.push(mine[a++]);
            else if (b < theirs.length) out.push(theirs[b++]);
          }
          out.push(...mine.slice(a), ...theirs.slice(b));
          const text = width ? wrap(out.join('\n'), width) : out.join('\n');
          expect(verdict(text)).toBe(`${ex.code}@${ex.rank}`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('complete logs (every reconstructed console, watchdog cascades included) under noise and wrapping', () => {
    const dir = join(repoRoot, 'test/unit/failures/fixtures/complete');
    const logs = readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => ({ f, text: readFileSync(join(dir, f), 'utf8') }))
      .map((l) => ({ ...l, want: verdict(l.text) }));
    fc.assert(
      fc.property(fc.constantFrom(...logs), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...NOISE)), { maxLength: 20 }), fc.option(fc.integer({ min: 40, max: 240 }), { nil: undefined }), (l, inserts, width) => {
        const lines = l.text.split('\n');
        for (const [pos, n] of inserts) lines.splice(pos % (lines.length + 1), 0, n);
        const text = width ? wrap(lines.join('\n'), width) : lines.join('\n');
        expect(verdict(text), l.f).toBe(l.want);
      }),
      { numRuns: 60 },
    );
  });

  it('when ranks collide mid-line ("rank 3 initialisedrank 0 initialised[rank1]: …")', () => {
    const text = 'rank 3 initialisedrank 0 initialised[rank1]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 37.25 GiB. GPU 1 has a total capacity of 139.80 GiB of which 26.59 GiB is free. Including non-PyTorch memory, this process has 113.20 GiB memory in use. Of the allocated memory 111.76 GiB is allocated by PyTorch, and 19.08 MiB is reserved by PyTorch but unallocated.';
    expect(verdict(text)).toBe('CUDA_OOM@1');
  });

  it('whatever the chunking of a stream (CR/LF split across chunks)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES), fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), (ex, cuts, crlf) => {
        const text = crlf ? ex.text.replace(/\n/g, '\r\n') : ex.text;
        // Cut the stream at the drawn offsets (a \r\n pair split across two chunks included).
        const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const ex2 = new Explainer();
        const src = ex2.source('x');
        let from = 0;
        for (const c of [...at, text.length]) {
          src.push(text.slice(from, c));
          from = c;
        }
        src.end();
        const d = ex2.diagnoses();
        expect(d.length ? `${d[0].code}@${d[0].rank}` : 'none').toBe(`${ex.code}@${ex.rank}`);
        // And the same evidence line as the whole text read at once.
        const whole = explainLogs([{ name: 'x', text }]);
        expect(d[0]?.evidence?.line).toBe(whole[0]?.evidence?.line);
      }),
      { numRuns: 150 },
    );
  });

  it('chunks cut right after every \r of a CR LF stream', () => {
    for (const ex of SAMPLES.slice(0, 12)) {
      const text = ex.text.replace(/\n/g, '\r\n');
      const ex2 = new Explainer();
      const src = ex2.source('x');
      let from = 0;
      for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) {
        src.push(text.slice(from, i + 1));
        from = i + 1;
      }
      src.push(text.slice(from));
      src.end();
      expect(`${ex2.diagnoses()[0]?.code}@${ex2.diagnoses()[0]?.rank}`, ex.name).toBe(`${ex.code}@${ex.rank}`);
    }
  });
});
