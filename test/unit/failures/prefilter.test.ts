import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe as group, expect, it } from 'vitest';
import { Explainer } from '../../../shared/failures/explain';
import { ANCHORS, anchorsOf, Prefilter, scanSink, triggerAnchors } from '../../../shared/failures/prefilter';
import { CATALOG } from '../../../shared/failures/catalog';
import { makeExplainLog } from '../../../bench/explain-log';
import { EXCERPTS } from './excerpts';
import { allFixtures } from './fixture-list';

/**
 * The byte path (prefilter + matcher on the lines near an anchor) must decide exactly what the
 * text path (every line matched) decides: same diagnoses, ranks, fields and evidence lines.
 */
function viaText(text: string, rank: number | null = null, how: 'push' | 'pushText' = 'push') {
  const ex = new Explainer();
  const s = ex.source('x', rank);
  s[how](text);
  s.end();
  return { d: ex.diagnoses(), lines: ex.stats()[0].lines };
}

/** The path of `explainLogs`: the text encoded in slices onto the byte path. */
const viaPushText = (text: string) => viaText(text, null, 'pushText');

function viaBytes(bytes: Uint8Array, cuts: number[] = [], rank: number | null = null) {
  const ex = new Explainer();
  const s = ex.source('x', rank);
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    s.pushBytes(bytes.subarray(from, Math.max(from, c)));
    from = Math.max(from, c);
  }
  s.end();
  return { d: ex.diagnoses(), lines: ex.stats()[0].lines };
}

const enc = new TextEncoder();
const key = (r: ReturnType<typeof viaText>) => JSON.stringify(r.d.map((d) => [d.code, d.rank, d.evidence?.line, d.evidence?.text, d.fields, d.consequence ?? false]));

group('prefilter: the byte path decides what the text path decides', () => {
  it('every anchor is found, also when a terminal cut it across two lines', () => {
    const p = new Prefilter();
    for (const a of ANCHORS) {
      for (let cut = 0; cut <= a.length; cut++) {
        const text = `noise line\n${'x'.repeat(50)}${a.slice(0, cut)}\n${a.slice(cut)}${'y'.repeat(20)}\nmore`;
        const bytes = enc.encode(text);
        const sink = scanSink();
        p.scan(bytes, 0, bytes.length, sink);
        expect(sink.hotCount, `${a} cut at ${cut}`).toBeGreaterThan(0);
      }
    }
  });

  it("every alternative of every catalog trigger (also other features' entries) has a literal the prefilter looks for", () => {
    const all = [...ANCHORS, ...triggerAnchors(CATALOG.map((e) => e.trigger))];
    for (const e of CATALOG) {
      anchorsOf(e.trigger).forEach((pieces, i) => {
        expect(pieces.length, `${e.code} alternative ${i}: no literal of 3+ characters`).toBeGreaterThan(0);
        expect(pieces.some((p) => all.some((a) => p.includes(a))), `${e.code} alternative ${i}`).toBe(true);
      });
    }
    // And on real lines: every excerpt line a trigger matches contains an anchor.
    for (const ex of EXCERPTS) {
      for (const line of ex.text.split('\n')) {
        if (!CATALOG.some((e) => e.trigger.test(line))) continue;
        expect(all.some((a) => line.includes(a)), line.slice(0, 120)).toBe(true);
      }
    }
  });

  it('on every fixture and excerpt, whole and cut into random chunks', () => {
    const texts: { name: string; text: string }[] = EXCERPTS.map((e) => ({ name: e.name, text: e.text }));
    for (const f of allFixtures()) if (f.endsWith('.log')) texts.push({ name: f, text: readFileSync(f, 'utf8') });
    for (const t of texts) {
      const want = viaText(t.text);
      const bytes = enc.encode(t.text);
      expect(key(viaBytes(bytes)), t.name).toBe(key(want));
      expect(viaBytes(bytes).lines, t.name).toBe(want.lines);
      expect(key(viaPushText(t.text)), t.name).toBe(key(want));
      expect(viaPushText(t.text).lines, t.name).toBe(want.lines);
    }
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.array(fc.nat(), { maxLength: 8 }), (t, raw) => {
        const bytes = enc.encode(t.text);
        // Cuts anywhere, inside a multi-byte character or a \r\n pair included.
        const cuts = [...new Set(raw.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        expect(key(viaBytes(bytes, cuts))).toBe(key(viaText(t.text)));
      }),
      { numRuns: 120 },
    );
  });

  it('on a 4 MB mixed log (NCCL INFO, tqdm, warnings, handled tracebacks) with a watchdog cascade at the end', () => {
    const text = makeExplainLog(4 * 1024 * 1024, 3);
    const bytes = enc.encode(text);
    const cuts = Array.from({ length: 16 }, (_, i) => Math.floor((bytes.length * (i + 1)) / 17) + i);
    const fast = viaBytes(bytes, cuts);
    expect(key(fast)).toBe(key(viaText(text)));
    expect(key(viaPushText(text))).toBe(key(fast));
    expect(fast.d[0]).toMatchObject({ code: 'NCCL_WATCHDOG_TIMEOUT', rank: 2 });
  });

  it('a hot line\'s context reaches into the last, unfinished line (wrapped torchrun line at the very end)', () => {
    const text = [
      'torch.AcceleratorError: CUDA error: invali',
      'd device ordinal',
      'E1122 07:08:17.250000 1441 torch/distribut',
      'ed/elastic/multiprocessing/api.py:986] fai',
      'led (exitcode: 1) local_rank: 4 (pid: 4242',
      ') of binary: /opt/torch/.venv/bin/python',
    ].join('\n');
    expect(key(viaBytes(enc.encode(text)))).toBe(key(viaText(text)));
    expect(key(viaPushText(text))).toBe(key(viaText(text)));
    expect(viaBytes(enc.encode(text)).d[0]).toMatchObject({ code: 'INVALID_DEVICE_ORDINAL', rank: 4 });
  });

  it('a line with no break for megabytes is read in pieces, and what follows is still matched', () => {
    const text = 'x'.repeat(3 * 1024 * 1024) + '\n[rank1]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 1 has a total capacity of 23.65 GiB of which 1.06 MiB is free.\n';
    const bytes = enc.encode(text);
    const r = viaBytes(bytes, [1 << 20, 2 << 20, (3 << 20) + 5]);
    expect(r.d[0]).toMatchObject({ code: 'CUDA_OOM', rank: 1, evidence: { line: 2 } });
    expect(r.lines).toBe(2);
    const u = viaPushText(text);
    expect(u.d[0]).toMatchObject({ code: 'CUDA_OOM', rank: 1, evidence: { line: 2 } });
    expect(u.lines).toBe(2);
  });

  it('text that is not ASCII through pushText: Chinese, emoji (surrogate pairs), CJK units whose low byte is \\n', () => {
    const oom = '[rank1]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 1 has a total capacity of 23.65 GiB of which 1.06 MiB is free.';
    const text = ['[rank0]: 上下不一 加载模型中 🚀🚀 进度 50%', '[rank1]: 不上不下\u010a\u020d 😀', oom, '[rank2]: ok 上'].join('\n');
    const want = viaText(text);
    expect(want.d[0]).toMatchObject({ code: 'CUDA_OOM', rank: 1, evidence: { line: 3 } });
    expect(key(viaPushText(text))).toBe(key(want));
    expect(viaPushText(text).lines).toBe(want.lines);
    expect(key(viaBytes(enc.encode(text)))).toBe(key(want));
    // An emoji in the evidence line, across pushText's 4 Mi-unit slice edge: encoded whole, not as two U+FFFD.
    const head = '[rank1]: 🚀 ';
    const filler = '.'.repeat(4 * 1024 * 1024 - 1 - head.indexOf('🚀') - 1);
    const edge = `${filler}\n${head}${oom.slice('[rank1]: '.length)}\n`;
    expect(edge.charCodeAt(4 * 1024 * 1024 - 1)).toBe(0xd83d);
    const e = viaPushText(edge);
    expect(e.d[0]).toMatchObject({ code: 'CUDA_OOM', rank: 1, evidence: { line: 2 } });
    expect(e.d[0].evidence?.text).toContain('🚀');
    expect(key(e)).toBe(key(viaText(edge)));
  });

  it('text pushed in two pieces, cut mid-line, gives the verdict of the whole', () => {
    const text = makeExplainLog(300_000, 5);
    const ex = new Explainer();
    const s = ex.source('x');
    const cut = text.indexOf('\n', 1000) + 5;
    s.pushText(text.slice(0, cut));
    s.pushText(text.slice(cut));
    s.end();
    expect(key({ d: ex.diagnoses(), lines: ex.stats()[0].lines })).toBe(key(viaText(text)));
  });
});
