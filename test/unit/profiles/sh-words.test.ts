import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignedValue, shWords, type ShToken } from '../../../shared/profiles/sh-words';
import { tempDir } from '../../support/temp';

const words = (text: string, vars: Record<string, string> = {}) => shWords(text, 1, new Map(Object.entries(vars)));
const values = (tokens: ShToken[]) => tokens.map((t) => (t.kind === 'word' ? t.value : `<${t.value}>`));

/** bash's own word list for each text (printf '%s\0'), with globbing off. */
function bashWords(texts: string[]): string[][] {
  const dir = tempDir('lal-shwords-');
  try {
    const script = 'set -f\n' + texts.map((t) => `printf '%s\\0' ${t}\nprintf '\\001'`).join('\n') + '\n';
    const out = execFileSync('bash', ['--noprofile', '--norc', '-c', script], { cwd: dir.path, env: { PATH: '/usr/bin:/bin', HOME: dir.path } });
    const records = out.toString('utf8').split('\u0001');
    records.pop();
    return records.map((r) => {
      const parts = r.split('\0');
      parts.pop();
      return parts;
    });
  } finally {
    dir.remove();
  }
}

describe('shell words (the importer\'s reading of one statement)', () => {
  it('reads quotes, escapes and continuations like bash', () => {
    expect(values(words(`torchrun --size "720*400" --prompt 'a "q" $x' --x a\\ b \\\n --y "d\\"e\\\\f\\$g"`))).toEqual([
      'torchrun', '--size', '720*400', '--prompt', 'a "q" $x', '--x', 'a b', '--y', 'd"e\\f$g',
    ]);
  });

  it('expands only variables the script set, and reports the rest', () => {
    const t = words('--a "$GPUS" --b ${GPUS} --c ${MISSING:-0,1} --d "$HOME" --e $(id) --f `id` --g $1', { GPUS: '0,1' });
    const w = t.filter((x): x is Extract<ShToken, { kind: 'word' }> => x.kind === 'word');
    expect(w.map((x) => x.value).slice(0, 6)).toEqual(['--a', '0,1', '--b', '0,1', '--c', '0,1']);
    expect(w[7]!.unresolved?.en).toMatch(/HOME is not set/);
    expect(w[9]!.unresolved?.en).toMatch(/command substitution/);
    expect(w[11]!.unresolved?.en).toMatch(/command substitution/);
    expect(w[13]!.unresolved?.en).toMatch(/depends on how the script is called/);
  });

  it('reads NAME=+=+ as an assignment of "+=+", and reports NAME+=x', () => {
    const [a] = words('NCCL_DEBUG=+=+');
    expect(a).toMatchObject({ kind: 'word', assign: 'NCCL_DEBUG', unresolved: null });
    expect(assignedValue(a as Extract<ShToken, { kind: 'word' }>)).toBe('+=+');
    expect(words('PATH+=:/x')[0]).toMatchObject({ unresolved: { en: expect.stringContaining('+='), zh: expect.stringContaining('+=') } });
  });

  it('marks assignments and operators', () => {
    const t = words('A=1 B="x y" cmd --k v 2>&1 | tee log && next');
    expect(t.filter((x) => x.kind === 'word').map((x) => (x.kind === 'word' ? [x.assign, assignedValue(x)] : null))).toEqual([
      ['A', '1'], ['B', 'x y'], [null, 'cmd'], [null, '--k'], [null, 'v'], [null, 'tee'], [null, 'log'], [null, 'next'],
    ]);
    expect(t.filter((x) => x.kind === 'op').map((x) => x.value)).toEqual(['2>&1', '|', '&&']);
  });

  it('agrees with bash on thousands of random quoted words', () => {
    const alphabet = fc.constantFrom('a', 'b', ' ', "'", '"', '\\', '\n', '\t', '-', '=', '中', '*', '$', '{', '}', '%', '~', '#', '?', '[', ']', '!', ',');
    const samples = fc.sample(fc.string({ unit: alphabet, maxLength: 24 }), { numRuns: 4000, seed: 42 });
    // Only texts the importer claims to understand go to bash: no operators, no unresolved expansions.
    const accepted = samples.filter((s) => {
      const t = words(s);
      return t.length > 0 && t.every((x) => x.kind === 'word' && !x.unresolved);
    });
    expect(accepted.length).toBeGreaterThan(800);
    const expected = bashWords(accepted);
    expect(expected.length).toBe(accepted.length);
    accepted.forEach((s, i) => {
      expect(values(words(s)), JSON.stringify(s)).toEqual(expected[i]);
    });
  });
});
