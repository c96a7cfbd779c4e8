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
 * GPUs, holders, topology and versions. All five nvidia-smi calls start together (each loads NVML,
 * which dominates the time); the query answer decides whether the others are used.
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

  const run = (args: string[]) => runSmi(path, args, timeoutMs, opts.env);
  const [query, apps, topo, p2p, table] = await Promise.all([
    run(GPU_QUERY_ARGS),
    run(APPS_QUERY_ARGS),
    run(['topo', '-m']),
    run(['topo', '-p2p', 'r']),
    run([]),
  ]);
  timings.smiQuery = Math.round(query.ms);
  timings.smiAll = Math.round(Math.max(query.ms, apps.ms, topo.ms, p2p.ms, table.ms));

  const kernel = classifySmiFailure(query).key === 'mismatch' ? parseNvrmVersion(await readFile('/proc/driver/nvidia/version', 'utf8').catch(() => ''))?.version : null;
  const status = statusOf(query, path, kernel);
  if (status.status !== 'ok') return empty(status);

  const problems: SmiDetection['problems'] = [];
  const lost = lostGpus(query.stdout + query.stderr);
  const parsed = parseQueryGpuCsv(query.stdout.split('\n').filter((l) => !/Unable to determine the device handle/.test(l)).join('\n'));
  if (parsed.problems.length) problems.push({ what: '--query-gpu', detail: `${parsed.problems.length} unreadable line(s), ${firstProblem(parsed.problems)}` });
  const gpus = parsed.gpus;

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

  for (const t of tbl?.gpus ?? []) {
    const g = gpus.find((x) => normBusId(x.pciBusId) === normBusId(t.pciBusId)) ?? gpus.find((x) => x.index === t.index && !x.pciBusId);
    if (g) g.migEnabled = t.migEnabled;
  }

  if (apps.exitCode === 0) {
    const ap = parseComputeApps(apps.stdout);
    if (ap.problems.length) problems.push({ what: '--query-compute-apps', detail: firstProblem(ap.problems) });
    attachProcesses(gpus, ap.processes);
  } else if (gpus.length) {
    problems.push({ what: '--query-compute-apps', detail: (apps.stdout || apps.stderr).trim().split('\n')[0] || `exit ${apps.exitCode}` });
  }

  let topology: DetectReport['topology'] = null;
  if (gpus.length > 1 || topo.exitCode === 0) {
    const m = topo.exitCode === 0 ? parseTopoMatrix(topo.stdout) : null;
    const p = p2p.exitCode === 0 ? parseP2p(p2p.stdout) : null;
    if (m?.problems.length) problems.push({ what: 'topo -m', detail: firstProblem(m.problems) });
    if (p?.problems.length && gpus.length > 1) problems.push({ what: 'topo -p2p r', detail: firstProblem(p.problems) });
    topology = buildTopology(m, p);
  }

  const driverVersion = gpus.find((g) => g.driverVersion)?.driverVersion || tbl?.driverVersion || null;
  if (!gpus.length && !problems.length) problems.push({ what: '--query-gpu', detail: 'no GPU rows' });
  return {
    nvidiaSmi: status,
    gpus,
    driver: { version: driverVersion, cudaVersion: tbl?.cudaVersion ?? null },
    topology,
    problems,
    lostGpus: lost,
    timings,
  };
}
