import type { ComponentSize, MemoryProfile, ModeSpec, Recipe } from '../recipes/types';
import { roleOf, type Values } from '../recipes/settings';
import type { MemoryPart } from './types';
import { MODEL } from './constants';
import { clipsForAudio, geometry, type Geometry } from './geometry';
import { serverPhases } from './companion';
import { MEASURED_NVLINKS, type PairLink } from './links';

/**
 * Bytes per rank, phase by phase (load, encode, denoise, decode), then the peak phase plus fixed
 * overheads. The causal-s2v layouts follow upstream's control flow (upstream-notes §3.7–§4) and
 * the rehearsal's own plan (resources/workloads/lalwork/plan.py) term by term, so a measured
 * LAL_PEAK can be compared with each part.
 */
export interface RankMemory {
  rank: number;
  role: string;
  /** Phase whose allocation is the peak. */
  phase: string;
  /**
   * NCCL bytes the estimate may miss: for links not measured (NVLink with fewer links than the
   * measured NV18, PCIe P2P), the distance to the NV18 per-peer figure. The error band adds it.
   */
  ncclUncertainBytes?: number;
  /** Parts of the peak phase plus overheads; they sum to `bytes`. */
  parts: MemoryPart[];
  bytes: number;
  /** Allocated bytes per phase (torch-level, no overheads), for the docs and calibration. */
  phases: Record<string, number>;
  /** The parts of every phase (no overheads). */
  phaseParts?: Record<string, MemoryPart[]>;
}

export interface MemoryPlan {
  ranks: RankMemory[];
  host: { bytes: number; parts: MemoryPart[] };
  geometry: Geometry | null;
  /** Ranks whose memory is not modelled (Step-Video's caption/VAE server). */
  unmodelled: number[];
}

export interface MemoryInput {
  recipe: Recipe;
  mode: ModeSpec;
  values: Values;
  nproc: number;
  profile: MemoryProfile;
  components: ComponentSize[];
  /** Effective env of the run (recipe defaults + spec): ENABLE_COMPILE decides the compile workspace. */
  env: Record<string, string>;
  /** CPU run (rehearsal device=cpu): no GPU parts at all. */
  cpu: boolean;
  /** All GPUs of the run are NVLink-class (more NCCL channels, so more buffer memory). Used when `peerLink` is absent. */
  nvlink?: boolean;
  /** The link between the GPUs of two ranks (from the detected topology or a preset). */
  peerLink?: (rankA: number, rankB: number) => PairLink;
  /** PYTORCH_CUDA_ALLOC_CONF's expandable_segments: a much smaller reserve (measured on H100). */
  allocator?: 'expandable' | 'default';
}

type Phase = MemoryPart[];
const sum = (parts: MemoryPart[]) => parts.reduce((a, p) => a + p.bytes, 0);
const part = (key: string, bytes: number): MemoryPart => ({ key, bytes: Math.max(0, Math.round(bytes)) });
const ceilDiv = (a: number, b: number) => Math.ceil(a / b);
const on = (v: unknown) => v === true;

function comp(components: ComponentSize[], name: string): ComponentSize | undefined {
  return components.find((c) => c.name === name);
}


/** Weights on the GPU: bf16 (elemBytes), or with fp8 the quantised linears at 1 byte and the rest bf16 (§3.6). */
function weightBytes(c: ComponentSize | undefined, eb: number, fp8 = false): number {
  if (!c) return 0;
  if (!fp8) return c.params * eb;
  const q = c.fp8Params ?? Math.round(c.params * (c.fp8Fraction ?? 0));
  return q + (c.params - q) * eb + (c.fp8Tensors ?? 0) * 4;
}

export function planMemory(input: MemoryInput): MemoryPlan {
  const { profile } = input;
  if (profile.family === 'causal-s2v') return causalPlan(input);
  if (input.mode.memoryLayout === 'tp-sp') return tpSpPlan(input);
  return fullSeqFsdpPlan(input);
}

/**
 * Ranks a rank's NCCL communicators connect it to (see MODEL.ncclPerPeerBytes). In the TPP pipeline
 * the DiT ranks form a chain (the first has one neighbour, the others two) and the VAE rank receives
 * from the last DiT rank and broadcasts the reference from rank 0. Measured on 4x/5x H200: rank 0
 * held ~0.5 GB less than the middle ranks, the VAE rank in between (docs/validation.md, "NCCL
 * without P2P"). FSDP/Ulysses ranks talk to every other rank.
 */
export function ncclPeerRanks(input: Pick<MemoryInput, 'nproc' | 'mode'>, rank: number, role: string): number[] {
  const n = input.nproc;
  // A companion server (Step-Video's caption/VAE) talks HTTP, not NCCL.
  if (n <= 1 || role === 'server') return [];
  if (input.mode.memoryLayout === 'tpp') {
    const last = n - 1;
    if (role === 'vae') return [...new Set([last - 1, 0])].filter((p) => p !== rank && p >= 0);
    if (rank === 0) return [1];
    return [rank - 1, rank + 1].filter((p) => p >= 0 && p < n);
  }
  return Array.from({ length: n }, (_, i) => i).filter((i) => i !== rank);
}

/** NCCL buffer bytes of one rank, and how much of it rests on links nobody measured. */
export function ncclBytes(input: MemoryInput, rank: number, role: string): { bytes: number; uncertain: number } {
  const peers = ncclPeerRanks(input, rank, role);
  if (!peers.length) return { bytes: 0, uncertain: 0 };
  const fallback: PairLink = input.nvlink ? { kind: 'nvlink', nvlinks: MEASURED_NVLINKS } : { kind: 'shm' };
  const links = peers.map((p) => (input.peerLink ? input.peerLink(rank, p) : fallback));
  const anyNv = links.some((l) => l.kind === 'nvlink');
  let bytes = anyNv ? MODEL.ncclBaseBytes : MODEL.ncclPcieBaseBytes;
  let uncertain = 0;
  for (const l of links) {
    if (l.kind === 'nvlink') {
      // NCCL opens channels by bandwidth: fewer links, fewer channels. Scaled from NV18 (estimate).
      const share = Math.min(1, l.nvlinks / MEASURED_NVLINKS);
      bytes += MODEL.ncclPerPeerBytes * share;
      uncertain += MODEL.ncclPerPeerBytes * (1 - share);
    } else if (l.kind === 'pcie-p2p') {
      bytes += MODEL.ncclPcieP2pPerPeerBytes;
      uncertain += Math.max(0, MODEL.ncclPerPeerBytes - MODEL.ncclPcieP2pPerPeerBytes);
    } else bytes += MODEL.ncclPciePerPeerBytes;
  }
  return { bytes, uncertain };
}

/**
 * Per-process overheads on the rank's own GPU, for one phase. They differ by phase: NCCL buffers
 * appear at the first collective (after loading), and the caching allocator's slack is large only
 * once blocks of mixed sizes are freed and reused.
 */
function overheads(input: MemoryInput, rank: number, role: string, phase: string, phaseParts: MemoryPart[]): MemoryPart[] {
  const out: MemoryPart[] = [part('cuda_context', MODEL.cudaContextBytes)];
  const loading = phase === 'load';
  if (!loading) {
    const nccl = ncclBytes(input, rank, role).bytes;
    if (nccl > 0) out.push(part('nccl', nccl));
  }
  if (rank === 0 && input.profile.extraContextsOnGpu0 && input.nproc > 1) out.push(part('extra_contexts_gpu0', (input.nproc - 1) * MODEL.extraContextOnGpu0Bytes));
  // Upstream compiles unless ENABLE_COMPILE is set to anything but "true" (upstream-notes §4).
  const compile = !!input.profile.compiles && (input.env.ENABLE_COMPILE ?? 'true').toLowerCase() === 'true';
  if (compile && !loading) out.push(part('compile_workspace', MODEL.compileWorkspaceBytes));
  const unshard = phaseParts.filter((p) => p.key === 'fsdp_unshard').reduce((a, p) => a + p.bytes, 0);
  const allocated = phaseParts.reduce((a, p) => a + p.bytes, 0);
  // expandable_segments maps pages into one growing segment, so freed blocks leave ~0.2 GB behind
  // instead of ~2.4 GB (docs/validation-data/h100x1-allocator). FSDP's mixed block sizes were only
  // measured with the default allocator: that term stays as measured (an over-estimate, if anything).
  const reserveCap = input.allocator === 'expandable' ? MODEL.allocatorReserveExpandableBytes : MODEL.allocatorReserveBytes;
  const steady = Math.min(reserveCap, MODEL.allocatorMarginFraction * allocated) + MODEL.fsdpFragmentationFactor * unshard;
  const reserve = loading ? Math.min(MODEL.allocatorReserveAtLoadBytes, MODEL.allocatorMarginFraction * allocated) : steady;
  out.push(part('allocator_margin', reserve));
  return out.filter((p) => p.bytes > 0);
}

function finish(input: MemoryInput, rank: number, role: string, phases: Record<string, Phase>): RankMemory {
  let best = '';
  let bestBytes = -1;
  const totals: Record<string, number> = {};
  const withOverheads: Record<string, MemoryPart[]> = {};
  for (const [name, parts] of Object.entries(phases)) {
    const own = parts.filter((p) => p.bytes > 0);
    const all = [...own, ...overheads(input, rank, role, name, own)];
    const b = sum(all);
    // Phase totals stay torch-allocated bytes (what the workload's own plan and torch report);
    // the overheads only decide which phase is the device peak.
    totals[name] = sum(own);
    withOverheads[name] = all;
    if (b > bestBytes) {
      best = name;
      bestBytes = b;
    }
  }
  const parts = withOverheads[best] ?? [];
  const uncertain = parts.some((p) => p.key === 'nccl') ? ncclBytes(input, rank, role).uncertain : 0;
  const phaseParts: Record<string, MemoryPart[]> = {};
  for (const [name, ps] of Object.entries(phases)) phaseParts[name] = ps.filter((p) => p.bytes > 0);
  return { rank, role, phase: best, parts, bytes: sum(parts), phases: totals, phaseParts, ...(uncertain > 0 ? { ncclUncertainBytes: Math.round(uncertain) } : {}) };
}

interface CausalTerms {
  eb: number;
  geo: Geometry;
  dit: number;
  ditBf16: number;
  t5: number;
  vae: number;
  lora: number;
  w2vGpu: number;
  decodeWs: number;
  kv: (heads: number) => number;
  cond: (capacity: number, heads: number) => number;
  act: (capacity: number, heads: number, sp: number) => number;
}

function causalTerms(input: MemoryInput): CausalTerms {
  const { profile, components, values } = input;
  const eb = profile.elemBytes;
  const a = profile.attention;
  const geo = geometry(profile, values);
  const fp8 = on(values.fp8);
  const ditC = comp(components, 'dit');
  const kv = (heads: number) => a.numLayers * 2 * geo.kvLen * heads * a.headDim * eb;
  const condCap = (capacity: number) => (profile.condCacheFromTokens ? geo.condTokens : capacity);
  const cond = (capacity: number, heads: number) => a.numLayers * 2 * condCap(capacity) * heads * a.headDim * eb;
  const act = (capacity: number, heads: number, sp: number) => {
    const n = ceilDiv(geo.blockTokens, sp);
    const keys = MODEL.actKvCopies * (condCap(capacity) + geo.kvLen) * heads * a.headDim * eb;
    const hidden = MODEL.actHiddenPerToken * n * a.dim * eb + MODEL.actFfnPerToken * n * a.ffnDim * eb + MODEL.actFp32HiddenPerToken * n * a.dim * 4;
    const dequant = fp8 && profile.fp8Dequantises ? a.ffnDim * a.dim * eb : 0;
    return keys + hidden + dequant;
  };
  return {
    eb,
    geo,
    dit: weightBytes(ditC, eb, fp8),
    ditBf16: weightBytes(ditC, eb),
    t5: (comp(components, 't5')?.params ?? 0) * 2,
    vae: (comp(components, 'vae')?.params ?? 0) * eb,
    lora: on(values.load_lora) ? (comp(components, 'lora')?.params ?? 0) * eb : 0,
    w2vGpu: (comp(components, 'audio')?.params ?? 0) * eb,
    decodeWs: MODEL.decodeElemsPerPixel * geo.height * geo.width * eb,
    kv,
    cond,
    act,
  };
}

function causalPlan(input: MemoryInput): MemoryPlan {
  const { mode, values, nproc, profile } = input;
  const T = causalTerms(input);
  const a = profile.attention;
  const layout = mode.memoryLayout ?? (nproc > 1 ? 'tpp' : 'single');
  const capSingle = profile.condCapacitySingle ?? 2800;
  const capTpp = profile.condCapacityTpp ?? 3000;
  const t5Cpu = on(values.t5_cpu);
  const offloadModel = on(values.offload_model);
  const offloadKv = on(values.offload_kv_cache);
  // Loading with --fp8 holds the bf16 DiT first and quantises after (§3.6), plus the LoRA merge (§3.5).
  const loadDit = Math.max(T.dit, on(values.fp8) ? T.ditBf16 : T.dit);
  const ranks: RankMemory[] = [];
  const nCaches = profile.singleKvCaches ?? 4;

  for (let rank = 0; rank < nproc; rank++) {
    const role = roleOf(mode, rank);
    let phases: Record<string, Phase>;
    if (layout === 'single') {
      const caches = offloadKv ? [part('kv_cache', T.kv(a.numHeads)), part('cond_cache', T.cond(capSingle, a.numHeads))] : [part('kv_cache', nCaches * T.kv(a.numHeads)), part('cond_cache', T.cond(capSingle, a.numHeads))];
      phases = {
        load: [part('weights.dit', loadDit), part('lora_merge', T.lora), part('weights.vae', T.vae)],
        encode: [part('weights.dit', T.dit), part('weights.vae', T.vae), part('weights.t5', t5Cpu ? 0 : T.t5), part('weights.audio', T.w2vGpu)],
        denoise: [part('weights.dit', T.dit), ...caches, part('activations', T.act(capSingle, a.numHeads, 1))],
        decode: [part('weights.dit', T.dit), part('weights.vae', T.vae), part('decode_workspace', T.decodeWs)],
      };
    } else if (layout === 'tpp') {
      const isDit = role !== 'vae';
      const t5Resident = t5Cpu || offloadModel ? 0 : T.t5;
      phases = {
        load: [part('weights.dit', loadDit), part('lora_merge', T.lora), part('weights.vae', T.vae)],
        encode: [part('weights.dit', T.dit), part('weights.vae', T.vae), part('weights.t5', t5Cpu ? 0 : T.t5), part('weights.audio', T.w2vGpu)],
        denoise: [
          part('weights.dit', T.dit),
          part('weights.vae', T.vae),
          part('weights.t5', t5Resident),
          ...(isDit ? [part('kv_cache', T.kv(a.numHeads)), part('cond_cache', T.cond(capTpp, a.numHeads)), part('activations', T.act(capTpp, a.numHeads, 1))] : []),
        ],
      };
      // The VAE rank decodes every block; with offload_model its DiT goes to the CPU (§4).
      if (!isDit) phases.decode = [part('weights.dit', offloadModel ? 0 : T.dit), part('weights.vae', T.vae), part('weights.t5', t5Resident), part('decode_workspace', T.decodeWs)];
    } else {
      phases = causalFsdpPhases(input, T, rank);
    }
    ranks.push(finish(input, rank, role, phases));
  }
  return { ranks: input.cpu ? [] : ranks, host: causalHost(input, T, layout), geometry: T.geo, unmodelled: [] };
}

/** Wan-style FSDP1 (one unit per block + root) with Ulysses over heads, on the causal rehearsal. */
function causalFsdpPhases(input: MemoryInput, T: CausalTerms, rank: number): Record<string, Phase> {
  const { values, nproc, profile, components } = input;
  const a = profile.attention;
  const sp = Number(values.ulysses_size ?? 1) > 1 ? Number(values.ulysses_size) : 1;
  const heads = Math.floor(a.numHeads / sp);
  const capSingle = profile.condCapacitySingle ?? 2800;
  const f = fsdpTerms(components, T.eb, nproc);
  const t5Fsdp = on(values.t5_fsdp);
  const t5Shard = t5Fsdp ? ceilDiv(comp(components, 't5')?.params ?? 0, nproc) * T.eb : T.t5;
  const t5Resident = on(values.t5_cpu) || on(values.offload_model) ? 0 : t5Shard;
  const caches = on(values.offload_kv_cache)
    ? [part('kv_cache', T.kv(heads)), part('cond_cache', T.cond(capSingle, heads))]
    : [part('kv_cache', (profile.singleKvCaches ?? 4) * T.kv(heads)), part('cond_cache', T.cond(capSingle, heads))];
  const phases: Record<string, Phase> = {
    load: [part('weights.dit_shard', f.shard), part('weights.t5', t5Fsdp ? t5Shard : 0), part('weights.vae', T.vae), part('lora_merge', T.lora), part('fsdp_unshard', f.block)],
    encode: [
      part('weights.dit_shard', f.shard),
      part('weights.vae', T.vae),
      part('weights.t5', t5Fsdp ? t5Shard : on(values.t5_cpu) ? 0 : T.t5),
      part('fsdp_unshard', t5Fsdp ? f.t5Layer : 0),
      part('weights.audio', T.w2vGpu),
    ],
    // FSDP1 keeps the root unit (embeddings, injectors, head) gathered and gathers the running block plus the prefetched next.
    denoise: [part('weights.dit_shard', f.shard), part('weights.vae', T.vae), part('weights.t5', t5Resident), ...caches, part('fsdp_unshard', f.root + 2 * f.block), part('activations', T.act(capSingle, heads, sp))],
  };
  if (rank === 0) phases.decode = [part('weights.dit_shard', f.shard), part('weights.vae', T.vae), part('weights.t5', t5Resident), ...caches, part('decode_workspace', T.decodeWs)];
  return phases;
}

function fsdpTerms(components: ComponentSize[], eb: number, world: number) {
  const dit = comp(components, 'dit');
  const blocks = dit?.fsdpBlocks ?? 0;
  const blockParams = dit?.fsdpBlockParams ?? 0;
  const block = blockParams * eb;
  const root = ((dit?.params ?? 0) - blocks * blockParams) * eb;
  const t5 = comp(components, 't5');
  return {
    block,
    root,
    shard: ceilDiv(blocks * block, world) + ceilDiv(root, world),
    t5Layer: (t5?.fsdpBlockParams ?? 0) * eb,
  };
}

function causalHost(input: MemoryInput, T: CausalTerms, layout: string): { bytes: number; parts: MemoryPart[] } {
  const { values, nproc, profile, components, recipe } = input;
  const t5Params = comp(components, 't5')?.params ?? 0;
  const audioParams = comp(components, 'audio')?.params ?? 0;
  const eb = input.cpu ? 4 : T.eb; // the rehearsal computes in fp32 on the CPU
  const parts: MemoryPart[] = [part('process_base', nproc * MODEL.hostProcessBaseBytes)];
  // T5 on the host: every process builds it there upstream (§3.2); the rehearsal only where it stays.
  let t5Procs = 0;
  for (let r = 0; r < nproc; r++) {
    const stays = on(values.t5_cpu) || layout === 'single' || (layout === 'tpp' && on(values.offload_model));
    if (profile.t5BuiltOnHost === 'always' || (stays && !(layout === 'fsdp' && on(values.t5_fsdp)))) t5Procs++;
  }
  parts.push(part('t5_load', t5Procs * t5Params * profile.t5HostLoadBytesPerParam));
  parts.push(part('audio_encoder_fp32', nproc * audioParams * 4));
  if (profile.t5BuiltOnHost === 'always') {
    parts.push(part('vae_state_dict', nproc * (comp(components, 'vae')?.params ?? 0) * 4));
    if (on(values.load_lora)) parts.push(part('lora_state_dict', nproc * (comp(components, 'lora')?.params ?? 0) * 2));
  }
  if (layout === 'single' && on(values.offload_kv_cache)) {
    const a = profile.attention;
    parts.push(part('kv_cache_offloaded', (profile.singleKvCaches ?? 4) * (T.kv(a.numHeads) + T.cond(profile.condCapacitySingle ?? 2800, a.numHeads))));
  }
  if (layout === 'tpp' && on(values.offload_model)) parts.push(part('dit_offloaded_vae_rank', T.dit));
  if (input.cpu) {
    // CPU rehearsal: every rank's weights and caches live in RAM, in fp32.
    const gpuLike = input.recipe.memoryByScale ? cpuRanksBytes(input, T) : 0;
    parts.push(part('cpu_weights_and_caches', gpuLike * (eb / T.eb)));
  }
  const frames = Number(values.infer_frames ?? 48);
  const audioSec = recipe.memoryByScale ? MODEL.rehearsalAudioSeconds : MODEL.assumedAudioSeconds;
  const clips = Math.max(1, Math.min(Number(values.num_clip ?? 10000), clipsForAudio(audioSec, frames)));
  parts.push(part('decoded_frames', MODEL.hostSaveCopies * Math.max(0, clips * frames - 3) * 3 * T.geo.height * T.geo.width * 4));
  const kept = parts.filter((p) => p.bytes > 0);
  return { bytes: sum(kept), parts: kept };
}

/** On CPU the same ranks allocate in RAM: reuse the GPU plan of each rank's peak phase. */
function cpuRanksBytes(input: MemoryInput, T: CausalTerms): number {
  const plan = causalPlan({ ...input, cpu: false });
  void T;
  return plan.ranks.reduce((acc, r) => acc + (r.phases[r.phase] ?? 0), 0);
}

/** Wan2.2 S2V with FSDP + Ulysses: whole-clip sequence, no KV caches. */
function fullSeqFsdpPlan(input: MemoryInput): MemoryPlan {
  const { values, nproc, profile, components, mode } = input;
  const eb = profile.elemBytes;
  const a = profile.attention;
  const geo = geometry(profile, values);
  const sp = Math.max(1, Number(values.ulysses_size ?? 1));
  const f = fsdpTerms(components, eb, on(values.dit_fsdp) ? nproc : 1);
  const t5Params = comp(components, 't5')?.params ?? 0;
  const t5 = on(values.t5_fsdp) ? ceilDiv(t5Params, nproc) * 2 : t5Params * 2;
  const vae = (comp(components, 'vae')?.params ?? 0) * eb;
  // Tokens: the clip's latent frames plus reference and motion conditioning (2.5·fsl, §1.4), split by Ulysses.
  const tokens = geo.latentFrames * geo.fsl + geo.condTokens;
  const local = ceilDiv(tokens, sp);
  const cfg = profile.cfgBatch ?? 1;
  const act =
    cfg * (MODEL.actHiddenPerToken * local * a.dim * eb + MODEL.actFfnPerToken * local * a.ffnDim * eb + MODEL.actFp32HiddenPerToken * local * a.dim * 4) +
    MODEL.actKvCopies * tokens * Math.floor(a.numHeads / sp) * a.headDim * eb;
  const decodeWs = MODEL.fullSeqDecodeFactor * MODEL.decodeElemsPerPixel * geo.height * geo.width * eb;
  const unshard = on(values.dit_fsdp) ? f.root + 2 * f.block : 0;
  const ranks: RankMemory[] = [];
  for (let rank = 0; rank < nproc; rank++) {
    const t5Res = on(values.t5_cpu) || on(values.offload_model) ? 0 : t5;
    const phases: Record<string, Phase> = {
      load: [part('weights.dit_shard', f.shard), part('fsdp_unshard', on(values.dit_fsdp) ? f.block : 0), part('weights.t5', on(values.t5_cpu) ? 0 : t5), part('weights.vae', vae)],
      denoise: [part('weights.dit_shard', f.shard), part('weights.t5', t5Res), part('weights.vae', vae), part('fsdp_unshard', unshard), part('activations', act)],
    };
    if (rank === 0) phases.decode = [part('weights.dit_shard', f.shard), part('weights.t5', t5Res), part('weights.vae', vae), part('fsdp_unshard', f.root), part('decode_workspace', decodeWs + Number(values.infer_frames ?? 80) * 3 * geo.height * geo.width * 4)];
    ranks.push(finish(input, rank, roleOf(mode, rank), phases));
  }
  const host: MemoryPart[] = [part('process_base', nproc * MODEL.hostProcessBaseBytes), part('t5_load', nproc * t5Params * profile.t5HostLoadBytesPerParam)];
  // Wan builds the whole DiT on the CPU in every process before FSDP shards it (upstream-notes §4).
  host.push(part('dit_cpu_load', nproc * (comp(components, 'dit')?.params ?? 0) * eb));
  const kept = host.filter((p) => p.bytes > 0);
  return { ranks, host: { bytes: sum(kept), parts: kept }, geometry: geo, unmodelled: [] };
}

/** Step-Video: DiT split by tensor parallel, sequence by Ulysses × ring; text encoders and VAE on a server GPU (not modelled). */
function tpSpPlan(input: MemoryInput): MemoryPlan {
  const { values, nproc, profile, components, mode } = input;
  const eb = profile.elemBytes;
  const a = profile.attention;
  const geo = geometry(profile, values);
  const tp = Math.max(1, Number(values.tensor_parallel_degree ?? 1));
  const seqPar = Math.max(1, Number(values.ulysses_degree ?? 1)) * Math.max(1, Number(values.ring_degree ?? 1));
  const dit = weightBytes(comp(components, 'dit'), eb) / tp;
  const tokens = geo.latentFrames * geo.fsl;
  const local = ceilDiv(tokens, seqPar);
  const cfg = profile.cfgBatch ?? 1;
  const act = cfg * (MODEL.actHiddenPerToken * local * a.dim * eb + (MODEL.actFfnPerToken * local * a.ffnDim * eb) / tp + MODEL.actFp32HiddenPerToken * local * a.dim * 4);
  const ranks: RankMemory[] = [];
  for (let rank = 0; rank < nproc; rank++) {
    ranks.push(finish(input, rank, roleOf(mode, rank), { denoise: [part('weights.dit', dit), part('activations', act)] }));
  }
  const unmodelled: number[] = [];
  for (let i = 0; i < (mode.extraGpus ?? 0); i++) {
    // The caption/VAE server's GPU, when the recipe says what it holds (shared/feasibility/companion.ts).
    if (profile.server) {
      ranks.push(finish(input, nproc + i, 'server', serverPhases(profile.server, { frames: Number(values.num_frames) || geo.latentFrames * profile.framesPerLatent, height: geo.height, width: geo.width })));
      continue;
    }
    unmodelled.push(nproc + i);
    ranks.push({ rank: nproc + i, role: 'server', phase: 'serve', parts: [part('cuda_context', MODEL.cudaContextBytes)], bytes: MODEL.cudaContextBytes, phases: {} });
  }
  const host = [part('process_base', nproc * MODEL.hostProcessBaseBytes), part('dit_load', (comp(components, 'dit')?.params ?? 0) * eb)];
  return { ranks, host: { bytes: sum(host), parts: host }, geometry: geo, unmodelled };
}
