import { execa } from 'execa';
import { resolve as resolvePath } from 'node:path';
import type { Api } from '../../../shared/api/contract';
import { ApiFailure } from '../../../shared/api/result';
import { cudaTagFor, evaluate } from '../../../shared/setup/checklist';
import { defaultEndpoints, parseEndpoint } from '../../../shared/setup/endpoints';
import { fixCommand, quoteArgv, type FixId } from '../../../shared/setup/fixes';
import type { DownloadProgress, Endpoint } from '../../../shared/setup/types';
import { WEIGHT_REPOS } from '../../../shared/setup/weights';
import type { CoreContext } from '../context';
import { destMessage, resolveDest } from './dest';
import { WeightDownload } from './download';
import { gatherFacts } from './readiness';

type SetupMethods = Pick<Api, 'setupStatus' | 'setupDownloadStart' | 'setupDownloadPause' | 'setupDownloadCancel' | 'readiness' | 'runFix'>;

/** Endpoints from what a client named, or the default order (HF_ENDPOINT first when the user set it). */
export function endpointsFrom(specs: string[] | undefined, env: NodeJS.ProcessEnv = process.env): Endpoint[] {
  if (!specs || specs.length === 0) return defaultEndpoints(env.HF_ENDPOINT);
  return specs.map((s) => {
    const ep = parseEndpoint(s, env.HF_ENDPOINT);
    if (!ep) throw new ApiFailure({ code: 'BAD_INPUT', field: 'endpoints', message: `endpoints: ${JSON.stringify(s)} is not hf, mirror, modelscope, an http(s) URL, or hf=URL / modelscope=URL` });
    return ep;
  });
}

/**
 * Downloads, the readiness checklist and its fixes behind the contract. One download at a time per
 * process; progress goes out as `setupProgress`, a fix's output as `setupFixOutput`.
 */
export function setupApi(ctx: CoreContext): SetupMethods & { dispose(): Promise<void> } {
  let current: { dl: WeightDownload; done: Promise<DownloadProgress> } | null = null;
  let last: DownloadProgress | null = null;
  let fixSeq = 0;
  const fixes = new Map<string, { kill(): void }>();

  const progress = (): DownloadProgress | null => (current ? current.dl.snapshot() : last);

  /** Facts for the settings' checkout and weights, or for a checkout/dest the caller names (only read, never written). */
  const facts = async (own: { checkout?: string; dest?: string } = {}) => {
    const stored = ctx.settings.get();
    const s = own.checkout ? { ...stored, checkoutPath: resolvePath(own.checkout) } : stored;
    const report = await ctx.detect(false);
    const configured = ctx.overrides.python ?? s.pythonPath;
    const python = configured ?? report.python.find((p) => p.ok && p.torchVersion)?.path ?? report.python.find((p) => p.ok)?.path ?? null;
    const dest = resolveDest(s, ctx.dataDir, own.dest ?? null);
    return gatherFacts({
      checkout: s.checkoutPath,
      weightsDir: own.dest ? resolvePath(own.dest) : dest.ok ? dest.dest : null,
      python,
      resourcesDir: ctx.resourcesDir,
      driverCuda: report.driver?.cudaVersion ?? null,
      hopper: report.gpus.some((g) => g.computeCapability?.startsWith('9.') ?? false),
    });
  };

  return {
    setupStatus: async () => {
      const s = ctx.settings.get();
      const dest = resolveDest(s, ctx.dataDir);
      return {
        dest: dest.ok ? dest.dest : null,
        destProblem: dest.ok ? null : destMessage(dest),
        endpoints: defaultEndpoints(process.env.HF_ENDPOINT),
        repos: WEIGHT_REPOS.map((r) => ({ id: r.id, repo: r.repo, modelscope: r.modelscope !== null })),
        progress: progress(),
      };
    },
    setupDownloadStart: async ({ endpoints, dest, repos, concurrency }) => {
      if (current) return current.dl.snapshot();
      const stored = ctx.settings.get();
      const s = ctx.overrides.checkout ? { ...stored, checkoutPath: resolvePath(ctx.overrides.checkout) } : stored;
      const d = resolveDest(s, ctx.dataDir, dest ?? null);
      if (!d.ok) throw new ApiFailure({ code: 'BAD_INPUT', field: 'dest', message: destMessage(d) });
      const chosen = repos && repos.length > 0 ? WEIGHT_REPOS.filter((r) => repos.includes(r.id)) : WEIGHT_REPOS;
      const dl = new WeightDownload({
        dest: d.dest,
        repos: chosen,
        endpoints: endpointsFrom(endpoints),
        concurrency,
        onProgress: (p) => ctx.events.emit('setupProgress', p),
      });
      const done = dl.run().then((p) => {
        last = p;
        current = null;
        return p;
      });
      current = { dl, done };
      return dl.snapshot();
    },
    setupDownloadPause: async () => {
      if (!current) return progress() ?? idle();
      current.dl.pause();
      return current.done;
    },
    setupDownloadCancel: async () => {
      if (!current) return progress() ?? idle();
      current.dl.cancel();
      return current.done;
    },
    readiness: async (input) => evaluate(await facts(input ?? {})),
    runFix: async ({ fixId }) => {
      // Parameters come from this machine's settings and detection, never from the request.
      const f = await facts();
      const s = ctx.settings.get();
      const cmd = fixCommand(fixId as FixId, {
        python: f.python.path ?? undefined,
        checkout: s.checkoutPath ?? undefined,
        dest: f.weightsDir ?? undefined,
        cudaTag: cudaTagFor(f.driverCuda) ?? undefined,
        platform: f.platform,
      });
      if (!cmd) throw new ApiFailure({ code: 'BAD_INPUT', field: 'fixId', message: `fixId: ${fixId} needs a setting that is not there (Python, checkout or weights folder)` });
      if (!cmd.runnable) throw new ApiFailure({ code: 'BAD_INPUT', field: 'fixId', message: `fixId: ${fixId} cannot run from the app (it needs a password or has its own view); copy the command instead` });
      const fixRunId = `fix-${Date.now()}-${++fixSeq}`;
      const child = execa(cmd.argv[0]!, cmd.argv.slice(1), { reject: false, stdin: 'ignore', buffer: false, cwd: s.checkoutPath && fixId !== 'clone-checkout' ? s.checkoutPath : ctx.dataDir });
      fixes.set(fixRunId, { kill: () => child.kill() });
      const emit = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => ctx.events.emit('setupFixOutput', { fixRunId, stream, text: chunk.toString('utf8') });
      child.stdout?.on('data', emit('stdout'));
      child.stderr?.on('data', emit('stderr'));
      ctx.events.emit('setupFixOutput', { fixRunId, stream: 'start', text: quoteArgv(cmd.argv) + '\n' });
      void child.then((r) => {
        fixes.delete(fixRunId);
        const code = r.exitCode ?? null;
        const why = r.failed && code === null ? `${(r as { shortMessage?: string }).shortMessage ?? 'failed to start'}\n` : '';
        ctx.events.emit('setupFixOutput', { fixRunId, stream: 'exit', text: why, exitCode: code });
      });
      return { fixRunId, argv: cmd.argv };
    },
    dispose: async () => {
      current?.dl.pause();
      await current?.done;
      for (const f of fixes.values()) f.kill();
    },
  };
}

function idle(): DownloadProgress {
  return { phase: 'idle', dest: '', bytes: 0, total: 0, speed: 0, etaSeconds: null, files: [] };
}
