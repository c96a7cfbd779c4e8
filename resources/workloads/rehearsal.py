"""Live Avatar rehearsal workload.

    torchrun --nproc_per_node N resources/workloads/rehearsal.py [upstream flags] [--scale tiny|full] ...

Reproduces Live Avatar's process layout (single GPU, TPP, or FSDP + Ulysses), its log lines and
its per-rank memory shape with random weights, on CPU (gloo) or CUDA (NCCL), and can fail on
purpose (--inject). Each rank ends with one `LAL_PEAK {json}` line. docs/rehearsal.md is the manual.
"""

import datetime
import json
import logging
import os
import sys
import time
import traceback
import wave

_T0 = time.monotonic()
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402

from lalwork import args as cli  # noqa: E402
from lalwork import pipeline, shapes  # noqa: E402
from lalwork.faults import Faults  # noqa: E402
from lalwork.monitor import PeakMonitor  # noqa: E402
from lalwork.plan import build_plan  # noqa: E402

log = logging.getLogger("rehearsal")


def _init_logging(rank):
    # Upstream (s2v_streaming_interact.py L339-348): rank 0 logs INFO to stdout, others ERROR only.
    handler = logging.StreamHandler(stream=sys.stdout if rank == 0 else sys.stderr)
    handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s: %(message)s" if rank == 0 else "%(levelname)s:root:%(message)s"))
    logging.getLogger().handlers[:] = [handler]
    logging.getLogger().setLevel(logging.INFO if rank == 0 else logging.ERROR)


def _audio_seconds(args):
    if args.audio and os.path.isfile(args.audio):
        try:
            with wave.open(args.audio, "rb") as w:
                return w.getnframes() / float(w.getframerate())
        except (wave.Error, EOFError, OSError):
            pass
    return args.audio_seconds


def _pick_device(args, local_rank):
    want = args.device
    if want == "auto":
        want = "cuda" if torch.cuda.is_available() else "cpu"
    if want == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError("--device cuda: torch.cuda.is_available() is False on this machine (torch %s)" % torch.__version__)
        if args.share_gpu:
            # NCCL refuses two ranks of one communicator on one device ("Duplicate GPU detected"): it
            # compares host hash and bus id, and NCCL_HOSTID replaces the host name in that hash. Must
            # be set before the first NCCL call.
            os.environ["NCCL_HOSTID"] = "lal-rehearsal-rank%d" % local_rank
            os.environ.setdefault("NCCL_IB_DISABLE", "1")
            os.environ.setdefault("NCCL_SOCKET_IFNAME", "lo")
            local_rank = 0
        torch.cuda.set_device(local_rank)
        return torch.device("cuda", local_rank)
    return torch.device("cpu")


def _choose_layout(args, world, device):
    """Upstream's checks, in upstream's order and words (docs/upstream-notes.md §1.1, §10.18)."""
    if world > 1:
        if args.dit_fsdp or args.ulysses_size > 1:
            if args.ulysses_size > 1:
                assert args.ulysses_size == world, "The number of ulysses_size should be equal to the world size."
                heads = shapes.FULL.num_heads
                assert heads % args.ulysses_size == 0, f"`cfg.num_heads={heads}` cannot be divided evenly by `args.ulysses_size={args.ulysses_size}`."
            if device.type != "cuda":
                raise RuntimeError(
                    "FSDP + Ulysses (--dit_fsdp / --ulysses_size > 1) needs CUDA GPUs with NCCL: FSDP1 needs a CUDA "
                    f"device and gloo has no all_to_all, so torch {torch.__version__} on CPU cannot run this layout. "
                    "Run it on GPUs, or drop --dit_fsdp and --ulysses_size for the TPP layout.")
            if args.fp8:
                raise RuntimeError("--fp8 with --dit_fsdp is not supported: upstream swaps Linear layers for FP8 after "
                                   "FSDP wrapping, and an FSDP1 unit cannot mix fp8 and bf16 weights.")
            args.single_gpu = False
            return "fsdp"
        if args.upstream_cli_asserts:
            assert world >= 5, "At least 5 GPUs are supported for distributed inference."
            assert args.num_gpus_dit == 4, "Only 4 GPUs are supported for distributed inference."
        assert args.enable_vae_parallel is True, "VAE parallel is required for distributed inference."
        assert world == args.num_gpus_dit + 1, (
            f"TPP needs world_size == num_gpus_dit + 1 (one rank per denoising step plus the VAE rank); got "
            f"world_size {world} with num_gpus_dit {args.num_gpus_dit}. Upstream does not check this: missing ranks "
            f"leave the VAE rank waiting in recv, extra ranks break in cache prefill.")
        assert args.sample_steps == args.num_gpus_dit, (
            f"TPP runs exactly one denoising step per DiT rank: sample_steps ({args.sample_steps}) must equal "
            f"num_gpus_dit ({args.num_gpus_dit}). Upstream does not check this: fewer steps leave the VAE rank "
            f"waiting in recv until the NCCL watchdog fires, more steps run a step on the VAE rank without a KV cache.")
        args.single_gpu = False
        return "tpp"
    assert not (args.t5_fsdp or args.dit_fsdp), "t5_fsdp and dit_fsdp are not supported in non-distributed environments."
    assert not (args.ulysses_size > 1), "sequence parallel are not supported in non-distributed environments."
    args.enable_vae_parallel = False
    args.num_gpus_dit = 1
    args.single_gpu = True
    return "single"


def _owner_of_step(layout):
    return (lambda step: step - 1) if layout == "tpp" else (lambda step: 0)


def main(argv=None):
    try:
        # One write() per line, flushed at once, even under PYTHONUNBUFFERED=1 (where print()
        # writes the text and the newline separately and ranks' lines collide mid-line).
        sys.stdout.reconfigure(line_buffering=True, write_through=False)
        sys.stderr.reconfigure(line_buffering=True, write_through=False)
    except (AttributeError, ValueError):
        pass
    args = cli.parse_args(argv)
    assert args.task == "s2v-14B", f"Unsupport task: {args.task}"
    if args.sample_steps is None:
        args.sample_steps = 40  # upstream's config default (and why TPP then hangs / single GPU fails)

    rank = int(os.getenv("RANK", 0))
    world = int(os.getenv("WORLD_SIZE", 1))
    local_rank = int(os.getenv("LOCAL_RANK", 0))
    print(f"COMPILE: {os.getenv('ENABLE_COMPILE', 'true').lower() == 'true'}")
    print(f"world_size: {world}")
    _init_logging(rank)
    if args.offload_model is None:
        args.offload_model = False if world > 1 else True
        log.info(f"offload_model is not specified, set to {args.offload_model}.")

    device = _pick_device(args, local_rank)
    if device.type == "cuda":
        local_rank = device.index  # the GPU this rank uses (0 for every rank with --share_gpu)
    monitor = PeakMonitor(device, args.sample_interval).start()
    if "MASTER_ADDR" in os.environ:
        kwargs = {"backend": "nccl" if device.type == "cuda" else "gloo", "init_method": "env://", "rank": rank, "world_size": world}
        if args.collective_timeout_sec:
            kwargs["timeout"] = datetime.timedelta(seconds=args.collective_timeout_sec)
        dist.init_process_group(**kwargs)

    status = "error"
    run = None
    try:
        layout = _choose_layout(args, world, device)
        if layout == "tpp":
            print("Using TPP distributed inference.")
        elif layout == "fsdp":
            print(f"Using FSDP + Ulysses distributed inference (dit_fsdp={args.dit_fsdp}, ulysses_size={args.ulysses_size}).")
        else:
            print(f"Using single GPU inference with offload mode: {args.offload_model}")
        log.info(f"Generation job args: {args}")

        d = shapes.FULL if args.scale == "full" else shapes.TINY
        d = shapes.debug_truncate(d, os.getenv("LAL_REHEARSAL_LAYERS"))
        geo = shapes.geometry(d, args.size, args.infer_frames, args.frame_hw)
        if geo.num_blocks < 1:
            raise ValueError(f"--infer_frames {args.infer_frames} gives no complete 3-latent-frame block; use a multiple of 12 (48).")
        clips = shapes.clips_for_audio(_audio_seconds(args), args.infer_frames)
        if args.num_clip is not None:
            clips = max(1, min(args.num_clip, clips))
        args._clips = clips
        log.info(f"Input prompt: {args.prompt}")
        plan = build_plan(args, d, geo, layout, rank, world)
        _emit("LAL_PLAN", plan)

        dtype = torch.bfloat16
        oom_req = 3 * (shapes.SIZE_TO_HW.get(args.size, (384, 704))[0] // 16) * (shapes.SIZE_TO_HW.get(args.size, (384, 704))[1] // 16) * shapes.FULL.ffn_dim * 2
        faults = Faults(args.injects, rank, _owner_of_step(layout), device, local_rank, args.sim_gpu_gib, args.slow_seconds, oom_req)
        run = pipeline.Run(args, d, geo, layout, rank, world, local_rank, device, dtype, faults, clips)
        if args.sample_solver != "euler":
            raise NotImplementedError("Unsupported solver.")
        {"single": pipeline.run_single, "tpp": pipeline.run_tpp, "fsdp": pipeline.run_fsdp}[layout](run)
        status = "ok"
        if dist.is_initialized():
            print(f"rank {rank} done, waiting for other ranks to finish...")
            print(f"rank {rank} start destroying process group...")
            dist.destroy_process_group()
        log.info("Finished.")
    except BaseException as e:
        if _lost_peer(e):
            # gloo reports a dead peer at once; an NCCL rank would sit blocked in the collective
            # until torchrun stops it (exit -15) or the watchdog fires. Behave like the NCCL rank,
            # so torchrun's "Root Cause" names the rank that really failed.
            sys.stderr.write(f"LAL_PEER_LOST rank {rank}: {str(e).splitlines()[0]}; waiting for torchrun to stop this rank\n")
            sys.stderr.flush()
            time.sleep(PEER_LOST_WAIT_S)
        if not isinstance(e, SystemExit):
            # The traceback goes out exactly as an uncaught exception's would; the exit code is 1.
            traceback.print_exc()
            sys.stderr.flush()
        _peak(rank, world, device, monitor, run, status)
        # os._exit: a process group with a dead peer can hang in interpreter teardown.
        os._exit(1 if not isinstance(e, SystemExit) else (e.code if isinstance(e.code, int) else 1))
    _peak(rank, world, device, monitor, run, status)
    return 0


PEER_LOST_WAIT_S = 60.0


def _lost_peer(exc):
    """True for a gloo error raised inside a torch.distributed call because a peer went away."""
    if not isinstance(exc, RuntimeError) or not dist.is_initialized() or dist.get_backend() != "gloo":
        return False
    text = str(exc)
    return "Connection closed by peer" in text or "Connection reset by peer" in text or "Broken pipe" in text


def _peak(rank, world, device, monitor, run, status):
    monitor.stop()
    rep = monitor.report()
    t = dict(run.timings) if run is not None else {"load": None, "first_clip": None}
    if run is not None and t.get("load_done") is not None:
        t["load"] = round(t.pop("load_done") - _T0, 3)
    t.pop("load_done", None)
    if t.get("first_clip") is not None:
        t["first_clip"] = round(t["first_clip"], 3)
    t["total"] = round(time.monotonic() - _T0, 3)
    # The allocator settings decide the reserve over torch's allocated bytes (expandable_segments
    # leaves far less behind), so a peak is only comparable with a prediction made for the same conf.
    alloc_conf = os.environ.get("PYTORCH_CUDA_ALLOC_CONF") or None
    line = {"rank": rank, "world_size": world, "device": str(device), **rep, "alloc_conf": alloc_conf, "timings": {k: t.get(k) for k in ("load", "first_clip", "total")}, "status": status}
    _emit("LAL_PEAK", line)


def _emit(tag, obj):
    # One write() per line: with PYTHONUNBUFFERED=1, print() writes the text and the newline
    # separately and other ranks' output can land in between (see fixtures/logs).
    sys.stdout.write(tag + " " + json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
