import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Recipe } from '../../../shared/recipes/types';
import type { Profile } from '../../../shared/profiles/schema';
import { envNameNamesPath } from '../../../shared/profiles/consent';

/**
 * Paths that point outside the folders the user chose (Settings → trusted folders, the app's data
 * folder, the checkout and output folders they picked). A shared profile that reads
 * `~/.ssh/id_rsa` as its "image", or writes its video over `~/.bashrc`, is flagged in the import
 * preview, and the run planner refuses it without consent (runs/plan.ts uses `outsideFolders`).
 * Relative paths are resolved the way the run resolves them: against the run's working folder.
 */
export interface PathContext {
  trusted: string[];
  /** Folder relative paths are resolved against (the checkout); null: relative paths are flagged. */
  base: string | null;
}

export function flagPaths(profile: Profile, recipe: Recipe | undefined, ctx: PathContext): { field: string; path: string }[] {
  const out: { field: string; path: string }[] = [];
  const pathFlags = new Set((recipe?.flags ?? []).filter((f) => f.type === 'path').map((f) => f.name));
  const check = (field: string, value: unknown) => {
    if (typeof value !== 'string' || value === '') return;
    if (!isInside(value, ctx)) out.push({ field, path: value });
  };
  for (const [k, v] of Object.entries(profile.inputs)) if (k !== 'prompt') check(`inputs.${k}`, v);
  for (const [k, v] of Object.entries(profile.settings)) if (pathFlags.has(k)) check(`settings.${k}`, v);
  // Env values that are paths (cache folders, config files, plugins) are read, written or loaded by
  // the run too. For a name that loads code or names a file, a bare or relative value is as much a
  // path as an absolute one (the loader searches for it; NCCL opens it relative to the cwd).
  for (const [k, v] of Object.entries(profile.env)) {
    if (v === '') continue;
    const anchored = /^(\/|~)/.test(v);
    if (envNameNamesPath(k) && !anchored) out.push({ field: `env.${k}`, path: v });
    else if (envNameNamesPath(k) || anchored || v.includes('/')) check(`env.${k}`, v);
  }
  return out;
}

/**
 * Why a path value cannot be passed at all: one starting with `-` would be read as an option by the
 * program's argument parser; a NUL or line break cannot be part of a real path and only smuggles
 * extra lines into logs and argv.
 */
export function pathValueProblem(value: string): 'dash' | 'control-char' | null {
  if (/[\0\r\n]/.test(value)) return 'control-char';
  if (value.startsWith('-')) return 'dash';
  return null;
}

/** `~` and `~/x` as the user means them (the run gets argv, no shell, but a shared profile still means the home folder). */
export function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

/**
 * The absolute path as the file system will see it: symlinks of the longest existing prefix
 * resolved, so a link inside a trusted folder that points at `~/.bashrc` counts as `~/.bashrc`.
 */
export function realish(abs: string): string {
  let head = resolve(abs);
  const tail: string[] = [];
  for (let i = 0; i < 64 && !existsSync(head); i++) {
    const up = dirname(head);
    if (up === head) break;
    tail.unshift(basename(head));
    head = up;
  }
  let real = head;
  try {
    real = realpathSync(head);
  } catch {
    /* unreadable: compare as written */
  }
  return tail.length ? join(real, ...tail) : real;
}

/** True when `inner` is `root` or inside it (both absolute). */
export function within(root: string, inner: string): boolean {
  const rel = relative(root, inner);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The absolute path a run would open for `value`, relative ones against `base`; null when relative and no base. */
export function absoluteFor(value: string, base: string | null): string | null {
  const expanded = expandHome(value);
  if (isAbsolute(expanded)) return realish(expanded);
  return base ? realish(resolve(base, expanded)) : null;
}

/** True when the path lies inside none of `roots` (symlinks resolved on both sides). */
export function outsideFolders(value: string, base: string | null, roots: readonly string[]): boolean {
  const abs = absoluteFor(value, base);
  if (abs === null) return expandHome(value).split(/[\\/]/).includes('..');
  return !roots.some((root) => within(realish(resolve(expandHome(root))), abs));
}

function isInside(p: string, ctx: PathContext): boolean {
  // An HF repo id ("Quark-Vision/Live-Avatar") is not a path on this machine; resolving it under
  // the checkout keeps it inside, as the run would treat a missing local file the same way.
  return !outsideFolders(p, ctx.base, ctx.trusted);
}
