import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord, RunStatus } from '../../../shared/run/types';
import { readJson, writeJsonAtomic } from '../json-file';
import { parseStat } from './proc';
import { readFileSync } from 'node:fs';
import { RUN_ID_RE } from './run-id';

const ACTIVE: ReadonlySet<RunStatus> = new Set<RunStatus>(['starting', 'running', 'stopping']);

/**
 * Whether the launcher that wrote `rec` still runs: its pid alive (not a zombie) with the start
 * time it recorded. A pid that now belongs to another process does not count.
 */
export function launcherAliveSync(rec: Pick<RunRecord, 'launcherPid' | 'launcherStartTime'>): boolean {
  if (!rec.launcherPid || !Number.isSafeInteger(rec.launcherPid) || rec.launcherPid <= 0) return false;
  let st: ReturnType<typeof parseStat>;
  try {
    st = parseStat(readFileSync(`/proc/${rec.launcherPid}/stat`, 'utf8'));
  } catch {
    return false;
  }
  if (!st || st.state === 'Z' || st.state === 'X') return false;
  return rec.launcherStartTime ? st.startTime === rec.launcherStartTime : true;
}

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

  /** A run's record; one whose launcher died while it was active comes back (and is saved) `interrupted`. */
  get(runId: string): RunRecord | null {
    if (!RUN_ID_RE.test(runId)) return null;
    const entry = readJson<{ runDir: string }>(join(this.indexDir(), `${runId}.json`));
    const dirs = [entry?.runDir, join(this.dataDir, 'runs', runId)].filter((d): d is string => !!d);
    for (const dir of dirs) {
      const rec = readJson<RunRecord>(join(dir, 'run.json'));
      if (rec && rec.runId === runId) return this.markIfInterrupted(rec);
    }
    return null;
  }

  /**
   * Every reader of records (serve, the app, `lal runs`, the leftover scan) goes through here, so
   * the first start after a launcher died turns its runs from running into `interrupted`, with the
   * reason, instead of leaving them running forever. The record's own launcher is never judged dead
   * by this check: it is this process, or alive with its recorded start time.
   */
  private markIfInterrupted(rec: RunRecord): RunRecord {
    if (!ACTIVE.has(rec.status) || launcherAliveSync(rec)) return rec;
    const now = new Date().toISOString();
    const next: RunRecord = {
      ...rec,
      status: 'interrupted',
      endedAt: rec.endedAt ?? now,
      interruption: { reason: 'launcher-gone', launcherPid: rec.launcherPid, detectedAt: now, detectedByPid: process.pid },
    };
    try {
      this.save(next);
    } catch {
      /* a read-only run folder still reads as interrupted */
    }
    return next;
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
