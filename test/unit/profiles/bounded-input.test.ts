import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiFailure } from '../../../shared/api/result';
import { createHttpClient } from '../../../shared/api/http-client';
import { toBase64Url } from '../../../shared/profiles/share-code';
import { createCore } from '../../../electron/core/app';
import { startServer } from '../../../electron/server/server';
import { MAX_SCRIPT_BYTES, readSource } from '../../../electron/core/profiles/read-source';
import { loadRunSpec } from '../../../electron/core/profiles/resolve';
import { parseOnWorker, stopShWorker } from '../../../electron/core/profiles/sh-worker';
import { repoRoot, tempDir } from '../../support/temp';

/**
 * Issue 14 §5: untrusted input stays bounded. A share code is inflated in slices with the size cap
 * checked during inflation (it used to inflate everything first: +280 MB peak for a 199 556-character
 * code), and a launch script is capped and parsed on a worker thread. Memory is measured as the
 * peak resident size (maxRSS) of a fresh process doing nothing but the decoding.
 */
const child = join(repoRoot, 'test/unit/profiles/children/share-code-memory.ts');
const measure = async (...args: string[]) => {
  const r = await execa('node', ['--import', 'tsx', child, ...args], { cwd: repoRoot, reject: false, timeout: 240_000 });
  expect(r.exitCode, String(r.stderr)).toBe(0);
  return JSON.parse(String(r.stdout).trim().split('\n').pop()!) as { before: number; after: number; [k: string]: unknown };
};

afterAll(() => stopShWorker());

describe('share code: a decompression bomb is refused while inflating', () => {
  it('a code just under the length cap that inflates to 145 MB is refused with a peak under 32 MB more', async () => {
    const r = await measure('bomb', '145');
    expect(r.chars as number).toBeLessThanOrEqual(200_000);
    expect(r.result).toMatchObject({ ok: false, errors: [{ path: '(share code)', message: expect.stringMatching(/expands to more than 1 MB/) as string, messageZh: expect.stringMatching(/超过 1 MB/) as string }] });
    expect((r.after - r.before) / 1024, 'MiB of peak memory added by decoding').toBeLessThan(32);
  }, 240_000);

  it('fuzz (fast-check): random bombs, random zlib streams and random text never throw, every refusal is in both languages, peak stays bounded', async () => {
    const r = await measure('fuzz', '30');
    expect(r.runs).toBe(30);
    expect(r.crashes).toBe(0);
    expect((r.after - r.before) / 1024, 'MiB of peak memory added by decoding').toBeLessThan(48);
  }, 240_000);
});

describe('launch scripts: capped and parsed off the main thread', () => {
  it(`a script over ${MAX_SCRIPT_BYTES / 1024} KB is refused before parsing, in both languages`, async () => {
    const big = '#!/bin/bash\n' + 'echo "hello world"\n'.repeat(Math.ceil(MAX_SCRIPT_BYTES / 19) + 10);
    const r = await readSource(big, 'big');
    expect(r.kind).toBe('sh');
    expect(r.profile).toBeNull();
    expect(r.errors).toEqual([{ path: '(script)', message: expect.stringMatching(/at most 256 KB/) as string, messageZh: expect.stringMatching(/最多 256 KB/) as string }]);
  });

  it('the cap counts bytes, not characters (a Chinese prompt is 3 bytes a character)', async () => {
    const zh = '#!/bin/bash\n# ' + '一'.repeat(Math.ceil(MAX_SCRIPT_BYTES / 3) + 10) + '\n';
    expect(zh.length).toBeLessThan(MAX_SCRIPT_BYTES);
    expect((await readSource(zh, 'zh')).errors[0]?.path).toBe('(script)');
  });

  it('a script under the cap is parsed on a worker thread while the event loop keeps turning', async () => {
    const line = 'torchrun --nproc_per_node=5 minimal_inference/s2v_streaming_interact.py --prompt "a b c" --size "704*384"\n';
    const script = '#!/bin/bash\n' + line.repeat(Math.floor((MAX_SCRIPT_BYTES - 100) / line.length));
    const parse = parseOnWorker(script);
    expect(parse, 'sh-syntax resolvable: the parse runs on a worker').not.toBeNull();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const r = await parse!;
    clearInterval(timer);
    expect(r.ok).toBe(true);
    // The main thread was free while the worker parsed: the timer kept firing.
    expect(ticks).toBeGreaterThan(3);
    const full = await readSource(script, 'ok');
    expect(full.errors).toEqual([]);
    expect(full.profile?.recipe).toBeTruthy();
  }, 60_000);

  it('a syntax error still names its line, read on the worker', async () => {
    const r = await readSource('#!/bin/bash\necho ok\necho "unterminated\n', 'bad');
    expect(r.errors[0]).toMatchObject({ path: expect.stringMatching(/^line \d+$/) as string, message: expect.stringMatching(/shell syntax error/) as string });
  }, 30_000);

  it('a parse that overruns its deadline is abandoned with a clear error, and the next script still parses', async () => {
    const r = await parseOnWorker('#!/bin/bash\n' + 'echo a\n'.repeat(20_000), 1)!;
    expect(r).toMatchObject({ ok: false, deadline: true, message: expect.stringMatching(/took longer than/) as string });
    const next = await parseOnWorker('echo fine\n')!;
    expect(next.ok).toBe(true);
  }, 60_000);
});

describe('hostile imports never take the server down', () => {
  it('fuzzed share codes and scripts over HTTP: every answer is a 4xx field error, and the server still answers', async () => {
    const dir = tempDir('lal-fuzz-http-');
    const core = createCore({ transport: 'http', dataDir: dir.path, nvidiaSmi: '/nonexistent/nvidia-smi' });
    const server = await startServer(core, { port: 0, rendererDir: dir.path });
    const client = createHttpClient({ baseUrl: `http://127.0.0.1:${server.port}`, token: server.token });
    try {
      const sources = fc.sample(
        fc.oneof(
          fc.uint8Array({ maxLength: 2048 }).map((b) => 'lav1.' + toBase64Url(b)),
          fc.string({ maxLength: 500 }).map((t) => 'lav1.' + t),
          fc.string({ unit: fc.constantFrom('a', ' ', '"', "'", '\\', '$', '(', ')', '`', '\n', ';', '|', '<', '<<', 'EOF', 'torchrun ', '--x'), minLength: 1, maxLength: 200 }),
        ),
        { numRuns: 60, seed: 14 },
      );
      for (const source of sources) {
        if (!source.trim()) continue;
        const r = await client.previewImport({ source }).catch((e: unknown) => e);
        if (r instanceof ApiFailure) expect(r.error.code).toBe('BAD_INPUT');
      }
      expect((await client.appInfo(undefined)).name).toBe('Live Avatar Launcher');
    } finally {
      client.close();
      await server.close();
      await core.dispose();
      dir.remove();
    }
  }, 120_000);

  it('lal run --profile refuses a file over the import cap, or one that is not a regular file, before reading it', async () => {
    const dir = tempDir('lal-big-');
    try {
      const big = join(dir.path, 'big.lavprofile.json');
      writeFileSync(big, Buffer.alloc(5_000_001, 32));
      for (const profile of [big, '/dev/zero']) {
        const err = await loadRunSpec({ profile, dataDir: dir.path }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ApiFailure);
        expect((err as ApiFailure).error).toMatchObject({ code: 'BAD_INPUT', field: '(file)', details: { errors: [{ messageZh: expect.any(String) as string }] } });
      }
    } finally {
      dir.remove();
    }
  });
});
