// detectGpus against small stand-in scripts for cases the fixture stand-in does not cover.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectGpus } from '../../../electron/core/detect';
import { tempDir } from '../../support/temp';
import { h200 } from './fixtures';

const tmp = tempDir('lal-smi-run-');
afterAll(() => tmp.remove());

function script(name: string, body: string, mode = 0o755): string {
  const p = join(tmp.path, name);
  writeFileSync(p, body);
  chmodSync(p, mode);
  return p;
}

describe('detectGpus', { timeout: 30_000 }, () => {
  it('one GPU fell off the bus: the others are reported, the lost one named', async () => {
    const rows = h200('query-gpu.csv').trimEnd().split('\n');
    rows[2] = 'Unable to determine the device handle for GPU0000:00:08.0: GPU is lost.  Reboot the system to recover this GPU';
    const csv = join(tmp.path, 'lost.csv');
    writeFileSync(csv, rows.join('\n') + '\n');
    const smi = script('lost-smi', `#!/bin/sh\ncase "$1" in --query-gpu=*) cat ${csv};; --query-compute-apps=*) exit 0;; *) exit 3;; esac\n`);
    const r = await detectGpus({ nvidiaSmi: smi });
    expect(r.nvidiaSmi.status).toBe('ok');
    expect(r.gpus.map((g) => g.index)).toEqual([0, 1, 3]);
    expect(r.lostGpus).toEqual([{ busId: '0000:00:08.0', detail: 'GPU is lost.  Reboot the system to recover this GPU' }]);
    expect(r.problems).toEqual([]);
  });

  it('a configured nvidia-smi that exists but cannot be run is not "not found"', async () => {
    const smi = script('noexec-smi', '#!/bin/sh\n', 0o644);
    const r = await detectGpus({ nvidiaSmi: smi });
    expect(r.nvidiaSmi).toMatchObject({ status: 'error', path: smi });
    expect(r.nvidiaSmi.message).toContain(`nvidia-smi at ${smi} cannot be run`);
    const gone = await detectGpus({ nvidiaSmi: join(tmp.path, 'missing') });
    expect(gone.nvidiaSmi.status).toBe('nvidia-smi-not-found');
  });
});
