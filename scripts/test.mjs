#!/usr/bin/env node
// `npm test`: every check in one command, in the order that fails fastest:
// stand-alone (nothing read or cited from beside the checkout) -> lint (layer rules) -> type-check
// -> web build (the e2e tests serve it) -> vitest (unit, renderer, integration with real torchrun,
// e2e in Debian chromium). Ends with one "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

process.env.ELECTRON_OVERRIDE_DIST_PATH ??= '/nonexistent-electron-dist';
const extra = process.argv.slice(2);

function step(label, cmd, args) {
  process.stdout.write(`\n== ${label}: ${[cmd, ...args].join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    process.stdout.write(`\n${label} failed (exit ${r.status ?? r.signal}).\n0 passed, 1 failed\n`);
    process.exit(r.status || 1);
  }
}

step('stand-alone', process.execPath, ['scripts/check-standalone.mjs']);
step('lint', 'npx', ['eslint', '.', '--max-warnings=0']);
step('typecheck (node)', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
step('typecheck (web)', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.web.json']);
step('typecheck (browser tests)', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.e2e.json']);
step('build web', 'npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);

mkdirSync('test-results', { recursive: true });
const report = 'test-results/vitest.json';
process.stdout.write('\n== vitest\n');
const r = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra], {
  stdio: 'inherit',
  env: process.env,
});
let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(report)) {
  const j = JSON.parse(readFileSync(report, 'utf8'));
  passed = j.numPassedTests ?? 0;
  failed = (j.numFailedTests ?? 0) + (j.numRuntimeErrorTestSuites ?? 0);
  skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
}
if (r.status !== 0 && failed === 0) failed = 1;
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(r.status ?? 1);
