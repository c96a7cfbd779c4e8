import { readFileSync, statSync } from 'node:fs';

import { methods, type Api, type AppInfo, type MethodInput, type MethodName, type MethodOutput, type RecipeSummary } from '../../shared/api/contract';
import { ApiFailure } from '../../shared/api/result';
import { recipes } from '../../shared/recipes';
import type { DetectReport } from '../../shared/detect/types';
import { EventBus } from './events';
import { SettingsStore } from './settings';
import { detectAll } from './detect';
import { defaultDataDir, defaultResourcesDir } from './paths';
import type { CoreContext } from './context';
import { checkApi } from './check/api';
import { runsApi } from './runs/api';
import { nodesApi } from './nodes/api';
import { explainApi, explainPathsApi } from './explain/api';
import { profilesApi } from './profiles/api';
import { setupApi } from './setup/api';
import { stacksApi } from './runs/stacks';

export interface CoreOptions {
  dataDir?: string;
  resourcesDir?: string;
  transport: AppInfo['transport'];
  version?: string;
  /** Overrides settings for this process (CLI flags like --nvidia-smi). */
  nvidiaSmi?: string | null;
  python?: string | null;
  /** `lal setup weights --checkout DIR`: this process's checkout, as trusted as the stored one. */
  checkout?: string | null;
  /** Electron's dialog and file manager; without them pickPath says unsupported and openPath opens nothing. */
  native?: NativeCapabilities;
}

export interface NativeCapabilities {
  pickPath(input: MethodInput<'pickPath'>): Promise<MethodOutput<'pickPath'>>;
  /** Opens a folder in the file manager; true when it opened. */
  openFolder(path: string): Promise<boolean>;
}

export interface Core {
  api: Api;
  events: EventBus;
  dataDir: string;
  resourcesDir: string;
  dispose(): Promise<void>;
}


/** Replaced at bundle time (scripts/build-cli.mjs), where package.json is not beside the code. */
declare const __LAL_VERSION__: string | undefined;

export function packageVersion(): string {
  if (typeof __LAL_VERSION__ === 'string') return __LAL_VERSION__;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return '0.0.0';
  }
}

/**
 * Builds the services behind the contract. Electron main, the HTTP server, the CLI and the tests
 * all call this, so a feature is written once.
 */
export function createCore(opts: CoreOptions): Core {
  const dataDir = opts.dataDir ?? defaultDataDir();
  const resourcesDir = opts.resourcesDir ?? defaultResourcesDir();
  const events = new EventBus();
  const settings = new SettingsStore(dataDir);
  let detectCache: Promise<DetectReport> | null = null;

  const detectWith = (input: MethodInput<'detect'>): Promise<DetectReport> => {
    const s = settings.get();
    return detectAll({
      nvidiaSmi: opts.nvidiaSmi ?? s.nvidiaSmiPath,
      python: opts.python ?? s.pythonPath,
      checkout: input.checkout ?? s.checkoutPath,
      outputDir: input.outputDir ?? s.outputDir ?? dataDir,
      resourcesDir,
      skipPython: input.skipPython,
      fp8Wanted: input.fp8,
    });
  };

  const runDetect = (refresh: boolean): Promise<DetectReport> => {
    if (!detectCache || refresh) {
      const s = settings.get();
      detectCache = detectAll({
        nvidiaSmi: opts.nvidiaSmi ?? s.nvidiaSmiPath,
        python: opts.python ?? s.pythonPath,
        checkout: s.checkoutPath,
        outputDir: s.outputDir ?? dataDir,
        resourcesDir,
        // GPUs first: Home draws them while Python is still being probed, then the full report follows.
        onPartial: (early) => events.emit('detectUpdated', early),
      });
      detectCache.then((r) => events.emit('detectUpdated', r)).catch(() => (detectCache = null));
    }
    return detectCache;
  };

  const ctx: CoreContext = { dataDir, resourcesDir, events, settings, detect: runDetect, overrides: { nvidiaSmi: opts.nvidiaSmi, python: opts.python, checkout: opts.checkout } };
  const runs = runsApi(ctx);
  const { dispose: disposeRuns, ...runMethods } = runs;
  const { dispose: disposeSetup, ...setupMethods } = setupApi(ctx);

  const api: Api = {
    appInfo: async () => ({
      name: 'Live Avatar Launcher',
      version: opts.version ?? packageVersion(),
      transport: opts.transport,
      platform: process.platform,
      dataDir,
    }),
    getSettings: async () => settings.get(),
    setSettings: async (patch) => settings.update(patch),
    // A caller's own folders or options get a pass of their own: the shared cache stays the settings' view.
    detect: async (input = {}) => {
      const { refresh, ...own } = input;
      return Object.values(own).some((v) => v !== undefined) ? detectWith(own) : runDetect(refresh ?? false);
    },
    listRecipes: async (): Promise<RecipeSummary[]> =>
      recipes.map((r) => ({
        id: r.id,
        label: r.label,
        modes: r.modes.map((m) => ({ id: m.id, label: m.label, aliases: m.aliases, gpus: m.gpus, nproc: m.nproc })),
      })),
    ...checkApi(ctx),
    ...runMethods,
    ...nodesApi(ctx),
    ...explainApi(ctx),
    ...explainPathsApi(opts.transport),
    ...profilesApi(ctx),
    ...setupMethods,
    ...stacksApi(ctx),
    pickPath: async (input) => (opts.native ? opts.native.pickPath(input) : { path: null, supported: false }),
    // A run id, never a path: a client can only open a folder this launcher made for a run, and
    // only a folder (the file manager would run a file).
    openPath: async ({ runId }) => {
      const { record } = await runMethods.getRun({ runId });
      if (!opts.native || !isDir(record.runDir)) return { opened: false };
      return { opened: await opts.native.openFolder(record.runDir) };
    },
  };

  return {
    api: validated(api),
    events,
    dataDir,
    resourcesDir,
    dispose: async () => {
      await disposeRuns();
      await disposeSetup();
    },
  };
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Every call goes through the contract's zod schema first, whatever the transport. */
export function validated(api: Api): Api {
  const out = {} as Record<MethodName, (input: unknown) => Promise<unknown>>;
  for (const name of Object.keys(methods) as MethodName[]) {
    const schema = methods[name].input;
    const impl = api[name] as (input: unknown) => Promise<unknown>;
    out[name] = async (input: unknown) => {
      const parsed = schema.safeParse(input ?? undefined);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.join('.') || '(input)';
        throw new ApiFailure({ code: 'BAD_INPUT', field, message: `${field}: ${issue?.message ?? 'invalid'}`, details: parsed.error.issues });
      }
      return impl(parsed.data);
    };
  }
  return out as unknown as Api;
}

