import { afterEach, describe as group, expect, it } from 'vitest';
import { cpSync, mkdirSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { execaSync } from 'execa';
import { join } from 'node:path';
import { explainLogs, Explainer } from '../../../shared/failures/explain';
import { explainPaths, explainRunFolder } from '../../../electron/core/explain';
import { explainApi } from '../../../electron/core/explain/api';
import { ApiFailure } from '../../../shared/api/result';
import { describe } from '../../../shared/failures/describe';
import type { CoreContext } from '../../../electron/core/context';
import { lal } from '../../support/cli';
import { repoRoot, tempDir } from '../../support/temp';

let tmp: ReturnType<typeof tempDir> | null = null;
afterEach(() => tmp?.remove());
const OOM = '[rank1]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 37.25 GiB. GPU 1 has a total capacity of 139.80 GiB of which 26.59 GiB is free. Including non-PyTorch memory, this process has 113.20 GiB memory in use. Of the allocated memory 111.76 GiB is allocated by PyTorch, and 19.08 MiB is reserved by PyTorch but unallocated.';

group('bad input gets a clear answer, never a crash', () => {
  it('empty and whitespace text: nothing to explain', () => {
    expect(explainLogs([])).toEqual([]);
    expect(explainLogs([{ name: 'e', text: '' }])).toEqual([]);
    expect(explainLogs([{ name: 'e', text: '\r\n\n\r   ' }])).toEqual([]);
  });

  it('a file read in reused 4 MiB buffers: a message cut by every buffer edge, and text after it, change nothing', async () => {
    tmp = tempDir();
    // ASCII noise, then the OOM line placed so that a 4 MiB read boundary cuts it, at several
    // offsets; a scanner that kept a view of a reused buffer would read later bytes there.
    const chunk = 4 * 1024 * 1024;
    const parts: string[] = [];
    let size = 0;
    let line = 0;
    const fill = (upTo: number) => {
      while (size < upTo) {
        const l = `[rank0]: step ${line++} ok ${'x'.repeat(line % 70)}\n`;
        const piece = size + l.length > upTo ? '-'.repeat(Math.max(0, upTo - size - 1)) + '\n' : l;
        parts.push(piece);
        size += piece.length;
      }
    };
    let k = 1;
    for (const cut of [7, 40, OOM.length - 3, 1]) {
      fill(chunk * k++ - cut);
      parts.push(OOM + '\n');
      size += OOM.length + 1;
    }
    fill(size + 200_000);
    const path = join(tmp.path, 'console.log');
    writeFileSync(path, parts.join(''));
    const { diagnoses } = await explainPaths([path]);
    const whole = explainLogs([{ name: 'console.log', text: parts.join('') }]);
    expect(diagnoses[0]).toMatchObject({ code: 'CUDA_OOM', rank: 1 });
    expect(diagnoses.map((d) => [d.code, d.rank, d.evidence?.line, d.fields])).toEqual(whole.map((d) => [d.code, d.rank, d.evidence?.line, d.fields]));
    expect(diagnoses[0].evidence?.text).toContain('Tried to allocate 37.25 GiB');
  });

  it('a 5 MB line without a break, with the error at its end, is read in pieces', () => {
    const text = 'x'.repeat(5 * 1024 * 1024) + '\n' + OOM + '\n';
    const t0 = performance.now();
    const d = explainLogs([{ name: 'huge', text }]);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(d[0]).toMatchObject({ code: 'CUDA_OOM', rank: 1 });
  });

  it('a stream fed byte-chunk by byte-chunk gives the same verdict (CR LF split across chunks)', () => {
    const text = `noise\r\n${OOM}\r\nmore\r`;
    const ex = new Explainer();
    const s = ex.source('chunks');
    for (let i = 0; i < text.length; i += 7) s.push(text.slice(i, i + 7));
    s.end();
    expect(ex.diagnoses()[0]).toMatchObject({ code: 'CUDA_OOM', rank: 1, evidence: { line: 2 } });
  });

  it('explainPaths: missing file is BAD_INPUT naming it; a binary file too; empty files are notes', async () => {
    tmp = tempDir();
    const bin = join(tmp.path, 'core.bin');
    writeFileSync(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3]));
    const empty = join(tmp.path, 'empty.log');
    writeFileSync(empty, '');
    await expect(explainPaths([join(tmp.path, 'nope.log')])).rejects.toMatchObject({ error: { code: 'BAD_INPUT', field: join(tmp.path, 'nope.log') } });
    await expect(explainPaths([bin])).rejects.toBeInstanceOf(ApiFailure);
    const rep = await explainPaths([empty]);
    expect(rep.diagnoses).toEqual([]);
    expect(rep.notes).toEqual([{ file: empty, kind: 'empty', message: 'empty file' }]);
  });

  it('a run folder with a broken error.json and a binary rank log still explains the readable parts', async () => {
    tmp = tempDir();
    const r1 = join(tmp.path, 'logs', 'abc_x1', 'attempt_0', '1');
    mkdirSync(r1, { recursive: true });
    writeFileSync(join(r1, 'error.json'), '{not json');
    writeFileSync(join(r1, 'stderr.log'), OOM.replace('[rank1]: ', '') + '\n');
    const r0 = join(tmp.path, 'logs', 'abc_x1', 'attempt_0', '0');
    mkdirSync(r0, { recursive: true });
    writeFileSync(join(r0, 'stderr.log'), Buffer.from([0, 1, 2, 3, 0, 0]));
    const d = await explainRunFolder(tmp.path);
    expect(d[0]).toMatchObject({ code: 'CUDA_OOM', rank: 1 });
    await expect(explainRunFolder(join(tmp.path, 'missing'))).rejects.toMatchObject({ error: { code: 'BAD_INPUT' } });
  });

  it("someone else's folder with FIFOs named run.json, a companion log and flight-recorder dumps, and an oversized dump: explained, never blocked", async () => {
    tmp = tempDir();
    const src = join(repoRoot, 'test/fixtures/gpu-h200-cascades/straggler-middle');
    cpSync(join(src, 'console.log'), join(tmp.path, 'console.log'));
    cpSync(join(src, 'logs'), join(tmp.path, 'logs'), { recursive: true });
    mkdirSync(join(tmp.path, 'companions'));
    // A FIFO with no writer blocks a plain open() for read forever, and the explain worker with it.
    execaSync('mkfifo', [join(tmp.path, 'run.json'), join(tmp.path, 'companions', 'vae.log'), join(tmp.path, 'nccl_trace_rank_0'), join(tmp.path, 'nccl_trace_rank_1')]);
    cpSync(join(src, 'nccl_trace_rank_2'), join(tmp.path, 'nccl_trace_rank_2'));
    writeFileSync(join(tmp.path, 'nccl_trace_rank_3'), '');
    truncateSync(join(tmp.path, 'nccl_trace_rank_3'), 33 * 1024 * 1024);
    const d = await explainRunFolder(tmp.path);
    expect(d[0]).toMatchObject({ code: 'NCCL_WATCHDOG_TIMEOUT', rank: 2, fields: { laggard: 2, flightRanks: 1 } });
  }, 20_000);

  it('the explain API: text, runId (following run.json runDir), bad ids', async () => {
    tmp = tempDir();
    const moved = join(tmp.path, 'elsewhere');
    mkdirSync(moved, { recursive: true });
    writeFileSync(join(moved, 'console.log'), OOM + '\n');
    const runId = '20261122-090000-abcdef';
    mkdirSync(join(tmp.path, 'runs', runId), { recursive: true });
    writeFileSync(join(tmp.path, 'runs', runId, 'run.json'), JSON.stringify({ runId, runDir: moved }));
    const ctx = { dataDir: tmp.path, settings: { get: () => ({ language: 'zh-CN' }) } } as unknown as CoreContext;
    const api = explainApi(ctx);
    const byText = await api.explain({ text: OOM, lang: 'en' });
    expect(byText[0]).toMatchObject({ code: 'CUDA_OOM', rank: 1 });
    // Decided without language: the reader's side words it.
    expect(byText[0].title).toBeUndefined();
    expect(describe(byText[0], 'en').title).toBe('GPU out of memory');
    const byRun = await api.explain({ runId });
    expect(byRun[0]).toMatchObject({ code: 'CUDA_OOM', rank: 1 });
    expect(describe(byRun[0], 'zh-CN').title).toMatch(/[\u4e00-\u9fff]/);
    await expect(api.explain({ runId: '../../etc' })).rejects.toMatchObject({ error: { code: 'BAD_INPUT' } });
    await expect(api.explain({ runId: '20261122-090000-000000' })).rejects.toMatchObject({ error: { code: 'NOT_FOUND' } });
    await expect(api.explain({})).rejects.toMatchObject({ error: { code: 'BAD_INPUT' } });
    await expect(api.explain({ text: 'a\0b' })).rejects.toMatchObject({ error: { code: 'BAD_INPUT' } });
  });
});

group('lal explain', () => {
  const fx = join(repoRoot, 'test/unit/failures/fixtures');
  it('--json: root cause first, exit 0; --lang zh as command or global option', async () => {
    const r = await lal(['explain', '--json', join(fx, 'run-crash')]);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(String(r.stdout)) as { diagnoses: { code: string; rank: number; evidence: { file: string; line: number } }[] };
    expect(out.diagnoses[0]).toMatchObject({ code: 'SIZE_TOO_LARGE', rank: 1 });
    const zh = await lal(['explain', '--lang', 'zh', join(fx, 't113-sigkill.log')]);
    expect(zh.exitCode).toBe(0);
    expect(String(zh.stdout)).toContain('根本原因');
    expect(String(zh.stdout)).toContain('HOST_OOM_KILLED');
    const g = await lal(['--lang', 'zh', 'explain', join(fx, 't113-assert.log')]);
    expect(String(g.stdout)).toContain('ARG_ASSERTION');
    expect(String(g.stdout)).toMatch(/[\u4e00-\u9fff]/);
  }, 60_000);

  it('nothing wrong says so (exit 0); a missing file is exit 2', async () => {
    const ok = await lal(['explain', '--lang', 'en', join(repoRoot, 'test/fixtures/captured/logs/progress-nccl-info.log')]);
    expect(ok.exitCode).toBe(0);
    expect(String(ok.stdout)).toMatch(/No failure found/);
    const bad = await lal(['explain', '/nonexistent/run.log']);
    expect(bad.exitCode).toBe(2);
    expect(String(bad.stderr)).toContain('/nonexistent/run.log');
  }, 60_000);

  it("someone else's run folder: a malformed run.json verdict is ignored (the logs decide), and escape sequences in logs never reach the terminal", async () => {
    tmp = tempDir();
    const dir = join(tmp.path, 'their-run');
    mkdirSync(dir);
    const esc = '\u001b]52;c;ZWNobyBwd25lZA==\u0007\u001b[2J';
    writeFileSync(join(dir, 'console.log'), `${OOM}\n[rank1]: ${esc}hidden\rover\n`);
    const good = { endedAt: '2026-12-06T00:00:00Z', diagnoses: [{ code: 'STALL', rank: 3, evidence: null, fields: { idleSec: 90, ranks: '3' } }] };
    const bad: unknown[] = [
      { ...good, diagnoses: [{ ...good.diagnoses[0], code: 'stall; rm -rf' }] },
      { ...good, diagnoses: [{ ...good.diagnoses[0], title: 'old words' }] },
      { ...good, diagnoses: [{ ...good.diagnoses[0], fields: { x: 'y'.repeat(5000) } }] },
      { ...good, diagnoses: [{ ...good.diagnoses[0], fixes: [{ kind: 'env', name: 'LD_PRELOAD=/tmp/x.so', value: '1' }] }] },
      { ...good, diagnoses: [{ ...good.diagnoses[0], extra: 1 }] },
      { ...good, endedAt: undefined },
      { ...good, diagnoses: [] },
      'not an object',
    ];
    for (const rec of bad) {
      writeFileSync(join(dir, 'run.json'), JSON.stringify(rec));
      const { diagnoses } = await explainPaths([dir]);
      expect(diagnoses[0], JSON.stringify(rec).slice(0, 120)).toMatchObject({ code: 'CUDA_OOM', rank: 1 });
    }
    writeFileSync(join(dir, 'run.json'), '{"endedAt": "x", "diagnoses": [');
    expect((await explainPaths([dir])).diagnoses[0]).toMatchObject({ code: 'CUDA_OOM' });
    // A well-formed finished record is the verdict (decided once, as the run view shows it).
    writeFileSync(join(dir, 'run.json'), JSON.stringify(good));
    expect((await explainPaths([dir])).diagnoses[0]).toMatchObject({ code: 'STALL', rank: 3 });
    // The printed cards: no ESC, BEL or bare CR from the log.
    writeFileSync(join(dir, 'console.log'), `[rank1]: RuntimeError: ${esc}boom\rhidden\n`);
    writeFileSync(join(dir, 'run.json'), '{}');
    const r = await lal(['explain', '--lang', 'en', dir]);
    expect(r.exitCode).toBe(0);
    expect(String(r.stdout)).toContain('boom');
    expect(String(r.stdout)).not.toMatch(/[\u001b\u0007\r]/);
  }, 60_000);

  it("torchrun's own --log_dir tree, at any level, is read as per-rank logs", async () => {
    const run = join(repoRoot, 'test/fixtures/gpu-h200-cascades/straggler-middle');
    const logDir = join(run, 'logs');
    const id = readdirSync(logDir)[0];
    for (const p of [logDir, join(logDir, id), join(logDir, id, 'attempt_0')]) {
      const rep = await explainPaths([p]);
      expect(rep.diagnoses[0], p).toMatchObject({ code: 'NCCL_WATCHDOG_TIMEOUT', rank: 2, fields: { laggard: 2 } });
      expect(rep.scanned.length, p).toBe(8);
    }
  });
});
