import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { namespaces, type Namespace } from '../../../shared/i18n';
import { translate } from '../../../shared/i18n/translate';
import { repoRoot } from '../../support/temp';

/**
 * en and zh-CN stay complete: a key in one language and not the other fails here, in every
 * namespace, including a locale file someone forgot to register. Placeholders must match too, or
 * one language would print a raw `{{var}}` the other fills.
 */
type Tree = Record<string, unknown>;

function flatten(tree: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (typeof tree === 'string') out.set(prefix, tree);
  else if (tree && typeof tree === 'object') for (const [k, v] of Object.entries(tree as Tree)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

const placeholders = (s: string) => [...new Set([...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]))].sort();

describe('translations are complete in both languages', () => {
  it('every locale file is a registered namespace', () => {
    const files = readdirSync(join(repoRoot, 'shared/i18n/locales')).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, ''));
    expect(files.filter((f) => !(f in namespaces))).toEqual([]);
  });

  for (const [ns, value] of Object.entries(namespaces) as [Namespace, { en: unknown; zh: unknown }][]) {
    it(`${ns}: no key in one language only, and the same placeholders in both`, () => {
      const en = flatten(value.en);
      const zh = flatten(value.zh);
      const missing = [...en.keys()].filter((k) => !zh.has(k)).map((k) => `zh-CN lacks ${ns}:${k}`);
      const extra = [...zh.keys()].filter((k) => !en.has(k)).map((k) => `en lacks ${ns}:${k}`);
      expect([...missing, ...extra]).toEqual([]);
      const differ = [...en.keys()].filter((k) => zh.has(k) && placeholders(en.get(k)!).join() !== placeholders(zh.get(k)!).join());
      expect(differ.map((k) => `${ns}:${k} en {${placeholders(en.get(k)!).join(',')}} zh {${placeholders(zh.get(k)!).join(',')}}`)).toEqual([]);
    });
  }

  it('the one translate() reads every key of every namespace in both languages', () => {
    for (const [ns, value] of Object.entries(namespaces) as [Namespace, { en: unknown; zh: unknown }][]) {
      for (const [key, text] of flatten(value.en)) {
        if (!placeholders(text).length) expect(translate(ns, key, {}, 'en')).toBe(text);
      }
      for (const [key, text] of flatten(value.zh)) {
        if (!placeholders(text).length) expect(translate(ns, key, {}, 'zh-CN')).toBe(text);
      }
    }
  });

  it('fills {{var}}, keeps a missing one visible, falls back to the key', () => {
    expect(translate('run', 'cli.badSet', { value: 'x' }, 'en')).toContain('"x"');
    expect(translate('run', 'cli.badSet', { value: 'x' }, 'zh-CN')).toMatch(/[\u4e00-\u9fff]/);
    expect(translate('run', 'cli.badSet', {}, 'en')).toContain('{{value}}');
    expect(translate('run', 'no.such.key', {}, 'zh-CN')).toBe('no.such.key');
    // A value is put in as it is: no HTML escaping, and never read as a placeholder itself.
    expect(translate('run', 'cli.badSet', { value: '<b>{{value}}</b>' }, 'en')).toContain('"<b>{{value}}</b>"');
  });
});
