import { createWriteStream, openSync, readSync, closeSync, fstatSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Recipe } from '../../../shared/recipes/types';
import type { Diagnosis } from '../../../shared/failures/types';
import type { Lang } from '../../../shared/i18n';
import type { RunEvent, RunRecord } from '../../../shared/run/types';
import { ProgressTracker } from '../../../shared/progress/tracker';
import type { StallVerdict } from '../../../shared/progress/stall';
import { stallDiagnosis } from '../../../shared/failures/stall';
import type { StacksReport } from '../../../shared/stacks/types';
import type { EventBus } from '../events';
import type { RunRecords } from './records';
import type { BuiltPlan } from './plan';
import { OutputCoalescer } from './output';
import { RankLogTail } from './rank-tail';
import { stallStacks } from './stacks';
import { rankNodes, stallNodes } from '../nodes/ranks';
import { CompanionSet, CompanionStartError } from './companions';
import { RankProcess, type AgentIds, type RankExit, type TeardownEvidence } from './lifecycle';
import { ProgressEvents, parseProtocolLine, stallRuleFor, trackerConfigFor } from './observe-progress';
import { WorkerWatch } from './observe-workers';
import { StallWatch } from './observe-stall';
import { gpuSamplerFor, type RunSampler } from './observe-gpus';
import { decideEnding, diagnoseRunFolder, finalRecord, workerList, type StopReason } from './finalise';
import { progressOrder } from '../../../shared/progress/order';

/**
 * One run from launch to its final record. This class only wires the three jobs together and owns
 * the record and the two files beside it (console.log, events.ndjson):
 * - process lifecycle (lifecycle.ts, companions.ts): spawn, stop, the sweep after exit;
 * - observation (observe-*.ts, rank-tail.ts, gpu-sampler.ts, stacks.ts): per-rank progress,
 *   workers, GPU samples, the stall rule and where stuck ranks are;
 * - finalising (finalise.ts): end status, diagnoses, the last record.
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
  private readonly ranks: RankProcess;
  private consoleFile: WriteStream | null = null;
  private eventsFile: WriteStream | null = null;
  private readonly coalescer: OutputCoalescer;
  private readonly tracker: ProgressTracker;
  private readonly progress: ProgressEvents;
  private readonly watch: WorkerWatch;
  private readonly stall: StallWatch;
  private tail: RankLogTail | null = null;
  private sampler: RunSampler | null = null;
  private timers: NodeJS.Timeout[] = [];
  private stopReason: StopReason | null = null;
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
    this.ranks = new RankProcess(this.runId, { graceMs: deps.graceMs, pdeathsig: deps.pdeathsig });
    this.coalescer = new OutputCoalescer(this.runId, (b) => deps.events.emit('runOutput', b));
    this.tracker = new ProgressTracker(trackerConfigFor(built, recipe));
    this.progress = new ProgressEvents(this.runId, (ev) => this.emit(ev));
    this.watch = new WorkerWatch(this.runId);
    this.stall = new StallWatch(stallRuleFor(built, recipe), Date.now());
    this.record.stall = { ...this.stall.rule, action: built.spec.stallAction ?? 'notify' };
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
      return this.onExit({ exitCode: null, signal: null, spawnError: null });
    }
    if (this.stopReason) return this.onExit({ exitCode: null, signal: null, spawnError: null });
    this.launchRanks();
  }

  private launchRanks(): void {
    const runDir = this.record.runDir;
    const ids = this.ranks.spawn(
      this.built.plan,
      (raw, text) => {
        // Disk gets every byte; a slow disk only grows our buffer, never blocks the child's pipe.
        this.consoleFile?.write(raw);
        this.coalescer.push(text, null);
      },
      (e) => void this.onExit(e),
    );
    if (ids.pid !== null) Object.assign(this.record, ids);
    this.record.status = 'running';
    this.save();
    this.emit({ type: 'start', runId: this.runId, plan: this.built.plan, runDir });
    this.observe();
  }

  /** Observation: per-rank logs → tracker → events, GPU samples, the worker watch, the stall rule. */
  private observe(): void {
    this.tail = new RankLogTail(join(this.record.runDir, 'logs'), (rank, _stream, seg, partial) => {
      if (partial && !seg.text.includes('|')) return;
      if (!partial && seg.kind === 'line' && seg.text.startsWith('LAL_')) this.onProtocolLine(rank, seg.text);
      this.progress.push(this.tracker.feed(rank, seg, Date.now()));
    });
    this.tail.start();

    this.sampler = gpuSamplerFor(this.built, this.deps.nvidiaSmi, (samples, processes) =>
      this.emit({ type: 'gpu', runId: this.runId, samples, ...(processes ? { processes: this.watch.ours(processes) } : {}) }),
    );
    void this.sampler?.start();

    this.timers = [
      setInterval(() => this.checkStall(), 500),
      setInterval(() => void this.watch.poll(), 500),
      setInterval(() => this.save(), 2000),
    ];
  }

  /** Stop on request: SIGTERM the agent, then the group, then the sweep. Resolves when the run has ended. */
  stop(reason: StopReason = 'user'): Promise<RunRecord> {
    if (!this.stopReason) this.stopReason = reason;
    this.companions?.abort();
    if (!this.ranks.stopRequested && this.record.endedAt === null) {
      this.record.status = 'stopping';
      this.save();
      this.ranks.stop(this.agentIds(), this.evidence());
    }
    return this.done;
  }

  private agentIds(): AgentIds {
    return { pid: this.record.pid, pgid: this.record.pgid, procStartTime: this.record.procStartTime };
  }

  private evidence(): TeardownEvidence {
    const sampler = this.sampler;
    return { knownPids: [...this.watch.seenPids], computeApps: sampler?.available ? () => sampler.sampleProcesses() : null };
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

  private checkStall(): void {
    if (this.record.status !== 'running') return;
    const snap = this.tracker.snapshot();
    const v = this.stall.check(snap, this.tracker.barsPerClip, this.watch.goneAt);
    if (!v) return;
    const action = this.built.spec.stallAction ?? 'notify';
    const at = new Date().toISOString();
    // Where each stuck rank is, from its Python stack (issue 22, stacks.ts): at most ~2 s more, so
    // the event and the card can say "rank 4 waits in dist.recv for rank 3, which is …".
    void stallStacks(this.built, this.recipe, this.record.runDir, v, this.watch.workers, snap.ranks, () => this.tracker.snapshot().ranks).then((where) => this.raiseStall(v, action, at, where));
  }

  private raiseStall(v: StallVerdict, action: 'notify' | 'stop', at: string, where: StacksReport | null): void {
    if (this.record.status !== 'running') return;
    this.record.stall = { ...this.stall.rule, action, last: { at, ranks: v.stalled, behind: v.behind, ...(where ? { where } : {}) } };
    this.emit({ type: 'stall', runId: this.runId, ranks: v.stalled, advanced: v.advanced, behind: v.behind, idleSec: Math.round(v.idleSec * 10) / 10, detectedAt: at, gpus: this.sampler?.latest() ?? [], action, ...(where ? { where } : {}), ...stallNodes(this.record.runDir) });
    if (action === 'stop' && !this.stopReason) {
      // The failure explainer words STALL (shared/failures/stall.ts) so the app, `lal explain` and this agree.
      this.addDiagnosis(stallDiagnosis({ ranks: v.stalled, advanced: v.advanced, behind: v.behind, idleSec: v.idleSec }));
      void this.stop('stall');
    } else {
      this.save();
    }
  }

  /** LAL_PLAN corrects the tracker's shape; LAL_PEAK is the workload's own measured peak (observe-progress.ts). */
  private onProtocolLine(rank: number, text: string): void {
    const line = parseProtocolLine(text);
    if (line?.kind === 'plan') this.tracker.setShape({ clips: line.clips, barsPerClip: line.barsPerClip });
    if (line?.kind === 'peak') this.record.workloadPeaks = { ...(this.record.workloadPeaks ?? {}), [String(rank)]: line.peak };
  }

  private addDiagnosis(d: Diagnosis): void {
    this.record.diagnoses.push(d);
    this.emit({ type: 'diagnosis', runId: this.runId, code: d.code, rank: d.rank, diagnosis: d });
  }

  /** Lifecycle's end, observation's last look, then finalising. */
  private async onExit({ exitCode, signal, spawnError }: RankExit): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.watch.poll().catch(() => undefined);
    await this.tail?.stop();
    this.coalescer.close();
    if (spawnError) this.consoleFile?.write(`\n[lal] could not start: ${spawnError}\n`);
    // Companions outlive the ranks (rank 0 asks the VAE last) and go before the sweep.
    await this.companions?.stop(this.deps.graceMs ?? 3000);
    if (this.companions) this.record.companions = this.companions.records;

    const report = await this.ranks.finish(this.agentIds(), this.evidence());
    this.sampler?.stop();
    await endStream(this.consoleFile);

    const ending = decideEnding({ stopReason: this.stopReason, exitCode, saveFile: this.built.saveFile, companionStartFailed: this.companionStartFailed });
    const status = ending.status;
    for (const d of ending.diagnoses) this.addDiagnosis(d);
    if (ending.explain) for (const d of await diagnoseRunFolder(this.record.runDir, [...this.watch.goneAt], progressOrder(this.tracker.snapshot().ranks))) this.addDiagnosis(d);

    if (status !== 'stopped') for (const [rank] of this.watch.workers) this.progress.push(this.tracker.finishRank(rank, status === 'succeeded'));
    this.record = finalRecord(this.record, { status, exitCode, signal, teardown: report, workers: workerList(this.watch.workers, this.watch.goneAt) });
    this.save();
    this.emit({ type: 'exit', runId: this.runId, status, exitCode });
    await endStream(this.eventsFile);
    this.resolveDone(this.record);
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
