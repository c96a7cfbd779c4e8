import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../../electron/core/app';
import { inProcessClient } from '../../../electron/core/in-process';
import { SettingsStore, pathProblem } from '../../../electron/core/settings';
import { startServer } from '../../../electron/server/server';
import type { ApiClient, Settings } from '../../../shared/api/contract';
import { createHttpClient } from '../../../shared/api/http-client';
import { ApiFailure, type ApiError } from '../../../shared/api/result';
import { tempDir } from '../../support/temp';

const PATHS = ['pythonPath', 'checkoutPath', 'outputDir', 'nvidiaSmiPath'] as const;

function refusal(f: () => unknown): ApiError {
  try {
    f();
  } catch (e) {
    if (e instanceof ApiFailure) return e.error;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('settings: paths are checked before anything is stored', () => {
  const dirs: { remove(): void }[] = [];
  const store = () => {
    const d = tempDir();
    dirs.push(d);
    return { store: new SettingsStore(d.path), file: join(d.path, 'settings.json'), dir: d.path };
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  it('keeps absolute paths and persists them across a restart', () => {
    const { store: s, dir } = store();
    const next = s.update({ pythonPath: '/opt/conda/bin/python', checkoutPath: '/srv/LiveAvatar', outputDir: '/data/out', nvidiaSmiPath: '/usr/bin/nvidia-smi', stallAction: 'stop', trustedFolders: ['/srv/media', '/data'] });
    expect(next).toMatchObject({ pythonPath: '/opt/conda/bin/python', checkoutPath: '/srv/LiveAvatar', stallAction: 'stop', trustedFolders: ['/srv/media', '/data'] });
    expect(new SettingsStore(dir).get()).toEqual(next);
  });

  for (const field of PATHS) {
    it(`refuses a relative ${field} with BAD_INPUT naming it, and changes nothing`, () => {
      const { store: s, file } = store();
      s.update({ [field]: '/abs/before' });
      const before = readFileSync(file, 'utf8');
      const err = refusal(() => s.update({ stallAction: 'stop', [field]: 'relative/dir' }));
      expect(err).toMatchObject({ code: 'BAD_INPUT', field, details: { reason: 'not-absolute', value: 'relative/dir' } });
      expect(err.message).toContain(field);
      expect(s.get()[field]).toBe('/abs/before');
      expect(s.get().stallAction).toBe('notify');
      expect(readFileSync(file, 'utf8')).toBe(before);
    });
  }

  it.each([
    ['a NUL byte', '/opt/py\0thon'],
    ['a newline', '/opt/python\n--evil'],
    ['a carriage return', '/opt/python\r'],
  ])('refuses a path with %s', (_what, value) => {
    const { store: s } = store();
    expect(refusal(() => s.update({ checkoutPath: value }))).toMatchObject({ code: 'BAD_INPUT', field: 'checkoutPath', details: { reason: 'control-char' } });
  });

  it('names the offending trusted folder by its index', () => {
    const { store: s } = store();
    expect(refusal(() => s.update({ trustedFolders: ['/srv/media', 'media'] }))).toMatchObject({ code: 'BAD_INPUT', field: 'trustedFolders.1' });
    expect(refusal(() => s.update({ trustedFolders: ['/a\nb'] }))).toMatchObject({ field: 'trustedFolders.0', details: { reason: 'control-char' } });
    expect(refusal(() => s.update({ trustedFolders: ['/ok', ''] }))).toMatchObject({ field: 'trustedFolders.1' });
    expect(s.get().trustedFolders).toEqual([]);
  });

  it('treats empty text as "auto" (null), accepts null, and drops duplicate trusted folders', () => {
    const { store: s } = store();
    s.update({ pythonPath: '/usr/bin/python3', outputDir: '/data' });
    expect(s.update({ pythonPath: '', outputDir: null })).toMatchObject({ pythonPath: null, outputDir: null });
    expect(s.update({ trustedFolders: ['/a', '/b', '/a'] }).trustedFolders).toEqual(['/a', '/b']);
  });

  it('an undefined key leaves the stored value alone', () => {
    const { store: s } = store();
    s.update({ checkoutPath: '/srv/LiveAvatar' });
    expect(s.update({ checkoutPath: undefined, stallAction: 'stop' }).checkoutPath).toBe('/srv/LiveAvatar');
  });

  it('get() hands out a copy, so a caller cannot edit the stored list', () => {
    const { store: s } = store();
    s.update({ trustedFolders: ['/a'] });
    s.get().trustedFolders.push('/evil');
    expect(s.get().trustedFolders).toEqual(['/a']);
  });

  it('pathProblem: absolute is fine, relative and control characters are not', () => {
    expect(pathProblem('/usr/bin/python3')).toBeNull();
    expect(pathProblem('./python')).toBe('not-absolute');
    expect(pathProblem('~/LiveAvatar')).toBe('not-absolute');
    expect(pathProblem('/x\0')).toBe('control-char');
  });
});

/** The same refusals, field names and stored values whether a client is in-process or over HTTP. */
describe.each(['in-process', 'http'] as const)('settings over the %s transport', (transport) => {
  let client: ApiClient;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const dir = tempDir();
    const core = createCore({ transport, dataDir: dir.path, nvidiaSmi: '/nonexistent/nvidia-smi' });
    if (transport === 'in-process') {
      client = inProcessClient(core);
      close = async () => {
        await core.dispose();
        dir.remove();
      };
      return;
    }
    const server = await startServer(core, { port: 0, rendererDir: dir.path });
    const http = createHttpClient({ baseUrl: `http://127.0.0.1:${server.port}`, token: server.token });
    client = http;
    close = async () => {
      http.close();
      await server.close();
      await core.dispose();
      dir.remove();
    };
  });
  afterAll(async () => close());

  const rejected = async (patch: Partial<Settings>): Promise<ApiError> => {
    const e = await client.setSettings(patch).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(ApiFailure);
    return (e as ApiFailure).error;
  };

  it('stores an absolute checkout and the stall action', async () => {
    const s = await client.setSettings({ checkoutPath: '/srv/LiveAvatar', stallAction: 'stop' });
    expect(s).toMatchObject({ checkoutPath: '/srv/LiveAvatar', stallAction: 'stop' });
    expect(await client.getSettings(undefined)).toMatchObject({ checkoutPath: '/srv/LiveAvatar', stallAction: 'stop' });
  });

  it('refuses a relative path naming the field', async () => {
    expect(await rejected({ outputDir: 'out' })).toMatchObject({ code: 'BAD_INPUT', field: 'outputDir', details: { reason: 'not-absolute' } });
    expect(await rejected({ trustedFolders: ['/ok', 'rel'] })).toMatchObject({ code: 'BAD_INPUT', field: 'trustedFolders.1' });
    expect(await rejected({ nvidiaSmiPath: '/usr/bin/nvidia-smi\n' })).toMatchObject({ code: 'BAD_INPUT', field: 'nvidiaSmiPath', details: { reason: 'control-char' } });
    expect((await client.getSettings(undefined)).outputDir).toBeNull();
  });

  it('a wrong type is still refused by the contract schema, naming the field', async () => {
    expect(await rejected({ trustedFolders: [1] } as never)).toMatchObject({ code: 'BAD_INPUT', field: 'trustedFolders.0' });
  });
});
