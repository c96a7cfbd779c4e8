// Issue 17: detection pushes an early report once the GPUs are known, so Home can draw them while
// the Python probes (a cold `import torch` takes seconds) are still running; the full report follows.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCore } from '../../../electron/core/app';
import type { DetectReport } from '../../../shared/detect';
import { repoRoot, tempDir } from '../../support/temp';

const dir = tempDir('lal-detect-early-');
// An interpreter that takes 1.5 s before answering: the Python part is surely still pending when nvidia-smi has answered.
const slowPython = join(dir.path, 'python3');
writeFileSync(slowPython, '#!/bin/sh\nsleep 1.5\nexec /usr/bin/python3 "$@"\n');
chmodSync(slowPython, 0o755);
const core = createCore({ transport: 'in-process', dataDir: dir.path, nvidiaSmi: join(repoRoot, 'test/support/fake-nvidia-smi/nvidia-smi'), python: slowPython });
afterAll(async () => {
  await core.dispose();
  dir.remove();
});

describe('detect: GPUs first', () => {
  it('pushes an early detectUpdated with the GPUs and pending Python before the full report', async () => {
    const seen: DetectReport[] = [];
    const off = core.events.on('detectUpdated', (r) => seen.push(r));
    const full = await core.api.detect({ refresh: true });
    await new Promise((r) => setTimeout(r, 0));
    off();
    expect(seen.length).toBe(2);
    const [early, last] = seen;
    expect(early.pending).toEqual({ python: true });
    expect(early.gpus.map((g) => g.name)).toEqual(full.gpus.map((g) => g.name));
    expect(early.python).toEqual([]);
    // Nothing is judged about Python on the early report (no "no torch" warning for a part not yet probed).
    expect(early.warnings.map((w) => w.code)).not.toContain('no-torch');
    expect(early.takenAt <= last.takenAt).toBe(true);
    expect(last).toBe(full);
    expect(full.pending).toBeUndefined();
    expect(full.python.some((p) => p.path === slowPython)).toBe(true);
  }, 60_000);
});
