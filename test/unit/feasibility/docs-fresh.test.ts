import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED, regenerate } from '../../../scripts/gen-feasibility-docs';
import { repoRoot } from '../../support/temp';

/** The model's tables in the docs are generated from the code and data; a stale copy fails here. */
describe('generated feasibility docs are up to date', () => {
  for (const [file, sections] of Object.entries(GENERATED)) {
    it(`${file} (${Object.keys(sections).join(', ')})`, () => {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      // On failure: npx tsx scripts/gen-feasibility-docs.ts
      expect(regenerate(text, sections)).toBe(text);
    });
  }
  it('refuses a doc whose markers are gone, instead of passing silently', () => {
    expect(() => regenerate('no markers here', { x: () => 'y' })).toThrow(/missing markers for "x"/);
  });
});
