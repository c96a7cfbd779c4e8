// Detection through the contract, as the app and the web UI see it: cached, refreshed on request,
// and pushed to subscribers as detectUpdated.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCore } from '../../../electron/core/app';
import type { DetectReport } from '../../../shared/detect';
import { repoRoot, tempDir } from '../../support/temp';

const dir = tempDir('lal-detect-contract-');
const core = createCore({ transport: 'in-process', dataDir: dir.path, nvidiaSmi: join(repoRoot, 'test/support/fake-nvidia-smi/nvidia-smi'), python: '/nonexistent/python3' });
afterAll(async () => {
  await core.dispose();
  dir.remove();
});

describe('detect over the contract', () => {
  it('reports the stand-in GPUs, caches, refreshes and emits detectUpdated', async () => {
    const seen: DetectReport[] = [];
    const off = core.events.on('detectUpdated', (r) => seen.push(r));
    const first = await core.api.detect({});
    expect(first.gpus.map((g) => g.name)).toEqual(['NVIDIA H200', 'NVIDIA H200', 'NVIDIA H200', 'NVIDIA H200']);
    expect(first.python[0]).toMatchObject({ path: '/nonexistent/python3', source: 'configured', ok: false, error: 'not found' });
    expect(await core.api.detect({})).toBe(first);
    const again = await core.api.detect({ refresh: true });
    expect(again).not.toBe(first);
    expect(again.gpus).toHaveLength(4);
    // A refresh asks only what can change; topology and driver come from the first pass.
    expect(again.timings?.smiStaticCached).toBe(1);
    expect(again.topology).toEqual(first.topology);
    expect(again.driver).toEqual(first.driver);
    await new Promise((r) => setTimeout(r, 0));
    expect(seen.length).toBeGreaterThanOrEqual(2);
    off();
  }, 60_000); // two detections (the stand-in spawned five times, then twice), each probing every python3 found, which imports torch

  it('bad input is refused by the schema, naming the field', async () => {
    await expect(core.api.detect({ refresh: 'yes' } as unknown as { refresh: boolean })).rejects.toMatchObject({ error: { code: 'BAD_INPUT', field: 'refresh' } });
  });
});
