import { describe as group, expect, it } from 'vitest';
import { CATALOG } from '../../../shared/failures/catalog';
import { describe, duration, unit } from '../../../shared/failures/describe';
import { explainLogs } from '../../../shared/failures/explain';
import { render } from '../../../shared/failures/template';
import { FAILURE_CODES, type Diagnosis } from '../../../shared/failures/types';
import { failures } from '../../../shared/i18n/locales/failures';

const CJK = /[\u4e00-\u9fff]/;
const ph = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

group('failure words: every code in zh-CN and en, in the locale files only', () => {
  for (const code of FAILURE_CODES) {
    it(code, () => {
      const en = failures.en.codes[code];
      const zh = failures.zh.codes[code];
      expect(en, `no words for ${code}`).toBeDefined();
      for (const part of ['title', 'explanation', 'fix'] as const) {
        expect(en[part].trim()).not.toBe('');
        expect(zh[part]).not.toBe(en[part]);
        expect(zh[part]).toMatch(CJK);
        expect(en[part]).not.toMatch(CJK);
        // Same placeholders in both languages, so no number is lost in translation.
        expect(ph(zh[part])).toEqual(ph(en[part]));
      }
    });
  }

  it('the catalog holds patterns and fields, no prose', () => {
    for (const e of CATALOG) expect(Object.keys(e).sort()).toEqual(expect.arrayContaining(['code', 'patterns', 'priority', 'scope', 'trigger']));
    for (const e of CATALOG) for (const k of Object.keys(e)) expect(['code', 'patterns', 'priority', 'scope', 'trigger', 'supersedes', 'fixes']).toContain(k);
  });

  it('advice keys carry the same placeholders in both languages', () => {
    for (const [k, en] of Object.entries(failures.en.advice)) expect(ph(failures.zh.advice[k as keyof typeof failures.zh.advice]), k).toEqual(ph(en));
  });

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

  it('plurals and units, not "1 elements" or "0.3 minutes"', () => {
    expect(unit('en', 'elements', 1)).toBe('1 element');
    expect(unit('en', 'elements', 19008)).toBe('19,008 elements');
    expect(unit('zh-CN', 'elements', 1)).toBe('1 个元素');
    expect(duration('en', 600000)).toBe('10 minutes');
    expect(duration('en', 60000)).toBe('1 minute');
    expect(duration('en', 18000)).toBe('18 seconds');
    expect(duration('en', 1000)).toBe('1 second');
    expect(duration('zh-CN', 1800000)).toBe('30 分钟');
    expect(duration('en', 500)).toBe('500 milliseconds');
  });

  it('the watchdog card reads right in both languages (the old text said "within 0.3 minutes the timeout")', () => {
    const text = [
      '[rank0]:[E1016 03:31:38.877036871 ProcessGroupNCCL.cpp:616] [Rank 0] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=5, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=18000) ran for 18020 milliseconds before timing out.',
      '[rank0]:[E1016 03:31:38.877300000 ProcessGroupNCCL.cpp:1785] [PG 0 Rank 0] Exception (either an error or timeout) detected by watchdog at work: 5, last enqueued NCCL work: 5, last completed NCCL work: 4.',
      '[rank1]: clip 1 done',
    ].join('\n');
    const [d] = explainLogs([{ name: 'c', text }]);
    expect(d).toMatchObject({ code: 'NCCL_WATCHDOG_TIMEOUT', rank: 1 });
    const en = describe(d, 'en');
    expect(en.explanation).toContain('Rank 1 fell behind');
    expect(en.explanation).toContain('ALLREDUCE #5, 1 element)');
    expect(en.explanation).toContain('within the timeout of 18 seconds');
    expect(en.explanation).not.toMatch(/minutes the timeout|1 elements|\{\w+\}|\[\[/);
    const zh = describe(d, 'zh-CN');
    expect(zh.explanation).toContain('rank 1 落后了');
    expect(zh.explanation).toContain('18 秒');
  });

  it('every code renders without leftover placeholders in both languages, with and without fields', () => {
    for (const code of FAILURE_CODES) {
      for (const lang of ['en', 'zh-CN'] as const) {
        for (const d of [{ code, rank: null, evidence: null }, { code, rank: 2, evidence: null, fields: { ranks: '1,2', advice: 'oomFragmented', unusedReserved: '3.00 GiB', idleSec: 31 } }] as Diagnosis[]) {
          const w = describe(d, lang);
          for (const s of [w.title, w.explanation, w.fix]) expect(s, `${code} ${lang}`).not.toMatch(/\{\w+\}|\[\[|\]\]/);
        }
      }
    }
  });

  it('run-manager codes and old records that stored their words', () => {
    const exit = describe({ code: 'RANK_EXIT', rank: 3, evidence: null, fields: { exitCode: -9, signal: 'SIGKILL' } }, 'zh-CN');
    expect(exit.title).toContain('rank 3'.replace('rank', 'Rank'));
    expect(exit.explanation).toMatch(/内存/);
    const stopped = describe({ code: 'RANK_EXIT', rank: 2, evidence: null, fields: { exitCode: -15, signal: 'SIGTERM' } }, 'en');
    expect(stopped.title).toBe('Rank 2 was stopped by torchrun (exit code -15, SIGTERM)');
    expect(stopped.explanation).not.toMatch(/first/);
    expect(describe({ code: 'RANK_EXIT', rank: 2, evidence: null, fields: { exitCode: -15, signal: 'SIGTERM' } }, 'zh-CN').title).toMatch(/被 torchrun 停止/);
    const legacy: Diagnosis = {
      code: 'CUDA_OOM',
      rank: 1,
      evidence: null,
      title: 'GPU out of memory',
      explanation: 'old words',
      fix: 'old fix',
      texts: { 'zh-CN': { title: '显存不足（CUDA OOM）', explanation: '旧', fix: '旧' } },
    };
    expect(describe(legacy, 'zh-CN').title).toBe('显存不足（CUDA OOM）');
    expect(describe(legacy, 'en')).toEqual({ title: 'GPU out of memory', explanation: 'old words', fix: 'old fix' });
    expect(describe({ code: 'SOMETHING_NEW', rank: null, evidence: null }, 'en').explanation).toContain('SOMETHING_NEW');
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
