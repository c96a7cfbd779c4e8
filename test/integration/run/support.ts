import { existsSync, readdirSync } from 'node:fs';
import { execaSync } from 'execa';
import { afterAll, beforeAll, expect } from 'vitest';
import type { RunEvent } from '../../../shared/run/types';
import type { EventBus } from '../../../electron/core/events';
import { pidsWithRunId } from '../../../electron/core/runs/proc';
import { SYS_PYTHON, TORCH_HINT, tinyContext } from './tiny-recipe';
import { runsApi } from '../../../electron/core/runs/api';
import { repoRoot, tempDir } from '../../support/temp';

/** Fails (never skips) when the machine lacks what these tests exercise. */
export function requireTorch(): void {
  const r = execaSync(SYS_PYTHON, ['-c', 'import torch, tqdm, torch.distributed.run'], { reject: false });
  if (r.exitCode !== 0) throw new Error(`${TORCH_HINT}\n${String(r.stderr).slice(-400)}`);
}

export function collect(events: EventBus) {
  const all: (RunEvent & { at: number })[] = [];
  const off = events.on('runEvent', (e) => all.push({ ...e, at: Date.now() }));
  const exit = (runId: string, timeoutMs = 90_000) =>
    new Promise<RunEvent & { type: 'exit' }>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`run ${runId} did not exit in ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        const e = all.find((x) => x.runId === runId && x.type === 'exit');
        if (e) {
          clearTimeout(t);
          resolve(e as RunEvent & { type: 'exit' });
        } else setTimeout(check, 50);
      };
      check();
    });
  return { all, off, exit };
}

/** Per-rank stdout/stderr files torchrun wrote under <runDir>/logs. */
export function rankLogs(runDir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(`${d}/${e.name}`);
      else if (/^(stdout|stderr)\.log$/.test(e.name)) out.push(`${d}/${e.name}`);
    }
  };
  if (existsSync(`${runDir}/logs`)) walk(`${runDir}/logs`);
  return out.sort();
}

export async function expectNoProcesses(runId: string): Promise<void> {
  expect(await pidsWithRunId(runId)).toEqual([]);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A launcher for one describe block: a temp data folder, the core context, the runs API and every
 * event collected; torch required before the first test, everything disposed after the last.
 */
export function launcherHarness(prefix: string, opts: Parameters<typeof runsApi>[1] = {}) {
  const dir = tempDir(prefix);
  const ctx = tinyContext(dir.path, `${repoRoot}/resources`);
  const api = runsApi(ctx, { graceMs: 2000, ...opts });
  const ev = collect(ctx.events);
  beforeAll(() => requireTorch());
  afterAll(async () => {
    ev.off();
    await api.dispose();
    dir.remove();
  });
  return { dir, ctx, api, ev };
}
