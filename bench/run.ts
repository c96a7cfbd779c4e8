// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) and prints ratios.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import type { Bench, BenchResult } from './types';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const all: BenchResult[] = [];
let failed = 0;
for (const f of files) {
  process.stdout.write(`\n== ${f}\n`);
  try {
    const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: Bench };
    const results = await mod.default();
    for (const r of results) {
      all.push(r);
      process.stdout.write(`${r.name}: ratio ${r.ratio.toFixed(3)} (${r.detail})\n`);
    }
  } catch (err) {
    failed++;
    process.stdout.write(`${f} failed: ${(err as Error).stack ?? err}\n`);
  }
}
process.stdout.write(`\n${all.length} figures from ${files.length} benchmarks${failed ? `, ${failed} failed` : ''}\n`);
process.exitCode = failed ? 1 : 0;
