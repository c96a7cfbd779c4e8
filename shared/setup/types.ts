/** One file of a weight repo, as the Hub's API lists it for one commit. */
export interface RepoFile {
  /** Path inside the repo, '/'-separated, checked by `safeRepoPath`. */
  path: string;
  size: number;
  /** sha256 of the content (LFS files, and every file on ModelScope); null: size is all we can check. */
  sha256: string | null;
  /**
   * Git blob id (sha1 of `blob <size>\0` + content) of a file kept in git rather than LFS — the
   * Hub's `blobId`. Lets small files (config.json, tokenizer files) be verified too.
   */
  gitSha1?: string | null;
}

/** The exact set one repo needs at one commit; saved beside the files so checks work offline. */
export interface RepoManifest {
  repo: string;
  /** The commit the listing named; every file URL uses it, so a moving branch cannot mix versions. */
  commit: string;
  /** Endpoint that answered the listing. */
  listedBy: string;
  files: RepoFile[];
}

export type EndpointKind = 'hf' | 'modelscope';

export interface Endpoint {
  kind: EndpointKind;
  /** Base URL without a trailing slash, e.g. https://huggingface.co. */
  base: string;
  /** How the user named it (hf, mirror, modelscope or the URL). */
  label: string;
}

export type FileState = 'queued' | 'downloading' | 'verifying' | 'done' | 'failed' | 'paused';

export interface FileProgress {
  repo: string;
  path: string;
  state: FileState;
  bytes: number;
  total: number;
  /** Bytes per second over the last few seconds; 0 when idle. */
  speed: number;
  /** Seconds left at the current speed; null when unknown. */
  etaSeconds: number | null;
  endpoint?: string;
  error?: string;
}

export type DownloadPhase = 'idle' | 'listing' | 'downloading' | 'paused' | 'done' | 'failed' | 'cancelled';

export interface DownloadProgress {
  phase: DownloadPhase;
  dest: string;
  bytes: number;
  total: number;
  speed: number;
  etaSeconds: number | null;
  files: FileProgress[];
  /** The reason the whole download stopped, when it did. */
  error?: { code: DownloadErrorCode; message: string };
}

export type DownloadErrorCode = 'DISK_FULL' | 'ALL_ENDPOINTS_FAILED' | 'VERIFY_FAILED' | 'BAD_LISTING' | 'DEST_REFUSED' | 'IO';
