/**
 * A recipe describes one model's launcher as data: its flags, modes (process layouts),
 * component sizes, progress semantics and env. Feasibility, the run manager, profiles and the UI
 * all read the same object; nothing model-specific is hard-coded elsewhere.
 */
export type FlagType = 'string' | 'int' | 'bool' | 'path' | 'enum';

export interface FlagSpec {
  /** Upstream name without dashes, also the `--set` key: size, num_clip, fp8, prompt ... */
  name: string;
  type: FlagType;
  default?: string | number | boolean;
  choices?: string[];
  /** How a bool is written on argv: `--fp8` (switch) or `--offload_model True` (value). */
  boolStyle?: 'switch' | 'value';
  /** Set only by the mode; a user --set of it is refused. */
  modeOwned?: boolean;
  label: { en: string; zh: string };
  help?: { en: string; zh: string };
}

export interface ComponentSize {
  /** dit, t5, vae, audio, lora ... */
  name: string;
  params: number;
  dtype: 'bf16' | 'fp16' | 'fp32' | 'fp8';
  /** Part of the params that fp8 quantises (the DiT linear layers). */
  fp8Fraction?: number;
}

export interface ModeSpec {
  id: string;
  label: { en: string; zh: string };
  aliases?: string[];
  description: { en: string; zh: string };
  /** Processes torchrun starts (world size). */
  nproc: number;
  /** GPUs needed; 0 for CPU-only modes. */
  gpus: number;
  /** Flags this layout forces, in recipe flag names. */
  flags: Record<string, string | number | boolean>;
  /** Role of each rank, by rank index: dit, vae, single, fsdp. */
  roles: string[];
  /** Only for rehearsal modes that also run on CPU. */
  cpuCapable?: boolean;
}

export interface ProgressSpec {
  /** Ranks whose tqdm bars count toward clip progress. */
  frameRanks: number[];
  /** tqdm bars per clip on those ranks. */
  barsPerClip: number | { flag: string; divisor: number };
  framesPerBar: number;
  /** Real-time target, frames per second of output video. */
  realtimeFps: number;
  /** Seconds a rank may take before its first progress line, before it counts as a stall. */
  startupBudgetSec: number;
  /** Log line substrings that mark each phase. */
  phases: { phase: 'loading' | 'compiling' | 'generating' | 'saving' | 'done'; match: string }[];
}

export interface Recipe {
  id: string;
  label: { en: string; zh: string };
  description: { en: string; zh: string };
  /** Script run by torchrun, relative to the checkout, or `resource:` for files shipped in resources/. */
  entry: string;
  /** Fixed args always passed (e.g. --task s2v-14B). */
  fixedArgs: string[];
  flags: FlagSpec[];
  modes: ModeSpec[];
  components: ComponentSize[];
  progress: ProgressSpec;
  /** Env the recipe sets by default. */
  env: Record<string, string>;
  /** Env names a profile may set without explicit consent. */
  envAllow: string[];
  /** Needs a checkout of upstream code (false for the rehearsal that ships with the app). */
  needsCheckout: boolean;
}
