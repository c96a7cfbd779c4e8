import { readFile, stat } from 'node:fs/promises';
import { execa } from 'execa';
import {
  APPS_QUERY_ARGS,
  GPU_QUERY_ARGS,
  attachProcesses,
  bilingual,
  buildTopology,
  classifySmiFailure,
  lostGpus,
  normBusId,
  parseNvrmVersion,
  parseComputeApps,
  parseP2p,
  parseQueryGpuCsv,
  parseSmiTable,
  parseTopoMatrix,
  type DetectReport,
  type GpuInfo,
  type SmiOutcome,
} from '../../../shared/detect';
import { which } from './which';

export interface SmiOptions {
  /** Configured path or command name; default `nvidia-smi` on PATH. */
  nvidiaSmi?: string | null;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Ask topology, P2P, CUDA version and MIG mode again instead of using what this process cached. */
  refreshStatic?: boolean;
}

export interface SmiDetection {
  nvidiaSmi: DetectReport['nvidiaSmi'];
  gpus: GpuInfo[];
  driver: DetectReport['driver'];
  topology: DetectReport['topology'];
  /** Output that could not be read completely, for the partial-output warning. */
  problems: { what: string; detail: string }[];
  /** GPUs that answered "Unable to determine the device handle" while the others worked. */
  lostGpus: { busId: string; detail: string }[];
  timings: Record<string, number>;
}

/** One nvidia-smi call, argv only, bounded in time; never throws. */
export async function runSmi(bin: string, args: string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<SmiOutcome & { ms: number }> {
  const t0 = performance.now();
  try {
    const r = await execa(bin, args, {
      timeout: timeoutMs,
      reject: false,
      stdin: 'ignore',
      encoding: 'utf8',
      // nvidia-smi prints ANSI codes only for terminals in some versions; keep it predictable.
      env: { ...(env ?? process.env), LC_ALL: 'C' },
      extendEnv: false,
      forceKillAfterDelay: 1000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const spawnError = r.failed && r.exitCode === undefined && !r.timedOut ? ((r.cause as NodeJS.ErrnoException | undefined)?.code ?? 'SPAWN') : null;
    return {
      exitCode: r.exitCode ?? null,
      stdout: String(r.stdout ?? ''),
      stderr: String(r.stderr ?? ''),
      spawnError,
      timedOut: r.timedOut,
      timeoutMs,
      ms: performance.now() - t0,
    };
  } catch (err) {
    return { exitCode: null, stdout: '', stderr: String(err), spawnError: (err as NodeJS.ErrnoException).code ?? 'SPAWN', ms: performance.now() - t0 };
  }
}

function statusOf(outcome: SmiOutcome, path: string | null, kernelModule?: string | null): DetectReport['nvidiaSmi'] {
  const f = classifySmiFailure(outcome);
  const params: Record<string, string | number> = { ...f.params, path: path ?? '' };
  // Which side is stale: the loaded kernel module vs the NVML library nvidia-smi was built with.
  if (f.key === 'mismatch' && kernelModule) params.nvml = `${params.nvml ?? ''}, kernel module ${kernelModule}`;
  const msg = bilingual(`status.${f.key}.message`, params);
  const fix = f.key === 'ok' ? { en: '', zh: '' } : bilingual(`status.${f.key}.fix`, params);
  return {
    path,
    status: f.status,
    message: msg.en,
    messageZh: msg.zh,
    ...(fix.en ? { fix: fix.en, fixZh: fix.zh } : {}),
    exitCode: outcome.exitCode,
  };
}

const firstProblem = (ps: { line?: number; reason: string }[] | string[]): string => {
  const p = ps[0];
  if (p === undefined) return '';
  return typeof p === 'string' ? p : `line ${p.line ?? '?'}: ${p.reason}`;
};

/**
 * What cannot change while the app runs: the NVLink/PCIe topology, the P2P matrix, the CUDA version
 * the driver supports and each card's MIG mode. Only a driver reload or a GPU reset changes them,
 * and either also changes the driver version or the set of bus ids that the per-call query reports,
 * which is what `key` holds. Kept per nvidia-smi binary, for the life of the process.
 */
interface StaticSmi {
  key: string;
  topology: DetectReport['topology'];
  cudaVersion: string | null;
  tableDriverVersion: string | null;
  migByBus: Map<string, boolean | null | undefined>;
  problems: SmiDetection['problems'];
  ms: number;
}
const staticCache = new Map<string, StaticSmi>();

/** Forget the cached topology and driver facts (all binaries); the next detection asks again. */
export function forgetStaticSmi(): void {
  staticCache.clear();
}

const staticKey = (gpus: GpuInfo[]): string =>
  `${gpus.map((g) => g.driverVersion).find(Boolean) ?? ''}|${gpus.map((g) => `${g.index}@${normBusId(g.pciBusId)}`).sort().join(',')}`;

type SmiRun = (args: string[]) => Promise<SmiOutcome & { ms: number }>;
interface StaticCalls {
  topo: Promise<SmiOutcome & { ms: number }>;
  p2p: Promise<SmiOutcome & { ms: number }>;
  table: Promise<SmiOutcome & { ms: number }>;
}
const startStatic = (run: SmiRun): StaticCalls => ({ topo: run(['topo', '-m']), p2p: run(['topo', '-p2p', 'r']), table: run([]) });

/**
 * GPUs, holders, topology and versions. Per call only two nvidia-smi processes run, together: the
 * one `--query-gpu` (everything per card) and `--query-compute-apps` (the VRAM holders, which no
 * `--query-gpu` field gives). Topology, P2P, the CUDA version and MIG mode come from `topo -m`,
 * `topo -p2p r` and the plain table once, started alongside the first query, then from the cache
 * while the driver version and the cards stay the same. Each process loads NVML, which dominates the
 * time on a real driver, so fewer processes is what makes a refresh cheap.
 */
export async function detectGpus(opts: SmiOptions): Promise<SmiDetection> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const timings: Record<string, number> = {};
  const requested = opts.nvidiaSmi?.trim() || 'nvidia-smi';
  const path = await which(requested, opts.env);
  const empty = (status: DetectReport['nvidiaSmi']): SmiDetection => ({ nvidiaSmi: status, gpus: [], driver: null, topology: null, problems: [], lostGpus: [], timings });
  if (!path) {
    // A configured file that exists but cannot be run deserves a different answer than "not found".
    const exists = requested.includes('/') && (await stat(requested).then(() => true, () => false));
    return empty(statusOf({ exitCode: null, stdout: '', stderr: '', spawnError: exists ? 'EACCES' : 'ENOENT' }, requested.includes('/') ? requested : null));
  }

  const run: SmiRun = (args) => runSmi(path, args, timeoutMs, opts.env);
  if (opts.refreshStatic) staticCache.delete(path);
  const cached = staticCache.get(path);
  // Cold: the static calls start with the query, so the first detection costs one round too.
  let calls: StaticCalls | null = cached ? null : startStatic(run);
  const [query, apps] = await Promise.all([run(GPU_QUERY_ARGS), run(APPS_QUERY_ARGS)]);
  timings.smiQuery = Math.round(query.ms);

  const kernel = classifySmiFailure(query).key === 'mismatch' ? parseNvrmVersion(await readFile('/proc/driver/nvidia/version', 'utf8').catch(() => ''))?.version : null;
  const status = statusOf(query, path, kernel);
  if (status.status !== 'ok') {
    staticCache.delete(path);
    // Started with the query under the same limit: waiting costs nothing and leaves no process behind.
    if (calls) await Promise.all([calls.topo, calls.p2p, calls.table]);
    return empty(status);
  }

  const problems: SmiDetection['problems'] = [];
  const lost = lostGpus(query.stdout + query.stderr);
  const parsed = parseQueryGpuCsv(query.stdout.split('\n').filter((l) => !/Unable to determine the device handle/.test(l)).join('\n'));
  if (parsed.problems.length) problems.push({ what: '--query-gpu', detail: `${parsed.problems.length} unreadable line(s), ${firstProblem(parsed.problems)}` });
  const gpus = parsed.gpus;

  // A damaged answer cannot vouch for the cache, and its lost rows need a fresh table.
  const key = staticKey(gpus);
  const reuse = cached && cached.key === key && !parsed.problems.length && !lost.length ? cached : null;
  if (!reuse && !calls) calls = startStatic(run);
  const fresh = calls ? await Promise.all([calls.topo, calls.p2p, calls.table]) : null;

  let statics: StaticSmi;
  if (reuse) {
    statics = reuse;
    timings.smiStaticCached = 1;
  } else {
    const [topo, p2p, table] = fresh!;
    const tbl = table.exitCode === 0 ? parseSmiTable(table.stdout) : null;
    // A GPU the CSV lost (garbled row) may still be in the table: keep what it says rather than drop the card.
    if (tbl && parsed.problems.length) {
      for (const t of tbl.gpus) {
        if (gpus.some((g) => g.index === t.index) || t.memoryTotalMiB === null) continue;
        gpus.push({
          index: t.index, uuid: '', name: t.name, pciBusId: t.pciBusId, driverVersion: tbl.driverVersion ?? '',
          memoryTotalMiB: t.memoryTotalMiB, memoryUsedMiB: t.memoryUsedMiB ?? 0, memoryFreeMiB: t.memoryTotalMiB - (t.memoryUsedMiB ?? 0),
          utilizationPct: t.utilizationPct, temperatureC: t.temperatureC, powerDrawW: t.powerDrawW, powerLimitW: t.powerLimitW,
          computeCapability: null, pcieGen: null, pcieWidth: null, processes: [],
        });
      }
      gpus.sort((a, b) => a.index - b.index);
    }
    const staticProblems: SmiDetection['problems'] = [];
    let topology: DetectReport['topology'] = null;
    if (gpus.length > 1 || topo.exitCode === 0) {
      const m = topo.exitCode === 0 ? parseTopoMatrix(topo.stdout) : null;
      const p = p2p.exitCode === 0 ? parseP2p(p2p.stdout) : null;
      if (m?.problems.length) staticProblems.push({ what: 'topo -m', detail: firstProblem(m.problems) });
      if (p?.problems.length && gpus.length > 1) staticProblems.push({ what: 'topo -p2p r', detail: firstProblem(p.problems) });
      topology = buildTopology(m, p);
    }
    const migByBus = new Map<string, boolean | null | undefined>();
    for (const t of tbl?.gpus ?? []) {
      const g = gpus.find((x) => normBusId(x.pciBusId) === normBusId(t.pciBusId)) ?? gpus.find((x) => x.index === t.index && !x.pciBusId);
      if (g) migByBus.set(`${g.index}@${normBusId(g.pciBusId)}`, t.migEnabled);
    }
    statics = {
      key,
      topology,
      cudaVersion: tbl?.cudaVersion ?? null,
      tableDriverVersion: tbl?.driverVersion ?? null,
      migByBus,
      problems: staticProblems,
      ms: Math.max(topo.ms, p2p.ms, table.ms),
    };
    // Only a clean, complete answer is worth keeping for the life of the app.
    const complete = topo.exitCode === 0 && table.exitCode === 0 && (gpus.length < 2 || p2p.exitCode === 0) && !staticProblems.length;
    if (complete && !parsed.problems.length && !lost.length && gpus.length) staticCache.set(path, statics);
    else staticCache.delete(path);
  }
  timings.smiAll = Math.round(Math.max(query.ms, apps.ms, fresh ? statics.ms : 0));
  problems.push(...statics.problems);

  for (const g of gpus) {
    const mig = statics.migByBus.get(`${g.index}@${normBusId(g.pciBusId)}`);
    if (mig !== undefined) g.migEnabled = mig;
  }

  if (apps.exitCode === 0) {
    const ap = parseComputeApps(apps.stdout);
    if (ap.problems.length) problems.push({ what: '--query-compute-apps', detail: firstProblem(ap.problems) });
    attachProcesses(gpus, ap.processes);
  } else if (gpus.length) {
    problems.push({ what: '--query-compute-apps', detail: (apps.stdout || apps.stderr).trim().split('\n')[0] || `exit ${apps.exitCode}` });
  }

  const driverVersion = gpus.find((g) => g.driverVersion)?.driverVersion || statics.tableDriverVersion || null;
  if (!gpus.length && !problems.length) problems.push({ what: '--query-gpu', detail: 'no GPU rows' });
  return {
    nvidiaSmi: status,
    gpus,
    driver: { version: driverVersion, cudaVersion: statics.cudaVersion },
    // A copy: callers own their report, the cache stays as nvidia-smi said it.
    topology: statics.topology ? structuredClone(statics.topology) : null,
    problems,
    lostGpus: lost,
    timings,
  };
}
