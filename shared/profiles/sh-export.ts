import { META_NAME, META_NOTES } from './script-import';
import type { Profile } from './schema';

/**
 * A profile as a bash script someone can run without the app. Every value is a single-quoted
 * literal, so a prompt such as `$(rm -rf ~)` or `; curl …` reaches the program as that exact text
 * (bash performs no expansion inside '…'). The header keeps name and notes as JSON strings, so
 * importing the script gives back the same profile.
 */
export interface ScriptParts {
  profile: Profile;
  nproc: number;
  /** The script torchrun runs: relative to the checkout, or an absolute path. */
  entry: string;
  /** Flags after the entry, exactly as the run planner would pass them. */
  args: string[];
  /** Environment the run needs (the recipe's env and the profile's own). */
  env: Record<string, string>;
  /** Value for CUDA_VISIBLE_DEVICES, or null to leave it alone. */
  cudaVisibleDevices: string | null;
  /** Folder to run from, said in a comment (upstream paths are relative to the checkout). */
  runFrom: string | null;
}

const SAFE = /^[A-Za-z0-9_./:=,@%+-]+$/;

export function shellQuote(s: string): string {
  if (s !== '' && SAFE.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** One continuation line per flag, its value beside it, each word single-quoted (bash and sbatch exports). */
export function argLines(args: string[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    if (a.startsWith('--') && next !== undefined && !next.startsWith('--')) {
      lines.push(`  ${shellQuote(a)} ${shellQuote(next)}`);
      i++;
    } else lines.push(`  ${shellQuote(a)}`);
  }
  return lines;
}

export function renderScript(p: ScriptParts): string {
  const out: string[] = ['#!/usr/bin/env bash'];
  out.push('# Live Avatar Launcher profile, exported as a script (lal profile export --format sh).');
  out.push(META_NAME + JSON.stringify(p.profile.name));
  if (p.profile.notes !== undefined) out.push(META_NOTES + JSON.stringify(p.profile.notes));
  out.push(`# recipe ${p.profile.recipe}, mode ${p.profile.mode}: ${p.nproc} process${p.nproc === 1 ? '' : 'es'}.`);
  if (p.runFrom) out.push(`# Run it from ${p.runFrom}.`);
  out.push('');
  for (const [k, v] of Object.entries(p.env)) out.push(`export ${k}=${shellQuote(v)}`);
  const prefix = p.cudaVisibleDevices === null ? '' : `CUDA_VISIBLE_DEVICES=${shellQuote(p.cudaVisibleDevices)} `;
  const lines = [`${prefix}torchrun --nproc_per_node=${p.nproc} ${shellQuote(p.entry)}`];
  lines.push(...argLines(p.args));
  out.push(lines.join(' \\\n'));
  return out.join('\n') + '\n';
}
