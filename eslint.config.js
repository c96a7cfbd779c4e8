// Layer rules: each folder may only reach the layers below it. Breaking one fails `npm test` (lint runs first).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'http', 'https', 'net', 'url', 'util', 'stream', 'crypto', 'events', 'process', 'worker_threads', 'readline', 'zlib', 'buffer'];
const electronOnly = ['electron', 'electron/*', '@electron/*', 'electron-vite', 'electron-builder'];

const restrict = (groups, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: groups, message }] }],
});

const cliAllowed = ['app', 'in-process', 'paths', 'profiles/resolve'];
const restrictCli = () => ({
  'no-restricted-imports': ['error', {
    patterns: [
      { group: [...electronOnly, '**/renderer/**', '**/electron/main/**', '**/electron/preload/**'],
        message: 'The server and CLI adapters run without Electron: they may use core and shared only.' },
      { regex: `(^|/)core/(?!(${cliAllowed.join('|')})$)`,
        message: 'electron/cli is a client of the contract: reach core through cli/core.ts (core/app + the in-process client), not its services.' },
    ],
  }],
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'coverage/**', '**/*.py', 'renderer/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      ...restrict([...nodeBuiltins, ...electronOnly, 'react', 'react-dom', 'execa', 'systeminformation', '**/electron/**', '**/renderer/**'],
        'shared/ is pure TypeScript: no node:*, DOM, electron, or imports from electron/ and renderer/.'),
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require', '__dirname', 'navigator'],
    },
  },
  {
    files: ['electron/core/**/*.ts'],
    rules: restrict([...electronOnly, '**/renderer/**', '**/electron/main/**', '**/electron/preload/**', '**/electron/server/**', '**/electron/cli/**'],
      'electron/core is Node services: it never imports electron or an adapter.'),
  },
  {
    files: ['electron/server/**/*.ts', 'electron/cli/**/*.ts'],
    rules: restrict([...electronOnly, '**/renderer/**', '**/electron/main/**', '**/electron/preload/**'],
      'The server and CLI adapters run without Electron: they may use core and shared only.'),
  },
  // The CLI is one more client of the contract: core's services only through core/app's client
  // (cli/core.ts). Besides that, only the bootstrap: where data lives (paths) and reading a profile
  // file the user named (profiles/resolve). `lal serve` puts core on HTTP (electron/server).
  {
    files: ['electron/cli/**/*.ts'],
    rules: restrictCli(),
  },
  {
    files: ['electron/main/**/*.ts', 'electron/preload/**/*.ts'],
    rules: restrict(['**/renderer/**', '**/electron/server/**', '**/electron/cli/**'],
      'Electron adapters sit on core and shared only.'),
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...restrict([...nodeBuiltins, ...electronOnly, 'execa', 'systeminformation', '**/electron/**'],
        'renderer/ is the DOM only: it reaches the app through the shared contract.'),
      'no-restricted-globals': ['error', 'process', 'require', '__dirname', 'Buffer'],
    },
  },
  {
    files: ['test/**/*.ts', 'test/**/*.tsx', 'bench/**/*.ts', 'scripts/**/*.mjs', 'scripts/**/*.ts', '*.config.ts', '*.config.js', 'renderer/vite.config.ts', 'electron.vite.config.ts'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
