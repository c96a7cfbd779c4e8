"""The bytes each rank should allocate, by component and by phase, printed as `LAL_PLAN {json}`
before loading. Same formulas as docs/rehearsal.md §3, so a measured `LAL_PEAK` can be checked
against them and the feasibility model can mirror them."""

from . import shapes
from .shapes import BF16, FP32


def build_plan(args, d, geo, layout, rank, world, elem_bytes=BF16):
    """elem_bytes is the DiT/VAE/cache element size: 2 (bf16) on every device. The rehearsal
    computes in bf16 on the CPU too (torch 1.13's CPU kernels handle it), so a CPU run holds the
    same bytes in RAM that a GPU run holds on the device."""
    eb = elem_bytes
    scale_factor = eb / BF16
    dit = int(shapes.dit_bytes(d, args.fp8) * (scale_factor if not args.fp8 else 1))
    dit_bf16 = shapes.dit_params(d) * eb
    t5 = shapes.t5_params(d) * BF16 if layout != "fsdp" or not args.t5_fsdp else shapes.ceil_div(shapes.t5_params(d), world) * eb
    vae = d.vae_params * eb
    lora = shapes.lora_params(d) * eb if args.load_lora else 0
    w2v_gpu = d.wav2vec_params * eb
    w2v_host = d.wav2vec_params * FP32
    decode_ws = 4 * 96 * 4 * geo.height * geo.width * eb
    frames_total = max(0, args._clips * args.infer_frames - 3)
    frames_host = frames_total * 3 * geo.height * geo.width * FP32

    def cond(capacity, heads):
        return shapes.kv_cache_bytes(d, capacity, heads) * eb // BF16

    def kv(heads):
        return shapes.kv_cache_bytes(d, geo.kv_len, heads) * eb // BF16

    def activations(cap, heads, sp=1):
        # Estimate for one block forward (docs/rehearsal.md §3.5): the concatenated cond+KV keys
        # and values, q/k/v and residual copies, the FFN intermediate and its GELU, fp32 RMS-norm
        # temporaries, and (fp8) one dequantised weight.
        n = shapes.ceil_div(geo.block_tokens, sp)
        keys = 2 * (cap + geo.kv_len) * heads * d.head_dim * eb
        return keys + 6 * n * d.dim * eb + 2 * n * d.ffn_dim * eb + 4 * n * d.dim * FP32 + (d.ffn_dim * d.dim * eb if args.fp8 else 0)

    cap_tpp = shapes.COND_CAPACITY_TPP if d.scale == "full" else geo.cond_tokens
    cap_single = shapes.COND_CAPACITY_SINGLE if d.scale == "full" else geo.cond_tokens
    load_dit = max(dit, dit_bf16 if args.fp8 else dit) + lora
    gpu, phases, host = {}, {}, {"wav2vec_fp32": w2v_host}

    if layout == "single":
        role = "single"
        caches = (kv(d.num_heads) + cond(cap_single, d.num_heads)) if args.offload_kv_cache else (4 * kv(d.num_heads) + cond(cap_single, d.num_heads))
        gpu = {"dit": dit, "kv_and_cond_caches": caches}
        t5_gpu = 0 if args.t5_cpu else t5
        phases = {
            "load": load_dit + vae,
            "encode": dit + vae + t5_gpu + w2v_gpu,
            "denoise": dit + caches + activations(cap_single, d.num_heads),
            "decode": dit + vae + decode_ws,
        }
        host.update({"t5": t5, "vae_while_denoising": vae, "decoded_frames_fp32": frames_host})
        if args.offload_kv_cache:
            host["kv_and_cond_caches"] = 4 * (kv(d.num_heads) + cond(cap_single, d.num_heads))
    elif layout == "tpp":
        vae_rank = args.num_gpus_dit - 1 + int(args.enable_vae_parallel)
        role = "vae" if rank == vae_rank else "dit"
        t5_resident = 0 if (args.t5_cpu or args.offload_model) else t5
        t5_visit = 0 if args.t5_cpu else t5
        caches = kv(d.num_heads) + cond(cap_tpp, d.num_heads) if role == "dit" else 0
        gpu = {"dit": dit, "vae": vae, "t5": t5_resident, "kv_and_cond_caches": caches}
        phases = {
            "load": load_dit + vae,
            "encode": dit + vae + t5_visit + w2v_gpu,
            "denoise": dit + vae + t5_resident + caches + (activations(cap_tpp, d.num_heads) if role == "dit" else 0),
        }
        if role == "vae":
            phases["decode"] = (0 if args.offload_model else dit) + vae + t5_resident + decode_ws
            host["decoded_frames_fp32"] = frames_host
            if args.offload_model:
                host["dit_offloaded"] = dit
        if args.t5_cpu or args.offload_model:
            host["t5"] = t5
    else:
        role = "fsdp"
        sp = args.ulysses_size if args.ulysses_size > 1 else 1
        heads = d.num_heads // sp
        block = shapes.block_params(d) * eb
        root = (shapes.dit_params(d) - d.num_layers * shapes.block_params(d)) * eb
        shard = shapes.ceil_div(d.num_layers * block, world) + shapes.ceil_div(root, world)
        caches = (kv(heads) + cond(cap_single, heads)) if args.offload_kv_cache else (4 * kv(heads) + cond(cap_single, heads))
        t5_resident = 0 if (args.t5_cpu or args.offload_model) else t5
        gpu = {"dit_shard": shard, "vae": vae, "t5": t5_resident, "kv_and_cond_caches": caches}
        # During a forward the root unit (embeddings, injectors, head...) stays gathered and
        # FSDP1 gathers the running block plus the prefetched next one.
        unsharded = root + 2 * block
        phases = {
            "load": shard + vae + lora + block,
            "encode": shard + vae + (0 if args.t5_cpu else t5) + w2v_gpu,
            "denoise": shard + vae + t5_resident + caches + unsharded + activations(cap_single, heads, sp),
        }
        if rank == 0:
            phases["decode"] = shard + vae + t5_resident + caches + decode_ws
            host["decoded_frames_fp32"] = frames_host
        if args.t5_cpu:
            host["t5"] = t5
    return {
        "rank": rank, "world_size": world, "layout": layout, "role": role, "scale": d.scale,
        "geometry": {"height": geo.height, "width": geo.width, "fsl": geo.fsl, "kv_len": geo.kv_len,
                     "num_blocks": geo.num_blocks, "clips": args._clips},
        "gpu_steady": gpu, "gpu_steady_total": sum(gpu.values()),
        "gpu_phases": phases, "gpu_peak_expected": max(phases.values()) if phases else 0,
        "host": host,
    }
