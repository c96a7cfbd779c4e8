/**
 * Every tunable number of the memory model, in one table. Calibrate here and nowhere else.
 *
 * Component sizes and cache formulas are not here: they are exact (recipes and upstream-notes §3).
 * What is here are the estimates around them, each with its source. The lead's GPU rehearsal
 * (resources/workloads/measure.py: LAL_PEAK next to LAL_PLAN) is how they get calibrated;
 * docs/feasibility.md lists which measurement moves which constant.
 */
export const MiB = 2 ** 20;
export const GiB = 2 ** 30;
export const GB = 1e9;

export const MODEL = {
  /**
   * A process's own CUDA context plus cuBLAS/cuDNN handles and workspaces on its GPU, as nvidia-smi
   * sees it beyond torch's allocations. torch 2.x with lazy module loading: ~0.4–0.6 GiB on H100.
   * §3.8: "Add roughly 2–5 GB for CUDA context, activations and compile workspace".
   */
  cudaContextBytes: 0.7 * GiB,
  /** A context another process opens on GPU 0 (upstream's t5.py default argument, upstream-notes §3.8: ~0.3–0.5 GB each). */
  extraContextOnGpu0Bytes: 0.4 * GiB,
  /**
   * NCCL communicator buffers per rank: a base plus one share per peer the rank talks to (TPP ranks
   * talk to their two pipeline neighbours, FSDP/Ulysses ranks to every other rank). NCCL creates
   * them lazily at the first collective, so the load phase carries none.
   * Calibrated on 4×/8× H200, NCCL 2.28.9, NVLS off (docs/validation.md): device-used minus
   * torch-reserved was 1.4 GB on FSDP-2, 1.9–2.5 GB on TPP DiT ranks, 2.9 GB on FSDP-4.
   */
  ncclBaseBytes: 0.7 * GiB,
  ncclPerPeerBytes: 0.45 * GiB,
  /**
   * Without P2P (consumer cards such as the RTX 4090, or NCCL_P2P_DISABLE=1) NCCL goes through host
   * shared memory with 4 channels instead of 32. Measured on 4× H200 with NCCL_P2P_DISABLE=1
   * (docs/validation-data/nccl-no-p2p-h200x4): device-used minus torch-reserved was 1.20 GB on
   * FSDP-2 and on FSDP-4 and 1.22–1.26 GB on TPP-4 ranks, i.e. 0.47–0.61 GB of NCCL over a
   * 0.65–0.73 GB context, not growing with peers. Predictions land within +5% of those runs.
   */
  ncclPcieBaseBytes: 0.5 * GiB,
  ncclPciePerPeerBytes: 0,
  /**
   * PCIe with P2P (L40S, RTX 6000 Ada, H100 PCIe, the non-bridged pairs of an H100 NVL box): not
   * measured. NCCL's P2P transport opens a few channels per peer over PCIe; the estimate sits
   * between SHM (flat) and NVLink, and the error band adds the distance to the NVLink figure.
   */
  ncclPcieP2pPerPeerBytes: 0.1 * GiB,
  /**
   * Caching-allocator slack over the torch-allocated peak (fragmentation, rounding to 2 MiB blocks,
   * blocks cached between phases). Applied to the peak phase's allocated bytes.
   */
  /** Cap on the steady reserve as a fraction of allocated bytes, so tiny runs get a tiny margin. */
  allocatorMarginFraction: 0.06,
  /**
   * Measured instead of the fraction once a rank runs its steady loop: torch-reserved minus
   * torch-allocated was 2.45 GB on single-GPU and TPP ranks on H200 whatever the peak size, and
   * 2.4–3.0 GB more on FSDP ranks, about 0.45× the FSDP unshard working set (blocks of several
   * sizes fragment the cache). The load phase allocates a few huge tensors and wastes almost nothing (0.02 GB).
   */
  allocatorReserveBytes: 2.3 * GiB,
  /**
   * The same reserve with PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True (Live Avatar's default):
   * torch-reserved minus torch-allocated was 0.06 GB (bf16) to 0.21 GB (fp8, per-Linear dequantise
   * transients) on an H100 at 36–72 frames, against 0.85–2.35 GB without it
   * (docs/validation-data/h100x1-allocator).
   */
  allocatorReserveExpandableBytes: 0.2 * GiB,
  allocatorReserveAtLoadBytes: 0.1 * GiB,
  fsdpFragmentationFactor: 0.45,
  /** torch.compile / inductor workspace when ENABLE_COMPILE is on (upstream default): autotune buffers and graphs. §3.8. */
  compileWorkspaceBytes: 1.0 * GiB,

  // --- activations of one DiT block forward (causal pipelines; mirrors lalwork/plan.py activations()) ---
  /** The cond + KV keys and values concatenated for attention: this many copies (k and v). */
  actKvCopies: 2,
  /** Hidden-size temporaries per token in bf16: q, k, v, attention out, residual, norm. */
  actHiddenPerToken: 6,
  /** FFN intermediate and its GELU per token, bf16. */
  actFfnPerToken: 2,
  /** fp32 RMS-norm and softmax temporaries per token, in units of `dim` fp32 values. */
  actFp32HiddenPerToken: 4,

  /** VAE decode workspace per output pixel per decode call, in elements (4 × 96 channels × 4 temporal: lalwork/plan.py decode_ws). */
  decodeElemsPerPixel: 4 * 96 * 4,
  /** Full-sequence pipelines (Wan2.2, Step-Video) decode the whole clip at once on rank 0: this many times the per-call workspace. */
  fullSeqDecodeFactor: 4,

  // --- host RAM ---
  /** Python + torch + CUDA runtime libraries resident per process (RSS before any model). */
  hostProcessBaseBytes: 3 * GiB,
  /** Host copies of the decoded video at save time: float32 list + torch.cat + clamp/uint8 copies (upstream-notes §3.9: 3–4×). */
  hostSaveCopies: 3.5,
  /** Audio length assumed for host-RAM of decoded frames when the clip count is open (num_clip 10000 = "whole audio"). */
  assumedAudioSeconds: 60,
  /** The rehearsal's pretend audio when no WAV is given (rehearsal.py --audio_seconds default). */
  rehearsalAudioSeconds: 4,

  // --- verdict ---
  /** Below this headroom (fraction of the GPU's available memory) the verdict is "tight". */
  tightHeadroomFraction: 0.1,
} as const;

export type ModelConstants = typeof MODEL;
