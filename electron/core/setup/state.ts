import { join } from 'node:path';
import type { RepoManifest } from '../../../shared/setup/types';
import { manifestPath, STATE_FOLDER, type WeightRepo } from '../../../shared/setup/weights';
import { readJson, writeJsonAtomic } from '../json-file';

/**
 * What survives a restart besides the `.part` files themselves: the manifest each repo was listed
 * with (so a resumed download keeps its commit and never mixes two versions) and which final files
 * were already hashed (so a restart does not re-read 60 GB). A verified entry is trusted only while
 * the file keeps the size and mtime it was verified with.
 */
export interface VerifiedEntry {
  size: number;
  mtimeMs: number;
  sha256: string | null;
}

export const readManifest = (dest: string, r: WeightRepo): RepoManifest | null => {
  const m = readJson<RepoManifest>(join(dest, manifestPath(r)));
  return m && m.repo === r.repo && Array.isArray(m.files) && typeof m.commit === 'string' ? m : null;
};

export const writeManifest = (dest: string, r: WeightRepo, m: RepoManifest): void => writeJsonAtomic(join(dest, manifestPath(r)), m);

const verifiedFile = (dest: string) => join(dest, STATE_FOLDER, 'verified.json');

export class VerifiedStore {
  private entries: Record<string, VerifiedEntry>;
  private dirty = false;

  constructor(private readonly dest: string) {
    this.entries = readJson<Record<string, VerifiedEntry>>(verifiedFile(dest)) ?? {};
  }

  get(rel: string): VerifiedEntry | undefined {
    return this.entries[rel];
  }

  set(rel: string, e: VerifiedEntry): void {
    this.entries[rel] = e;
    this.dirty = true;
    this.flush();
  }

  delete(rel: string): void {
    if (rel in this.entries) {
      delete this.entries[rel];
      this.dirty = true;
      this.flush();
    }
  }

  flush(): void {
    if (!this.dirty) return;
    writeJsonAtomic(verifiedFile(this.dest), this.entries);
    this.dirty = false;
  }
}
