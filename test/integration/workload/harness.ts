// Runs the rehearsal workload under the real torchrun that resolveTorchrun picks, and parses what
// comes out: upstream's log lines, LAL_PLAN / LAL_PEAK / LAL_INJECT lines, torchrun's failure table.
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { resolveTorchrun, type ResolvedTorchrun } from '../../../electron/core/torchrun/resolve';
import { parseRehearsalLine, rehearsalScript, type RehearsalInject, type RehearsalPeak, type RehearsalPlan } from '../../../electron/core/torchrun/rehearsal';

export const RESOURCES = fileURLToPath(new URL('../../../resources', import.meta.url));
export const SCRIPT = rehearsalScript(RESOURCES);
const INSTALL = 'apt-get install -y python3-torch python3-tqdm';

/** Fails (never skips) when this machine has no usable torchrun. */
export async function torchrunOrFail(): Promise<ResolvedTorchrun> {
  try {
    return await resolveTorchrun({ python: process.env.LAL_TEST_PYTHON, resourcesDir: RESOURCES });
  } catch (e) {
    throw new Error(`These tests need torch with torchrun (Debian: ${INSTALL}); resolving it failed: ${(e as Error).message}`);
  }
}

/** Small and quick: 3 clips x 4 blocks of 12 frames at tiny scale on CPU (gloo). */
export const TINY = ['--scale', 'tiny', '--device', 'cpu', '--size', '704*384', '--infer_frames', '48'];
export const TPP4 = [...TINY, '--num_gpus_dit', '3', '--sample_steps', '3', '--enable_vae_parallel'];
export const TPP5 = [...TINY, '--num_gpus_dit', '4', '--sample_steps', '4', '--enable_vae_parallel'];
export const SINGLE = [...TINY, '--sample_steps', '4'];

export type Peak = RehearsalPeak;

export interface JobResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  dir: string;
  video: string;
  peaks: Peak[];
  plans: RehearsalPlan[];
  injected: RehearsalInject[];
  /** From torchrun's ChildFailedError table. */
  rootCause: { rank: number; exitcode: number } | null;
}

export function newDir(): string {
  return mkdtempSync(join(tmpdir(), 'lal-rehearsal-'));
}

export async function startJob(
  tr: ResolvedTorchrun,
  nproc: number,
  flags: string[],
  extraEnv: Record<string, string> = {},
  dir = newDir(),
): Promise<{ proc: ResultPromise<{ reject: false; cwd: string; env: Record<string, string>; cleanup: true }>; dir: string; video: string }> {
  const video = join(dir, 'out.y4m');
  const port = await freePort();
  // --monitor_interval 0.5: torchrun notices a dead rank quickly (the 1.13 default polls every 5 s).
  const argv = [...tr.argv, '--nproc_per_node', String(nproc), '--monitor_interval', '0.5', '--master_port', String(port), SCRIPT, ...flags, '--save_file', video];
  const proc = execa(argv[0], argv.slice(1), {
    reject: false,
    cwd: dir,
    env: { PYTHONUNBUFFERED: '1', OMP_NUM_THREADS: '1', ...extraEnv },
    cleanup: true,
  });
  return { proc, dir, video };
}

export async function runJob(tr: ResolvedTorchrun, nproc: number, flags: string[], extraEnv: Record<string, string> = {}, inDir?: string): Promise<JobResult> {
  const { proc, dir, video } = await startJob(tr, nproc, flags, extraEnv, inDir);
  const r = await proc;
  return parse(r.exitCode, String(r.stdout), String(r.stderr), dir, video);
}

export function parse(exitCode: number | undefined, stdout: string, stderr: string, dir: string, video: string): JobResult {
  const records = `${stdout}\n${stderr}`
    .split(/\r?\n|\r/)
    .map(parseRehearsalLine)
    .filter((x) => x !== null);
  let rootCause: JobResult['rootCause'] = null;
  const rc = /Root Cause \(first observed failure\):[\s\S]*?rank\s+: (\d+) \(local_rank: \d+\)\s+exitcode\s+: (-?\d+)/.exec(stderr);
  if (rc) rootCause = { rank: Number(rc[1]), exitcode: Number(rc[2]) };
  return {
    exitCode,
    stdout,
    stderr,
    dir,
    video,
    peaks: records.flatMap((r) => (r.tag === 'LAL_PEAK' ? [r.value] : [])).sort((a, b) => a.rank - b.rank),
    plans: records.flatMap((r) => (r.tag === 'LAL_PLAN' ? [r.value] : [])),
    injected: records.flatMap((r) => (r.tag === 'LAL_INJECT' ? [r.value] : [])),
    rootCause,
  };
}

/** First line of `text` that contains `needle` (or matches it, for a RegExp). */
export function indexOfLine(text: string, needle: string | RegExp): number {
  return text.split('\n').findIndex((l) => (typeof needle === 'string' ? l.includes(needle) : needle.test(l)));
}

/**
 * tqdm bars on stderr (one per block per rank). tqdm draws the 0/N frame exactly once per bar, but
 * may draw the 100 % frame twice (a refresh, then on close), so bars are counted by their start;
 * `finished` counts distinct 100 % frames as a floor check.
 */
export function countBars(stderr: string, steps: number): { started: number; finished: number } {
  const frames = stderr.split(/\r|\n/);
  return {
    started: frames.filter((l) => l.includes(`| 0/${steps} [`)).length,
    finished: frames.filter((l) => new RegExp(`100%\\|[^|]*\\| ${steps}/${steps} `).test(l)).length,
  };
}

/** Bars started, after checking that every started bar also reached 100 %. */
export function finishedBars(stderr: string, steps: number): number {
  const { started, finished } = countBars(stderr, steps);
  if (finished < started) throw new Error(`${started} bars started but only ${finished} reached ${steps}/${steps}`);
  return started;
}

export interface Y4m {
  width: number;
  height: number;
  frames: number;
}

export function readY4m(path: string): Y4m {
  const buf = readFileSync(path);
  const headerEnd = buf.indexOf(0x0a);
  const header = buf.subarray(0, headerEnd).toString('ascii');
  const m = /^YUV4MPEG2 W(\d+) H(\d+) F25:1 .*C420jpeg$/.exec(header);
  if (!m) throw new Error(`not a 4:2:0 y4m header: ${header}`);
  const width = Number(m[1]);
  const height = Number(m[2]);
  const frameBytes = 6 + width * height * 1.5; // "FRAME\n" + Y + U + V
  const body = buf.length - headerEnd - 1;
  if (body % frameBytes !== 0) throw new Error(`y4m body ${body} is not a whole number of ${frameBytes}-byte frames`);
  return { width, height, frames: body / frameBytes };
}

/** PIDs of live processes whose command line mentions `needle` (to prove nothing was left behind). */
export function livePidsWith(needle: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (cmd.includes(needle) && !/\) Z /.test(stat)) out.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** A port nobody listens on right now (the OS picks it), so parallel or lingering jobs never collide. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}
