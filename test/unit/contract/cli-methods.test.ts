import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCore } from '../../../electron/core/app';
import { inProcessClient } from '../../../electron/core/in-process';
import { ProfileLibrary } from '../../../electron/core/profiles/library';
import { startServer } from '../../../electron/server/server';
import { createHttpClient } from '../../../shared/api/http-client';
import { runSpecToProfile } from '../../../shared/profiles/spec';
import { tempDir } from '../../support/temp';

/**
 * The methods the CLI needed to stop reaching around the contract: detect with its own options,
 * explain by path (in-process only), validate and export from a spec, stop with force.
 */
describe('contract methods for the command line', () => {
  const dir = tempDir();
  const core = createCore({ transport: 'in-process', dataDir: dir.path, nvidiaSmi: '/nonexistent/nvidia-smi' });
  const api = inProcessClient(core);
  afterAll(async () => {
    await core.dispose();
    dir.remove();
  });

  it('detect takes the CLI options and answers for them, not from the cache', async () => {
    const cached = await api.detect({});
    const own = await api.detect({ skipPython: true, outputDir: dir.path });
    expect(own).not.toBe(cached);
    expect(own.gpus).toEqual([]);
    await expect(api.detect({ skipPython: 'yes' } as never)).rejects.toMatchObject({ code: 'BAD_INPUT', field: 'skipPython' });
  }, 60_000); // the first pass imports torch in every Python found: slow on a loaded machine

  it('explainPaths reads a log by path in-process, and says what it read', async () => {
    const log = join(dir.path, 'x.log');
    writeFileSync(log, 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.19 GiB\n');
    const rep = await api.explainPaths({ paths: [log] });
    expect(rep.scanned).toEqual([{ file: log, lines: 1, bytes: expect.any(Number) }]);
    expect(rep.diagnoses[0]?.code).toMatch(/oom/i);
    await expect(api.explainPaths({ paths: [join(dir.path, 'missing.log')] })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('explainPaths is refused over HTTP: a client names no files on the server', async () => {
    const d = tempDir();
    const http = createCore({ transport: 'http', dataDir: d.path, nvidiaSmi: '/nonexistent/nvidia-smi' });
    const server = await startServer(http, { port: 0, rendererDir: d.path });
    const client = createHttpClient({ baseUrl: `http://127.0.0.1:${server.port}`, token: server.token });
    try {
      await expect(client.explainPaths({ paths: ['/etc/passwd'] })).rejects.toMatchObject({ code: 'BAD_INPUT', field: 'paths' });
    } finally {
      client.close();
      await server.close();
      await http.dispose();
      d.remove();
    }
  });

  it('validateProfile answers errors as data; a good profile is valid', async () => {
    const good = JSON.stringify(runSpecToProfile({ recipe: 'rehearsal', mode: 'single-offload', settings: {} }, 'p'));
    const bad = await api.validateProfile({ source: '{"recipe": 3}' });
    expect(bad.valid).toBe(false);
    expect(bad.errors.length).toBeGreaterThan(0);
    const ok = await api.validateProfile({ source: good, stem: 'p' });
    expect(ok.errors).toEqual([]);
    expect(ok.valid).toBe(true);
  });

  it('exportSpec exports a profile the client built, as exportProfile would a saved one', async () => {
    const profile = runSpecToProfile({ recipe: 'rehearsal', mode: 'single-offload', settings: {} }, 'built');
    const json = await api.exportSpec({ profile, format: 'json' });
    expect(json.filename).toBe('built.lavprofile.json');
    expect(JSON.parse(json.text)).toMatchObject({ name: 'built', recipe: 'rehearsal' });
    const code = await api.exportSpec({ profile, format: 'code' });
    expect(code.text).toMatch(/^lav\d+\./);
    await expect(api.exportSpec({ profile: { ...profile, mode: 'nope' }, format: 'json' })).rejects.toMatchObject({ code: 'BAD_INPUT', field: 'mode' });
  });

  it('profileProblems names a library file that cannot be read; listProfiles leaves it out', async () => {
    expect(await api.profileProblems(undefined)).toEqual([]);
    const libDir = new ProfileLibrary(dir.path).dir;
    mkdirSync(libDir, { recursive: true });
    writeFileSync(join(libDir, 'broken.lavprofile.json'), '{ not json');
    const problems = await api.profileProblems(undefined);
    expect(problems).toEqual([{ file: expect.stringContaining('broken.lavprofile.json'), problem: expect.any(String) }]);
    expect((await api.listProfiles(undefined)).some((p) => p.name === 'broken')).toBe(false);
  });

  it('readiness takes a checkout and a weights folder to check instead of the settings', async () => {
    const checkout = join(dir.path, 'not-a-checkout');
    mkdirSync(checkout);
    const r = await api.readiness({ checkout, dest: join(dir.path, 'w') });
    expect(r.items.find((i) => i.id === 'checkout')).toMatchObject({ status: 'wrong', detail: 'checkout.notLiveAvatar', params: { path: checkout } });
    expect(r.ready).toBe(false);
    await expect(api.readiness({ checkout: '' })).rejects.toMatchObject({ code: 'BAD_INPUT', field: 'checkout' });
   }, 60_000);

  it('previewImport leaves out env the user already consented to, and only that', async () => {
    const profile = { ...runSpecToProfile({ recipe: 'rehearsal', mode: 'single-offload', settings: {} }, 'risky'), env: { LD_PRELOAD: '/tmp/x.so', PYTHONPATH: '/tmp' } };
    const source = JSON.stringify(profile);
    expect((await api.previewImport({ source })).envNeedsConsent).toEqual(['LD_PRELOAD', 'PYTHONPATH']);
    expect((await api.previewImport({ source, allowEnv: ['LD_PRELOAD'] })).envNeedsConsent).toEqual(['PYTHONPATH']);
  }, 60_000);

  it('stopRun with force: an unknown run is NOT_FOUND, a bad flag is BAD_INPUT', async () => {
    await expect(api.stopRun({ runId: 'no-such-run', force: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(api.stopRun({ runId: 'x', force: 'now' } as never)).rejects.toMatchObject({ code: 'BAD_INPUT', field: 'force' });
  });
});
