"""Command line: Live Avatar's own flags (same names, types, defaults and value styles as
`minimal_inference/s2v_streaming_interact.py`, docs/upstream-notes.md §1.1) plus rehearsal extras.

Upstream flags that do not shape memory or layout are accepted and ignored, so a real upstream
command line parses unchanged.
"""

import argparse

# docs/upstream-notes.md §1.3 (SIZE_CONFIGS keys).
SIZE_KEYS = [
    "720*1280", "1280*720", "480*832", "832*480", "704*1280", "1280*704",
    "1024*704", "704*1024", "720*400", "704*384", "688*368", "384*256",
]

INJECT_KINDS = ("hang", "crash", "sigkill", "oom", "slow")


def str2bool(v):
    # Upstream's str2bool accepts exactly these spellings.
    if isinstance(v, bool):
        return v
    low = v.lower()
    if low in ("yes", "true", "t", "y", "1"):
        return True
    if low in ("no", "false", "f", "n", "0"):
        return False
    raise argparse.ArgumentTypeError("Boolean value expected (True/False)")


def build_parser():
    p = argparse.ArgumentParser(
        prog="rehearsal.py",
        description="Live Avatar rehearsal: the real process layout and memory shape with random weights.",
    )
    # --- flags that shape the run (upstream semantics) ---
    p.add_argument("--task", type=str, default="s2v-14B",
                   choices=["t2v-A14B", "i2v-A14B", "ti2v-5B", "s2v-14B"],
                   help="Only s2v-14B runs (upstream asserts the same). Default differs from upstream on purpose.")
    p.add_argument("--size", type=str, default="1280*720", choices=SIZE_KEYS,
                   help="Pixel-area budget, as upstream. The default 1280*720 fails at cache prefill, as upstream.")
    p.add_argument("--infer_frames", type=int, default=80)
    p.add_argument("--num_clip", type=int, default=None)
    p.add_argument("--sample_steps", type=int, default=None, help="None -> 40, as upstream's config.")
    p.add_argument("--num_gpus_dit", type=int, default=4)
    p.add_argument("--enable_vae_parallel", action="store_true", default=False)
    p.add_argument("--offload_model", type=str2bool, default=None)
    p.add_argument("--offload_kv_cache", action="store_true", default=False)
    p.add_argument("--fp8", action="store_true", default=False)
    p.add_argument("--ulysses_size", type=int, default=1)
    p.add_argument("--dit_fsdp", action="store_true", default=False)
    p.add_argument("--t5_fsdp", action="store_true", default=False)
    p.add_argument("--t5_cpu", action="store_true", default=False)
    p.add_argument("--single_gpu", action="store_true", default=False)
    p.add_argument("--prompt", type=str, default=None)
    p.add_argument("--save_file", type=str, default=None)
    p.add_argument("--save_dir", type=str, default=None)
    p.add_argument("--load_lora", action="store_true", default=False,
                   help="Adds the LoRA's transient memory during load (merged and dropped, as upstream).")
    p.add_argument("--audio", type=str, default=None,
                   help="If this is a readable WAV file, its length sets the clip count as upstream; else --audio_seconds.")
    p.add_argument("--sample_solver", type=str, default="euler", choices=["euler", "unipc", "dpm++"])
    p.add_argument("--base_seed", type=int, default=-1)
    p.add_argument("--ckpt_dir", type=str, default=None, help="Accepted; only echoed in log lines.")
    p.add_argument("--lora_path_dmd", type=str, default=None)

    # --- accepted and ignored (they do not change layout or memory) ---
    for flag, kw in [
        ("--frame_num", dict(type=int, default=None)),
        ("--use_prompt_extend", dict(action="store_true")),
        ("--prompt_extend_method", dict(type=str, default="local_qwen")),
        ("--prompt_extend_model", dict(type=str, default=None)),
        ("--prompt_extend_target_lang", dict(type=str, default="zh")),
        ("--image", dict(type=str, default=None)),
        ("--sample_shift", dict(type=float, default=None)),
        ("--sample_guide_scale", dict(type=float, default=None)),
        ("--convert_model_dtype", dict(action="store_true")),
        ("--enable_tts", dict(action="store_true")),
        ("--tts_prompt_audio", dict(type=str, default=None)),
        ("--tts_prompt_text", dict(type=str, default=None)),
        ("--tts_text", dict(type=str, default=None)),
        ("--pose_video", dict(type=str, default=None)),
        ("--start_from_ref", dict(action="store_true")),
        ("--lora_path", dict(type=str, default=None)),
        ("--training_config", dict(type=str, default=None)),
        ("--use_dataset", dict(action="store_true")),
        ("--dataset_sample_idx", dict(type=int, default=0)),
        ("--drop_motion_noisy", dict(action="store_true")),
        ("--using_merged_ckpt", dict(action="store_true")),
        ("--enable_online_decode", dict(action="store_true")),
        ("--server_port", dict(type=int, default=None)),
        ("--server_name", dict(type=str, default=None)),
    ]:
        p.add_argument(flag, **kw)

    # --- rehearsal extras ---
    p.add_argument("--scale", choices=["tiny", "full"], default="tiny",
                   help="full: S2V-14B / umT5-xxl / Wan2.1-VAE shapes (docs/rehearsal.md); tiny: same code, toy sizes for CI.")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto",
                   help="auto: CUDA (NCCL) when available, else CPU (gloo).")
    p.add_argument("--inject", action="append", default=[], metavar="KIND@CLIP:STEP[:RANK]",
                   help="Fault injection, repeatable. KIND: " + ", ".join(INJECT_KINDS) + ". See docs/rehearsal.md.")
    p.add_argument("--share_gpu", action="store_true", default=False,
                   help="Every rank on cuda:0, each with its own NCCL_HOSTID (NCCL then treats the ranks as separate hosts "
                        "and talks over loopback sockets): a multi-GPU layout on one card.")
    p.add_argument("--collective_timeout_sec", type=float, default=None,
                   help="Process group timeout in seconds (torch's default otherwise: 10 min for NCCL, 30 min for gloo).")
    p.add_argument("--slow_seconds", type=float, default=2.0, help="Sleep per step after a 'slow' fault fires.")
    p.add_argument("--audio_seconds", type=float, default=4.0,
                   help="Length of the pretend driving audio when --audio is not a WAV file (4 s = 3 clips of 48 frames).")
    p.add_argument("--frame_hw", type=str, default=None, metavar="HxW",
                   help="Output frame size in pixels (multiples of 64). Default: what upstream picks for a 16:9 image at --size.")
    p.add_argument("--upstream_cli_asserts", action="store_true", default=False,
                   help="Also apply the CLI's 5-GPU asserts (world_size>=5, num_gpus_dit==4). Default: the Gradio app's "
                        "rules, which allow the 4-GPU layout (3 steps + VAE).")
    p.add_argument("--sim_gpu_gib", type=float, default=79.25,
                   help="Capacity quoted in the CPU stand-in for a CUDA OOM message.")
    p.add_argument("--sample_interval", type=float, default=0.05, help="Device memory sampling period (s).")
    return p


def parse_args(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.injects = [parse_inject(s) for s in args.inject]
    except ValueError as e:
        parser.error(str(e))  # exit code 2, like every other argparse error
    return args


def parse_inject(text):
    """`KIND@CLIP:STEP[:RANK]` -> dict. CLIP and STEP are 1-based; CLIP 0 means during model load.
    RANK is an integer or `all`; omitted means the rank that owns that step (docs/rehearsal.md)."""
    try:
        kind, where = text.split("@", 1)
        parts = where.split(":")
        if kind not in INJECT_KINDS or len(parts) not in (2, 3):
            raise ValueError
        clip, step = int(parts[0]), int(parts[1])
        rank = None
        if len(parts) == 3:
            rank = "all" if parts[2] == "all" else int(parts[2])
        if clip < 0 or step < 0 or (isinstance(rank, int) and rank < 0):
            raise ValueError
    except ValueError:
        raise ValueError(
            f"argument --inject: invalid value {text!r}; expected KIND@CLIP:STEP[:RANK] "
            f"with KIND in {', '.join(INJECT_KINDS)}, e.g. crash@1:2 or hang@2:1:3 or oom@1:1:all") from None
    return {"kind": kind, "clip": clip, "step": step, "rank": rank, "text": text}
