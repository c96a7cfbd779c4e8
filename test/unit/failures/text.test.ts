import { describe, expect, it } from 'vitest';
import { CATALOG, SYNTHETIC_TEXT } from '../../../shared/failures/catalog';
import { render } from '../../../shared/failures/template';
import { FAILURE_CODES } from '../../../shared/failures/types';

const CJK = /[\u4e00-\u9fff]/;

describe('catalog text: every code in zh-CN and en', () => {
  const texts = new Map<string, (typeof CATALOG)[number] | (typeof SYNTHETIC_TEXT)['STALL']>([
    ...CATALOG.map((e) => [e.code, e] as const),
    ['STALL', SYNTHETIC_TEXT.STALL],
    ['UNKNOWN', SYNTHETIC_TEXT.UNKNOWN],
  ]);
  for (const code of FAILURE_CODES) {
    it(code, () => {
      const t = texts.get(code);
      expect(t, `no text for ${code}`).toBeDefined();
      for (const part of [t!.title, t!.explanation, t!.fix]) {
        expect(part.en.trim()).not.toBe('');
        expect(part.zh.trim()).not.toBe('');
        expect(part.zh).not.toBe(part.en);
        expect(part.zh).toMatch(CJK);
        expect(part.en).not.toMatch(CJK);
        // Same placeholders in both languages, so no number is lost in translation.
        const ph = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        expect(ph(part.zh)).toEqual(ph(part.en));
      }
    });
  }

  it('codes are unique and every catalog entry has at least one pattern', () => {
    expect(new Set(CATALOG.map((e) => e.code)).size).toBe(CATALOG.length);
    for (const e of CATALOG) expect(e.patterns.length).toBeGreaterThan(0);
  });

  it('templates drop optional parts whose fields are missing, and nest', () => {
    expect(render('A[[ on GPU {gpu}]].', {})).toBe('A.');
    expect(render('A[[ on GPU {gpu}]].', { gpu: 3 })).toBe('A on GPU 3.');
    expect(render('op[[ ({op}[[, {n} elements]])]]', { op: 'SEND' })).toBe('op (SEND)');
    expect(render('op[[ ({op}[[, {n} elements]])]]', { op: 'SEND', n: 4 })).toBe('op (SEND, 4 elements)');
  });

  it('pattern regexes stay fast on adversarial lines (no catastrophic backtracking)', () => {
    const evil = [
      'CUDA out of memory. Tried to allocate ' + '1.'.repeat(8000),
      "No such file or directory: '" + 'a'.repeat(16000),
      'NCCL error in: ' + 'x'.repeat(16000),
      'AssertionError: ' + ' '.repeat(16000),
      'The expanded size of the tensor (3000) must match ' + '('.repeat(16000),
    ];
    for (const line of evil) {
      const t0 = performance.now();
      for (const e of CATALOG) for (const p of e.patterns) p.re.exec(line);
      expect(performance.now() - t0).toBeLessThan(500);
    }
  });
});
