import { vi } from 'vitest';

// No test may load the real Electron package: on CI it would try to download a binary.
// Any test that needs the Electron adapters gets this mock instead (it can override it with vi.mock).
process.env.ELECTRON_OVERRIDE_DIST_PATH ??= '/nonexistent-electron-dist';
vi.mock('electron', () => {
  throw new Error('electron must not be imported in tests: mock it with vi.mock("electron", ...) in the test');
});
