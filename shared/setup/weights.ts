/**
 * The two downloads the real recipe needs and where each lands under the weights folder (by
 * default `<checkout>/ckpt`, because upstream's scripts use paths relative to the checkout).
 *
 * The LoRA is special. Alibaba-Quark/LiveAvatar's scripts pass `--lora_path_dmd
 * "Quark-Vision/Live-Avatar"`, and `liveavatar/utils/load_weight_utils.py` turns a repo id into
 * `hf_hub_download(repo_id, filename="liveavatar.safetensors", cache_dir="ckpt/LiveAvatar")`. That
 * reads the huggingface_hub cache layout — `models--ORG--NAME/refs/main` holding a commit, and
 * `models--ORG--NAME/snapshots/<commit>/<file>` — not the plain folder `--local-dir` writes. So the
 * LoRA repo is written in that layout, with the plain file linked beside it for the README's layout.
 */
export type RepoLayout = 'local-dir' | 'hub-cache';

export interface WeightRepo {
  id: 'wan-s2v' | 'liveavatar-lora';
  repo: string;
  /** Branch or commit to list; the listing's commit is then pinned for every file. */
  revision: string;
  /** The same repo on ModelScope, where it is published there; null: not offered. */
  modelscope: string | null;
  layout: RepoLayout;
  /** Folder under the weights folder. */
  folder: string;
}

export const WEIGHT_REPOS: readonly WeightRepo[] = [
  { id: 'wan-s2v', repo: 'Wan-AI/Wan2.2-S2V-14B', revision: 'main', modelscope: 'Wan-AI/Wan2.2-S2V-14B', layout: 'local-dir', folder: 'Wan2.2-S2V-14B' },
  { id: 'liveavatar-lora', repo: 'Quark-Vision/Live-Avatar', revision: 'main', modelscope: null, layout: 'hub-cache', folder: 'LiveAvatar' },
];

/** The file upstream's loader asks the cache for. */
export const LORA_FILE = 'liveavatar.safetensors';
/** hf_hub_download's default revision, which names the ref file it reads. */
export const HUB_REF = 'main';
/** Folder (under the weights folder) holding manifests and download state. */
export const STATE_FOLDER = '.lal-weights';
export const PART_SUFFIX = '.part';

export const findRepo = (id: string): WeightRepo | undefined => WEIGHT_REPOS.find((r) => r.id === id || r.repo === id);

/** `Quark-Vision/Live-Avatar` → `models--Quark-Vision--Live-Avatar` (huggingface_hub's repo folder name). */
export const hubCacheRepoFolder = (repo: string): string => `models--${repo.split('/').join('--')}`;

const join = (...parts: string[]) => parts.filter((p) => p !== '').join('/');

/** Where one file of a repo lands, relative to the weights folder ('/'-separated). */
export function targetPath(r: WeightRepo, commit: string, file: string): string {
  if (r.layout === 'local-dir') return join(r.folder, file);
  return join(r.folder, hubCacheRepoFolder(r.repo), 'snapshots', commit, file);
}

/** The ref file hf_hub_download resolves `main` through, relative to the weights folder; null for local-dir repos. */
export function refPath(r: WeightRepo): string | null {
  return r.layout === 'hub-cache' ? join(r.folder, hubCacheRepoFolder(r.repo), 'refs', HUB_REF) : null;
}

/** The README's `--local-dir` place of a hub-cache file (a hard link to the same bytes), or null. */
export function plainAliasPath(r: WeightRepo, file: string): string | null {
  return r.layout === 'hub-cache' ? join(r.folder, file) : null;
}

export const manifestPath = (r: WeightRepo): string => join(STATE_FOLDER, `${r.id}.manifest.json`);

/**
 * The environment a run of the real recipe should get once every file is verified: the scripts'
 * `hf_hub_download` then resolves the LoRA from the cache without a network round trip (which
 * otherwise hangs or fails on machines that cannot reach the Hub).
 */
export const OFFLINE_RUN_ENV: Readonly<Record<string, string>> = { HF_HUB_OFFLINE: '1' };
