import { execa, type ResultPromise } from 'execa';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { RunPlan } from '../../../shared/run/types';

/**
 * Starts the planned argv as its own process group and session (`detached: true`), so the whole
 * tree can be signalled at once and a Ctrl-C in the user's terminal reaches only lal, which then
 * tears down in order. Where util-linux `setpriv --pdeathsig TERM` exists, it is put in front: it
 * sets PR_SET_PDEATHSIG and then exec()s torchrun (same pid), so if the launcher is SIGKILLed the
 * agent gets SIGTERM and stops its workers (docs/upstream-notes.md §14.1 item 2). The setting does not
 * survive fork, hence the group kill and the LAL_RUN_ID sweep as well. One window it cannot cover:
 * a SIGTERM that reaches torch's agent while it is still spawning workers aborts its spawn loop before
 * it records them, so the agent exits and the workers already forked live on. The next launcher's
 * leftover scan (reaper.ts) finds those by LAL_RUN_ID.
 *
 * execa options: `buffer: false` (the default 100 MB maxBuffer would *kill* a long run),
 * `cleanup: false` (not applied to detached children anyway; teardown is explicit),
 * `forceKillAfterDelay: false` (our own teardown escalates), stdin ignored (torchrun never reads it).
 */
let setprivCache: string | null | undefined;

export function findSetpriv(env: NodeJS.ProcessEnv = process.env): string | null {
  if (setprivCache !== undefined) return setprivCache;
  setprivCache = null;
  for (const dir of [...(env.PATH ?? '').split(delimiter), '/usr/bin', '/bin']) {
    if (!dir) continue;
    const p = join(dir, 'setpriv');
    try {
      accessSync(p, constants.X_OK);
      setprivCache = p;
      break;
    } catch {
      /* keep looking */
    }
  }
  return setprivCache;
}

export interface Launched {
  child: ResultPromise<{ buffer: false; detached: true; reject: false; stdin: 'ignore'; cleanup: false; forceKillAfterDelay: false }>;
  /** null when the spawn failed (missing file or cwd): never a number a signal could be sent to. */
  pid: number | null;
  pdeathsig: boolean;
}

export function launch(plan: RunPlan, opts: { pdeathsig?: boolean } = {}): Launched {
  const setpriv = opts.pdeathsig === false || process.env.LAL_NO_PDEATHSIG === '1' ? null : findSetpriv();
  const [file, ...args] = setpriv ? [setpriv, '--pdeathsig', 'TERM', '--', ...plan.argv] : plan.argv;
  const child = execa(file, args, {
    cwd: plan.cwd,
    env: plan.env,
    extendEnv: true,
    detached: true,
    buffer: false,
    reject: false,
    stdin: 'ignore',
    cleanup: false,
    forceKillAfterDelay: false,
  });
  if (child.pid === undefined) {
    // Spawn failed synchronously (missing file): execa reports it through the promise.
    return { child, pid: null, pdeathsig: !!setpriv };
  }
  return { child, pid: child.pid, pdeathsig: !!setpriv };
}
