"""The three process layouts, following upstream's control flow (docs/upstream-notes.md §4, §5;
causal_s2v_pipeline.py / causal_s2v_pipeline_tpp.py; Wan2.2's FSDP + Ulysses for the third).

Each layout does, per rank: load (weights on the device where upstream keeps them), encode the
conditioning (T5, audio encoder, VAE on the GPU when upstream puts them there), allocate the KV and
conditioning caches, denoise clip by clip and block by block with a tqdm bar per block, decode,
and save. docs/rehearsal.md lists the bytes of each step.
"""

import gc
import logging
import os
import time
from datetime import datetime

import torch
import torch.distributed as dist

from . import shapes
from .model import DiT, SeqParallel, cond_overflow_message, move_cache, new_flat, new_kv_cache, share_cond
from .progress import progress
from .video import frames_to_uint8, write_y4m

log = logging.getLogger("rehearsal")


def _wire(t):
    """gloo (torch 1.13) has no bf16 collectives ("Invalid scalar type"); send the same bytes as uint8."""
    if t.dtype == torch.bfloat16 and dist.get_backend() == "gloo":
        return t.contiguous().view(torch.uint8) if t.is_contiguous() else t
    return t


class Run:
    """Everything one rank knows about the job."""

    def __init__(self, args, d, geo, layout, rank, world, local_rank, device, dtype, faults, clips):
        self.args = args
        self.d = d
        self.geo = geo
        self.layout = layout
        self.rank = rank
        self.world = world
        self.local_rank = local_rank
        self.device = device
        self.dtype = dtype
        self.faults = faults
        self.clips = clips
        self.timings = {"load": None, "first_clip": None, "total": None}
        self.t5_host = None
        self.t5_gpu = None
        self.wav2vec = None
        self.vae = None
        self.dit = None
        self.frames = []
        self.ckpt = (args.ckpt_dir or "ckpt/Wan2.2-S2V-14B/").rstrip("/")

    # -- helpers -----------------------------------------------------------------------------
    def empty_cache(self):
        gc.collect()
        if self.device.type == "cuda":
            torch.cuda.empty_cache()

    def sync(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def timesteps(self, steps):
        # Euler with shift 3 (upstream hard-codes shift=3): sigma' = 3s / (1 + 2s)
        sig = torch.linspace(1.0, 0.0, steps + 1)
        sig = 3.0 * sig / (1.0 + 2.0 * sig)
        return [float(s) * 1000.0 for s in sig[:-1]], [float(s) for s in sig]

    def noise(self, clip):
        g = torch.Generator(device="cpu")
        g.manual_seed(1234 + clip)
        shape = (16, self.geo.lat_frames, self.geo.height // 8, self.geo.width // 8)
        return torch.randn(shape, generator=g).to(self.device, self.dtype)

    def context(self):
        g = torch.Generator(device="cpu")
        g.manual_seed(7)
        ctx = torch.randn((self.d.text_tokens, self.d.text_dim), generator=g)
        audio = torch.randn((self.d.num_audio_token * self.geo.lat_frames, self.d.dim), generator=g)
        cond = torch.randn((self.geo.cond_tokens, self.d.dim), generator=g)
        return ctx.to(self.device, self.dtype), audio.to(self.device, self.dtype), cond.to(self.device, self.dtype)

    # -- load ----------------------------------------------------------------------------------
    def load_common(self, t5_on_host, dit_device):
        a = self.args
        log.info("Creating WanS2V pipeline.")
        log.info(f"loading {self.ckpt}/models_t5_umt5-xxl-enc-bf16.pth (rehearsal: random weights)")
        t5_params = shapes.t5_params(self.d)
        if a.t5_fsdp:
            self.t5_shard = new_flat(shapes.ceil_div(t5_params, self.world), self.dtype, self.device)
        elif t5_on_host:
            # Upstream builds T5 on the CPU in every process; it only moves to the GPU to encode.
            self.t5_host = new_flat(t5_params, torch.bfloat16, torch.device("cpu"))
        # wav2vec2 lives on the CPU in fp32 and visits the GPU in bf16 to encode (TPP L771-773).
        self.wav2vec = new_flat(self.d.wav2vec_params, torch.float32, torch.device("cpu"))
        log.info(f"loading {self.ckpt}/Wan2.1_VAE.pth (rehearsal: random weights)")
        self.vae = new_flat(self.d.vae_params, self.dtype, self.device)
        log.info(f"Creating WanModel from {self.ckpt}/")
        self.faults.at_load()
        if dit_device is not None:
            self.dit = DiT(self.d, self.dtype, dit_device)
            self.lora_and_fp8()

    def lora_and_fp8(self):
        a = self.args
        if a.load_lora:
            print(f"Use LoRA: lora path: {a.lora_path_dmd}, lora rank:", self.d.lora_rank, ", lora alpha: ", float(self.d.lora_rank) / 2)
            # PEFT adds A/B matrices for every target Linear, merges and unloads them (TPP L229-234).
            lora = new_flat(shapes.lora_params(self.d), self.dtype, self.device)
            delta = torch.empty((self.d.ffn_dim, self.d.dim), dtype=self.dtype, device=self.device)
            delta.zero_()
            self.sync()
            del lora, delta
            print("LoRA merged successfully.")
            self.empty_cache()
        if a.fp8:
            self.dit.quantise_fp8()
            self.sync()
            self.empty_cache()

    def encode_conditioning(self, offload_after):
        """encode_prompt + audio + reference: what visits the GPU and what stays there."""
        a = self.args
        d = self.d
        t5_params = shapes.t5_params(d)
        if a.t5_fsdp:
            # FSDP all-gathers one T5 block at a time: a full-layer transient per rank.
            layer = shapes.ceil_div(t5_params - d.t5_vocab * d.t5_dim, max(1, d.t5_layers))
            shard = shapes.ceil_div(layer, self.world)
            for _ in range(d.t5_layers):
                part = torch.empty(shard, dtype=self.dtype, device=self.device).fill_(0.01)
                parts = [torch.empty_like(part) for _ in range(self.world)]
                dist.all_gather([_wire(x) for x in parts], _wire(part))
                full = torch.cat(parts)
                del part, parts, full
        elif a.t5_cpu:
            self._touch_t5(self.t5_host)
        else:
            if self.t5_host is not None:
                gpu = self.t5_host.data.to(self.device)  # the whole model visits the GPU
            else:
                # Upstream moves the CPU-built T5 to the GPU here and keeps it there (offload_model
                # False). We allocate it straight on the device: same device bytes, no host copy.
                gpu = torch.empty(t5_params, dtype=self.dtype, device=self.device).fill_(0.01)
            self._touch_t5(gpu)
            if offload_after:
                del gpu  # back to the CPU copy (offload_model True)
            else:
                # Upstream moved the module, so the host copy is gone and the GPU one stays.
                self.t5_gpu = gpu
                self.t5_host = None
        w2v = self.wav2vec.data.to(self.device, self.dtype)
        self.sync()
        del w2v
        self.empty_cache()
        print("complete prepare conditional inputs")

    def _touch_t5(self, flat):
        d = self.d
        n = min(flat.numel() // d.t5_dim, d.t5_dim)
        w = flat[: n * d.t5_dim].reshape(n, d.t5_dim).to(self.dtype)
        x = torch.ones((8, d.t5_dim), dtype=self.dtype, device=w.device)
        (x @ w.t()).sum().item()

    # -- denoise one block on one cache ----------------------------------------------------------
    def dit_step(self, latents, t, cache, start, ctx, audio, cond_x=None):
        inner = getattr(self.dit, "module", self.dit)  # FSDP wraps the DiT
        st = inner.state
        st.cache, st.start, st.cond_x_full = cache, start, cond_x
        try:
            with torch.no_grad():
                return self.dit(latents, t, ctx, audio)
        finally:
            st.cache = st.cond_x_full = st.cond_x = None

    def check_cond_capacity(self, capacity):
        if self.geo.full_cond_tokens > capacity:
            raise RuntimeError(cond_overflow_message(self.geo.full_cond_tokens, capacity, shapes.FULL))

    def decode_block(self, latents):
        """Stand-in for the Wan2.1 VAE decode of one block: returns frames [N, 3, H, W] float32 on
        the CPU (upstream keeps decoded frames on the host in float32) and holds an estimated
        decoder workspace on the device while it runs."""
        g = self.geo
        n_frames = g.frames_per_block
        ws = torch.empty(4 * 96 * 4 * g.height * g.width, dtype=self.dtype, device=self.device)
        ws.zero_()
        rgb = latents[:3].float().mean(1, keepdim=False)  # [3, h, w]
        rgb = torch.nn.functional.interpolate(rgb.unsqueeze(0), size=(g.height, g.width), mode="nearest")[0]
        rgb = torch.tanh(rgb)
        ramp = torch.linspace(-0.2, 0.2, n_frames, device=rgb.device).reshape(n_frames, 1, 1, 1)
        frames = (rgb.unsqueeze(0) + ramp).clamp(-1, 1).cpu()
        del ws
        return frames

    def save(self):
        a = self.args
        path = a.save_file
        if path is None:
            stamp = datetime.now().strftime("%Y%m%d_%H%M%S")
            prompt = (a.prompt or "rehearsal").replace(" ", "_").replace("/", "_")[:50]
            path = os.path.join(a.save_dir or "./output/", f"{stamp}_{a.sample_steps}step_{prompt}.y4m")
        log.info(f"Saving generated video to {path}")
        video = torch.cat(self.frames, 0) if self.frames else torch.zeros((1, 3, self.geo.height, self.geo.width))
        write_y4m(path, frames_to_uint8(video))
        return path


# ---------------------------------------------------------------------------------------------
def denoise_with_caches(run, caches, gen_start, on_block=None, on_clip=None):
    """The cached causal denoising loop shared by the single-GPU and FSDP layouts: prefill the four
    step caches with the reference frames, then for every clip and block run each step against the
    cache of that step (upstream indexes caches by step, so sample_steps > 4 raises KeyError: '5').
    `on_block(r, b, block, lat)` sees each finished block, `on_clip(lat)` each finished clip."""
    a, g = run.args, run.geo
    ctx, audio, cond_x = run.context()
    ts, sig = run.timesteps(a.sample_steps)
    for r in range(run.clips):
        lat = run.noise(r)
        if r == 0:
            run.check_cond_capacity(shapes.COND_CAPACITY_SINGLE)
            for gpu_id in range(4):
                c = caches[str(gpu_id + 1)]
                if a.offload_kv_cache:
                    move_cache(c, run.device)
                run.dit_step(lat[:, 0:3], 0.0, c, 0, ctx, audio, cond_x)
                if a.offload_kv_cache:
                    move_cache(c, "cpu")
        for b in range(g.num_blocks):
            block = lat[:, b * 3:(b + 1) * 3]
            start = (b + r * g.num_blocks) * g.block_tokens
            for i, t in enumerate(progress(ts)):
                run.faults.at_step(r + 1, i + 1, b == 0)
                c = caches[str(i + 1)]
                if a.offload_kv_cache:
                    move_cache(c, run.device)
                pred = run.dit_step(block, t, c, start, ctx, audio)
                if a.offload_kv_cache:
                    move_cache(c, "cpu")
                block = block + (sig[i + 1] - sig[i]) * pred
            lat[:, b * 3:(b + 1) * 3] = block
            if on_block:
                on_block(r, b, block, lat)
        if on_clip:
            on_clip(lat)
        if r == 0:
            run.sync()
            run.timings["first_clip"] = time.monotonic() - gen_start


def run_single(run):
    """world_size 1: everything on one GPU; 4 KV caches simulate the 4 TPP stages."""
    a, g, d = run.args, run.geo, run.d
    run.load_common(t5_on_host=True, dit_device=run.device)
    run.timings["load_done"] = time.monotonic()
    log.info("Generating video ...")
    gen_start = time.monotonic()
    run.encode_conditioning(offload_after=a.offload_model)
    # Upstream (offload_model or init_on_cpu, the latter True by default): DiT on the GPU; VAE,
    # T5 and audio encoder to the CPU before the caches are allocated.
    vae_host = run.vae.data.to("cpu")
    run.vae = None
    run.t5_gpu = None
    run.empty_cache()

    cache_dev = torch.device("cpu") if a.offload_kv_cache else run.device
    caches = {}
    shared = None if a.offload_kv_cache else new_kv_cache(d, 0, shapes.COND_CAPACITY_SINGLE if d.scale == "full" else g.cond_tokens, d.num_heads, run.dtype, run.device)
    cond_cap = shapes.COND_CAPACITY_SINGLE if d.scale == "full" else g.cond_tokens
    for gpu_id in range(4):
        c = new_kv_cache(d, g.kv_len, 0 if shared is not None else cond_cap, d.num_heads, run.dtype, cache_dev)
        caches[str(gpu_id + 1)] = share_cond(c, shared) if shared is not None else c
    clip_latents = []
    denoise_with_caches(run, caches, gen_start, on_clip=clip_latents.append)
    print("complete full-sequence generation")
    if a.offload_model:
        print("loading VAE to cuda for final decode of remaining clips")
    del caches, shared
    run.empty_cache()
    run.vae = vae_host.to(run.device)
    for r, lat in enumerate(clip_latents):
        for b in range(g.num_blocks):
            frames = run.decode_block(lat[:, b * 3:(b + 1) * 3])
            if r == 0 and b == 0:
                frames = frames[3:]
            run.frames.append(frames)
    if a.offload_model:
        run.vae = run.vae.to("cpu")
    run.sync()
    print("denoising video done")
    print(f"rank: {run.rank}")
    run.save()


# ---------------------------------------------------------------------------------------------
def run_tpp(run):
    """Time-pipeline parallel: DiT rank k runs denoising step k of every block and passes the
    latents on with send/recv; the extra rank (enable_vae_parallel) decodes and saves."""
    a, g, d = run.args, run.geo, run.d
    n_dit = a.num_gpus_dit
    vae_rank = n_dit - 1 + int(a.enable_vae_parallel)
    is_vae = run.rank == vae_rank
    src = None if run.rank == 0 else run.rank - 1
    tgt = None if run.rank == vae_rank else run.rank + 1
    run.load_common(t5_on_host=a.t5_cpu or a.offload_model, dit_device=run.device)
    run.timings["load_done"] = time.monotonic()
    log.info("Generating video ...")
    gen_start = time.monotonic()
    run.encode_conditioning(offload_after=a.offload_model)

    cache = None
    if run.rank < n_dit:
        cond_cap = shapes.COND_CAPACITY_TPP if d.scale == "full" else g.cond_tokens
        cache = new_kv_cache(d, g.kv_len, cond_cap, d.num_heads, run.dtype, run.device)
    ctx, audio, cond_x = run.context()
    ts, sig = run.timesteps(a.sample_steps)
    ref = torch.zeros((16, 1, g.height // 8, g.width // 8), dtype=run.dtype, device=run.device)
    lat = None
    for r in range(run.clips):
        if r == 0 or not is_vae:
            lat = run.noise(r)
        if r in (0, 1) and not is_vae:
            if r == 1:
                dist.broadcast(_wire(ref), src=vae_rank)
            run.check_cond_capacity(shapes.COND_CAPACITY_TPP)
            run.dit_step(lat[:, 0:3], 0.0, cache, 0, ctx, audio, cond_x)
        for b in range(g.num_blocks):
            block = lat[:, b * 3:(b + 1) * 3].contiguous()
            start = (b + r * g.num_blocks) * g.block_tokens
            for i, t in enumerate(progress(ts)):
                run.faults.at_step(r + 1, i + 1, b == 0)
                if i != run.rank:
                    continue
                if src is not None:
                    inp = torch.empty_like(block)
                    dist.recv(inp, src)
                else:
                    inp = block
                pred = run.dit_step(inp, t, cache, start, ctx, audio)
                block = (inp + (sig[i + 1] - sig[i]) * pred).contiguous()
                if tgt is not None:
                    dist.send(block, tgt)
            if is_vae and a.enable_vae_parallel:
                wait = time.monotonic()
                block = torch.empty_like(block)
                dist.recv(block, src)
                run.sync()
                if time.monotonic() - wait < 0.01:
                    print("WARNING: VAE serves as a bottleneck!")
                if a.offload_model:
                    print("offloading model to cpu")
                    run.dit.cpu()
                    run.sync()
                    run.empty_cache()
                if r == 0 and run.clips != 1:
                    if b == 0:
                        ref = block[:, 0:1].contiguous()
                    elif b == g.num_blocks - 1:
                        dist.broadcast(_wire(ref), src=vae_rank)
                frames = run.decode_block(block)
                if r == 0 and b == 0:
                    frames = frames[3:]
                run.frames.append(frames)
        if r == 0:
            run.sync()
            run.timings["first_clip"] = time.monotonic() - gen_start
    dist.barrier()
    print("denoising video done")
    print(f"rank: {run.rank}")
    if is_vae:
        run.save()


# ---------------------------------------------------------------------------------------------
def run_fsdp(run):
    """FSDP1 over the DiT blocks (Wan's shard_model) with Ulysses sequence parallel: every rank
    runs every step on its share of the tokens; rank 0 decodes and saves."""
    a, g, d = run.args, run.geo, run.d
    sp = a.ulysses_size if a.ulysses_size > 1 else 1
    run.load_common(t5_on_host=a.t5_cpu, dit_device=None)
    if a.load_lora:
        print(f"Use LoRA: lora path: {a.lora_path_dmd}, lora rank:", d.lora_rank, ", lora alpha: ", float(d.lora_rank) / 2)
        lora = new_flat(shapes.lora_params(d), run.dtype, run.device)
        run.sync()
        del lora
        print("LoRA merged successfully.")
    run.dit = shard_model(d, run.dtype, run.local_rank, sp)
    run.empty_cache()
    run.timings["load_done"] = time.monotonic()
    log.info("Generating video ...")
    gen_start = time.monotonic()
    run.encode_conditioning(offload_after=a.offload_model)

    heads = d.num_heads // sp
    cache_dev = torch.device("cpu") if a.offload_kv_cache else run.device
    # Ulysses pads the conditioning tokens to a multiple of the ranks before its all-to-all, so a
    # tiny-scale capacity must be padded too (30 tokens over 4 ranks arrive as 32).
    cond_cap = shapes.COND_CAPACITY_SINGLE if d.scale == "full" else -(-g.cond_tokens // sp) * sp
    shared = None if a.offload_kv_cache else new_kv_cache(d, 0, cond_cap, heads, run.dtype, run.device)
    caches = {}
    for gpu_id in range(4):
        c = new_kv_cache(d, g.kv_len, 0 if shared is not None else cond_cap, heads, run.dtype, cache_dev)
        caches[str(gpu_id + 1)] = share_cond(c, shared) if shared is not None else c
    def decode_on_rank0(r, b, block, _lat):
        if run.rank == 0:
            frames = run.decode_block(block)
            if r == 0 and b == 0:
                frames = frames[3:]
            run.frames.append(frames)

    denoise_with_caches(run, caches, gen_start, on_block=decode_on_rank0)
    dist.barrier()
    print("denoising video done")
    print(f"rank: {run.rank}")
    if run.rank == 0:
        run.save()


def shard_model(d, dtype, local_rank, sp):
    """Wan's shard_model: FSDP1, FULL_SHARD, one unit per block plus the root, bf16 mixed
    precision, device_id=local_rank, sync_module_states=True. The model is built on the meta
    device and each unit materialised on the GPU just before it is sharded, so no rank ever holds
    the whole model (upstream holds it in host RAM; see docs/rehearsal.md)."""
    from functools import partial

    import torch.nn as nn
    from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
    from torch.distributed.fsdp import MixedPrecision, ShardingStrategy
    from torch.distributed.fsdp.wrap import lambda_auto_wrap_policy

    from .model import _init_

    device = torch.device("cuda", local_rank)
    model = DiT(d, dtype, torch.device("meta"))
    model.state.sp = SeqParallel(dist.group.WORLD, sp)

    def materialise(module):
        for m in module.modules():
            for name, p in list(m.named_parameters(recurse=False)):
                if p.is_meta:
                    setattr(m, name, nn.Parameter(_init_(torch.empty(p.shape, dtype=p.dtype, device=device)), requires_grad=False))

    blocks = set(model.blocks)
    return FSDP(
        module=model,
        sharding_strategy=ShardingStrategy.FULL_SHARD,
        auto_wrap_policy=partial(lambda_auto_wrap_policy, lambda_fn=lambda m: m in blocks),
        mixed_precision=MixedPrecision(param_dtype=torch.bfloat16, reduce_dtype=torch.float32, buffer_dtype=torch.float32),
        device_id=local_rank,
        sync_module_states=True,
        param_init_fn=materialise,
    )
