"""Component shapes and the per-rank byte plan.

Full-scale numbers are docs/upstream-notes.md §3 (S2V-14B DiT, umT5-xxl encoder, Wan2.1 VAE,
wav2vec2-large, LoRA rank 128, KV/cond caches of §3.7). docs/rehearsal.md restates every formula;
keep the two in step, the feasibility model mirrors the doc.
"""

import math
from dataclasses import dataclass, field, replace
from typing import List, Tuple

BF16 = 2
FP32 = 4


@dataclass(frozen=True)
class Dims:
    scale: str
    dim: int
    ffn_dim: int
    num_heads: int
    head_dim: int
    num_layers: int
    text_dim: int
    freq_dim: int
    in_dim: int
    audio_inject_layers: Tuple[int, ...]
    num_audio_token: int
    # parameter groups that the rehearsal allocates as flat tensors (never quantised by --fp8)
    cond_params: int
    audio_encoder_params: int
    framepack_params: int
    # other components
    t5_vocab: int
    t5_dim: int
    t5_ffn: int
    t5_layers: int
    t5_heads: int
    t5_buckets: int
    vae_params: int
    wav2vec_params: int
    lora_rank: int
    text_tokens: int = 32  # prompt tokens fed to cross-attention (upstream: the prompt's length)


FULL = Dims(
    scale="full", dim=5120, ffn_dim=13824, num_heads=40, head_dim=128, num_layers=40,
    text_dim=4096, freq_dim=256, in_dim=16,
    audio_inject_layers=(0, 4, 8, 12, 16, 20, 24, 27, 30, 33, 36, 39), num_audio_token=4,
    cond_params=348_160, audio_encoder_params=95_051_545, framepack_params=23_936_000,
    t5_vocab=256_384, t5_dim=4096, t5_ffn=10_240, t5_layers=24, t5_heads=64, t5_buckets=32,
    vae_params=126_892_531, wav2vec_params=315_000_000, lora_rank=128,
)

TINY = Dims(
    scale="tiny", dim=64, ffn_dim=128, num_heads=4, head_dim=16, num_layers=4,
    text_dim=32, freq_dim=16, in_dim=16,
    audio_inject_layers=(0, 2), num_audio_token=4,
    cond_params=1_000, audio_encoder_params=2_000, framepack_params=1_000,
    t5_vocab=512, t5_dim=32, t5_ffn=64, t5_layers=2, t5_heads=4, t5_buckets=32,
    vae_params=5_000, wav2vec_params=3_000, lora_rank=4, text_tokens=8,
)

# Output H x W (pixels) that upstream's get_size_less_than_area picks for a 16:9 / 9:16 reference
# image at each --size budget (docs/upstream-notes.md §1.4 table). Stored as (short side, long side).
SIZE_TO_HW = {
    "720*400": (384, 704), "704*384": (384, 704), "688*368": (384, 640), "384*256": (256, 384),
    "480*832": (448, 832), "832*480": (448, 832), "1024*704": (640, 1088), "704*1024": (640, 1088),
    "1280*720": (704, 1280), "720*1280": (704, 1280), "704*1280": (704, 1280), "1280*704": (704, 1280),
}
TINY_HW = (48, 64)

COND_CAPACITY_TPP = 3000  # hard-coded in causal_s2v_pipeline_tpp.py L616-617
COND_CAPACITY_SINGLE = 2800  # causal_s2v_pipeline.py L620-621
FRAMES_PER_BLOCK = 3  # latent frames per causal block
MOTION_FRAMES = 73
LAT_MOTION_FRAMES = 19


def debug_truncate(d: Dims, layers) -> Dims:
    """LAL_REHEARSAL_LAYERS=N keeps only N DiT (and at most N T5) layers: a debugging aid to run
    the full-scale code path on a small machine. Memory then no longer matches a real run."""
    if not layers:
        return d
    n = max(1, int(layers))
    inject = tuple(i for i in d.audio_inject_layers if i < n) or (0,)
    return replace(d, num_layers=n, audio_inject_layers=inject, t5_layers=min(n, d.t5_layers))


def block_params(d: Dims) -> int:
    D, F = d.dim, d.ffn_dim
    attn = 4 * (D * D + D) + 2 * D
    return 2 * attn + 2 * D + (D * F + F) + (F * D + D) + 6 * D


def block_fp8_elems(d: Dims) -> int:
    D, F = d.dim, d.ffn_dim
    return 8 * D * D + 2 * D * F


def injector_params(d: Dims) -> int:
    D = d.dim
    return (4 * (D * D + D) + 2 * D) + (2 * D * D + 2 * D)


def injector_fp8_elems(d: Dims) -> int:
    return 6 * d.dim * d.dim


def embedding_params(d: Dims) -> int:
    D = d.dim
    patch = d.in_dim * 4 * D + D
    text = (d.text_dim * D + D) + (D * D + D)
    time = (d.freq_dim * D + D) + (D * D + D)
    proj = D * 6 * D + 6 * D
    return patch + text + time + proj


def head_params(d: Dims) -> int:
    D = d.dim
    return D * d.in_dim * 4 + d.in_dim * 4 + 2 * D


def dit_params(d: Dims) -> int:
    return (d.num_layers * block_params(d) + len(d.audio_inject_layers) * injector_params(d)
            + embedding_params(d) + head_params(d) + d.cond_params + d.audio_encoder_params + d.framepack_params)


def dit_fp8_elems(d: Dims) -> int:
    return d.num_layers * block_fp8_elems(d) + len(d.audio_inject_layers) * injector_fp8_elems(d)


def dit_bytes(d: Dims, fp8: bool) -> int:
    total = dit_params(d)
    if not fp8:
        return BF16 * total
    q = dit_fp8_elems(d)
    # one fp32 scale per quantised Linear: 10 per block, 5 per injector
    scales = FP32 * (10 * d.num_layers + 5 * len(d.audio_inject_layers))
    return q + BF16 * (total - q) + scales


def t5_params(d: Dims) -> int:
    per_layer = 4 * d.t5_dim * d.t5_dim + 3 * d.t5_dim * d.t5_ffn + 2 * d.t5_dim + d.t5_buckets * d.t5_heads
    return d.t5_vocab * d.t5_dim + d.t5_layers * per_layer + d.t5_dim


def lora_params(d: Dims) -> int:
    D, F, r = d.dim, d.ffn_dim, d.lora_rank
    return d.num_layers * (8 * r * (D + D) + 2 * r * (D + F)) + len(d.audio_inject_layers) * 4 * r * (D + D)


@dataclass
class Geometry:
    height: int
    width: int
    fsl: int  # tokens per latent frame
    lat_frames: int  # latent frames per clip
    num_blocks: int
    kv_len: int
    cond_tokens: int
    full_fsl: int  # the full-scale numbers, for upstream's size check and its error text
    full_cond_tokens: int
    frames_per_block: int  # decoded pixel frames per block

    @property
    def block_tokens(self) -> int:
        return FRAMES_PER_BLOCK * self.fsl


def parse_hw(text: str) -> Tuple[int, int]:
    h, w = text.lower().replace("*", "x").split("x")
    return int(h), int(w)


def geometry(d: Dims, size: str, infer_frames: int, frame_hw=None) -> Geometry:
    full_h, full_w = parse_hw(frame_hw) if frame_hw else SIZE_TO_HW[size]
    full_fsl = (full_h // 16) * (full_w // 16)
    h, w = (full_h, full_w) if d.scale == "full" else TINY_HW
    fsl = (h // 16) * (w // 16)
    # same arithmetic as upstream (TPP L944-948): 48 frames -> 12 latent frames
    lat = (infer_frames + 3 + MOTION_FRAMES) // 4 - LAT_MOTION_FRAMES
    num_blocks = lat // FRAMES_PER_BLOCK
    return Geometry(
        height=h, width=w, fsl=fsl, lat_frames=lat, num_blocks=num_blocks,
        kv_len=lat * fsl, cond_tokens=int(2.5 * fsl), full_fsl=full_fsl,
        full_cond_tokens=int(2.5 * full_fsl),
        frames_per_block=(infer_frames // num_blocks) if num_blocks else 0,
    )


def clips_for_audio(seconds: float, infer_frames: int) -> int:
    """Upstream's clip count for an audio length (docs/upstream-notes.md §5.4)."""
    samples = int(round(seconds * 16000))
    t_w2v = max(0, (samples - 400) // 320 + 1)
    audio_frames = int(0.6 * t_w2v)
    return int(audio_frames // (1.2 * infer_frames)) + 1


def kv_cache_bytes(d: Dims, kv_len: int, heads: int) -> int:
    # k and v, every layer, [1, kv_len, heads, head_dim] bf16
    return d.num_layers * 2 * kv_len * heads * d.head_dim * BF16


@dataclass
class Plan:
    """What one rank allocates, by component (bytes). `gpu` is device memory at its steady state,
    `gpu_transient` lists the short-lived extras and when they happen, `host` is resident host RAM."""
    rank: int
    layout: str
    role: str
    gpu: dict = field(default_factory=dict)
    gpu_transient: dict = field(default_factory=dict)
    host: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "rank": self.rank, "layout": self.layout, "role": self.role,
            "gpu": self.gpu, "gpu_steady_total": sum(self.gpu.values()),
            "gpu_transient": self.gpu_transient, "host": self.host,
        }


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def human(n: float) -> str:
    if n is None:
        return "n/a"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.2f} {unit}" if unit != "B" else f"{int(n)} bytes"
        n /= 1024.0
    return str(n)


def gib(n: float) -> float:
    return n / float(1 << 30)


def isqrt_ceil(n: int) -> int:
    return int(math.ceil(math.sqrt(n)))
