import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zlibSync, strToU8 } from 'fflate';
import { decodeShareCode, encodeShareCode, fromBase64Url, toBase64Url, SHARE_PREFIX } from '../../../shared/profiles/share-code';
import { PRESETS } from '../../../shared/profiles/presets';
import { profileArb } from './arbitraries';

describe('share code', () => {
  it('round-trips every preset and random profiles to the same profile', () => {
    for (const p of PRESETS) expect(decodeShareCode(encodeShareCode(p))).toEqual({ ok: true, profile: p });
    fc.assert(
      fc.property(profileArb, (p) => {
        const { pinned: _, ...shared } = p;
        const code = encodeShareCode(p);
        expect(code.startsWith(SHARE_PREFIX)).toBe(true);
        expect(code).toMatch(/^lav1\.[A-Za-z0-9_-]+$/);
        expect(decodeShareCode(code)).toEqual({ ok: true, profile: shared });
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('is stable: key order does not change the code', () => {
    const a = PRESETS[0]!;
    const b = Object.fromEntries(Object.entries(a).reverse()) as typeof a;
    expect(encodeShareCode(b)).toBe(encodeShareCode(a));
  });

  it('survives line breaks and spaces from chat apps', () => {
    const code = encodeShareCode(PRESETS[3]!);
    const wrapped = code.match(/.{1,20}/g)!.join('\n  ');
    expect(decodeShareCode(wrapped)).toEqual({ ok: true, profile: PRESETS[3] });
  });

  it('rejects garbage with a clear error, never a crash', () => {
    const code = encodeShareCode(PRESETS[2]!);
    const cases: [string, RegExp][] = [
      ['hello', /starts with "lav1\."/],
      ['lav2.abcd', /lav2 is not one this app reads/],
      [code.slice(0, code.length - 7), /damaged|cut short|not a profile/],
      [code.slice(0, 5) + (code[5] === 'A' ? 'B' : 'A') + code.slice(6), /damaged|not a profile/],
      [code + '!', /character "!"/],
      [code.slice(0, -6) + 'AAAAAA', /damaged/],
      [code.slice(0, -2) + (code.endsWith('AA') ? 'BB' : 'AA'), /damaged/],
      [SHARE_PREFIX, /damaged|not a profile/],
      [SHARE_PREFIX + toBase64Url(zlibSync(strToU8('{"format":"lavprofile","version":2,"name":"x","recipe":"r","mode":"m","run":"rm -rf ~"}'))), /unknown field/],
      [SHARE_PREFIX + toBase64Url(zlibSync(new Uint8Array(5_000_000))), /expands to more than 1 MB/],
    ];
    for (const [input, message] of cases) {
      const r = decodeShareCode(input);
      expect(r.ok, input.slice(0, 40)).toBe(false);
      if (!r.ok) expect(r.errors.map((e) => e.message).join(' ')).toMatch(message);
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const r = decodeShareCode(SHARE_PREFIX + s);
        if (!r.ok) expect(r.errors[0]!.message.length).toBeGreaterThan(5);
      }),
      { numRuns: 2000 },
    );
  }, 60_000);

  it('a code altered in any one character is refused, never read as another profile', () => {
    fc.assert(
      fc.property(profileArb, fc.nat(), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), (p, at, ch) => {
        const code = encodeShareCode(p);
        const i = SHARE_PREFIX.length + (at % (code.length - SHARE_PREFIX.length));
        if (code[i] === ch) return;
        const r = decodeShareCode(code.slice(0, i) + ch + code.slice(i + 1));
        if (r.ok) {
          const { pinned: _, ...shared } = p;
          expect(r.profile).toEqual(shared);
        }
      }),
      { numRuns: 1000 },
    );
  }, 60_000);

  it('base64url round-trips any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      expect(Array.from(fromBase64Url(toBase64Url(b)) ?? [])).toEqual(Array.from(b));
    }), { numRuns: 1000 });
  });
});
