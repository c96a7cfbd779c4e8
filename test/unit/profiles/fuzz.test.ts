import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProfileText, parseProfileValue } from '../../../shared/profiles/migrate';
import { recipeErrors } from '../../../shared/profiles/recipe-check';
import { profileToRunSpec } from '../../../shared/profiles/spec';
import { buildArgs, getRecipe } from '../../../shared/recipes';
import { readSource } from '../../../electron/core/profiles/read-source';
import { profileArb, textArb } from './arbitraries';
import { INJECTIONS, profile } from './helpers';

const FIELDS = ['format', 'version', 'name', 'recipe', 'mode', 'gpus', 'inputs', 'settings', 'env', 'notes', 'pinned'];

function expectFieldErrors(r: ReturnType<typeof parseProfileValue>): void {
  if (r.ok) return;
  expect(r.errors.length).toBeGreaterThan(0);
  for (const e of r.errors) {
    expect(typeof e.path).toBe('string');
    expect(e.path.length).toBeGreaterThan(0);
    expect(e.message.length).toBeGreaterThan(3);
  }
}

describe('validator fuzz: thousands of random and adversarial profiles', () => {
  it('never throws on any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => expectFieldErrors(parseProfileValue(v))), { numRuns: 3000 });
  });

  it('never throws on arbitrary text, and names a line for broken JSON', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const r = parseProfileText(s);
        expectFieldErrors(r);
      }),
      { numRuns: 2000 },
    );
  }, 60_000);

  it('a valid profile with one field replaced by junk gets an error naming that field', () => {
    fc.assert(
      fc.property(profileArb, fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 2 }), (p, field, junk) => {
        const bad = { ...p, [field]: junk };
        const r = parseProfileValue(bad);
        expectFieldErrors(r);
        if (!r.ok && !['format', 'version'].includes(field)) {
          expect(r.errors.some((e) => e.path === field || e.path.startsWith(`${field}.`)), JSON.stringify(r.errors)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  }, 60_000);

  it('adversarial keys and values: prototype keys, huge text, NUL, deep nesting, unknown fields', () => {
    const cases: unknown[] = [
      JSON.parse('{"format":"lavprofile","version":2,"name":"x","recipe":"rehearsal","mode":"tpp-5gpu","settings":{"__proto__":{"polluted":true}},"env":{"constructor":"x"}}'),
      { ...profile(), settings: { prompt: 'x'.repeat(50_000) } },
      { ...profile(), inputs: { prompt: 'a\u0000b' } },
      { ...profile(), env: { OK: 'a\u0000b' } },
      { ...profile(), settings: { deep: { a: { b: { c: [1, 2, 3] } } } } },
      { ...profile(), inputs: { script: 'rm -rf ~' } },
      { ...profile(), gpus: [-1, 1.5, 64, '0'] },
      { ...profile(), version: 2.5 },
      { ...profile(), version: '2' },
      { ...profile(), name: '../../etc/passwd' },
      { ...profile(), name: '.hidden' },
      { ...profile(), name: 'line\nbreak' },
      { ...profile(), recipe: '../rehearsal' },
      { ...profile(), mode: 'tpp-5gpu; rm -rf ~' },
      { ...profile(), hooks: { before: 'curl x | sh' } },
    ];
    for (const c of cases) {
      const r = parseProfileValue(c);
      expect(r.ok, JSON.stringify(c).slice(0, 120)).toBe(false);
      expectFieldErrors(r);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('schema-valid but recipe-invalid settings get field-level errors too', () => {
    const p = profile({ settings: { num_clip: 'many', size: '9999*9999', no_such_flag: 1, num_gpus_dit: 2 }, inputs: { prompt: 'ok' } });
    const paths = recipeErrors(p, getRecipe).map((e) => e.path).sort();
    expect(paths).toEqual(['settings.no_such_flag', 'settings.num_clip', 'settings.num_gpus_dit', 'settings.size']);
    expect(recipeErrors({ ...p, recipe: 'nope' }, getRecipe)).toEqual([{ path: 'recipe', message: 'unknown recipe "nope"' }]);
    expect(recipeErrors({ ...p, settings: {}, mode: 'nope' }, getRecipe)[0]!.path).toBe('mode');
  });

  it('importing random text as a script never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: fc.constantFrom('t', 'o', 'r', 'c', 'h', 'u', 'n', ' ', '-', '=', '"', "'", '\\', '\n', '$', '(', ')', '|', ';', '&', '`', '#', '{', '}'), maxLength: 80 }), async (s) => {
        const r = await readSource('torchrun ' + s, 'x');
        if (!r.profile) expect(r.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});

describe('injection strings stay inert in the planner argv', () => {
  it('each hostile value is exactly one argv entry, unchanged', () => {
    fc.assert(
      fc.property(fc.constantFrom(...INJECTIONS), textArb, (evil, other) => {
        const p = profile({ inputs: { prompt: evil }, settings: { save_file: other } });
        const spec = profileToRunSpec(p);
        const argv = buildArgs(getRecipe(p.recipe)!, p.mode, spec.settings);
        expect(argv[argv.indexOf('--prompt') + 1]).toBe(evil);
        expect(argv[argv.indexOf('--save_file') + 1]).toBe(other);
        expect(argv.length).toBe(buildArgs(getRecipe(p.recipe)!, p.mode, { prompt: 'x', save_file: 'y' }).length);
      }),
      { numRuns: 500 },
    );
  }, 60_000);
});
