import { Zlib } from 'fflate';
import fc from 'fast-check';
import { decodeShareCode, toBase64Url } from '../../../../shared/profiles/share-code';

/**
 * Run by bounded-input.test.ts in a fresh process so that its peak memory (maxRSS) belongs to the
 * decoding alone. Prints one JSON line: {before, after} maxRSS in KiB and what the decoder said.
 *   bomb MB   — one code that inflates to MB megabytes of zeros (just under the 200 000-character cap)
 *   fuzz N    — N random bombs and random zlib streams (fast-check, fixed seed)
 */
function zlibOf(parts: Iterable<Uint8Array>): Uint8Array {
  const out: Uint8Array[] = [];
  const z = new Zlib({ level: 9 }, (c) => out.push(c));
  const list = [...parts];
  list.forEach((p, i) => z.push(p, i === list.length - 1));
  const bytes = new Uint8Array(out.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of out) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

function* repeated(block: Uint8Array, times: number): Generator<Uint8Array> {
  for (let i = 0; i < times; i++) yield block;
}

const [mode, arg] = process.argv.slice(2);
if (mode === 'bomb') {
  const code = 'lav1.' + toBase64Url(zlibOf(repeated(new Uint8Array(1 << 20), Number(arg))));
  const before = process.resourceUsage().maxRSS;
  const r = decodeShareCode(code);
  const after = process.resourceUsage().maxRSS;
  process.stdout.write(JSON.stringify({ chars: code.length, before, after, result: r }) + '\n');
} else if (mode === 'fuzz') {
  // Generate every input first, so that the peak measured afterwards is the decoder's.
  const inputs = fc.sample(
    fc.oneof(
      fc.record({ byte: fc.integer({ min: 0, max: 255 }), mb: fc.integer({ min: 2, max: 140 }) }).map(({ byte, mb }) => 'lav1.' + toBase64Url(zlibOf(repeated(new Uint8Array(1 << 20).fill(byte), mb)))),
      fc.uint8Array({ minLength: 1, maxLength: 4096 }).map((b) => 'lav1.' + toBase64Url(zlibOf([b]))),
      fc.uint8Array({ maxLength: 4096 }).map((b) => 'lav1.' + toBase64Url(b)),
      fc.string({ maxLength: 2000 }).map((s) => 'lav1.' + s),
    ),
    { numRuns: Number(arg), seed: 14 },
  );
  const before = process.resourceUsage().maxRSS;
  let crashes = 0;
  for (const code of inputs) {
    try {
      const r = decodeShareCode(code);
      if (!r.ok && !r.errors.every((e) => e.message && e.messageZh)) crashes++;
    } catch {
      crashes++;
    }
  }
  const after = process.resourceUsage().maxRSS;
  process.stdout.write(JSON.stringify({ runs: inputs.length, before, after, crashes }) + '\n');
}
