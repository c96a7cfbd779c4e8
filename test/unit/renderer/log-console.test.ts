import { describe, expect, it } from 'vitest';
import { slices } from '../../../renderer/src/run/LogConsole';

describe('xterm write slicing', () => {
  it('cuts a flood into pieces of at most ~8 KiB at line ends, losing nothing', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `[default${i % 5}]:line ${i} ${'x'.repeat(i % 90)}\n`).join('');
    const parts = slices(text);
    expect(parts.join('')).toBe(text);
    expect(parts.length).toBeGreaterThan(10);
    for (const p of parts.slice(0, -1)) {
      expect(p.length).toBeLessThanOrEqual(8 * 1024);
      expect(p.endsWith('\n')).toBe(true);
    }
  });

  it('keeps small writes whole and still cuts one huge line', () => {
    expect(slices('a\rb\n')).toEqual(['a\rb\n']);
    const long = 'y'.repeat(20_000);
    expect(slices(long).join('')).toBe(long);
    expect(slices(long).length).toBe(3);
  });
});
