import { isAbsolute, resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { CliError, EXIT, printable, printJson, type GlobalOptions, type RunAction } from '../output';
import { cliCore } from '../core';
import { systemLang } from '../i18n';
import { loadRunSpec } from '../../core/profiles/resolve';
import { defaultDataDir } from '../../core/paths';
import { translate } from '../../../shared/i18n/translate';
import { describe } from '../../../shared/failures/describe';
import type { RunEvent, RunRecord, RunSpec, SettingValue } from '../../../shared/run/types';
import type { Lang } from '../../../shared/i18n';
import { getRecipe } from '../../../shared/recipes';
import { ApiFailure } from '../../../shared/api/result';
import type { FieldError } from '../../../shared/profiles/schema';

import { parseNodes } from '../nodes-flag';

const tr = (lang: Lang, key: string, vars: Record<string, string | number> = {}) => translate('run', key, vars, lang);
/**
 * `lal run` and `lal runs`. `lal run` is itself the launcher: it owns the torchrun process group,
 * so Ctrl-C (SIGINT to lal's own group; torchrun runs detached in its own session and does not see
 * it) triggers the ordered teardown, and a second Ctrl-C kills everything at once.
 * Exit codes: 0 succeeded, 1 failed (diagnosis printed), 2 bad input, 130 stopped by the user.
 */
interface RunOptions {
  profile?: string;
  preset?: string;
  recipe?: string;
  mode?: string;
  set: string[];
  allowEnv: string[];
  allowPath: string[];
  allowNode: string[];
  dryRun?: boolean;
  jsonEvents?: boolean;
  node: string[];
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerRun(program: Command, run: RunAction): void {
  program
    .command('run')
    .description('run a recipe, profile or preset under torchrun with live progress')
    .option('--profile <file>', 'profile file (JSON) to run')
    .option('--preset <name>', 'built-in preset to run')
    .option('--recipe <id>', 'recipe id, e.g. rehearsal or liveavatar')
    .option('--mode <id>', 'process layout of the recipe, e.g. tpp-5gpu')
    .option('--set <key=value>', 'a flag (upstream name without dashes), device/scale/inject, stall_action=notify|stop, gpus=0,1, python=PATH, checkout=DIR, output_dir=DIR; repeatable', collect, [])
    .option('--allow-env <name>', 'allow an environment variable the profile sets; repeatable', collect, [])
    .option('--allow-node <host>', 'allow ssh to a machine the profile lists (a --node you type counts as allowed); repeatable', collect, [])
    .option('--node <[user@]host[:nproc]>', 'run across machines over ssh: one per node, the first hosts the rendezvous; repeatable (docs/multi-node.md)', collect, [])
    .option('--allow-path <path>', 'allow a path outside the output and trusted folders (a file, or a folder holding it); repeatable', collect, [])
    .option('--dry-run', 'print the plan {argv, env, cwd} and start nothing (with --json: exactly that object)')
    .option('--json-events', 'print one JSON event per line (NDJSON); --json alone prints the final run record')
    .action((opts: RunOptions) => run((g) => runCommand(g, opts)));

  program
    .command('runs')
    .description('list runs; --reap stops leftovers of a launcher that died')
    .option('--reap', 'find processes of runs whose launcher died and stop them')
    .action((opts: { reap?: boolean }) => run((g) => runsCommand(g, opts)));
}

function langOf(g: GlobalOptions): Lang {
  return g.lang ?? systemLang();
}

export function parseSets(sets: string[], lang: Lang): Record<string, SettingValue> {
  const out: Record<string, SettingValue> = {};
  for (const s of sets) {
    const i = s.indexOf('=');
    if (i <= 0) throw new CliError(tr(lang, 'cli.badSet', { value: s }), EXIT.USAGE);
    const key = s.slice(0, i).trim().replace(/^--/, '').replace(/-/g, '_');
    // inject is repeatable upstream-style; several --set inject=… join with commas.
    out[key] = key in out && key === 'inject' ? `${String(out[key])},${s.slice(i + 1)}` : s.slice(i + 1);
  }
  return out;
}

async function buildSpec(g: GlobalOptions, o: RunOptions): Promise<RunSpec> {
  const lang = langOf(g);
  const chosen = [o.profile !== undefined, o.preset !== undefined, o.recipe !== undefined || o.mode !== undefined].filter(Boolean).length;
  if (chosen !== 1 || ((o.recipe !== undefined) !== (o.mode !== undefined))) throw new CliError(tr(lang, 'cli.onlyOneSpec'), EXIT.USAGE);
  const sets = parseSets(o.set, lang);
  let spec: RunSpec;
  if (o.recipe && o.mode) spec = { recipe: o.recipe, mode: o.mode, settings: {} };
  else spec = await loadRunSpec({ profile: o.profile, preset: o.preset, dataDir: defaultDataDir() }).catch((e: unknown) => {
    // A refused profile (a cap, a field) in the user's language, as `lal profile import` says it.
    const first = e instanceof ApiFailure ? (e.error.details as { errors?: FieldError[] } | undefined)?.errors?.[0] : undefined;
    if (e instanceof ApiFailure && lang === 'zh-CN' && first?.messageZh) throw new CliError(`${o.profile ?? o.preset}: ${first.path}: ${first.messageZh}`, EXIT.USAGE, e.error.details);
    throw e;
  });
  // The run's own folders are resolved here, against the folder lal was started in, as a user means
  // `--set checkout=.`; the planner takes only absolute ones.
  for (const key of ['checkout', 'output_dir'] as const) {
    const v = sets[key];
    if (typeof v === 'string' && v !== '' && !v.startsWith('-') && !isAbsolute(v)) sets[key] = resolvePath(v);
  }
  const nodes = parseNodes(o.node ?? [], lang);
  return { ...spec, settings: { ...spec.settings, ...sets }, ...(nodes ? { nodes } : {}) };
}

/** Hosts the user agreed to ssh to: every --allow-node, and every --node typed here (a profile's own nodes never count). */
function allowedNodes(o: RunOptions): string[] {
  return [...(o.allowNode ?? []), ...(o.node ?? []).map((f) => /^(?:[^@]+@)?(\[[^\]]+\]|[^:@]+)/.exec(f.trim())?.[1] ?? '').filter(Boolean)];
}

/** `--allow-path` values as typed (matched against the profile's own spelling) and, when relative, made absolute. */
function allowedPaths(o: RunOptions): string[] {
  return [...new Set(o.allowPath.flatMap((p) => (isAbsolute(p) || p.startsWith('~') ? [p] : [p, resolvePath(p)])))];
}

async function runCommand(g: GlobalOptions, o: RunOptions): Promise<number> {
  const lang = langOf(g);
  const spec = await buildSpec(g, o);
  const core = cliCore(g);
  const api = core.api;
  try {
    if (o.dryRun) {
      const plan = await api.planRun({ spec, allowEnv: o.allowEnv, allowPaths: allowedPaths(o), allowNodes: allowedNodes(o) });
      if (g.json || o.jsonEvents) {
        printJson({ argv: plan.argv, env: plan.env, cwd: plan.cwd, ...(plan.companions?.length ? { companions: plan.companions } : {}) });
      } else {
        // Companion services start first (docs/step-video.md): their argv before torchrun's.
        for (const c of plan.companions ?? []) process.stdout.write(`# ${c.name} (port ${c.port}, started first)\n${c.argv.map(shellQuote).join(' ')}\n`);
        process.stdout.write(`cwd: ${plan.cwd}\n`);
        for (const [k, v] of Object.entries(plan.env)) process.stdout.write(`${k}=${shellQuote(v)}\n`);
        process.stdout.write(plan.argv.map(shellQuote).join(' ') + '\n');
      }
      return EXIT.OK;
    }

    let runId: string | null = null;
    const early: RunEvent[] = [];
    let finish!: (code: number) => void;
    const finished = new Promise<number>((r) => (finish = r));
    // --json-events streams every event; --json alone prints the final record once, like other commands.
    const view: View = o.jsonEvents ? new JsonView() : g.json ? new RecordView() : new TerminalView(lang, getRecipe(spec.recipe)?.progress.realtimeFps ?? 25);
    const onEvent = (ev: RunEvent) => {
      if (runId === null) {
        early.push(ev);
        return;
      }
      if (ev.runId !== runId) return;
      view.event(ev);
      if (ev.type === 'exit') finish(ev.status === 'succeeded' ? EXIT.OK : ev.status === 'stopped' ? 130 : EXIT.FAILED);
    };
    const off = core.events.on('runEvent', onEvent);

    let interrupts = 0;
    const onSignal = () => {
      interrupts++;
      if (!runId) return;
      if (interrupts === 1) {
        view.note(tr(lang, 'cli.stopping'));
        void api.stopRun({ runId }).catch(() => undefined);
      } else {
        // Second Ctrl-C: no more waiting.
        // Still only what is proven this run's: the agent may be gone and its group id reused.
        void api.stopRun({ runId, force: true }).catch(() => undefined);
      }
    };
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
    // `lal run --json-events | head -1`: a closed stdout must stop the run cleanly, not crash lal
    // with EPIPE and leave the job running.
    const onStdoutError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' && interrupts === 0) onSignal();
    };
    process.stdout.on('error', onStdoutError);
    try {
      // --lang is the run's language (its diagnoses); without it core follows settings, then the environment.
      const started = await api.startRun({ spec, allowEnv: o.allowEnv, allowPaths: allowedPaths(o), allowNodes: allowedNodes(o), ...(g.lang ? { lang: g.lang } : {}) });
      runId = started.runId;
      for (const ev of early.splice(0)) onEvent(ev);
      if (interrupts > 0) void api.stopRun({ runId }).catch(() => undefined);
      const code = await finished;
      const { record } = await api.getRun({ runId });
      view.finish(record);
      return code;
    } finally {
      off();
      // The stdout error listener stays: writes already queued can still fail with EPIPE after this.
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, onSignal);
    }
  } finally {
    await core.dispose();
  }
}

interface View {
  event(ev: RunEvent): void;
  note(text: string): void;
  finish(record: RunRecord): void;
}

/** NDJSON: one event per line, each with `type` and `runId`. */
class JsonView implements View {
  event(ev: RunEvent): void {
    process.stdout.write(JSON.stringify(ev) + '\n');
  }
  note(): void {}
  finish(): void {}
}

/** `--json`: quiet while running, then the final RunRecord. */
class RecordView implements View {
  event(): void {}
  note(): void {}
  finish(record: RunRecord): void {
    printJson(record);
  }
}

/** A progress bar on stderr (only on a terminal), plain lines for stalls, the diagnosis on failure. */
class TerminalView implements View {
  private bar: SingleBar | null = null;
  private phase = '';
  private lastTenth = -1;
  private readonly tty = !!process.stderr.isTTY;

  constructor(
    private readonly lang: Lang,
    private readonly realtimeFps: number,
  ) {}

  private ensureBar(): SingleBar {
    if (!this.bar) {
      this.bar = new SingleBar({ format: '{bar} {percentage}% | {info}', stream: process.stderr, hideCursor: true, barsize: 30 });
      this.bar.start(1000, 0, { info: '' });
    }
    return this.bar;
  }

  event(ev: RunEvent): void {
    const t = (k: string, v: Record<string, string | number> = {}) => tr(this.lang, k, v);
    switch (ev.type) {
      case 'start':
        process.stderr.write(t('cli.started', { runId: ev.runId, nproc: ev.plan.argv[ev.plan.argv.indexOf('--nproc_per_node') + 1] ?? '?', runDir: ev.runDir }) + '\n');
        break;
      case 'phase':
        this.phase = t(`phase.${ev.phase}`);
        break;
      case 'progress': {
        const info = t('cli.progressBar', {
          clip: ev.clip,
          clips: ev.clips,
          phase: this.phase || t('phase.generating'),
          fps: ev.fps === null ? '–' : ev.fps.toFixed(1),
          target: this.realtimeFps,
          eta: ev.eta === null ? t('cli.unknown') : formatSecs(ev.eta),
        });
        if (this.tty) this.ensureBar().update(Math.round(ev.fraction * 1000), { info });
        else if (Math.floor(ev.fraction * 10) > this.lastTenth) {
          // Piped to a file or CI log: one plain line per 10 %, no redraws.
          this.lastTenth = Math.floor(ev.fraction * 10);
          process.stderr.write(`${Math.round(ev.fraction * 100)}% | ${info}\n`);
        }
        break;
      }
      case 'stall':
        this.note(t('cli.stall', { ranks: ev.ranks.map((r) => (ev.nodes?.[r] ? `${r} (${ev.nodes[r]})` : String(r))).join(', '), idle: Math.round(ev.idleSec), advanced: ev.advanced.join(', ') || t('cli.none') }) + (ev.action === 'stop' ? ' ' + t('cli.stallStopping') : ''));
        // Where the ranks are, from their Python stacks (issue 22).
        if (ev.where) this.note(translate('stacks', 'cli.where', { summary: this.lang === 'zh-CN' ? ev.where.summary.zh : ev.where.summary.en }, this.lang));
        break;
      case 'companion':
        // The caption/VAE server beside the ranks (companions.ts): its readiness comes before torchrun starts.
        this.note(translate('companion', 'cli.state', { name: ev.name, port: ev.port, state: translate('companion', `ui.state.${ev.state}`, {}, this.lang), detail: ev.detail ? ` (${ev.detail})` : '' }, this.lang));
        break;
      default:
        break;
    }
  }

  note(text: string): void {
    if (this.bar) this.bar.stop();
    this.bar = null;
    process.stderr.write(text + '\n');
  }

  finish(record: RunRecord): void {
    if (this.bar) this.bar.stop();
    this.bar = null;
    const t = (k: string, v: Record<string, string | number> = {}) => tr(this.lang, k, v);
    const secs = record.endedAt ? Math.round((Date.parse(record.endedAt) - Date.parse(record.startedAt)) / 1000) : 0;
    if (record.status === 'succeeded') process.stdout.write(t('cli.succeeded', { runId: record.runId, secs, runDir: record.runDir }) + '\n');
    else if (record.status === 'stopped') process.stderr.write(t('cli.stopped', { runId: record.runId }) + '\n');
    else {
      process.stderr.write(t('cli.failed', { runId: record.runId, code: record.exitCode ?? '?' }) + '\n');
      for (const d of record.diagnoses) {
        const w = describe(d, this.lang);
        process.stderr.write(printable(`\n[${d.code}${d.rank !== null ? ` rank ${d.rank}` : ''}] ${w.title}\n${w.explanation}\n→ ${w.fix}\n`));
        if (d.evidence) process.stderr.write(printable(`  ${d.evidence.file}:${d.evidence.line}: ${d.evidence.text}\n`));
      }
    }
    if (record.teardown?.remaining.length) process.stderr.write(t('cli.leftover', { runId: record.runId, pids: record.teardown.remaining.join(', ') }) + '\n');
  }
}

async function runsCommand(g: GlobalOptions, o: { reap?: boolean }): Promise<number> {
  const lang = langOf(g);
  const core = cliCore(g);
  try {
    const api = core.api;
    if (o.reap) {
      const leftovers = await api.findLeftovers(undefined as never);
      // Multi-node runs keep their processes on the nodes, out of this machine's sight: ask the reaper to sweep those too.
      const nodeRuns = (await api.listRuns(undefined as never)).filter((r) => r.spec.nodes?.length && ['starting', 'running', 'stopping', 'interrupted'].includes(r.status)).map((r) => r.runId);
      const reapIds = [...new Set([...leftovers.map((l) => l.runId), ...nodeRuns])];
      const { stopped } = reapIds.length ? await api.reapLeftovers({ runIds: reapIds }) : { stopped: [] as string[] };
      if (g.json) printJson({ leftovers, stopped });
      else if (!leftovers.length && !stopped.length) process.stdout.write(tr(lang, 'cli.noLeftovers') + '\n');
      else for (const l of leftovers) process.stdout.write(tr(lang, 'cli.reaped', { runId: l.runId, pids: l.pids.join(', ') }) + '\n');
      return EXIT.OK;
    }
    const runs = await api.listRuns(undefined as never);
    const leftovers = await api.findLeftovers(undefined as never);
    if (g.json) {
      printJson(runs);
      return EXIT.OK;
    }
    if (!runs.length) process.stdout.write(tr(lang, 'cli.noRuns') + '\n');
    for (const r of runs) {
      const p = r.progress;
      const prog = p ? `${p.clip}/${p.clips}` : '-';
      process.stdout.write(`${r.runId}  ${pad(tr(lang, `status.${r.status}`), 10)}  ${pad(`${r.spec.recipe}/${r.spec.mode}`, 24)}  ${pad(prog, 6)}  ${r.runDir}\n`);
    }
    for (const l of leftovers) process.stdout.write(tr(lang, 'cli.foundLeftover', { runId: l.runId, startedAt: l.startedAt, pids: l.pids.join(', ') }) + '\n');
    if (leftovers.length) process.stdout.write(tr(lang, 'cli.reapHint') + '\n');
    return EXIT.OK;
  } finally {
    await core.dispose();
  }
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function formatSecs(s: number): string {
  const v = Math.max(0, Math.round(s));
  const m = Math.floor(v / 60);
  return m ? `${m}m${String(v % 60).padStart(2, '0')}s` : `${v}s`;
}

/** For display only: nothing is ever run through a shell. */
function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
