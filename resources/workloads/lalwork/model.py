"""A DiT with S2V-14B's parameter layout and a causal KV cache, random weights.

It is not Live Avatar's network: it has the same tensors (so the same bytes, and the same
send/recv/all-gather/all-to-all traffic) and does the same kind of work per block (patchify,
40 blocks of self-attention over cond cache + rolling KV cache, cross-attention, FFN, 12 audio
injectors, head), so memory and step time are in the right place. Which tensors exist, and their
sizes, is shapes.py; the byte formulas are in docs/rehearsal.md.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import shapes

FP8_DTYPE = getattr(torch, "float8_e4m3fn", None)  # torch >= 2.1; older torch stores 1-byte uint8


def _init_(t):
    """Cheap, non-degenerate init. GPU RNG fills 30 GB in well under a second; host tensors get a
    constant fill instead (it still commits the pages, so RSS is real)."""
    if t.is_meta:
        return t
    if t.device.type == "cuda" or t.numel() < (1 << 22):
        bound = 1.0 / math.sqrt(max(1, t.shape[-1])) if t.dim() > 1 else 0.02
        t.uniform_(-bound, bound)
    else:
        t.fill_(0.01)
    return t


def new_param(shape, dtype, device):
    return nn.Parameter(_init_(torch.empty(shape, dtype=dtype, device=device)), requires_grad=False)


def new_flat(numel, dtype, device):
    """Weights the rehearsal never computes with: one flat tensor of the right element count."""
    return nn.Parameter(_init_(torch.empty(numel, dtype=dtype, device=device)), requires_grad=False)


LINEARS_BLOCK = ("q", "k", "v", "o", "cq", "ck", "cv", "co", "ffn1", "ffn2")
LINEARS_INJECTOR = ("q", "k", "v", "o", "ada")


class Block(nn.Module):
    def __init__(self, d, dtype, device):
        super().__init__()
        D, Fd = d.dim, d.ffn_dim
        for name in ("q", "k", "v", "o", "cq", "ck", "cv", "co"):
            setattr(self, name + "_w", new_param((D, D), dtype, device))
            setattr(self, name + "_b", new_param((D,), dtype, device))
        for name in ("norm_q", "norm_k", "cnorm_q", "cnorm_k", "norm3_w", "norm3_b"):
            setattr(self, name, new_param((D,), dtype, device))
        self.ffn1_w = new_param((Fd, D), dtype, device)
        self.ffn1_b = new_param((Fd,), dtype, device)
        self.ffn2_w = new_param((D, Fd), dtype, device)
        self.ffn2_b = new_param((D,), dtype, device)
        self.modulation = new_param((1, 6, D), dtype, device)
        self.d = d

    def forward(self, x, e6, ctx):
        # Called through the module so an FSDP unit all-gathers its weights here. The cache and
        # positions come through the shared StepState, not as arguments: FSDP's root may copy or
        # move forward arguments, and the cache must be updated in place.
        blk = self
        d = self.d
        st = self.state
        sp, start, cond_x = st.sp, st.start, st.cond_x
        cache = st.cache[self.index] if st.cache is not None else None
        e = blk.modulation[0] + e6
        h = _ln(x) * (1 + e[1]) + e[0]
        heads = d.num_heads
        q = _rms(_lin(h, blk.q_w, blk.q_b, blk)) * blk.norm_q
        k = _rms(_lin(h, blk.k_w, blk.k_b, blk, "k")) * blk.norm_k
        v = _lin(h, blk.v_w, blk.v_b, blk, "v")
        q, k, v = (sp.a2a_heads(t.reshape(t.shape[0], heads, d.head_dim)) for t in (q, k, v))
        if cache is not None:
            kv_len = cache["k"].shape[1]
            idx = (torch.arange(k.shape[0], device=k.device) + start) % kv_len
            cache["k"][0].index_copy_(0, idx.to(cache["k"].device), k.to(cache["k"].device))
            cache["v"][0].index_copy_(0, idx.to(cache["v"].device), v.to(cache["v"].device))
            if cond_x is not None:
                ch = _ln(cond_x)
                ck = sp.a2a_heads((_rms(_lin(ch, blk.k_w, blk.k_b, blk, "k")) * blk.norm_k).reshape(-1, heads, d.head_dim))
                cv = sp.a2a_heads(_lin(ch, blk.v_w, blk.v_b, blk, "v").reshape(-1, heads, d.head_dim))
                n_cond = ck.shape[0]
                cache["cond_k"][0, :n_cond] = ck
                cache["cond_v"][0, :n_cond] = cv
                cache["cond_end"] = n_cond
            filled = min(start + k.shape[0], kv_len)
            ce = cache["cond_end"]
            keys = torch.cat([cache["cond_k"][0, :ce], cache["k"][0, :filled]], 0)
            vals = torch.cat([cache["cond_v"][0, :ce], cache["v"][0, :filled]], 0)
        else:
            keys, vals = k, v
        o = _attention(q, keys.to(q.device), vals.to(q.device))
        o = sp.a2a_tokens(o).reshape(x.shape[0], d.dim)
        x = x + _lin(o, blk.o_w, blk.o_b, blk, "o") * e[2]

        hc = _ln(x) * blk.norm3_w + blk.norm3_b
        cq = _rms(_lin(hc, blk.cq_w, blk.cq_b, blk, "cq")) * blk.cnorm_q
        ck = _rms(_lin(ctx, blk.ck_w, blk.ck_b, blk, "ck")) * blk.cnorm_k
        cv = _lin(ctx, blk.cv_w, blk.cv_b, blk, "cv")
        co = _attention(*(t.reshape(t.shape[0], heads, d.head_dim) for t in (cq, ck, cv)))
        x = x + _lin(co.reshape(x.shape[0], d.dim), blk.co_w, blk.co_b, blk, "co")

        hf = _ln(x) * (1 + e[4]) + e[3]
        x = x + _lin(F.gelu(_lin(hf, blk.ffn1_w, blk.ffn1_b, blk, "ffn1")), blk.ffn2_w, blk.ffn2_b, blk, "ffn2") * e[5]
        return x



class Injector(nn.Module):
    """Audio injector: a cross-attention plus its AdaLayerNorm linear (D -> 2D)."""

    def __init__(self, d, dtype, device):
        super().__init__()
        D = d.dim
        for name in ("q", "k", "v", "o"):
            setattr(self, name + "_w", new_param((D, D), dtype, device))
            setattr(self, name + "_b", new_param((D,), dtype, device))
        self.norm_q = new_param((D,), dtype, device)
        self.norm_k = new_param((D,), dtype, device)
        self.ada_w = new_param((2 * D, D), dtype, device)
        self.ada_b = new_param((2 * D,), dtype, device)
        self.d = d

    def forward(self, x, audio):
        inj = self
        d = self.d
        ada = _lin(audio.mean(0, keepdim=True), inj.ada_w, inj.ada_b, inj, "ada")[0]
        h = _ln(x) * (1 + ada[d.dim:]) + ada[:d.dim]
        q = _rms(_lin(h, inj.q_w, inj.q_b, inj)) * inj.norm_q
        k = _rms(_lin(audio, inj.k_w, inj.k_b, inj, "k")) * inj.norm_k
        v = _lin(audio, inj.v_w, inj.v_b, inj, "v")
        o = _attention(*(t.reshape(t.shape[0], d.num_heads, d.head_dim) for t in (q, k, v)))
        return x + _lin(o.reshape(x.shape[0], d.dim), inj.o_w, inj.o_b, inj, "o")


class DiT(nn.Module):
    def __init__(self, d, dtype, device):
        super().__init__()
        self.d = d
        D = d.dim
        patch_in = d.in_dim * 4  # patch (1,2,2) over 16 latent channels
        self.state = StepState()
        self.blocks = nn.ModuleList([Block(d, dtype, device) for _ in range(d.num_layers)])
        for i, blk in enumerate(self.blocks):
            blk.state = self.state
            blk.index = i
        self.injectors = nn.ModuleList([Injector(d, dtype, device) for _ in d.audio_inject_layers])
        self.patch_w = new_param((D, patch_in), dtype, device)
        self.patch_b = new_param((D,), dtype, device)
        self.text_w1 = new_param((D, d.text_dim), dtype, device)
        self.text_b1 = new_param((D,), dtype, device)
        self.text_w2 = new_param((D, D), dtype, device)
        self.text_b2 = new_param((D,), dtype, device)
        self.time_w1 = new_param((D, d.freq_dim), dtype, device)
        self.time_b1 = new_param((D,), dtype, device)
        self.time_w2 = new_param((D, D), dtype, device)
        self.time_b2 = new_param((D,), dtype, device)
        self.proj_w = new_param((6 * D, D), dtype, device)
        self.proj_b = new_param((6 * D,), dtype, device)
        self.head_w = new_param((patch_in, D), dtype, device)
        self.head_b = new_param((patch_in,), dtype, device)
        self.head_mod = new_param((1, 2, D), dtype, device)
        self.cond_encoder = new_flat(d.cond_params, dtype, device)
        self.audio_encoder = new_flat(d.audio_encoder_params, dtype, device)
        self.framepack = new_flat(d.framepack_params, dtype, device)
        self.inject_at = {layer: i for i, layer in enumerate(d.audio_inject_layers)}


    # -- fp8: quantise every Linear weight upstream's FP8ScaleLinear swap would touch ------------
    def quantise_fp8(self):
        """Per-tensor scale, 1 byte per weight, bf16 weight dropped (fp8_linear.py in upstream)."""
        targets = [(b, LINEARS_BLOCK) for b in self.blocks] + [(i, LINEARS_INJECTOR) for i in self.injectors]
        for module, names in targets:
            for name in names:
                w = getattr(module, name + "_w")
                scale = (w.detach().abs().max().float() / 448.0).clamp(min=1e-12)
                if FP8_DTYPE is not None:
                    q = (w.detach().float() / scale).to(FP8_DTYPE)
                else:
                    q = torch.empty(w.shape, dtype=torch.uint8, device=w.device).fill_(1)
                setattr(module, name + "_w", nn.Parameter(q, requires_grad=False))
                module.register_buffer(name + "_scale", scale.reshape(1))
                del w

    def forward(self, latents, t, ctx_raw, audio_raw):
        """latents [16, 3, h, w] -> same shape. self.state carries the cache (list of per-layer
        dicts k, v, cond_k, cond_v, cond_end, or None), the token offset, the Ulysses group and,
        for the prefill only, the conditioning tokens."""
        d = self.d
        sp = self.state.sp
        dtype = self.patch_w.dtype
        c, f, h, w = latents.shape
        x = latents.to(dtype).reshape(c, f, h // 2, 2, w // 2, 2).permute(1, 2, 4, 0, 3, 5).reshape(f * (h // 2) * (w // 2), c * 4)
        n_full = x.shape[0]
        x = _lin(x, self.patch_w, self.patch_b)
        x, pad = sp.split(x)
        cond_x = self.state.cond_x_full
        self.state.cond_x = sp.split(cond_x.to(dtype))[0] if cond_x is not None else None

        freqs = _timestep_features(t, d.freq_dim, x.device).to(dtype)
        t_emb = _lin(F.silu(_lin(freqs, self.time_w1, self.time_b1)), self.time_w2, self.time_b2)
        e6 = _lin(F.silu(t_emb), self.proj_w, self.proj_b).reshape(6, d.dim)
        ctx = _lin(F.gelu(_lin(ctx_raw.to(dtype), self.text_w1, self.text_b1)), self.text_w2, self.text_b2)
        audio = audio_raw.to(dtype)

        for i, blk in enumerate(self.blocks):
            x = blk(x, e6, ctx)
            if i in self.inject_at:
                x = self.injectors[self.inject_at[i]](x, audio)

        mod = self.head_mod[0]
        x = _lin(_ln(x) * (1 + mod[1]) + mod[0], self.head_w, self.head_b)
        x = sp.gather(x)[:n_full]
        out = x.reshape(f, h // 2, w // 2, c, 2, 2).permute(3, 0, 1, 4, 2, 5).reshape(c, f, h, w)
        return out

class StepState:
    """What one forward needs besides its inputs; shared by the DiT and all its blocks."""

    def __init__(self):
        self.cache = None
        self.start = 0
        self.cond_x_full = None
        self.cond_x = None
        self.sp = SeqParallel(None, 1)


class SeqParallel:
    """Ulysses: tokens split across ranks; attention sees all tokens for H/size heads."""

    def __init__(self, group, size):
        self.group = group
        self.size = size

    def split(self, x):
        if self.size == 1:
            return x, 0
        import torch.distributed as dist
        n = x.shape[0]
        pad = (-n) % self.size
        if pad:
            x = torch.cat([x, x.new_zeros((pad,) + tuple(x.shape[1:]))], 0)
        return x.chunk(self.size, 0)[dist.get_rank(self.group)].contiguous(), pad

    def gather(self, x):
        if self.size == 1:
            return x
        import torch.distributed as dist
        parts = [torch.empty_like(x) for _ in range(self.size)]
        dist.all_gather(parts, x.contiguous(), group=self.group)
        return torch.cat(parts, 0)

    def a2a_heads(self, t):
        """[n_local, H, hd] -> [n_full, H/sp, hd] (all-to-all over heads, as Ulysses does)."""
        if self.size == 1:
            return t
        import torch.distributed as dist
        sp = self.size
        n, H, hd = t.shape
        inp = t.reshape(n, sp, H // sp, hd).permute(1, 0, 2, 3).contiguous()
        out = torch.empty_like(inp)
        dist.all_to_all_single(out, inp, group=self.group)
        return out.reshape(sp * n, H // sp, hd)

    def a2a_tokens(self, t):
        """[n_full, H/sp, hd] -> [n_local, H, hd]."""
        if self.size == 1:
            return t
        import torch.distributed as dist
        sp = self.size
        N, h, hd = t.shape
        inp = t.reshape(sp, N // sp, h, hd).contiguous()
        out = torch.empty_like(inp)
        dist.all_to_all_single(out, inp, group=self.group)
        return out.permute(1, 0, 2, 3).reshape(N // sp, sp * h, hd)



def _lin(x, w, b, owner=None, name="q"):
    if w.dtype in (torch.uint8,) or (FP8_DTYPE is not None and w.dtype == FP8_DTYPE):
        # Dequantise one weight at a time: a transient of at most ffn_dim x dim bf16. Upstream
        # instead quantises activations and calls torch._scaled_mm, which needs sm >= 8.9.
        scale = getattr(owner, name + "_scale")
        w = w.to(x.dtype) * scale.to(x.dtype)
    return F.linear(x, w, b)


def _ln(x):
    return F.layer_norm(x, (x.shape[-1],), eps=1e-6)


def _rms(x):
    return x * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + 1e-6).to(x.dtype)


def _attention(q, k, v):
    """q [n, H, hd], k/v [m, H, hd] -> [n, H, hd]."""
    q, k, v = (t.transpose(0, 1).unsqueeze(0) for t in (q, k, v))
    if hasattr(F, "scaled_dot_product_attention"):
        o = F.scaled_dot_product_attention(q, k, v)
    else:  # torch 1.13
        a = torch.softmax((q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1]), -1)
        o = a @ v
    return o[0].transpose(0, 1)


def _timestep_features(t, dim, device):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, device=device, dtype=torch.float32) / half)
    args = float(t) * freqs
    return torch.cat([torch.cos(args), torch.sin(args)]).unsqueeze(0)


def new_kv_cache(d, kv_len, cond_capacity, heads, dtype, device):
    """One cache, as upstream's _initialize_kv_cache: per layer k, v [1, kv_len, heads, hd] and
    cond_k, cond_v [1, cond_capacity, heads, hd]. Zero-filled like upstream (torch.zeros)."""
    return [
        {
            "k": torch.zeros((1, kv_len, heads, d.head_dim), dtype=dtype, device=device),
            "v": torch.zeros((1, kv_len, heads, d.head_dim), dtype=dtype, device=device),
            "cond_k": torch.zeros((1, cond_capacity, heads, d.head_dim), dtype=dtype, device=device),
            "cond_v": torch.zeros((1, cond_capacity, heads, d.head_dim), dtype=dtype, device=device),
            "cond_end": 0,
        }
        for _ in range(d.num_layers)
    ]


def move_cache(cache, device):
    for layer in cache:
        for key in ("k", "v", "cond_k", "cond_v"):
            layer[key] = layer[key].to(device)
    return cache


def share_cond(cache, shared):
    """Single-GPU without --offload_kv_cache: four caches point at one shared cond cache."""
    for layer, s in zip(cache, shared):
        layer["cond_k"], layer["cond_v"] = s["cond_k"], s["cond_v"]
    return cache


def cond_overflow_message(full_cond_tokens, capacity, full):
    """The RuntimeError upstream raises at cache prefill when 2.5*fsl > capacity (issues #14/#15)."""
    return (f"The expanded size of the tensor ({capacity}) must match the existing size ({full_cond_tokens}) "
            f"at non-singleton dimension 1.  Target sizes: [1, {capacity}, {full.num_heads}, {full.head_dim}].  "
            f"Tensor sizes: [{full_cond_tokens}, {full.num_heads}, {full.head_dim}]")


__all__ = ["DiT", "StepState", "new_kv_cache", "move_cache", "share_cond", "cond_overflow_message", "shapes"]
