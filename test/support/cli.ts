import { execa, type Options } from 'execa';
import { repoRoot } from './temp';

/** Run `lal` as a user would in a checkout: a real process, argv only, no shell. */
export function lal(args: string[], opts: Options = {}) {
  return execa('node', ['--import', 'tsx', `${repoRoot}/electron/cli/main.ts`, ...args], {
    cwd: repoRoot,
    reject: false,
    timeout: 60_000,
    ...opts,
    env: { ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent-electron-dist', ...(opts.env ?? {}) },
  });
}
