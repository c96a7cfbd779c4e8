import { defineConfig } from 'vitest/config';

// Tripwire: a stray `import 'electron'` under Node would start Electron's lazy binary download.
// With the override pointing nowhere it resolves to a plain path string and fails offline, at once.
process.env.ELECTRON_OVERRIDE_DIST_PATH ??= '/nonexistent-electron-dist';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: ['test/unit/renderer/**'],
          environment: 'node',
          // Several unit tests start `lal` or Python; vitest's 5 s default is a speed limit, and
          // under load (2 cores, another suite running) `lal --version` took 5.02 s. A hang still fails.
          testTimeout: 30_000,
          setupFiles: ['test/setup/electron-tripwire.ts'],
        },
      },
      {
        esbuild: { jsx: 'automatic' },
        test: {
          name: 'renderer',
          include: ['test/unit/renderer/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          setupFiles: ['test/setup/electron-tripwire.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          setupFiles: ['test/setup/electron-tripwire.ts'],
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          setupFiles: ['test/setup/electron-tripwire.ts'],
        },
      },
    ],
  },
});
