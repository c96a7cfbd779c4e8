#!/usr/bin/env node
// `npm start`: build and open the desktop app. Where the Electron binary is missing (CI, offline
// machines) say so and how to fix it, and offer the same app in the browser instead.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

let electronBin = null;
try {
  const dir = require.resolve('electron/package.json').replace(/package\.json$/, '');
  const pathTxt = `${dir}path.txt`;
  if (existsSync(pathTxt) && process.env.ELECTRON_OVERRIDE_DIST_PATH === undefined) {
    electronBin = require('electron');
  }
} catch {
  electronBin = null;
}

if (!electronBin) {
  process.stderr.write(
    'The Electron binary is not installed (it downloads on first use).\n' +
      '  With internet: run `npx install-electron --no`, then `npm start` again.\n' +
      '  Without it: the same app runs in your browser. Starting `npm run serve`...\n\n',
  );
  run('npm', ['run', 'serve']);
  process.exit(0);
}
run('npx', ['electron-vite', 'build']);
const child = spawn(electronBin, ['.'], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
