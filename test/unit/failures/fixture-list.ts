import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../support/temp';

/** Every run folder and complete log the tests keep. */
export function allFixtures(): string[] {
  const out: string[] = [];
  for (const base of ['test/fixtures/gpu-h200', 'test/fixtures/gpu-h200-cascades']) {
    const gpu = join(repoRoot, base);
    for (const d of readdirSync(gpu)) if (statSync(join(gpu, d)).isDirectory()) out.push(join(gpu, d));
  }
  const own = join(repoRoot, 'test/unit/failures/fixtures');
  for (const d of readdirSync(own)) {
    const p = join(own, d);
    if (d.startsWith('run-') && statSync(p).isDirectory()) out.push(p);
    else if (d.endsWith('.log')) out.push(p);
  }
  const complete = join(own, 'complete');
  for (const d of readdirSync(complete)) if (d.endsWith('.log') || statSync(join(complete, d)).isDirectory()) out.push(join(complete, d));
  return out;
}
