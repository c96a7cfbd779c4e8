import { describe, expect, it } from 'vitest';
import { namespaces, pickLanguage } from '../../../shared/i18n';

function keys(obj: unknown, prefix = ''): string[] {
  if (obj === null || typeof obj !== 'object') return [prefix];
  return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}
function leaves(obj: unknown): string[] {
  if (typeof obj === 'string') return [obj];
  if (obj === null || typeof obj !== 'object') return [];
  return Object.values(obj as Record<string, unknown>).flatMap(leaves);
}

describe('i18n: every string exists in zh-CN and en', () => {
  for (const [ns, value] of Object.entries(namespaces)) {
    it(`${ns}: same keys in both languages`, () => {
      expect(keys(value.zh).sort()).toEqual(keys(value.en).sort());
    });
    it(`${ns}: no empty strings, and Chinese text is Chinese`, () => {
      for (const s of leaves(value.en)) expect(s.trim()).not.toBe('');
      const zh = leaves(value.zh);
      for (const s of zh) expect(s.trim()).not.toBe('');
      // Most zh strings must contain CJK; a few can be pure symbols or identifiers.
      if (zh.length) expect(zh.filter((s) => /[\u4e00-\u9fff]/.test(s)).length / zh.length).toBeGreaterThan(0.6);
    });
  }

  it('follows the system language', () => {
    expect(pickLanguage('zh_CN.UTF-8')).toBe('zh-CN');
    expect(pickLanguage('zh-TW')).toBe('zh-CN');
    expect(pickLanguage('en_US.UTF-8')).toBe('en');
    expect(pickLanguage(undefined)).toBe('en');
  });
});
