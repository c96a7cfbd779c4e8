import { createWriteStream, openSync, readSync, closeSync, fstatSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { clipsForAudio } from '../../../shared/feasibility/geometry';
import { wavSeconds } from './audio';
import { StringDecoder } from 'node:string_decoder';
import type { Recipe } from '../../../shared/recipes/types';
import type { Diagnosis } from '../../../shared/failures/types';
import type { Lang } from '../../../shared/i18n';
import type { GpuProcessSample, RunEvent, RunRecord, TeardownReport } from '../../../shared/run/types';
import { ProgressTracker, type TrackerConfig, type TrackerEvent } from '../../../shared/progress/tracker';
import { judgeStall, type StallRule } from '../../../shared/progress/stall';
import { stallDiagnosis } from '../../../shared/failures/stall';
import { decideEnding, diagnoseRunFolder, finalRecord, workerList, type StopReason } from './finalise';
import type { EventBus } from '../events';
import type { RunRecords } from './records';
import type { BuiltPlan } from './plan';
import { launch, type Launched } from './launcher';
import { OutputCoalescer } from './output';
import { RankLogTail } from './rank-tail';
import { GpuSampler } from './gpu-sampler';
import { NodesGpuSampler, nodesSamplerFor } from '../nodes/gpu-sampler';
import { teardown } from './teardown';
import { pidsWithRunId, procStartTimeSync } from './proc';
import { stallStacks } from './stacks';
import type { StacksReport } from '../../../shared/stacks/types';
import { readFile } from 'node:fs/promises';
import { rankNodes, stallNodes } from '../nodes/ranks';
import { CompanionSet, CompanionStartError } from './companions';

/**
 * One run from launch to its final record: spawns torchrun, copies its console losslessly to
 * console.log, feeds per-rank files to the progress tracker, samples GPUs, applies the stall rule,
 * and on exit decides the status, gathers diagnoses and sweeps leftovers.
 */
export interface SessionDeps {
  events: EventBus;
  records: RunRecords;
  lang: Lang;
  nvidiaSmi: string | null;
  /** Teardown grace between SIGTERM to the agent and SIGKILL to its group. */
  graceMs?: number;
  pdeathsig?: boolean;
}

export class RunSession {
  readonly runId: string;
  readonly done: Promise<RunRecord>;
  private resolveDone!: (r: RunRecord) => void;
  private record: RunRecord;
  private launched: Launched | null = null;
  /** Settles when the torchrun process itself has exited (before our own exit handling). */
  private exited: Promise<unknown> | null = null;
  private consoleFile: WriteStream | null = null;
  private eventsFile: WriteStream | null = null;
  private readonly coalescer: OutputCoalescer;
  private readonly tracker: ProgressTracker;
  private tail: RankLogTail | null = null;
  private sampler: GpuSampler | NodesGpuSampler | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  private saveTimer: NodeJS.Timeout | null = null;
  private stopReason: StopReason | null = null;
  private stopping: Promise<TeardownReport> | null = null;
  private lastStallKey = '';
  private readonly lastEmit = new Map<number, number>();
  private readonly workers = new Map<number, { pid: number; startTime: string | null }>();
  private readonly goneAt = new Map<number, number>();
  private readonly seenPids = new Set<number>();
  private readonly startedAtMs = Date.now();
  private readonly rule: StallRule;
  private readonly tcfg: TrackerConfig;
  /** Companion services (companions.ts): started before the ranks, stopped after them. */
  private companions: CompanionSet | null = null;
  private companionStartFailed = false;

  constructor(
    private readonly built: BuiltPlan,
    private readonly recipe: Recipe,
    record: RunRecord,
    private readonly deps: SessionDeps,
  ) {
    this.runId = record.runId;
    this.record = record;
    this.done = new Promise((r) => (this.resolveDone = r));
    this.coalescer = new OutputCoalescer(this.runId, (b) => deps.events.emit('runOutput', b));
    const p = recipe.progress;
    const bpc = typeof p.barsPerClip === 'number' ? p.barsPerClip : Math.max(1, Math.floor(Number(built.values[p.barsPerClip.flag] ?? 0) / p.barsPerClip.divisor) || 1);
    this.tcfg = {
      nproc: built.nproc,
      clips: expectedClips(built),
      barsPerClip: bpc,
      frameRanks: built.mode.frameRanks ?? p.frameRanks,
      framesPerBar: p.framesPerBar,
      realtimeFps: p.realtimeFps,
      phases: p.phases,
    };
    this.tracker = new ProgressTracker(this.tcfg);
    this.rule = {
      floorSec: built.runner.stallFloorSec ?? 30,
      multiplier: 3,
      startupBudgetSec: built.runner.startupBudgetSec ?? p.startupBudgetSec,
      compileInFirstClip: !!recipe.memory?.compiles,
    };
    this.record.stall = { ...this.rule, action: built.spec.stallAction ?? 'notify' };
    this.record.progress = this.tracker.snapshot();
  }

  get current(): RunRecord {
    return this.record;
  }

  /** The feasibility model's bytes per physical GPU, once known (computed beside the launch). */
  setPredicted(bytes: Record<string, number>): void {
    this.record.predictedBytes = bytes;
    if (this.record.endedAt === null) this.save();
    else this.deps.records.save(this.record);
  }

  consoleTail(): string {
    return this.coalescer.tail();
  }

  /** Writes the record, then starts the process. Resolves once it is running (or failed to start). */
  async start(): Promise<void> {
    const runDir = this.record.runDir;
    this.consoleFile = createWriteStream(join(runDir, 'console.log'), { flags: 'a' });
    this.eventsFile = createWriteStream(join(runDir, 'events.ndjson'), { flags: 'a' });
    this.save();
    if (this.built.plan.companions?.length) {
      // Readiness can take minutes (text encoders): the ranks follow in the background.
      void this.startCompanionsThenRanks();
      return;
    }
    this.launchRanks();
  }

  private async startCompanionsThenRanks(): Promise<void> {
    this.companions = new CompanionSet(this.built.plan.companions ?? [], {
      runId: this.runId,
      runDir: this.record.runDir,
      emit: (ev) => this.emit(ev),
      output: (text) => this.coalescer.push(text, -1),
      changed: () => {
        if (this.record.endedAt !== null || !this.companions) return;
        this.record.companions = this.companions.records;
        this.save();
      },
      pdeathsig: this.deps.pdeathsig,
    });
    try {
      await this.companions.start();
    } catch (e) {
      this.companionStartFailed = true;
      if (e instanceof CompanionStartError && !this.stopReason) this.addDiagnosis(e.diagnosis);
      else if (!(e instanceof CompanionStartError)) this.consoleFile?.write(`\n[lal] companion: ${String(e)}\n`);
      return this.onExit(null, null, null);
    }
    if (this.stopReason) return this.onExit(null, null, null);
    this.launchRanks();
  }

  private launchRanks(): void {
    const runDir = this.record.runDir;
    this.launched = launch(this.built.plan, { pdeathsig: this.deps.pdeathsig });
    const { child, pid } = this.launched;
    if (pid !== null && pid > 1) {
      this.record.pid = pid;
      this.record.pgid = pid; // detached: the child leads its own group
      this.record.procStartTime = procStartTimeSync(pid);
    }
    this.record.status = 'running';
    this.save();
    this.emit({ type: 'start', runId: this.runId, plan: this.built.plan, runDir });

    for (const [stream, s] of [['stdout', child.stdout], ['stderr', child.stderr]] as const) {
      const dec = new StringDecoder('utf8');
      s?.on('data', (b: Buffer) => {
        // Disk gets every byte; a slow disk only grows our buffer, never blocks the child's pipe.
        this.consoleFile?.write(b);
        this.coalescer.push(dec.write(b), null);
      });
      void stream;
    }

    this.tail = new RankLogTail(join(runDir, 'logs'), (rank, _stream, seg, partial) => {
      if (partial && !seg.text.includes('|')) return;
      if (!partial && seg.kind === 'line' && seg.text.startsWith('LAL_')) this.onProtocolLine(rank, seg.text);
      this.onTracker(this.tracker.feed(rank, seg, Date.now()));
    });
    this.tail.start();

    if (this.built.spec.nodes?.length && this.built.values.device !== 'cpu') {
      // Several machines: nvidia-smi on every node over ssh, samples tagged with their node.
      this.sampler = nodesSamplerFor(this.built.plan.argv, (samples) => this.emit({ type: 'gpu', runId: this.runId, samples }));
      this.sampler?.start();
    } else if (this.deps.nvidiaSmi && this.built.values.device !== 'cpu') {
      const gpus = this.built.plan.env.CUDA_VISIBLE_DEVICES ? this.built.plan.env.CUDA_VISIBLE_DEVICES.split(',').map(Number).filter(Number.isInteger) : [];
      this.sampler = new GpuSampler({
        nvidiaSmi: this.deps.nvidiaSmi,
        gpus,
        onSamples: (samples) => this.emit({ type: 'gpu', runId: this.runId, samples, processes: this.ourProcesses(this.sampler?.processes() ?? []) }),
      });
      void this.sampler.start();
    }

    this.stallTimer = setInterval(() => this.checkStall(), 500);
    this.watchTimer = setInterval(() => void this.watchWorkers(), 500);
    this.saveTimer = setInterval(() => this.save(), 2000);

    this.exited = child.then(() => undefined, () => undefined);
    void child.then((result) => this.onExit(result.exitCode ?? null, result.signal ?? null, result.failed && result.exitCode === undefined ? String(result.message) : null));
  }

  /** Stop on request: SIGTERM the agent, then the group, then the sweep. Resolves when the run has ended. */
  stop(reason: StopReason = 'user'): Promise<RunRecord> {
    if (!this.stopReason) this.stopReason = reason;
    this.companions?.abort();
    if (!this.stopping && this.record.endedAt === null) {
      this.record.status = 'stopping';
      this.save();
      this.stopping = teardown({
        runId: this.runId,
        pid: this.record.pid,
        pgid: this.record.pgid,
        startTime: this.record.procStartTime,
        exited: this.exited ?? undefined,
        graceMs: this.deps.graceMs ?? 3000,
        knownPids: [...this.seenPids],
        computeApps: this.sampler?.available ? () => this.sampler!.sampleProcesses() : null,
      });
    }
    return this.done;
  }

  private emit(ev: RunEvent): void {
    this.eventsFile?.write(JSON.stringify({ t: new Date().toISOString(), ...ev }) + '\n');
    this.deps.events.emit('runEvent', ev);
  }

  private save(): void {
    this.record.progress = this.tracker.snapshot();
    if (this.sampler) this.record.peaksMiB = { ...this.record.peaksMiB, ...this.sampler.peaks() };
    if (this.built.spec.nodes?.length) this.record.rankNodes = rankNodes(this.record.runDir);
    this.deps.records.save(this.record);
    this.deps.events.emit('runsChanged', { runId: this.runId });
  }

  private onTracker(evs: TrackerEvent[]): void {
    const now = Date.now();
    for (const ev of evs) {
      if (ev.kind === 'phase') {
        this.emit({ type: 'phase', runId: this.runId, rank: ev.rank, phase: ev.phase });
        continue;
      }
      const u = ev.update;
      // At most 4 progress events a second per rank, but every finished bar.
      if (!ev.barDone && now - (this.lastEmit.get(u.rank) ?? 0) < 250) continue;
      this.lastEmit.set(u.rank, now);
      this.emit({ type: 'progress', runId: this.runId, rank: u.rank, clip: u.clip, clips: u.clips, step: u.step, steps: u.steps, fraction: u.fraction, fps: u.fps, etaSec: u.etaSec, eta: u.etaSec });
    }
  }

  private checkStall(): void {
    if (this.record.status !== 'running') return;
    const snap = this.tracker.snapshot();
    const total = snap.clips * this.tracker.barsPerClip;
    const finished = (rank: number) => (snap.ranks[rank]?.barsDone ?? 0) >= total || this.goneAt.has(rank);
    const firstClip = (rank: number) => (snap.ranks[rank]?.barsDone ?? 0) < this.tracker.barsPerClip;
    const v = judgeStall(snap.ranks, Date.now(), this.startedAtMs, this.rule, finished, firstClip);
    if (!v.stalled.length) {
      this.lastStallKey = '';
      return;
    }
    const key = v.stalled.join(',');
    if (key === this.lastStallKey) return;
    this.lastStallKey = key;
    const action = this.built.spec.stallAction ?? 'notify';
    const at = new Date().toISOString();
    // Where each stuck rank is, from its Python stack (issue 22, stacks.ts): at most ~2 s more, so
    // the event and the card can say "rank 4 waits in dist.recv for rank 3, which is …".
    void stallStacks(this.built, this.recipe, this.record.runDir, v, this.workers, snap.ranks, () => this.tracker.snapshot().ranks).then((where) => this.raiseStall(v, action, at, where));
  }

  private raiseStall(v: ReturnType<typeof judgeStall>, action: 'notify' | 'stop', at: string, where: StacksReport | null): void {
    if (this.record.status !== 'running') return;
    this.record.stall = { ...this.rule, action, last: { at, ranks: v.stalled, behind: v.behind, ...(where ? { where } : {}) } };
    this.emit({ type: 'stall', runId: this.runId, ranks: v.stalled, advanced: v.advanced, behind: v.behind, idleSec: Math.round(v.idleSec * 10) / 10, gpus: this.sampler?.latest() ?? [], action, ...(where ? { where } : {}), ...stallNodes(this.record.runDir) });
    if (action === 'stop' && !this.stopReason) {
      // The failure explainer words STALL (shared/failures/stall.ts) so the app, `lal explain` and this agree.
      this.addDiagnosis(stallDiagnosis({ ranks: v.stalled, advanced: v.advanced, behind: v.behind, idleSec: v.idleSec }));
      void this.stop('stall');
    } else {
      this.save();
    }
  }

  /**
   * Launcher protocol lines a workload may print (the rehearsal does): `LAL_PLAN {json}` with the
   * real clip and block counts, `LAL_PEAK {json}` with each rank's measured peak memory.
   */
  private onProtocolLine(rank: number, text: string): void {
    const m = /^LAL_(PLAN|PEAK) (\{.*\})\s*$/.exec(text);
    if (!m) return;
    try {
      const obj = JSON.parse(m[2]) as { geometry?: { clips?: number; num_blocks?: number } };
      if (m[1] === 'PLAN' && obj.geometry) this.tracker.setShape({ clips: obj.geometry.clips, barsPerClip: obj.geometry.num_blocks });
      if (m[1] === 'PEAK') this.record.workloadPeaks = { ...(this.record.workloadPeaks ?? {}), [String(rank)]: obj as Record<string, unknown> };
    } catch {
      /* a torn line is not worth failing a run over */
    }
  }

  private addDiagnosis(d: Diagnosis): void {
    this.record.diagnoses.push(d);
    this.emit({ type: 'diagnosis', runId: this.runId, code: d.code, rank: d.rank, diagnosis: d });
  }

  /** Which worker pid is which rank (RANK in its environment), and when each disappeared. */
  private async watchWorkers(): Promise<void> {
    const pids = await pidsWithRunId(this.runId);
    const now = Date.now();
    const alive = new Set(pids);
    for (const pid of pids) {
      if (this.seenPids.has(pid)) continue;
      this.seenPids.add(pid);
      const rank = await rankOf(pid);
      if (rank !== null && !this.workers.has(rank)) this.workers.set(rank, { pid, startTime: procStartTimeSync(pid) });
    }
    for (const [rank, w] of this.workers) if (!alive.has(w.pid) && !this.goneAt.has(rank)) this.goneAt.set(rank, now);
  }

  private ourProcesses(apps: GpuProcessSample[]): GpuProcessSample[] {
    return apps.filter((a) => this.seenPids.has(a.pid));
  }

  private async onExit(exitCode: number | null, signal: string | null, spawnError: string | null): Promise<void> {
    if (this.stallTimer) clearInterval(this.stallTimer);
    if (this.watchTimer) clearInterval(this.watchTimer);
    if (this.saveTimer) clearInterval(this.saveTimer);
    await this.watchWorkers().catch(() => undefined);
    await this.tail?.stop();
    this.coalescer.close();
    if (spawnError) this.consoleFile?.write(`\n[lal] could not start: ${spawnError}\n`);
    // Companions outlive the ranks (rank 0 asks the VAE last) and go before the sweep.
    await this.companions?.stop(this.deps.graceMs ?? 3000);
    if (this.companions) this.record.companions = this.companions.records;

    // Whatever the agent left behind (torch 2.x workers live in their own sessions).
    const report = this.stopping
      ? await this.stopping
      : await teardown({
          runId: this.runId,
          pid: null,
          pgid: this.record.pgid,
          startTime: null,
          agentGone: true,
          graceMs: 0,
          knownPids: [...this.seenPids],
          computeApps: this.sampler?.available ? () => this.sampler!.sampleProcesses() : null,
        });
    this.sampler?.stop();
    await Promise.all([endStream(this.consoleFile)]);

    const ending = decideEnding({ stopReason: this.stopReason, exitCode, saveFile: this.built.saveFile, companionStartFailed: this.companionStartFailed });
    const status = ending.status;
    for (const d of ending.diagnoses) this.addDiagnosis(d);
    if (ending.explain) for (const d of await diagnoseRunFolder(this.record.runDir, [...this.goneAt])) this.addDiagnosis(d);

    if (status !== 'stopped') for (const [rank] of this.workers) this.onTracker(this.tracker.finishRank(rank, status === 'succeeded'));
    this.record = finalRecord(this.record, { status, exitCode, signal, teardown: report, workers: workerList(this.workers, this.goneAt) });
    this.save();
    this.emit({ type: 'exit', runId: this.runId, status, exitCode });
    await endStream(this.eventsFile);
    this.resolveDone(this.record);
  }
}

/** min(--num_clip, clips the driving audio yields) as upstream computes it; the workload's LAL_PLAN line corrects it later. */
function expectedClips(built: BuiltPlan): number {
  const numClip = Number(built.values.num_clip);
  const audio = typeof built.values.audio === 'string' && built.values.audio ? resolve(built.plan.cwd, built.values.audio) : null;
  const secs = audio ? wavSeconds(audio) : null;
  const fromAudio = secs !== null ? clipsForAudio(secs, Number(built.values.infer_frames) || 48) : Infinity;
  const n = Math.min(Number.isFinite(numClip) && numClip > 0 ? numClip : Infinity, fromAudio);
  return Number.isFinite(n) ? Math.max(1, n) : 1;
}

async function rankOf(pid: number): Promise<number | null> {
  try {
    const env = await readFile(`/proc/${pid}/environ`, 'latin1');
    const m = /(?:^|\0)RANK=(\d+)(?:\0|$)/.exec(env);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function endStream(s: WriteStream | null): Promise<void> {
  return new Promise((r) => (s && !s.closed ? s.end(() => r()) : r()));
}

/** The last `bytes` of a file as text (logs can be huge; errors are at the end). */
export function tailText(file: string, bytes: number): string {
  try {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const len = Math.min(size, bytes);
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      return buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}
