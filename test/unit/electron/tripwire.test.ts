import { describe, expect, it } from 'vitest';

describe('electron tripwire', () => {
  it('a test that imports electron without mocking it fails at once instead of downloading', async () => {
    const err = (await import('electron').then(() => null, (e: unknown) => e)) as Error | null;
    expect(err).not.toBeNull();
    // vitest wraps the factory's error; its cause carries our message.
    expect(`${err!.message} ${String((err as { cause?: unknown }).cause ?? '')}`).toMatch(/mock|must not be imported/);
    expect(process.env.ELECTRON_OVERRIDE_DIST_PATH).toMatch(/nonexistent/);
  });
});
