import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../../shared/run/types';
import { readJson, writeJsonAtomic } from '../json-file';
import { RUN_ID_RE } from './run-id';

/**
 * Run records: `<runDir>/run.json`, written atomically (temp + fsync + rename) before launch and at
 * every state change, so a launcher killed at any instant leaves a readable record for the reaper.
 * Run folders may live under the user's output folder, so `<dataDir>/runs/index/<runId>.json`
 * points at each one; one small file per run means two launchers never race on a shared index.
 */
export class RunRecords {
  constructor(private readonly dataDir: string) {}

  private indexDir(): string {
    return join(this.dataDir, 'runs', 'index');
  }

  save(record: RunRecord): void {
    writeJsonAtomic(join(record.runDir, 'run.json'), record);
  }

  /** Called once per run, before launch. */
  register(record: RunRecord): void {
    writeJsonAtomic(join(this.indexDir(), `${record.runId}.json`), { runId: record.runId, runDir: record.runDir });
    this.save(record);
  }

  get(runId: string): RunRecord | null {
    if (!RUN_ID_RE.test(runId)) return null;
    const entry = readJson<{ runDir: string }>(join(this.indexDir(), `${runId}.json`));
    const dirs = [entry?.runDir, join(this.dataDir, 'runs', runId)].filter((d): d is string => !!d);
    for (const dir of dirs) {
      const rec = readJson<RunRecord>(join(dir, 'run.json'));
      if (rec && rec.runId === runId) return rec;
    }
    return null;
  }

  /** Every run we can find, newest first: indexed ones and any folder under <dataDir>/runs. */
  list(): RunRecord[] {
    const ids = new Set<string>();
    for (const f of safeReaddir(this.indexDir())) if (f.endsWith('.json')) ids.add(f.slice(0, -5));
    for (const d of safeReaddir(join(this.dataDir, 'runs'))) if (RUN_ID_RE.test(d)) ids.add(d);
    const out: RunRecord[] = [];
    for (const id of ids) {
      const rec = this.get(id);
      if (rec) out.push(rec);
    }
    return out.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : b.runId.localeCompare(a.runId)));
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
