import { homedir } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Recipe } from '../../../shared/recipes/types';
import type { Profile } from '../../../shared/profiles/schema';

/**
 * Paths in a profile that point outside the folders the user chose (Settings → trusted folders,
 * the app's data folder, the checkout and output folders they picked). A shared profile that reads
 * `~/.ssh/id_rsa` as its "image", or writes its video over `~/.bashrc`, is flagged before saving.
 * Relative paths are resolved the way the run resolves them: against the checkout.
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
  // Env values that are paths (cache folders, config files) are read or written by the run too.
  for (const [k, v] of Object.entries(profile.env)) if (/^(\/|~\/|\.\.?\/)/.test(v)) check(`env.${k}`, v);
  return out;
}

function isInside(p: string, ctx: PathContext): boolean {
  // An HF repo id ("Quark-Vision/Live-Avatar") is not a path on this machine; resolving it under
  // the checkout keeps it inside, as the run would treat a missing local file the same way.
  const expanded = p === '~' || p.startsWith('~/') ? resolve(homedir(), p.slice(2)) : p;
  let abs: string;
  if (isAbsolute(expanded)) abs = resolve(expanded);
  else if (ctx.base) abs = resolve(ctx.base, expanded);
  else return !expanded.split(/[\\/]/).includes('..');
  return ctx.trusted.some((root) => {
    const rel = relative(resolve(root), abs);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  });
}
