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
process.stdout.write('built out/cli/lal.mjs\n');
