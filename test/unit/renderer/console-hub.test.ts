import { describe, expect, it } from 'vitest';
import { colorPrefixes, RunConsole } from '../../../renderer/src/state/console-hub';

describe('console hub', () => {
  it('keeps the merged stream as it came and splits ranks by torchrun prefixes, across chunk boundaries', () => {
    const c = new RunConsole();
    const seen: string[] = [];
    c.subscribe(1, (d) => seen.push(d));
    c.push('[default0]:hello\n[default1]:wor', null);
    c.push('ld\n[default1]:  0%|  | 0/4\r 50%|# | 2/4\n', null);
    expect(c.text('all')).toContain('hello');
    expect(c.text(0)).toBe('hello\n');
    expect(c.text(1)).toBe('world\n  0%|  | 0/4\r 50%|# | 2/4\n');
    expect(seen.join('')).toBe(c.text(1));
    expect(c.rankList()).toEqual([0, 1]);
  });

  it('drops a neighbour rank’s prefix that torchrun’s tee threads glued onto a tqdm line', () => {
    const c = new RunConsole();
    c.push('[default3]:  0%|          | 0/4 [00:00<?, ?it/s][default2]:\n', null);
    expect(c.text(3)).toBe('  0%|          | 0/4 [00:00<?, ?it/s]\n');
  });

  it('routes chunks that already carry their rank, and [rankN]: lines from torch workers', () => {
    const c = new RunConsole();
    c.push('direct\n', 4);
    c.push('[rank2]: torch.OutOfMemoryError: CUDA out of memory\n', null);
    expect(c.text(4)).toBe('direct\n');
    expect(c.text(2)).toContain('OutOfMemoryError');
  });

  it('colours rank prefixes for the merged view without touching the text', () => {
    const out = colorPrefixes('[default0]:a\n[default1]:b\n');
    expect(out.replace(/\x1b\[[0-9;]*m/g, '')).toBe('[default0]:a\n[default1]:b\n');
    expect(out).toMatch(/\x1b\[36m\[default0\]:/);
  });

  it('seeds from the server tail only when it has nothing yet, so a reconnect does not duplicate', () => {
    const c = new RunConsole();
    c.seed('[default0]:old\n');
    c.seed('[default0]:old\n');
    expect(c.text(0)).toBe('old\n');
  });

  it('bounds memory under a flood', () => {
    const c = new RunConsole();
    const line = `[default0]:${'x'.repeat(1000)}\n`;
    for (let i = 0; i < 4000; i++) c.push(line, null);
    expect(c.text('all').length).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(c.text(0).length).toBeLessThanOrEqual(512 * 1024);
  });
});
