import type { Endpoint } from './types';

/**
 * Endpoints and their URL schemes.
 * - Hugging Face and its mirrors (hf-mirror.com, or any HF_ENDPOINT) share one API:
 *   `GET {base}/api/models/{repo}/revision/{rev}?blobs=true` lists the files of a commit with sizes
 *   and LFS sha256; `{base}/{repo}/resolve/{commit}/{path}` serves a file (302 to a CDN for LFS).
 * - ModelScope lists with `GET {base}/api/v1/models/{repo}/repo/files?Revision={rev}&Recursive=true`
 *   (`Data.Files[]` with Path, Type, Size, Sha256) and serves a file at
 *   `{base}/api/v1/models/{repo}/repo?Revision={rev}&FilePath={path}` (modelscope/modelscope hub/api.py).
 */
export const HF_BASE = 'https://huggingface.co';
export const HF_MIRROR_BASE = 'https://hf-mirror.com';
export const MODELSCOPE_BASE = 'https://www.modelscope.cn';
export const MODELSCOPE_DEFAULT_REVISION = 'master';

const trimSlash = (s: string) => s.replace(/\/+$/, '');

function httpUrl(s: string): string | null {
  try {
    const u = new URL(s);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    if (u.username || u.password || u.search || u.hash) return null;
    return trimSlash(u.toString());
  } catch {
    return null;
  }
}

/**
 * `hf`, `mirror` (HF_ENDPOINT when set, else hf-mirror.com), `modelscope`, an http(s) URL (a Hub-style
 * mirror), or `hf=URL` / `modelscope=URL`. Returns null for anything else, so the caller can name it.
 */
export function parseEndpoint(spec: string, hfEndpointEnv?: string): Endpoint | null {
  const s = spec.trim();
  if (s === 'hf' || s === 'huggingface') return { kind: 'hf', base: HF_BASE, label: 'hf' };
  if (s === 'mirror' || s === 'hf-mirror') {
    const base = (hfEndpointEnv && httpUrl(hfEndpointEnv)) || HF_MIRROR_BASE;
    return { kind: 'hf', base, label: 'mirror' };
  }
  if (s === 'modelscope' || s === 'ms') return { kind: 'modelscope', base: MODELSCOPE_BASE, label: 'modelscope' };
  const m = /^(hf|modelscope)=(.+)$/.exec(s);
  if (m) {
    const base = httpUrl(m[2]!);
    return base ? { kind: m[1] as Endpoint['kind'], base, label: s } : null;
  }
  const base = httpUrl(s);
  return base ? { kind: 'hf', base, label: base } : null;
}

/**
 * The order tried when the user names none. Someone who set HF_ENDPOINT (as upstream's README tells
 * mainland-China users to) gets that mirror first; ModelScope is last because not every repo is there.
 */
export function defaultEndpoints(hfEndpointEnv?: string): Endpoint[] {
  const mirror = hfEndpointEnv ? httpUrl(hfEndpointEnv) : null;
  const list: Endpoint[] = mirror && mirror !== HF_BASE
    ? [{ kind: 'hf', base: mirror, label: 'HF_ENDPOINT' }, { kind: 'hf', base: HF_BASE, label: 'hf' }]
    : [{ kind: 'hf', base: HF_BASE, label: 'hf' }, { kind: 'hf', base: HF_MIRROR_BASE, label: 'mirror' }];
  list.push({ kind: 'modelscope', base: MODELSCOPE_BASE, label: 'modelscope' });
  return list;
}

/** Each path segment escaped on its own; '/' stays a separator. */
export const encodeRepoPath = (p: string): string => p.split('/').map(encodeURIComponent).join('/');

export function listingUrl(ep: Endpoint, repo: string, revision: string): string {
  if (ep.kind === 'hf') return `${ep.base}/api/models/${encodeRepoPath(repo)}/revision/${encodeURIComponent(revision)}?blobs=true`;
  return `${ep.base}/api/v1/models/${encodeRepoPath(repo)}/repo/files?Revision=${encodeURIComponent(revision)}&Recursive=true`;
}

export function fileUrl(ep: Endpoint, repo: string, revision: string, path: string): string {
  if (ep.kind === 'hf') return `${ep.base}/${encodeRepoPath(repo)}/resolve/${encodeURIComponent(revision)}/${encodeRepoPath(path)}`;
  return `${ep.base}/api/v1/models/${encodeRepoPath(repo)}/repo?Revision=${encodeURIComponent(revision)}&FilePath=${encodeURIComponent(path)}`;
}
