import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiFailure, type ApiError } from '../../../shared/api/result';
import { envNeedingConsent } from '../../../shared/profiles/consent';
import { ENV_ALLOW_COMMON, envNameAllowed, getRecipe, recipes } from '../../../shared/recipes';
import type { RunSpec } from '../../../shared/run/types';
import { buildPlan, type PlanInput } from '../../../electron/core/runs/plan';
import { flagPaths } from '../../../electron/core/profiles/trust';
import { createCore } from '../../../electron/core/app';
import { inProcessClient } from '../../../electron/core/in-process';
import { startServer } from '../../../electron/server/server';
import { createHttpClient } from '../../../shared/api/http-client';
import type { ApiClient } from '../../../shared/api/contract';
import { repoRoot, tempDir } from '../../support/temp';
import { profile } from './helpers';

/**
 * Issue 14 §3 and §4: env names that load code or name a file need consent like LD_PRELOAD, and
 * every path a run reads or writes is checked when the run is planned, in core, so the CLI, the
 * server and the app get the same refusal.
 */

const LOADS_CODE_OR_NAMES_FILE = [
  'CUDA_INJECTION64_PATH', 'NCCL_NET_PLUGIN', 'NCCL_TUNER_PLUGIN', 'NCCL_PROFILER_PLUGIN', 'NCCL_DEBUG_FILE',
  'NCCL_TOPO_DUMP_FILE', 'NCCL_TOPO_FILE', 'NCCL_GRAPH_FILE', 'NCCL_CONF_FILE', 'TRITON_CACHE_DIR', 'TRITON_HOME',
  'TORCHINDUCTOR_CACHE_DIR', 'TORCH_EXTENSIONS_DIR', 'TORCH_HOME', 'PYTORCH_KERNEL_CACHE_PATH', 'PYTHONSTARTUP',
  'PYTHONBREAKPOINT', 'PYTHONPATH', 'LD_PRELOAD', 'CUDA_CACHE_PATH', 'NCCL_SOMETHING_NEW', 'CUDA_SOMETHING_NEW', 'TORCH_NCCL_SOMETHING_NEW',
];

describe('env consent: exact names, and names that load code or name a file always ask', () => {
  it.each(LOADS_CODE_OR_NAMES_FILE)('%s needs consent for every recipe, relative or absolute value', (name) => {
    for (const r of recipes) {
      expect(envNeedingConsent({ [name]: 'libx.so' }, r), r.id).toEqual([name]);
      expect(envNeedingConsent({ [name]: '/opt/libx.so' }, r), r.id).toEqual([name]);
      expect(envNeedingConsent({ [name]: 'x' }, r, [name]), r.id).toEqual([]);
    }
  });

  it('a recipe cannot allow-list a code-loading name, and no allow-list entry is a prefix', () => {
    for (const name of LOADS_CODE_OR_NAMES_FILE.filter((n) => !n.includes('SOMETHING_NEW'))) expect(envNameAllowed([name, 'NCCL_*'], name)).toBe(false);
    for (const r of recipes) expect(r.envAllow.filter((n) => n.includes('*'))).toEqual([]);
    expect(envNameAllowed(['NCCL_*'], 'NCCL_P2P_LEVEL')).toBe(false);
  });

  it('the usual knobs still pass without asking', () => {
    const env = Object.fromEntries(['NCCL_DEBUG', 'NCCL_P2P_DISABLE', 'NCCL_IB_DISABLE', 'TORCH_NCCL_BLOCKING_WAIT', 'CUDA_LAUNCH_BLOCKING', 'PYTORCH_CUDA_ALLOC_CONF', 'OMP_NUM_THREADS', 'PYTHONUNBUFFERED'].map((n) => [n, '1']));
    for (const r of recipes) expect(envNeedingConsent(env, r)).toEqual([]);
    for (const n of ENV_ALLOW_COMMON) expect(envNeedingConsent({ [n]: '1' }, getRecipe('rehearsal'))).toEqual([]);
  });

  it('the preview flags a relative plugin or file name like an absolute one', () => {
    const p = profile({ env: { NCCL_NET_PLUGIN: 'evil', NCCL_DEBUG_FILE: 'logs/x.%h', CUDA_INJECTION64_PATH: './inject.so', NCCL_DEBUG: 'WARN' } });
    const flagged = flagPaths(p, getRecipe('rehearsal'), { trusted: ['/nowhere-trusted'], base: '/nowhere-trusted' });
    expect(flagged.map((f) => f.field).sort()).toEqual(['env.CUDA_INJECTION64_PATH', 'env.NCCL_DEBUG_FILE', 'env.NCCL_NET_PLUGIN']);
  });

  it('the planner refuses each one with CONSENT_REQUIRED naming it, and builds with --allow-env', () => {
    const d = tempDir('lal-consent-');
    try {
      for (const name of ['CUDA_INJECTION64_PATH', 'NCCL_NET_PLUGIN', 'NCCL_TUNER_PLUGIN', 'NCCL_PROFILER_PLUGIN', 'NCCL_DEBUG_FILE', 'NCCL_TOPO_DUMP_FILE']) {
        const spec: RunSpec = { recipe: 'rehearsal', mode: 'single-offload', settings: { device: 'cpu' }, env: { [name]: 'x' } };
        const err = refusal(() => buildPlan(planInput(d.path, spec)));
        expect(err).toMatchObject({ code: 'CONSENT_REQUIRED', field: 'env', details: { env: [name] } });
        expect(buildPlan(planInput(d.path, spec, { allowEnv: [name] })).plan.env[name]).toBe('x');
      }
    } finally {
      d.remove();
    }
  });
});

function planInput(root: string, spec: RunSpec, over: Partial<PlanInput> = {}): PlanInput {
  const runDir = join(root, 'out', 'runs', 'r1');
  return {
    spec, recipe: getRecipe(spec.recipe)!, runId: 'r1', runDir, resourcesDir: join(repoRoot, 'resources'),
    torchrun: { argv: ['torchrun'], python: 'python3', patched: false, reason: '' }, port: 29500,
    trusted: [join(root, 'out'), join(root, 'trusted')], ...over,
  };
}

function refusal(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiFailure) return e.error;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('paths at plan time', () => {
  let d: ReturnType<typeof tempDir>;
  beforeEach(() => {
    d = tempDir('lal-paths-');
    mkdirSync(join(d.path, 'trusted'), { recursive: true });
    mkdirSync(join(d.path, 'home'), { recursive: true });
  });
  afterEach(() => d.remove());
  const spec = (settings: RunSpec['settings'], extra: Partial<RunSpec> = {}): RunSpec => ({ recipe: 'rehearsal', mode: 'single-offload', settings: { device: 'cpu', ...settings }, ...extra });

  it('save_file outside the output and trusted folders needs consent naming the field', () => {
    const target = join(d.path, 'home', '.bashrc');
    const err = refusal(() => buildPlan(planInput(d.path, spec({ save_file: target }))));
    expect(err).toMatchObject({ code: 'CONSENT_REQUIRED', field: 'settings.save_file', details: { paths: [{ field: 'settings.save_file', path: target }] } });
    expect(err.message).toContain('--allow-path');
    // Consent: the exact value, or a folder that holds it.
    for (const allowPaths of [[target], [join(d.path, 'home')]]) {
      const { plan } = buildPlan(planInput(d.path, spec({ save_file: target }), { allowPaths }));
      expect(plan.argv[plan.argv.indexOf('--save_file') + 1]).toBe(target);
    }
    // A sibling folder is not consent.
    expect(refusal(() => buildPlan(planInput(d.path, spec({ save_file: target }), { allowPaths: [join(d.path, 'hom')] }))).code).toBe('CONSENT_REQUIRED');
  });

  it('inside a trusted folder or the run folder: no consent needed', () => {
    expect(() => buildPlan(planInput(d.path, spec({ save_file: join(d.path, 'trusted', 'a.mp4') })))).not.toThrow();
    expect(() => buildPlan(planInput(d.path, spec({ save_file: 'relative.mp4' })))).not.toThrow();
  });

  it('relative paths resolve against the run folder: ../ escapes are caught; ~ is the home folder', () => {
    expect(refusal(() => buildPlan(planInput(d.path, spec({ save_file: '../../../../home/.bashrc' }))))).toMatchObject({ code: 'CONSENT_REQUIRED', field: 'settings.save_file' });
    expect(refusal(() => buildPlan(planInput(d.path, spec({ save_file: '~/.bashrc' }))))).toMatchObject({ code: 'CONSENT_REQUIRED', field: 'settings.save_file' });
  });

  it('a symlink inside a trusted folder that points outside counts as outside', () => {
    symlinkSync(join(d.path, 'home'), join(d.path, 'trusted', 'link'));
    expect(refusal(() => buildPlan(planInput(d.path, spec({ save_file: join(d.path, 'trusted', 'link', '.bashrc') }))))).toMatchObject({ code: 'CONSENT_REQUIRED' });
  });

  it('a path starting with - or holding a newline or NUL is refused outright (BAD_INPUT naming the field)', () => {
    for (const bad of ['-rf', '--fp8', 'a\nb', 'a\rb', 'a\0b']) {
      expect(refusal(() => buildPlan(planInput(d.path, spec({ save_file: bad }), { allowPaths: [bad] })))).toMatchObject({ code: 'BAD_INPUT', field: 'settings.save_file' });
    }
    expect(refusal(() => buildPlan(planInput(d.path, spec({ checkout: '-x' }))))).toMatchObject({ code: 'BAD_INPUT', field: 'checkout' });
    expect(refusal(() => buildPlan(planInput(d.path, spec({ output_dir: 'rel/out' }))))).toMatchObject({ code: 'BAD_INPUT', field: 'outputDir' });
  });

  it('output_dir and checkout outside the user folders need consent; once allowed, paths under them do not', () => {
    const other = join(d.path, 'elsewhere');
    const s = spec({ output_dir: other, save_file: join(other, 'v.mp4') });
    expect(refusal(() => buildPlan(planInput(d.path, s)))).toMatchObject({ code: 'CONSENT_REQUIRED', field: 'outputDir', details: { paths: [{ field: 'outputDir', path: other }] } });
    expect(() => buildPlan(planInput(d.path, s, { allowPaths: [other] }))).not.toThrow();
  });

  it('env and paths are asked together, so a client can show one consent box', () => {
    const err = refusal(() => buildPlan(planInput(d.path, spec({ save_file: '/etc/x' }, { env: { NCCL_NET_PLUGIN: 'p' } }))));
    expect(err).toMatchObject({ code: 'CONSENT_REQUIRED', field: 'env', details: { env: ['NCCL_NET_PLUGIN'], paths: [{ field: 'settings.save_file', path: '/etc/x' }] } });
  });
});

describe('paths at run time over the contract (in-process and HTTP)', () => {
  const home = tempDir('lal-home-');
  const data = tempDir('lal-data-');
  const oldHome = process.env.HOME;
  const clients: { name: string; client: ApiClient }[] = [];
  let close: () => Promise<void>;
  beforeAll(async () => {
    process.env.HOME = home.path;
    const core = createCore({ transport: 'in-process', dataDir: data.path, nvidiaSmi: '/nonexistent/nvidia-smi' });
    const server = await startServer(core, { port: 0, rendererDir: data.path });
    const http = createHttpClient({ baseUrl: `http://127.0.0.1:${server.port}`, token: server.token });
    clients.push({ name: 'in-process', client: inProcessClient(core) }, { name: 'HTTP', client: http });
    close = async () => {
      http.close();
      await server.close();
      await core.dispose();
    };
  });
  afterAll(async () => {
    await close();
    process.env.HOME = oldHome;
    home.remove();
    data.remove();
  });

  it('a profile whose save_file points into $HOME is refused without consent, and planned with it', async () => {
    for (const { name, client } of clients) {
      for (const target of [join(home.path, '.bashrc'), '~/.bashrc']) {
        const spec: RunSpec = { recipe: 'rehearsal', mode: 'single-offload', settings: { device: 'cpu', save_file: target } };
        const err = await client.planRun({ spec }).catch((e: unknown) => e);
        expect(err, name).toBeInstanceOf(ApiFailure);
        expect((err as ApiFailure).error, name).toMatchObject({ code: 'CONSENT_REQUIRED', field: 'settings.save_file' });
        const started = await client.startRun({ spec }).catch((e: unknown) => e);
        expect((started as ApiFailure).error, name).toMatchObject({ code: 'CONSENT_REQUIRED', field: 'settings.save_file' });
        const plan = await client.planRun({ spec, allowPaths: [target] });
        expect(plan.argv[plan.argv.indexOf('--save_file') + 1]).toBe(target);
      }
    }
    // Each consented plan resolves torchrun (a Python probe): seconds on a loaded machine.
  }, 60_000);

  it('--set output_dir=DIR is honoured: the run folder moves there (with consent when outside)', async () => {
    const out = join(home.path, 'videos');
    for (const { name, client } of clients) {
      const spec: RunSpec = { recipe: 'rehearsal', mode: 'single-offload', settings: { device: 'cpu', output_dir: out } };
      expect(((await client.planRun({ spec }).catch((e: unknown) => e)) as ApiFailure).error, name).toMatchObject({ code: 'CONSENT_REQUIRED', field: 'outputDir' });
      const plan = await client.planRun({ spec, allowPaths: [out] });
      expect(plan.argv[plan.argv.indexOf('--log_dir') + 1].startsWith(join(out, 'runs') + '/'), name).toBe(true);
      expect(plan.argv[plan.argv.indexOf('--save_file') + 1].startsWith(join(out, 'runs') + '/'), name).toBe(true);
    }
  }, 60_000);
});
