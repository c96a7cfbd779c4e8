// parseRehearsalLine on the shapes real torchrun output takes: prefixes, other ranks' text glued
// after the record, braces inside strings, torn lines.
import { describe, expect, it } from 'vitest';
import { parseRehearsalLine } from '../../../electron/core/torchrun/rehearsal';

describe('parseRehearsalLine', () => {
  it('reads a record after a torchrun --tee prefix and ignores text glued after it', () => {
    const r = parseRehearsalLine('[default3]:LAL_PEAK {"rank":3,"world_size":4,"status":"ok"}rank 0 done, waiting for other ranks to finish...');
    expect(r).toEqual({ tag: 'LAL_PEAK', value: { rank: 3, world_size: 4, status: 'ok' } });
  });

  it('keeps braces and escaped quotes inside strings', () => {
    const r = parseRehearsalLine('LAL_INJECT {"kind": "crash", "rank": 1, "clip": 1, "step": 2, "spec": "crash@1:2 {\\"x\\"}"}');
    expect(r).toEqual({ tag: 'LAL_INJECT', value: { kind: 'crash', rank: 1, clip: 1, step: 2, spec: 'crash@1:2 {"x"}' } });
  });

  it('returns null for torn records and for ordinary lines', () => {
    expect(parseRehearsalLine('LAL_PLAN {"rank":0,"gpu_steady":{"dit":1')).toBeNull();
    expect(parseRehearsalLine('denoising video done')).toBeNull();
    expect(parseRehearsalLine('LAL_PEAKS are high')).toBeNull();
  });
});
