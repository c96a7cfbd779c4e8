import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execaSync } from 'execa';
import fc from 'fast-check';
import { parsePickle, PickleError, PickleSet, type PickleValue } from '../../../shared/stacks/pickle';
import { repoRoot } from '../../support/temp';

/**
 * The data-only pickle reader the flight-recorder dumps go through (shared/stacks/pickle.ts).
 * Pickles are written by the machine's Python in every protocol, so the reader is checked against
 * the real format, not against itself; hostile shapes are built byte by byte.
 */
const PY = '/usr/bin/python3';
const VALUE = `{"ints": [0, 1, -1, 255, 256, 65535, 65536, -2**31, 2**31, 2**40, -2**63, 1796598945251928300],
 "floats": [0.5, -2.25, 1e300], "none": None, "flags": (True, False), "text": "rank 3 中文 ✓",
 "tuple": (1, (2, 3), ()), "nested": {"k": [{"deep": ["x"]}]}, 7: "int key", "long": "y" * 300}`;

function pickled(protocol: number, value = VALUE): Buffer {
  const r = execaSync(PY, ['-c', `import pickle,sys\nsys.stdout.buffer.write(pickle.dumps(${value}, protocol=${protocol}))`], { encoding: 'buffer' });
  return Buffer.from(r.stdout);
}

/** Plain JSON-able form: sets as {set: [...]}, bytes as hex. */
function plain(v: PickleValue): unknown {
  if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString('hex') };
  if (v instanceof PickleSet) return { set: v.items.map(plain) };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

describe('data-only pickle reader', () => {
  for (const protocol of [0, 1, 2, 3, 4, 5]) {
    it(`reads what Python writes with protocol ${protocol}`, () => {
      const out = plain(parsePickle(pickled(protocol))) as Record<string, unknown>;
      expect(out.ints).toEqual([0, 1, -1, 255, 256, 65535, 65536, -(2 ** 31), 2 ** 31, 2 ** 40, -(2 ** 63), 1796598945251928300]);
      expect(out.floats).toEqual([0.5, -2.25, 1e300]);
      expect(out.none).toBeNull();
      expect(out.flags).toEqual([true, false]);
      expect(out.text).toBe('rank 3 中文 ✓');
      expect(out.tuple).toEqual([1, [2, 3], []]);
      expect(out.nested).toEqual({ k: [{ deep: ['x'] }] });
      expect(out['7']).toBe('int key');
      expect(out.long).toBe('y'.repeat(300));
    });
  }

  it('bytes (protocol 3+) and sets (4+) have opcodes; older protocols spell them as calls, which are refused', () => {
    expect(plain(parsePickle(pickled(3, 'b"\\x00\\xff"')))).toEqual({ bytes: '00ff' });
    expect(plain(parsePickle(pickled(4, '[{4}, frozenset([5])]')))).toEqual([{ set: [4] }, { set: [5] }]);
    expect(() => parsePickle(pickled(2, 'b"\\x00\\xff"'))).toThrow(/refusing opcode/);
    expect(() => parsePickle(pickled(3, '{4}'))).toThrow(/refusing opcode/);
  });

  it('a shared object stays shared (memo), and a "__proto__" key is only a key', () => {
    const v = parsePickle(pickled(4, '(lambda x: [x, x, {"__proto__": {"polluted": 1}}])(["a"])')) as PickleValue[];
    expect(v[0]).toBe(v[1]);
    const d = v[2] as Record<string, PickleValue>;
    expect(Object.getPrototypeOf(d)).toBeNull();
    expect(Object.keys(d)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a list nested 200,000 deep is read without recursion', () => {
    const n = 200_000;
    const bytes = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.alloc(n, 0x5d), Buffer.alloc(n - 1, 0x61), Buffer.from('.')]);
    let v = parsePickle(bytes);
    let depth = 1;
    while (Array.isArray(v) && v.length) {
      v = v[0];
      depth++;
    }
    expect(depth).toBe(n);
  });

  it('every opcode that names or calls a class is refused', () => {
    for (const [name, op] of [['GLOBAL', 0x63], ['STACK_GLOBAL', 0x93], ['REDUCE', 0x52], ['BUILD', 0x62], ['NEWOBJ', 0x81], ['NEWOBJ_EX', 0x92], ['INST', 0x69], ['OBJ', 0x6f], ['PERSID', 0x50], ['BINPERSID', 0x51], ['EXT1', 0x82]] as const) {
      expect(() => parsePickle(Buffer.from([0x80, 0x04, op, 0x2e])), name).toThrow(new RegExp(`refusing opcode 0x${op.toString(16)}`));
    }
  });

  it('any bytes, and any cut or change of a real dump, give a value or a PickleError, never another error', () => {
    const real = readFileSync(join(repoRoot, 'test/fixtures/gpu-h200-cascades/straggler-middle/nccl_trace_rank_2'));
    const only = (bytes: Uint8Array) => {
      try {
        parsePickle(bytes);
      } catch (e) {
        if (!(e instanceof PickleError)) throw e;
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (b) => only(Uint8Array.from([0x80, 0x04, ...b]))), { numRuns: 2000 });
    fc.assert(
      fc.property(fc.nat(real.length - 1), fc.nat(real.length - 1), fc.integer({ min: 0, max: 255 }), (cut, at, byte) => {
        only(real.subarray(0, cut));
        const changed = Buffer.from(real);
        changed[at] = byte;
        only(changed);
      }),
      { numRuns: 1000 },
    );
  });
});
