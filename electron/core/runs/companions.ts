import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import type { CompanionSpec, Recipe } from '../../../shared/recipes/types';
import type { CompanionPlan, CompanionRecord, CompanionState, RunEvent } from '../../../shared/run/types';
import type { Diagnosis } from '../../../shared/failures/types';
import type { CompanionFailureCode } from '../../../shared/failures/companion';
import type { BuiltPlan } from './plan';
import { launch, type Launched } from './launcher';
import { portIsFree } from './port';
import { isAlive, procStartTimeSync, provenGroup, provenOwn, signalQuiet, sleep } from './proc';

/**
 * Companion services (Step-Video's caption/VAE server, stepfun-ai/Step-Video-T2V
 * api/call_remote_server.py): started before torchrun, watched like ranks, stopped with the run.
 *
 * Why the launcher writes `[lal] LAL_COMPANION_* key=value` lines into the companion's own log: an
 * upstream server says nothing about being busy or dying, so the launcher's observations (ready,
 * requests held open on its port, exit) must sit next to the server's output for `lal explain` of
 * the folder to reach the same verdict the live run did (shared/failures/companion.ts).
 */

const HOST = '127.0.0.1';

/** What planning needs beside the built rank plan. */
export interface CompanionPlanInput {
  python: string;
  resourcesDir: string;
  runDir: string;
  checkout: string | null;
  /** A free port when the ranks can be told it (portFlag); never used for a fixed port. */
  freePort: () => Promise<number>;
}

/**
 * Plans every companion of the recipe and writes their address into the ranks' argv: host flags get
 * the host, a port flag gets the port. A companion without a port flag keeps upstream's fixed port.
 */
export async function planCompanions(recipe: Recipe, built: BuiltPlan, input: CompanionPlanInput): Promise<CompanionPlan[]> {
  const specs = recipe.companions ?? [];
  const out: CompanionPlan[] = [];
  for (const spec of specs) {
    const port = spec.portFlag ? await input.freePort() : spec.port;
    const argv = [input.python, ...expandArgv(spec, built, { ...input, port })];
    // Same visible GPUs as the ranks: upstream's server takes the last one (cuda:{device_count-1}),
    // the ranks take LOCAL_RANK, so the mode's extra GPU is the server's.
    const env: Record<string, string> = { ...built.plan.env };
    if (spec.gpu === 'none') env.CUDA_VISIBLE_DEVICES = '';
    out.push({
      name: spec.name,
      argv,
      env,
      cwd: built.plan.cwd,
      host: HOST,
      port,
      portFixed: !spec.portFlag,
      readiness: spec.readiness,
      readyTimeoutSec: readyTimeout(spec, built),
      logFile: join('companions', `${spec.name}.log`),
    });
    setRankFlags(built.plan.argv, spec, port);
  }
  return out;
}

function readyTimeout(spec: CompanionSpec, built: BuiltPlan): number {
  const v = Number(built.values.ready_timeout_sec);
  return Number.isFinite(v) && v > 0 ? v : spec.readyTimeoutSec;
}

function expandArgv(spec: CompanionSpec, built: BuiltPlan, v: CompanionPlanInput & { port: number }): string[] {
  const out: string[] = [];
  for (const item of spec.argv) {
    const flag = /^\{flag:(\w+)\}$/.exec(item);
    if (flag) {
      const val = built.values[flag[1]];
      if (val === undefined || val === null || val === '') {
        // `--x {flag:NAME}` with no value: drop the option too, so the program sees its own default.
        if (out.length && out[out.length - 1].startsWith('--')) out.pop();
        continue;
      }
      out.push(String(val));
      continue;
    }
    out.push(item.replaceAll('{resources}', v.resourcesDir).replaceAll('{runDir}', v.runDir).replaceAll('{checkout}', v.checkout ?? '').replaceAll('{port}', String(v.port)));
  }
  return out;
}

/** `--vae_url 127.0.0.1` and the port flag in the ranks' argv: replaced where present, else appended. */
function setRankFlags(argv: string[], spec: CompanionSpec, port: number): void {
  const set = (name: string, value: string) => {
    const i = argv.lastIndexOf(`--${name}`);
    if (i >= 0 && i + 1 < argv.length) argv[i + 1] = value;
    else argv.push(`--${name}`, value);
  };
  for (const f of spec.hostFlags) set(f, HOST);
  if (spec.portFlag) set(spec.portFlag, String(port));
}

/** Readiness failed: the run ends here, before any rank starts. */
export class CompanionStartError extends Error {
  constructor(readonly diagnosis: Diagnosis) {
    super(`companion ${String(diagnosis.fields?.name)}: ${diagnosis.code}`);
  }
}

interface Live {
  plan: CompanionPlan;
  rec: CompanionRecord;
  launched: Launched | null;
  log: WriteStream;
  logTail: string;
  exited: boolean;
  exit: Promise<void>;
  failedProbes: number;
  busySinceMs: number | null;
  lastBusyLogMs: number;
  stopping: boolean;
}

export interface CompanionHooks {
  runId: string;
  runDir: string;
  emit: (ev: RunEvent) => void;
  /** Raw output for the run's console view (rank -1 marks a companion). */
  output?: (data: string) => void;
  changed: () => void;
  pdeathsig?: boolean;
}

export class CompanionSet {
  private readonly live: Live[] = [];
  private watchTimer: NodeJS.Timeout | null = null;
  private aborted = false;
  /** Set while the ranks run: a companion exit then is a death, not a stop. */
  private runPhase: 'startup' | 'run' | 'teardown' = 'startup';

  constructor(
    private readonly plans: CompanionPlan[],
    private readonly hooks: CompanionHooks,
  ) {}

  get records(): CompanionRecord[] {
    return this.live.map((l) => ({ ...l.rec }));
  }

  /** Pids of the companions, for GPU samples by pid. */
  pids(): number[] {
    return this.live.map((l) => l.rec.pid).filter((p): p is number => p !== null);
  }

  /**
   * Starts each companion in turn and waits for it to be ready. Throws CompanionStartError with the
   * diagnosis when a fixed port is taken, the process exits first, or the timeout passes.
   */
  async start(): Promise<void> {
    for (const plan of this.plans) {
      const started = Date.now();
      const rec: CompanionRecord = { name: plan.name, pid: null, pgid: null, startTime: null, port: plan.port, state: 'starting', startedAt: new Date().toISOString(), logFile: plan.logFile };
      const file = join(this.hooks.runDir, plan.logFile);
      mkdirSync(dirname(file), { recursive: true });
      const log = createWriteStream(file, { flags: 'a' });
      const l: Live = { plan, rec, launched: null, log, logTail: '', exited: false, exit: Promise.resolve(), failedProbes: 0, busySinceMs: null, lastBusyLogMs: 0, stopping: false };
      this.live.push(l);
      if (!(await portIsFree(plan.port))) {
        const holder = await portHolder(plan.port);
        this.lalLine(l, `LAL_COMPANION_NOT_READY name=${plan.name} reason=port port=${plan.port}${holder ? ` holder_pid=${holder.pid}` : ''}`);
        this.setState(l, 'failed', 'port');
        throw new CompanionStartError(this.diag('COMPANION_PORT_IN_USE', plan, { ...(holder ? { holderPid: holder.pid, holder: holder.cmd } : {}) }));
      }
      this.spawn(l);
      this.lalLine(l, `LAL_COMPANION_START name=${plan.name} pid=${rec.pid ?? 'none'} port=${plan.port} at=${rec.startedAt}`);
      this.hooks.emit({ type: 'companion', runId: this.hooks.runId, name: plan.name, state: 'starting', port: plan.port, pid: rec.pid });
      const deadline = started + plan.readyTimeoutSec * 1000;
      for (;;) {
        if (this.aborted) throw new CompanionStartError(this.diag('COMPANION_NOT_READY', plan, { reason: 'stopped', seconds: Math.round((Date.now() - started) / 100) / 10 }));
        if (l.exited) {
          const last = lastLines(l.logTail, 3);
          this.lalLine(l, `LAL_COMPANION_NOT_READY name=${plan.name} reason=exited code=${rec.exitCode ?? 'null'}`);
          this.setState(l, 'failed', 'exited');
          throw new CompanionStartError(this.diag('COMPANION_EXITED_EARLY', plan, { exitCode: rec.exitCode ?? rec.signal ?? '?', lastLine: last }));
        }
        if (await probe(plan, l.logTail)) break;
        if (Date.now() > deadline) {
          this.lalLine(l, `LAL_COMPANION_NOT_READY name=${plan.name} reason=timeout after_sec=${plan.readyTimeoutSec}`);
          this.setState(l, 'failed', 'timeout');
          throw new CompanionStartError(this.diag('COMPANION_NOT_READY', plan, { reason: 'timeout', seconds: plan.readyTimeoutSec }));
        }
        await sleep(200);
      }
      rec.readyAt = new Date().toISOString();
      this.lalLine(l, `LAL_COMPANION_READY name=${plan.name} after_sec=${((Date.now() - started) / 1000).toFixed(1)}`);
      this.setState(l, 'ready');
    }
    if (this.aborted) return;
    this.runPhase = 'run';
    this.watchTimer = setInterval(() => void this.watch(), 1000);
  }

  /**
   * The run is being stopped: a wait for readiness ends at once, and the exits the teardown causes
   * are stops, not deaths (so a stopped run's log never blames the server).
   */
  abort(): void {
    this.aborted = true;
    this.runPhase = 'teardown';
    for (const l of this.live) l.stopping = true;
  }

  /** SIGTERM to each companion's proven group, SIGKILL after the grace; the run's sweep catches anything else. */
  async stop(graceMs = 3000): Promise<void> {
    this.runPhase = 'teardown';
    if (this.watchTimer) clearInterval(this.watchTimer);
    await Promise.all(
      this.live.map(async (l) => {
        const { pid, startTime, pgid } = l.rec;
        if (!l.exited && pid && (await provenOwn(pid, startTime, this.hooks.runId))) {
          l.stopping = true;
          this.lalLine(l, `LAL_COMPANION_STOP name=${l.plan.name}`);
          signalQuiet(pid, 'SIGTERM');
          const deadline = Date.now() + graceMs;
          while (!l.exited && Date.now() < deadline && (await isAlive(pid, startTime))) await sleep(25);
        }
        if (pgid && (await provenGroup(pgid, startTime, this.hooks.runId))) signalQuiet(-pgid, 'SIGKILL');
        await Promise.race([l.exit, sleep(2000)]);
        if (l.rec.state !== 'failed' && l.rec.state !== 'exited') this.setState(l, 'stopped');
        await new Promise<void>((r) => (l.log.closed ? r() : l.log.end(() => r())));
      }),
    );
  }

  private spawn(l: Live): void {
    const launched = launch({ argv: l.plan.argv, env: l.plan.env, cwd: l.plan.cwd }, { pdeathsig: this.hooks.pdeathsig });
    l.launched = launched;
    if (launched.pid !== null && launched.pid > 1) {
      l.rec.pid = launched.pid;
      l.rec.pgid = launched.pid;
      l.rec.startTime = procStartTimeSync(launched.pid);
    }
    for (const s of [launched.child.stdout, launched.child.stderr]) {
      s?.on('data', (b: Buffer) => {
        l.log.write(b);
        const text = b.toString('utf8');
        l.logTail = (l.logTail + text).slice(-64 * 1024);
        this.hooks.output?.(text);
      });
    }
    l.exit = launched.child.then((res) => {
      l.exited = true;
      l.rec.exitCode = res.exitCode ?? null;
      l.rec.signal = res.signal ?? null;
      l.rec.exitedAt = new Date().toISOString();
      if (res.failed && res.exitCode === undefined && !res.signal) l.logTail += `\n${String(res.message)}`;
      if (!l.stopping) {
        // Not stopped by us: the launcher says when and in which phase, for the explanation.
        this.lalLine(l, `LAL_COMPANION_EXIT name=${l.plan.name} code=${res.exitCode ?? 'null'} signal=${res.signal ?? 'null'} during=${this.runPhase} at=${l.rec.exitedAt}`);
        if (this.runPhase !== 'startup') this.setState(l, 'exited', `code ${res.exitCode ?? res.signal ?? '?'}`);
      }
    }, () => undefined);
  }

  /** Every second while the ranks run: the probe (alive but not answering = a companion stall) and requests held open. */
  private async watch(): Promise<void> {
    for (const l of this.live) {
      if (l.exited || l.stopping || this.runPhase !== 'run') continue;
      const ok = await probe(l.plan, l.logTail);
      if (ok) {
        l.failedProbes = 0;
        if (l.rec.state === 'unhealthy') {
          delete l.rec.unhealthySince;
          this.setState(l, 'ready', 'recovered');
        }
      } else if (++l.failedProbes >= 3 && l.rec.state === 'ready' && !l.exited) {
        l.rec.unhealthySince = new Date().toISOString();
        this.lalLine(l, `LAL_COMPANION_UNHEALTHY name=${l.plan.name}`);
        this.setState(l, 'unhealthy', 'probe');
      }
      // Requests held open on its port: how a silent upstream server shows that it is busy.
      const open = await openConnections(l.plan.port);
      const now = Date.now();
      if (open > 0) {
        l.busySinceMs ??= now;
        const forSec = (now - l.busySinceMs) / 1000;
        if (forSec >= 2 && now - l.lastBusyLogMs >= 2000) {
          l.lastBusyLogMs = now;
          this.lalLine(l, `LAL_COMPANION_BUSY name=${l.plan.name} open=${open} for_sec=${forSec.toFixed(1)}`);
        }
      } else {
        l.busySinceMs = null;
      }
    }
  }

  private setState(l: Live, state: CompanionState, detail?: string): void {
    l.rec.state = state;
    this.hooks.emit({ type: 'companion', runId: this.hooks.runId, name: l.plan.name, state, port: l.plan.port, pid: l.rec.pid, ...(detail ? { detail } : {}) });
    this.hooks.changed();
  }

  private lalLine(l: Live, text: string): void {
    const line = `[lal] ${text}\n`;
    if (!l.log.closed && !l.log.writableEnded) l.log.write(line);
    this.hooks.output?.(line);
  }

  private diag(code: CompanionFailureCode, plan: CompanionPlan, extra: Record<string, string | number>): Diagnosis {
    return { code, rank: null, evidence: null, fields: { name: plan.name, port: plan.port, host: plan.host, log: plan.logFile, ...extra } };
  }
}

/** One readiness/health probe: any HTTP answer, a TCP connect, or the line in the log so far. */
async function probe(plan: CompanionPlan, logTail: string): Promise<boolean> {
  const r = plan.readiness;
  if (r.kind === 'log') return logTail.includes(r.match);
  if (r.kind === 'tcp') return tcpOpen(plan.host, plan.port);
  return httpAnswers(plan.host, plan.port, r.path);
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * Any status counts: upstream's Flask app has no route for `/`, and a 404 still proves it serves.
 * A fresh connection each time (no agent, `Connection: close`): Node's default agent keeps sockets
 * alive, and a kept-alive probe would be answered by a server that no longer accepts connections
 * and would count as a request held open on its port.
 */
function httpAnswers(host: string, port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, method: 'GET', timeout: 1500, agent: false, headers: { Connection: 'close' } }, (res) => {
      res.resume();
      resolve(true);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
    req.end();
  });
}

/**
 * Established TCP connections whose local port is `port` (the server's side of each request),
 * from /proc/net/tcp and tcp6 (proc(5)): state 01 is ESTABLISHED.
 */
export async function openConnections(port: number): Promise<number> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  let n = 0;
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const line of (await readFile(f, 'utf8')).split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols.length > 3 && cols[1]?.endsWith(`:${hex}`) && cols[3] === '01') n++;
      }
    } catch {
      /* no procfs: no busy evidence */
    }
  }
  return n;
}

/** Who listens on the port, when it is one of our own processes (other users' fds are unreadable). */
async function portHolder(port: number): Promise<{ pid: number; cmd: string } | null> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const line of (await readFile(f, 'utf8')).split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols.length > 9 && cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A') inodes.add(cols[9]);
      }
    } catch {
      return null;
    }
  }
  if (!inodes.size) return null;
  const { readdir, readlink } = await import('node:fs/promises');
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const fds = await readdir(`/proc/${name}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${name}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1])) {
        const cmd = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean).join(' ').slice(0, 200);
        return { pid: Number(name), cmd };
      }
    }
  }
  return null;
}

function lastLines(text: string, n: number): string {
  return text.split(/\r?\n/).map((s) => s.trim()).filter(Boolean).slice(-n).join(' | ').slice(0, 400);
}
