#!/usr/bin/env node
// Bundle the `lal` CLI (core + server) into one ESM file, for the package bin and for machines
// without npm (the GPU validation boxes get this file, resources/ and out/renderer).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

await build({
  entryPoints: ['electron/cli/main.ts'],
  outfile: 'out/cli/lal.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  define: { __LAL_VERSION__: JSON.stringify(version) },
  banner: {
    js: "import { createRequire as __lalCreateRequire } from 'node:module'; const require = __lalCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
// The failure explainer's worker thread (electron/core/explain/pool.ts looks for it beside the
// bundle that starts it): one copy for the CLI and server, one for Electron's main process.
for (const outfile of ['out/cli/explain-worker.mjs', 'out/main/explain-worker.mjs']) {
  await build({
    entryPoints: ['electron/core/explain/worker.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: {
      js: "import { createRequire as __lalCreateRequire } from 'node:module'; const require = __lalCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}
process.stdout.write('built out/cli/lal.mjs and the explain worker\n');
