import { z } from 'zod';
import type { RepoFile } from './types';

/**
 * Parsers for the two listing formats. A listing comes from the network, possibly from a mirror
 * nobody vetted, so every path is checked before it can name a file on disk: `../../.bashrc`, an
 * absolute path or a Windows drive would otherwise let a mirror write anywhere.
 */
export const MAX_FILES = 10_000;
const MAX_PATH = 512;

export function safeRepoPath(p: string): boolean {
  if (p.length === 0 || p.length > MAX_PATH) return false;
  if (/[\0-\x1f\x7f\\:*?"<>|]/.test(p)) return false;
  if (p.startsWith('/')) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/** A commit or revision that becomes a folder name in the cache layout. */
export const safeCommit = (c: string): boolean => /^[A-Za-z0-9._-]{1,100}$/.test(c) && c !== '.' && c !== '..';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/i).transform((s) => s.toLowerCase());
const size = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const hfInfo = z.object({
  sha: z.string(),
  siblings: z.array(z.object({
    rfilename: z.string(),
    size: size.optional(),
    blobId: z.string().optional(),
    lfs: z.object({ sha256, size }).partial({ size: true }).optional(),
  })).max(MAX_FILES),
});

const msInfo = z.object({
  Code: z.number().optional(),
  Data: z.object({
    Files: z.array(z.object({
      Path: z.string(),
      Type: z.string().optional(),
      Size: size.optional(),
      Sha256: z.string().nullable().optional(),
      Revision: z.string().nullable().optional(),
    })).max(MAX_FILES),
  }),
});

export type Listing = { ok: true; commit: string; files: RepoFile[] } | { ok: false; reason: string };

function finish(commit: string, files: RepoFile[]): Listing {
  if (!safeCommit(commit)) return { ok: false, reason: `unusable commit id ${JSON.stringify(commit.slice(0, 60))}` };
  const bad = files.find((f) => !safeRepoPath(f.path));
  if (bad) return { ok: false, reason: `unsafe file path ${JSON.stringify(bad.path.slice(0, 120))}` };
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) return { ok: false, reason: `file listed twice: ${f.path}` };
    seen.add(f.path);
  }
  if (files.length === 0) return { ok: false, reason: 'the listing has no files' };
  return { ok: true, commit, files: [...files].sort((a, b) => a.path.localeCompare(b.path)) };
}

/** `GET /api/models/{repo}/revision/{rev}?blobs=true` on the Hub or a mirror. */
export function parseHfListing(body: unknown): Listing {
  const r = hfInfo.safeParse(body);
  if (!r.success) return { ok: false, reason: `not a Hub model listing (${r.error.issues[0]?.path.join('.') || 'body'}: ${r.error.issues[0]?.message ?? ''})` };
  const files: RepoFile[] = [];
  for (const s of r.data.siblings) {
    const bytes = s.lfs?.size ?? s.size;
    if (bytes === undefined) return { ok: false, reason: `no size for ${s.rfilename} (the listing must be asked with blobs=true)` };
    // For an LFS file blobId names the pointer, not the content; only plain git files use it.
    const gitSha1 = !s.lfs && s.blobId && /^[0-9a-f]{40}$/i.test(s.blobId) ? s.blobId.toLowerCase() : null;
    files.push({ path: s.rfilename, size: bytes, sha256: s.lfs?.sha256 ?? null, ...(gitSha1 ? { gitSha1 } : {}) });
  }
  return finish(r.data.sha, files);
}

/** `GET /api/v1/models/{repo}/repo/files?Recursive=true` on ModelScope; folders are skipped. */
export function parseModelScopeListing(body: unknown, revision: string): Listing {
  const r = msInfo.safeParse(body);
  if (!r.success) return { ok: false, reason: `not a ModelScope file listing (${r.error.issues[0]?.path.join('.') || 'body'}: ${r.error.issues[0]?.message ?? ''})` };
  if (r.data.Code !== undefined && r.data.Code !== 200) return { ok: false, reason: `ModelScope answered Code ${r.data.Code}` };
  const files: RepoFile[] = [];
  for (const f of r.data.Data.Files) {
    if (f.Type === 'tree') continue;
    if (f.Size === undefined) return { ok: false, reason: `no size for ${f.Path}` };
    const sha = f.Sha256 && /^[0-9a-f]{64}$/i.test(f.Sha256) ? f.Sha256.toLowerCase() : null;
    files.push({ path: f.Path, size: f.Size, sha256: sha });
  }
  // ModelScope names no commit for the listing as a whole; the revision asked for stands in for it.
  return finish(revision, files);
}
