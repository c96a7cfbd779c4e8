"""Step-Video-T2V's sizes (stepfun-ai/Step-Video-T2V README and stepvideo/config.py) and the
rehearsal's tiny stand-ins. `full` is what the memory model predicts (shared/feasibility/companion.ts
carries the same numbers; keep them together)."""

HEADS = 48

FULL = {
    "heads": HEADS,
    "head_dim": 128,
    "layers": 48,
    "ffn": 24576,
    # The DiT: 30B parameters, bf16 (README §2).
    "dit_params": 30_000_000_000,
    # Server side: two text encoders and the VAE. Assumed sizes; a full-scale run on a GPU measures them.
    "llm_params": 6_000_000_000,
    "clip_params": 350_000_000,
    "vae_params": 500_000_000,
    "caption_len": 320,
    "caption_dim": 6144,
    "clip_dim": 1024,
    "latent_channels": 64,
    # VAE compression: 16x16 spatial, 8x temporal (the pipeline's vae_scale_factor_* defaults).
    "spatial": 16,
    "temporal": 8,
}

TINY = {
    "heads": HEADS,
    "head_dim": 2,
    "layers": 2,
    "ffn": 192,
    "dit_params": None,
    "llm_params": 20_000,
    "clip_params": 5_000,
    "vae_params": 5_000,
    "caption_len": 8,
    "caption_dim": 32,
    "clip_dim": 16,
    "latent_channels": 4,
    "spatial": 16,
    "temporal": 8,
    # Tiny frames: the rehearsal's own size, whatever --height/--width say.
    "hw": (64, 96),
    "frames": 16,
}


def scale(name):
    return FULL if name == "full" else TINY
