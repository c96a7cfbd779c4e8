import { describe, expect, it } from 'vitest';
import { lal } from '../../support/cli';

describe('lal command line', () => {
  it('--help lists every command, including those later features fill in', async () => {
    const r = await lal(['--help']);
    expect(r.exitCode).toBe(0);
    for (const cmd of ['serve', 'detect', 'check', 'run', 'runs', 'explain', 'profile']) {
      expect(r.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, 'm'));
    }
    expect(r.stdout).toContain('--json');
  });

  it('--version prints the package version', async () => {
    const r = await lal(['--version']);
    expect(r.exitCode).toBe(0);
    expect(String(r.stdout).trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('an unknown command is a usage error: exit 2, one clear line, no stack', async () => {
    const r = await lal(['frobnicate']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('serve refuses a public address without --allow-remote (exit 2)', async () => {
    const r = await lal(['serve', '--host', '0.0.0.0']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--allow-remote');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('serve rejects a bad port naming the flag', async () => {
    const r = await lal(['serve', '--port', 'abc']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--port');
  });

  it('speaks Chinese when asked', async () => {
    const r = await lal(['--lang', 'zh', 'serve', '--host', '10.0.0.1']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/[\u4e00-\u9fff]/);
  });
});
