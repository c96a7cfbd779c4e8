import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe as group, expect, it } from 'vitest';
import { explainPaths } from '../../../electron/core/explain';
import { describe } from '../../../shared/failures/describe';
import { explainLogs } from '../../../shared/failures/explain';
import { rankExitDiagnosis } from '../../../shared/failures/verdict';
import { FAILURE_CODES, type Diagnosis } from '../../../shared/failures/types';
import { repoRoot } from '../../support/temp';

/**
 * Every code on at least one unabridged log: real where we have one (test/fixtures/gpu-h200/, our
 * own torch 1.13 captures, test/fixtures/captured/), else a complete reconstructed console
 * (fixtures/complete/, headed by the torch version whose format it follows).
 */
const own = (p: string) => join(repoRoot, 'test/unit/failures/fixtures', p);
const gpu = (p: string) => join(repoRoot, 'test/fixtures/gpu-h200', p);
const captured = (p: string) => join(repoRoot, 'test/fixtures/captured/logs', p);

interface Case {
  path: string;
  code: string;
  rank: number | null;
  real: boolean;
  fields?: Record<string, string | number>;
}

export const COMPLETE: Case[] = [
  { path: gpu('oom-rank2'), code: 'CUDA_OOM', rank: 2, real: true },
  { path: captured('fail-oom.log'), code: 'CUDA_OOM', rank: 1, real: true },
  { path: captured('fail-crash.log'), code: 'UNKNOWN', rank: 1, real: true },
  { path: gpu('crash-rank1'), code: 'UNKNOWN', rank: 1, real: true },
  { path: own('t113-sigkill.log'), code: 'HOST_OOM_KILLED', rank: 2, real: true },
  { path: own('t113-port-in-use.log'), code: 'PORT_IN_USE', rank: null, real: true },
  { path: own('t113-assert.log'), code: 'ARG_ASSERTION', rank: 0, real: true },
  { path: own('run-crash'), code: 'SIZE_TOO_LARGE', rank: 1, real: true },
  { path: own('run-timeout'), code: 'NCCL_WATCHDOG_TIMEOUT', rank: 1, real: true, fields: { laggard: 1 } },
  { path: own('py-missing-checkpoint.log'), code: 'MISSING_CHECKPOINT', rank: null, real: true },
  { path: own('py-ffmpeg-missing.log'), code: 'FFMPEG_MISSING', rank: null, real: true },
  { path: own('py-flash-attn-missing.log'), code: 'FLASH_ATTN_MISSING', rank: null, real: true },
  { path: own('complete/heartbeat-2.6.log'), code: 'NCCL_HEARTBEAT_STUCK', rank: 1, real: false },
  { path: own('complete/nccl-error-p2p-2.4.log'), code: 'NCCL_ERROR', rank: 2, real: false, fields: { advice: 'ncclP2p' } },
  { path: own('complete/nccl-shm-2.4.log'), code: 'NCCL_SHM', rank: 0, real: false },
  { path: own('complete/nccl-mismatch-2.4.log'), code: 'NCCL_MISMATCH', rank: 1, real: false },
  { path: own('complete/collective-mismatch-2.4.log'), code: 'COLLECTIVE_MISMATCH', rank: 0, real: false },
  { path: own('complete/duplicate-gpu-2.4.log'), code: 'DUPLICATE_GPU', rank: 4, real: false },
  { path: own('complete/rendezvous-timeout-2.6.log'), code: 'RENDEZVOUS_TIMEOUT', rank: 0, real: false },
  { path: own('complete/invalid-ordinal-2.4.log'), code: 'INVALID_DEVICE_ORDINAL', rank: 4, real: false },
  { path: own('complete/no-kernel-image-2.4.log'), code: 'NO_KERNEL_IMAGE', rank: 0, real: false },
  { path: own('complete/driver-too-old-2.4.log'), code: 'DRIVER_TOO_OLD', rank: 0, real: false },
  { path: own('complete/illegal-memory-access-2.4.log'), code: 'ILLEGAL_MEMORY_ACCESS', rank: 3, real: false },
  { path: own('complete/native-crash-2.4.log'), code: 'NATIVE_CRASH', rank: 3, real: false },
  { path: own('complete/fp8-ampere-2.6.log'), code: 'FP8_UNSUPPORTED', rank: 0, real: false },
];

/** The torch ≥ 2.2 watchdog cascade: the first card is the timeout, on the rank that fell behind. */
export const CASCADES: { file: string; straggler: number | null; lookAt?: number; version: string }[] = [
  { file: 'watchdog-2.2-straggler-rank0.log', straggler: 0, version: '2.2' },
  { file: 'watchdog-2.4-straggler-middle.log', straggler: 2, version: '2.4' },
  { file: 'watchdog-2.4-no-straggler.log', straggler: null, lookAt: 0, version: '2.4' },
  { file: 'watchdog-2.6-straggler-last.log', straggler: 3, version: '2.6' },
  { file: 'watchdog-2.6-straggler-rank0-silent.log', straggler: 0, version: '2.6' },
  { file: 'watchdog-2.11-straggler-rank0.log', straggler: 0, version: '2.11' },
  { file: 'watchdog-2.11-straggler-middle-5gpu.log', straggler: 2, version: '2.11' },
  { file: 'watchdog-2.11-straggler-last.log', straggler: 3, version: '2.11' },
];

/** The cascade card: the timeout first, never UNKNOWN, naming the straggler (or none) in both languages. */
function expectCascadeCard(d: Diagnosis[], straggler: number | null, lookAt: number | undefined): { en: string; zh: string } {
  expect(d[0].code).toBe('NCCL_WATCHDOG_TIMEOUT');
  expect(d.map((x) => x.code)).not.toContain('UNKNOWN');
  const en = describe(d[0], 'en').explanation;
  const zh = describe(d[0], 'zh-CN').explanation;
  if (straggler !== null) {
    expect(d[0]).toMatchObject({ rank: straggler, fields: { laggard: straggler } });
    expect(en).toMatch(new RegExp(`^Rank ${straggler} fell behind`));
    expect(zh).toMatch(new RegExp(`^rank ${straggler} 落后了`));
  } else {
    expect(d[0].fields?.laggard).toBeUndefined();
    expect(d[0]).toMatchObject({ rank: lookAt, fields: { lookAt } });
    expect(en).toMatch(new RegExp(`^No rank fell behind.*look at rank ${lookAt}'s last output`));
    expect(zh).toMatch(/^没有 rank 落后/);
  }
  return { en, zh };
}

/**
 * Real torch 2.11 cascades (NCCL 2.28.9, one H200, 4 or 5 ranks made to share it through
 * NCCL_HOSTID; test/fixtures/gpu-h200-cascades/README.md): the run folder, its merged console alone
 * and its per-rank files alone all lead with the timeout on the rank that fell behind.
 */
export const REAL_CASCADES: { dir: string; straggler: number | null; lookAt?: number; flight: Record<string, string | number> }[] = [
  { dir: 'straggler-rank0', straggler: 0, flight: { flightBehind: '0', flightSeq: 4 } },
  { dir: 'straggler-middle', straggler: 2, flight: { flightBehind: '2', flightSeq: 4 } },
  { dir: 'straggler-last', straggler: 3, flight: { flightBehind: '3', flightSeq: 4 } },
  { dir: 'straggler-last-5', straggler: 4, flight: { flightBehind: '4', flightSeq: 4 } },
  // Every rank entered the collective; rank 1's stream was held by a kernel, which no log shows.
  { dir: 'no-straggler-gpu', straggler: null, lookAt: 2, flight: { flightAllEnqueued: 4, flightSeq: 4 } },
  // One rank: "all 1 ranks enqueued" would say nothing the log does not.
  { dir: 'watchdog-1rank', straggler: null, lookAt: 0, flight: { flightSeq: 2 } },
];

group('real torch 2.11 watchdog cascades (one H200, NCCL) lead with the rank that fell behind, in both languages', () => {
  for (const k of REAL_CASCADES) {
    it(k.dir, async () => {
      const dir = join(repoRoot, 'test/fixtures/gpu-h200-cascades', k.dir);
      const reads = [await explainPaths([dir]), await explainPaths([join(dir, 'console.log')]), await explainPaths([join(dir, 'logs')])];
      for (const { diagnoses: d } of reads) {
        const { en, zh } = expectCascadeCard(d, k.straggler, k.lookAt);
        expect(en).toMatch(/within the timeout of (10|8) seconds/);
        expect(zh).toMatch(/超时时间（(10|8) 秒）/);
      }
      // The folder holds torch's flight-recorder dumps: the card says what they show and where they
      // are, and no longer asks to turn the recorder on; the console alone has no dumps, so it does.
      const [folder, consoleOnly] = reads.map((r) => r.diagnoses[0]);
      const dumps = readdirSync(dir).filter((n) => n.startsWith('nccl_trace_rank_')).length;
      expect(folder.fields).toMatchObject({ flightRanks: dumps, ...k.flight });
      expect(folder.fields?.flightAllEnqueued).toBe(k.flight.flightAllEnqueued);
      expect(folder.fixes ?? []).not.toContainEqual(expect.objectContaining({ name: 'TORCH_NCCL_TRACE_BUFFER_SIZE' }));
      const en = describe(folder, 'en');
      const zh = describe(folder, 'zh-CN');
      expect(en.fix).toContain(`The flight recorder's dumps (${dumps} ranks) are in the run folder`);
      expect(en.fix).not.toMatch(/enable the flight recorder/);
      expect(zh.fix).toContain(`flight recorder 的记录（${dumps} 个 rank）在运行目录中`);
      if (k.straggler !== null) {
        expect(en.explanation).toContain(`Rank ${k.straggler} never enqueued nccl:all_reduce #4, which the other ranks did (NCCL's flight recorder).`);
        expect(zh.explanation).toContain(`rank ${k.straggler} 从未发出 nccl:all_reduce 第 4 次`);
      }
      expect(consoleOnly.fields?.flightRanks).toBeUndefined();
      expect(describe(consoleOnly, 'en').fix).toContain('enable the flight recorder (TORCH_NCCL_TRACE_BUFFER_SIZE=2000, TORCH_NCCL_DUMP_ON_TIMEOUT=1)');
      expect(describe(consoleOnly, 'zh-CN').fix).toContain('可启用 flight recorder（TORCH_NCCL_TRACE_BUFFER_SIZE=2000、TORCH_NCCL_DUMP_ON_TIMEOUT=1）');
    });
  }
});

group('every code on a complete log', () => {
  it('covers every code the logs can raise (STALL comes from the run manager)', () => {
    const covered = new Set([...COMPLETE.map((c) => c.code), 'NCCL_WATCHDOG_TIMEOUT']);
    for (const code of FAILURE_CODES.filter((c) => c !== 'STALL')) expect(covered.has(code), code).toBe(true);
  });

  for (const c of COMPLETE) {
    it(`${c.code} ← ${c.path.replace(repoRoot + '/', '')}${c.real ? '' : ' (reconstructed)'}`, async () => {
      if (!c.real) expect(readFileSync(c.path, 'utf8').split('\n')[0]).toMatch(/^# reconstructed: .* torch \d+\.\d+ format/);
      const { diagnoses } = await explainPaths([c.path]);
      expect(diagnoses[0], JSON.stringify(diagnoses.map((d) => `${d.code}@${d.rank}`))).toMatchObject({ code: c.code, rank: c.rank });
      for (const [k, v] of Object.entries(c.fields ?? {})) expect(diagnoses[0].fields?.[k], k).toBe(v);
      // A known code is never behind an UNKNOWN card.
      const firstUnknown = diagnoses.findIndex((d) => d.code === 'UNKNOWN');
      if (firstUnknown >= 0) expect(diagnoses.slice(firstUnknown).every((d) => d.code === 'UNKNOWN')).toBe(true);
      for (const lang of ['en', 'zh-CN'] as const) {
        const w = describe(diagnoses[0], lang);
        for (const s of [w.title, w.explanation, w.fix]) expect(s).not.toMatch(/\{\w+\}|\[\[|\]\]/);
      }
    });
  }
});

group('torch ≥ 2.2 watchdog cascades lead with the rank that fell behind, never "Unrecognised error"', () => {
  for (const k of CASCADES) {
    it(`${k.file} (torch ${k.version})`, () => {
      const text = readFileSync(own(`complete/${k.file}`), 'utf8');
      const d = explainLogs([{ name: 'console.log', text }]);
      const { en, zh } = expectCascadeCard(d, k.straggler, k.lookAt);
      expect(en).toContain('within the timeout of 10 minutes');
      expect(zh).toContain('10 分钟');
    });
  }

  it('the exit line shown with the card is the straggler\'s own, worded as stopped, not as the first to end', async () => {
    const rep = await explainPaths([own('complete/watchdog-2.11-straggler-middle-5gpu.log')]);
    expect(rep.rootExit).toMatchObject({ rank: 2, exitCode: -15 });
    expect(describe(rankExitDiagnosis(rep.rootExit!), 'en').title).toBe('Rank 2 was stopped by torchrun (exit code -15, SIGTERM)');
  });

  it('per-rank files of the same cascade give the same verdict as the merged console', () => {
    const text = readFileSync(own('complete/watchdog-2.11-straggler-middle-5gpu.log'), 'utf8');
    const perRank = new Map<number, string[]>();
    const agent: string[] = [];
    for (const line of text.split('\n')) {
      const m = /^\[rank(\d+)\]:/.exec(line);
      if (m) perRank.set(Number(m[1]), [...(perRank.get(Number(m[1])) ?? []), line.slice(m[0].length)]);
      else agent.push(line);
    }
    // The straggler's own file exists (it printed bars) but has no watchdog line.
    const sources = [...perRank].map(([rank, lines]) => ({ name: `logs/x/attempt_0/${rank}/stderr.log`, rank, text: lines.join('\n') }));
    const d = explainLogs([...sources, { name: 'console.log', text: agent.join('\n') }]);
    expect(d[0]).toMatchObject({ code: 'NCCL_WATCHDOG_TIMEOUT', rank: 2 });
  });
});
