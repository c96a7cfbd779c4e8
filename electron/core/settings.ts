import { isAbsolute, join } from 'node:path';
import type { Settings } from '../../shared/api/contract';
import { ApiFailure } from '../../shared/api/result';
import { readJson, writeJsonAtomic } from './json-file';

export const defaultSettings: Settings = {
  language: 'auto',
  theme: 'system',
  pythonPath: null,
  checkoutPath: null,
  outputDir: null,
  nvidiaSmiPath: null,
  stallAction: 'notify',
  trustedFolders: [],
};

/** Settings that name a file or folder on this machine. */
export const PATH_SETTINGS = ['pythonPath', 'checkoutPath', 'outputDir', 'nvidiaSmiPath'] as const;

/** Why a path was refused; the UI turns it into its own words, other clients read the message. */
export type PathProblem = 'not-absolute' | 'control-char';

/**
 * A path that is relative would be resolved against whatever folder the launcher happened to start
 * in, and NUL or a newline cannot be part of a real path (they only smuggle extra lines into logs,
 * scripts or argv), so both are refused rather than stored.
 */
export function pathProblem(p: string): PathProblem | null {
  if (/[\0\r\n]/.test(p)) return 'control-char';
  if (!isAbsolute(p)) return 'not-absolute';
  return null;
}

function badPath(field: string, value: string, reason: PathProblem): ApiFailure {
  const why = reason === 'control-char' ? 'contains a NUL or line-break character' : 'is not an absolute path (start it at the root, e.g. /home/me/LiveAvatar)';
  return new ApiFailure({ code: 'BAD_INPUT', field, message: `${field}: ${JSON.stringify(value)} ${why}`, details: { reason, value } });
}

/**
 * Checks a patch before anything is written. Empty text means "auto", the same as null, so a
 * cleared field in any client resets the setting instead of storing "".
 */
export function checkedPatch(patch: Partial<Settings>): Partial<Settings> {
  // A key sent as undefined (possible in-process) must not wipe the stored value on spread.
  const out = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<Settings>;
  for (const key of PATH_SETTINGS) {
    const v = patch[key];
    if (v === undefined || v === null) continue;
    if (v === '') {
      out[key] = null;
      continue;
    }
    const problem = pathProblem(v);
    if (problem) throw badPath(key, v, problem);
  }
  if (patch.trustedFolders) {
    patch.trustedFolders.forEach((folder, i) => {
      const problem = pathProblem(folder);
      if (problem) throw badPath(`trustedFolders.${i}`, folder, problem);
    });
    // The same folder twice is harmless but clutters the list every client shows.
    out.trustedFolders = [...new Set(patch.trustedFolders)];
  }
  return out;
}

export class SettingsStore {
  private readonly file: string;
  private current: Settings;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'settings.json');
    this.current = { ...defaultSettings, ...(readJson<Partial<Settings>>(this.file) ?? {}) };
  }

  get(): Settings {
    return { ...this.current, trustedFolders: [...this.current.trustedFolders] };
  }

  /** Throws ApiFailure(BAD_INPUT) naming the field; nothing is changed when any field is refused. */
  update(patch: Partial<Settings>): Settings {
    this.current = { ...this.current, ...checkedPatch(patch) };
    writeJsonAtomic(this.file, this.current);
    return this.get();
  }
}
