/**
 * A recipe describes one model's launcher as data: its flags, modes (process layouts),
 * component sizes, progress semantics and env. Feasibility, the run manager, profiles and the UI
 * all read the same object; nothing model-specific is hard-coded elsewhere.
 */
export type FlagType = 'string' | 'int' | 'float' | 'bool' | 'path' | 'enum';
export type Text = { en: string; zh: string };

export interface FlagSpec {
  /** Upstream name without dashes, also the `--set` key: size, num_clip, fp8, prompt ... */
  name: string;
  type: FlagType;
  default?: string | number | boolean;
  choices?: string[];
  /** Inclusive bounds for int/float flags. */
  min?: number;
  max?: number;
  /** How a bool is written on argv: `--fp8` (switch) or `--offload_model True` (value). */
  boolStyle?: 'switch' | 'value';
  /** Set only by the mode; a user --set of it is refused unless the mode takes it from the user (nprocFrom). */
  modeOwned?: boolean;
  /** Repeatable upstream flag (argparse `append`): a comma-separated setting becomes one `--name v` per item. */
  repeat?: 'comma';
  /**
   * A bool flag that, when on, puts every rank on GPU 0 (the rehearsal's share_gpu): the run then
   * needs one GPU, and the memory check, which places one rank per GPU, refuses it by name.
   */
  oneGpu?: boolean;
  label: Text;
  help?: Text;
}

export interface ComponentSize {
  /** dit, t5, vae, audio, lora ... (matched against detect's checkout.components[].name) */
  name: string;
  params: number;
  dtype: 'bf16' | 'fp16' | 'fp32' | 'fp8';
  /** Part of the params that fp8 quantises (the DiT linear layers). */
  fp8Fraction?: number;
  /** Exact element count that `--fp8` stores in 1 byte (upstream-notes §3.6); wins over fp8Fraction. */
  fp8Params?: number;
  /** Quantised tensors, each with one fp32 scale (10 Linears per block + 5 per audio injector). */
  fp8Tensors?: number;
  /** FSDP: params of one wrapped unit (a transformer block) and how many such units; the rest is the root unit. */
  fsdpBlockParams?: number;
  fsdpBlocks?: number;
}

/** Where a mode's process count comes from when it is not fixed: the product of these settings. */
export interface NprocFrom {
  settings: string[];
  min: number;
  max: number;
}

/** Which memory layout the feasibility model applies to the ranks of a mode. */
export type MemoryLayout = 'single' | 'tpp' | 'fsdp' | 'tp-sp';

export interface ModeSpec {
  id: string;
  label: Text;
  aliases?: string[];
  description: Text;
  /** Processes torchrun starts (world size); with nprocFrom, the default when settings do not say. */
  nproc: number;
  /** Process count taken from settings (Wan's `--ulysses_size N`, Step-Video's ulysses × tp). */
  nprocFrom?: NprocFrom;
  /** GPUs needed; 0 for CPU-only modes. With nprocFrom, this is the default count. */
  gpus: number;
  /** GPUs needed besides the torchrun ranks (Step-Video's caption/VAE server). */
  extraGpus?: number;
  /** Flags this layout forces, in recipe flag names; a user value that differs is refused. */
  flags: Record<string, string | number | boolean>;
  /** Defaults this layout prefers but the user may change (e.g. offload_model True for single GPU). */
  defaults?: Record<string, string | number | boolean>;
  /** Role of each rank, by rank index: dit, vae, single, fsdp. With nprocFrom, every rank has roles[0]. */
  roles: string[];
  /** Only for rehearsal modes that also run on CPU. */
  cpuCapable?: boolean;
  /** Memory layout of the ranks; absent: 'single' for one rank, else 'tpp'. */
  memoryLayout?: MemoryLayout;
  /** Ranks whose tqdm bars count frames in this layout (TPP: the VAE rank), overriding the recipe's. */
  frameRanks?: number[];
  /** The upstream code runs it without patches (else CHECKOUT_LAYOUT unless detect says the checkout supports it). */
  upstreamRunnable?: boolean;
}

export interface ProgressSpec {
  /** Ranks whose tqdm bars count toward clip progress (a mode may override: ModeSpec.frameRanks). */
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

/** Transformer shape: what the KV caches, heads checks and activation estimates need. */
export interface AttentionDims {
  dim: number;
  ffnDim: number;
  numHeads: number;
  headDim: number;
  numLayers: number;
}

/**
 * What the feasibility model needs to know about a recipe beyond component sizes. One profile per
 * recipe (per scale for the rehearsal). See docs/feasibility.md for each field's source.
 */
export interface MemoryProfile {
  /** 'causal-s2v': Live Avatar's streaming pipelines (KV + cond caches); 'full-seq': Wan2.2 S2V / Step-Video (whole clip at once). */
  family: 'causal-s2v' | 'full-seq';
  attention: AttentionDims;
  /** Output H×W in pixels for each `--size` key (16:9 reference image, upstream-notes §1.4). */
  sizeToHw?: Record<string, [number, number]>;
  /** Fixed H×W when the recipe takes height/width flags (Step-Video) or for the tiny rehearsal. */
  fixedHw?: [number, number];
  /** Pixels per token side (VAE stride 8 × patch 2 = 16). */
  pixelsPerToken: number;
  /** Pixel frames per latent frame (4 for Wan VAE, 8 for Step-Video's). */
  framesPerLatent: number;
  /** Conditioning KV capacity hard-coded upstream: TPP 3000, single 2800 (upstream-notes §1.4, §3.7). */
  condCapacityTpp?: number;
  condCapacitySingle?: number;
  /** Size the conditioning cache to the actual tokens (2.5·fsl) instead of the capacity (the tiny rehearsal). */
  condCacheFromTokens?: boolean;
  /** Single-GPU simulates the TPP stages with this many KV caches (upstream-notes §1.1 item 5). */
  singleKvCaches?: number;
  /** Upstream creates a CUDA context on GPU 0 in every process (t5.py default argument, §3.8). */
  extraContextsOnGpu0?: boolean;
  /** Host bytes per T5 param while it is built (fp32 build then load_state_dict: 4, §3.2); 2 when built in bf16. */
  t5HostLoadBytesPerParam: number;
  /** 'always': every process builds T5 on the CPU (upstream, §3.2); 'when-on-host': only when it stays there (rehearsal). */
  t5BuiltOnHost?: 'always' | 'when-on-host';
  /** fp8 weights are dequantised per Linear at run time (a ffn×dim bf16 transient) rather than fed to torch._scaled_mm. */
  fp8Dequantises?: boolean;
  /** Lowest compute capability `--fp8` runs on (8.9: torch._scaled_mm, upstream-notes §1.1 item 8); absent: any. */
  fp8MinCc?: number;
  /** torch.compile runs (upstream Live Avatar reads ENABLE_COMPILE, default on): add the compile workspace. */
  compiles?: boolean;
  /** Bytes per element on the GPU (2: bf16). */
  elemBytes: number;
  /** Classifier-free guidance runs a second batch through the DiT (Wan2.2 S2V, Step-Video). */
  cfgBatch?: number;
  /** The companion server's GPU (Step-Video's text encoders + VAE, shared/feasibility/companion.ts); absent: not modelled. */
  server?: ServerMemoryProfile;
}

/** What a caption/VAE companion server holds on its GPU. */
export interface ServerMemoryProfile {
  textEncoders: { name: string; params: number }[];
  vaeParams: number;
  elemBytes: number;
  /** Bytes of one caption request's activations (small next to the weights). */
  captionBytes: number;
  /** Live fp32 copies of the decoded video while the VAE decodes it. */
  decodeCopies: number;
}

/**
 * A service the ranks need that runs beside torchrun, not under it (Step-Video's caption/VAE server,
 * stepfun-ai/Step-Video-T2V api/call_remote_server.py). The run starts it first, waits until it is
 * ready, tells the ranks its address, watches it like a rank and stops it with the run
 * (electron/core/runs/companions.ts, docs/step-video.md).
 */
export interface CompanionSpec {
  /** Short name used in logs, events and explanations: `caption-vae`. */
  name: string;
  label: Text;
  /**
   * argv after the Python interpreter (the run's own). Placeholders: `{resources}`, `{checkout}`,
   * `{runDir}`, `{port}`, `{flag:NAME}` (a recipe setting's value). An item whose placeholder has no
   * value is dropped together with the option in front of it when it reads `--x {flag:NAME}`.
   */
  argv: string[];
  /** 'extra': the visible GPUs the mode adds beyond the ranks (mode.extraGpus); 'none': CPU only. */
  gpu: 'extra' | 'none';
  /** The port it serves on. Upstream clients hard-code it, so it is fixed unless `portFlag` tells the ranks another. */
  port: number;
  /** A rank flag that carries the port: then the launcher may pick a free one instead of clashing on `port`. */
  portFlag?: string;
  /** Rank flags that receive the companion's host (Step-Video's --vae_url, --caption_url). */
  hostFlags: string[];
  /** How the launcher knows it is up: any HTTP answer on `path`, a TCP connect, or a line in its log. */
  readiness: { kind: 'http'; path: string } | { kind: 'tcp' } | { kind: 'log'; match: string };
  /** Seconds to wait for readiness before the run fails (loading text encoders takes minutes upstream). */
  readyTimeoutSec: number;
}

export interface Recipe {
  id: string;
  label: Text;
  description: Text;
  /** Script run by torchrun, relative to the checkout, or `resource:` for files shipped in resources/. */
  entry: string;
  /** Fixed args always passed (e.g. --task s2v-14B). */
  fixedArgs: string[];
  flags: FlagSpec[];
  modes: ModeSpec[];
  components: ComponentSize[];
  /** Memory model inputs (absent: the check can only verify counts and flags); the rehearsal carries one per scale. */
  memory?: MemoryProfile;
  memoryByScale?: Record<string, { memory: MemoryProfile; components: ComponentSize[] }>;
  progress: ProgressSpec;
  /** Env the recipe sets by default. */
  env: Record<string, string>;
  /** Env names a profile may set without explicit consent; a trailing `*` allows a prefix. */
  envAllow: string[];
  /** Needs a checkout of upstream code (false for the rehearsal that ships with the app). */
  needsCheckout: boolean;
  /** Needs flash-attn in the Python env (upstream-notes §4 "Attention backends"). */
  needsFlashAttn?: boolean;
  /** Where the numbers come from, for the docs and the UI's "why" link. */
  sources?: string[];
  /** Services started before the ranks and stopped after them (absent: torchrun only). */
  companions?: CompanionSpec[];
}
