import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Api } from '../../../shared/api/contract';
import { ApiFailure } from '../../../shared/api/result';
import { getRecipe as defaultGetRecipe } from '../../../shared/recipes';
import type { Recipe } from '../../../shared/recipes/types';
import type { RunRecord, RunSpec } from '../../../shared/run/types';
import { languageFromEnv, type Lang } from '../../../shared/i18n';
import type { CoreContext } from '../context';
import { resolveTorchrun, TorchrunUnavailableError } from '../torchrun/resolve';
import { buildPlan, type BuiltPlan } from './plan';
import { splitRunnerSettings } from './args';
import { trustedFolders } from '../profiles/preview';
import { freePort, portIsFree } from './port';
import { newRunId, RUN_ID_RE } from './run-id';
import { RunRecords } from './records';
import { RunSession, tailText } from './session';
import { planCompanions } from './companions';
import { findLeftovers, reapLeftovers, launcherAlive } from './reaper';
import { procStartTimeSync } from './proc';
import { killRunNow } from './teardown';
import { hardwareFromDetect, predictPerGpu } from '../../../shared/feasibility';
import { recordCalibration } from '../check/calibration';
import { prepareNodes, type NodesLaunchFacts } from '../nodes/prepare';
import { nodesPreflightGate } from '../nodes/preflight';
import { refuseNodesWithoutConsent } from '../nodes/consent';

type RunMethods = 'planRun' | 'startRun' | 'stopRun' | 'listRuns' | 'getRun' | 'readRunLog' | 'findLeftovers' | 'reapLeftovers';

export interface RunsApiOptions {
  /** Recipe lookup; tests pass their own. */
  getRecipe?: (id: string) => Recipe | undefined;
  /** SIGTERM-to-SIGKILL grace in teardown. */
  graceMs?: number;
}

const KEEP_FINISHED = 8;

/** Runs over the contract. Owned by the run manager feature. */
export function runsApi(ctx: CoreContext, opts: RunsApiOptions = {}): Pick<Api, RunMethods> & { dispose(): Promise<void> } {
  const records = new RunRecords(ctx.dataDir);
  // Reading every record once at start marks the runs of a launcher that died `interrupted` (records.ts).
  records.list();
  const sessions = new Map<string, RunSession>();
  const finished: string[] = [];
  const getRecipe = opts.getRecipe ?? defaultGetRecipe;
  const launcherStart = procStartTimeSync(process.pid);

  const lang = (): Lang => {
    const l = ctx.settings.get().language;
    return l === 'auto' ? languageFromEnv(process.env) : l;
  };

  const prepare = async (input: RunSpec, consent: { allowEnv?: string[]; allowPaths?: string[] }, runId: string, facts?: NodesLaunchFacts | null): Promise<{ built: BuiltPlan; recipe: Recipe; runDir: string; port: number; note: string }> => {
    const recipe = getRecipe(input.recipe);
    if (!recipe) throw new ApiFailure({ code: 'BAD_INPUT', field: 'recipe', message: `unknown recipe "${input.recipe}"` });
    const settings = ctx.settings.get();
    // `--set output_dir=DIR` arrives as a setting; the planner moves it to spec.outputDir, so read it
    // the same way here (it used to be ignored). The planner also asks consent for it.
    const base = splitRunnerSettings(input).spec.outputDir ?? settings.outputDir ?? ctx.dataDir;
    const { allowEnv, allowPaths } = consent;
    const trusted = trustedFolders(ctx);
    const runDir = join(base, 'runs', runId);
    // Validate everything that does not need Python first, so bad input fails fast (exit 2).
    const probe = { argv: ['torchrun'], python: 'python3', patched: false, reason: '' };
    const first = buildPlan({ spec: input, recipe, runId, runDir, resourcesDir: ctx.resourcesDir, torchrun: probe, port: 0, checkoutFallback: settings.checkoutPath, allowEnv, allowPaths, trusted });
    // Several machines: torchrun runs on the nodes, started over ssh (electron/core/nodes/).
    if (input.nodes?.length) return { ...prepareNodes(ctx, first.spec.nodes ? first.spec : input, recipe, first, runId, runDir, facts ?? null), recipe, runDir };
    const python = first.spec.python ?? ctx.overrides.python ?? settings.pythonPath ?? undefined;
    let torchrun;
    try {
      torchrun = await resolveTorchrun({ python, resourcesDir: ctx.resourcesDir });
    } catch (e) {
      if (e instanceof TorchrunUnavailableError) throw new ApiFailure({ code: 'UNAVAILABLE', field: 'python', message: e.message });
      throw e;
    }
    const port = await freePort();
    const built = buildPlan({ spec: input, recipe, runId, runDir, resourcesDir: ctx.resourcesDir, torchrun, port, checkoutFallback: settings.checkoutPath, allowEnv, allowPaths, trusted });
    // Companion services (Step-Video's caption/VAE server): planned here, where the run's Python is known.
    if (recipe.companions?.length) built.plan.companions = await planCompanions(recipe, built, { python: torchrun.python, resourcesDir: ctx.resourcesDir, runDir, checkout: built.spec.checkout ?? settings.checkoutPath ?? null, freePort });
    // The app-wide setting decides when neither the profile nor a --set did.
    built.spec.stallAction ??= settings.stallAction;
    return { built, recipe, runDir, port, note: torchrun.reason };
  };

  const live = (): Set<string> => new Set(sessions.keys());

  /**
   * The feasibility model's bytes per physical GPU, stored in the record so that measured peaks can
   * be compared with it when the run ends. Detection is cached; a slow or failed one only costs the
   * comparison, never the run.
   */
  const predict = async (spec: RunSpec): Promise<{ bytes: Record<string, number>; roles: Record<string, string>; gpuName?: string } | null> => {
    try {
      const detect = await Promise.race([ctx.detect(), new Promise<null>((r) => setTimeout(() => r(null), 15_000).unref())]);
      if (!detect) return null;
      const perGpu = predictPerGpu(spec, hardwareFromDetect(detect), detect).filter((g) => !g.missing);
      if (!perGpu.length) return null;
      return {
        bytes: Object.fromEntries(perGpu.map((g) => [String(g.index), g.requiredBytes])),
        roles: Object.fromEntries(perGpu.map((g) => [String(g.index), g.role])),
        gpuName: perGpu[0].name,
      };
    } catch {
      return null;
    }
  };

  /** Predicted vs measured, for runs that finished normally on GPUs (the check shows the error next to new predictions). */
  const calibrate = (rec: RunRecord, roles: Record<string, string>, gpuName?: string): void => {
    // Failed runs are kept too, marked by status: the check ignores them (an OOM's peak is not a need).
    if ((rec.status !== 'succeeded' && rec.status !== 'failed') || !Object.keys(rec.peaksMiB).length || !Object.keys(rec.predictedBytes).length) return;
    const workloadPeakBytes: Record<string, number> = {};
    for (const [gpu, p] of Object.entries(rec.workloadPeaks ?? {})) if (typeof p.device_used_peak === 'number') workloadPeakBytes[gpu] = p.device_used_peak;
    try {
      recordCalibration(ctx.dataDir, { runId: rec.runId, recipe: rec.spec.recipe, mode: rec.spec.mode, settings: rec.spec.settings, predictedBytes: rec.predictedBytes, peaksMiB: rec.peaksMiB, roles, gpuName, env: rec.plan?.env, status: rec.status, workloadPeakBytes });
    } catch {
      /* calibration is advisory */
    }
  };

  return {
    planRun: async ({ spec, allowEnv, allowPaths, allowNodes }) => {
      refuseNodesWithoutConsent(spec, allowNodes, lang());
      return (await prepare(spec, { allowEnv, allowPaths }, newRunId())).built.plan;
    },

    startRun: async ({ spec, allowEnv, allowPaths, allowNodes, lang: runLang }) => {
      // Before the preflight: it already connects to every node.
      refuseNodesWithoutConsent(spec, allowNodes, runLang ?? lang());
      const runId = newRunId();
      // Nodes: preflight on every node first (refuses with every result and its fix), then the plan.
      const facts = spec.nodes?.length ? await nodesPreflightGate(ctx, spec, runLang ?? lang()) : null;
      let prepared = await prepare(spec, { allowEnv, allowPaths }, runId, facts);
      // The port was free when planned; check again right before launch (another run may have taken it).
      for (let i = 0; i < 5 && !facts && !(await portIsFree(prepared.port)); i++) prepared = await prepare(spec, { allowEnv, allowPaths }, runId);
      const { built, recipe, runDir } = prepared;
      mkdirSync(join(runDir, 'logs'), { recursive: true });
      const record: RunRecord = {
        runId,
        spec: built.spec,
        plan: built.plan,
        status: 'starting',
        pid: null,
        pgid: null,
        procStartTime: null,
        launcherPid: process.pid,
        launcherStartTime: launcherStart,
        startedAt: new Date().toISOString(),
        endedAt: null,
        exitCode: null,
        signal: null,
        runDir,
        peaksMiB: {},
        predictedBytes: {},
        diagnoses: [],
        progress: null,
        torchrunNote: prepared.note,
        masterPort: prepared.port,
      };
      records.register(record);
      const settings = ctx.settings.get();
      const session = new RunSession(built, recipe, record, {
        events: ctx.events,
        records,
        lang: runLang ?? lang(),
        nvidiaSmi: spec.nodes?.length ? null : ctx.overrides.nvidiaSmi ?? settings.nvidiaSmiPath ?? 'nvidia-smi',
        graceMs: opts.graceMs,
      });
      sessions.set(runId, session);
      // The prediction needs detection (seconds when not cached yet): never hold the launch for it.
      const predicted = built.values.device === 'cpu' ? Promise.resolve(null) : predict(built.spec);
      void predicted.then((p) => p && session.setPredicted(p.bytes));
      void session.done.then(async () => {
        const p = await predicted;
        calibrate(session.current, p?.roles ?? {}, p?.gpuName);
        finished.push(runId);
        while (finished.length > KEEP_FINISHED) sessions.delete(finished.shift()!);
      });
      await session.start();
      return { runId };
    },

    stopRun: async ({ runId, force }) => {
      const s = sessions.get(runId);
      if (force) {
        // No grace, same proof (teardown.ts): only processes proven this run's are killed.
        const rec = s?.current ?? records.get(runId);
        if (!rec) throw new ApiFailure({ code: 'NOT_FOUND', field: 'runId', message: `no run ${runId}` });
        await killRunNow(rec);
        return { runId, status: (s?.current ?? records.get(runId))?.status ?? rec.status };
      }
      if (s) {
        const rec = await s.stop('user');
        return { runId, status: rec.status };
      }
      const rec = records.get(runId);
      if (!rec) throw new ApiFailure({ code: 'NOT_FOUND', field: 'runId', message: `no run ${runId}` });
      if (['starting', 'running', 'stopping', 'interrupted'].includes(rec.status)) {
        if (await launcherAlive(rec)) {
          throw new ApiFailure({ code: 'CONFLICT', field: 'runId', message: `run ${runId} is managed by another launcher (pid ${rec.launcherPid}); stop it there` });
        }
        await reapLeftovers(records, live(), [runId]);
        return { runId, status: records.get(runId)?.status ?? 'stopped' };
      }
      return { runId, status: rec.status };
    },

    listRuns: async () => {
      const out = records.list();
      return out.map((r) => sessions.get(r.runId)?.current ?? r);
    },

    getRun: async ({ runId }) => {
      const s = sessions.get(runId);
      const record = s?.current ?? records.get(runId);
      if (!record) throw new ApiFailure({ code: 'NOT_FOUND', field: 'runId', message: `no run ${runId}` });
      return { record, consoleTail: s ? s.consoleTail() : tailText(join(record.runDir, 'console.log'), 256 * 1024) };
    },

    readRunLog: async ({ runId, rank, tailBytes }) => {
      const record = sessions.get(runId)?.current ?? records.get(runId);
      if (!record) throw new ApiFailure({ code: 'NOT_FOUND', field: 'runId', message: `no run ${runId}` });
      const bytes = tailBytes ?? 1024 * 1024;
      if (rank === undefined) {
        const file = join(record.runDir, 'console.log');
        return { file, text: tailText(file, bytes) };
      }
      const dir = rankDir(join(record.runDir, 'logs'), rank);
      if (!dir) throw new ApiFailure({ code: 'NOT_FOUND', field: 'rank', message: `run ${runId} has no log for rank ${rank}` });
      const text = ['stdout', 'stderr'].map((s) => `==> ${s}.log <==\n${tailText(join(dir, `${s}.log`), bytes)}`).join('\n');
      return { file: dir, text };
    },

    findLeftovers: async () => findLeftovers(records, live()),
    reapLeftovers: async ({ runIds }) => reapLeftovers(records, live(), runIds),

    dispose: async () => {
      const active = [...sessions.values()].filter((s) => s.current.endedAt === null);
      await Promise.all(active.map((s) => s.stop('shutdown')));
    },
  };
}

/** `<logs>/<rdzv id>_<random>/attempt_<n>/<rank>` of the last attempt. */
function rankDir(logs: string, rank: number): string | null {
  let best: string | null = null;
  for (const d of safe(logs)) {
    for (const a of safe(join(logs, d)).filter((x) => /^attempt_\d+$/.test(x)).sort()) {
      if (safe(join(logs, d, a)).includes(String(rank))) best = join(logs, d, a, String(rank));
    }
  }
  return best;
}

function safe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export { RUN_ID_RE };
