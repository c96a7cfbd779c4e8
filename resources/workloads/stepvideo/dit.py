"""The rehearsal's Step-Video-T2V DiT ranks (run_parallel.py's layout with random weights), run by
torchrun next to server.py.

Layout, as upstream's xDiT setup: world = ulysses_degree x ring_degree x tensor_parallel_degree,
and the 48 heads must split evenly over ulysses x tensor parallel. Control flow as upstream's
pipeline: every rank asks the caption server for its prompt embeddings first, then all ranks run
one tqdm bar of --infer_steps denoising steps (a Ulysses all-to-all per layer, a tensor-parallel
all-reduce, a ring exchange), then rank 0 alone asks the VAE server to decode while the other ranks
go on to destroy_process_group. gloo on CPU, nccl on CUDA.

`--collective_timeout_sec` is the process group's timeout: short in tests, so a slow server
reproduces the seed's watchdog timeout in seconds.
"""

import argparse
import json
import os
import sys
import time
from datetime import timedelta

import torch
import torch.distributed as dist

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.dirname(here))
import shapes  # noqa: E402
import wire  # noqa: E402
from lalwork.progress import progress  # noqa: E402
from lalwork.video import write_y4m  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description="Step-Video-T2V rehearsal DiT ranks")
    # Upstream's flags (stepvideo/config.py), same names.
    p.add_argument("--model_dir", type=str, default="./ckpts")
    p.add_argument("--vae_url", type=str, default="127.0.0.1")
    p.add_argument("--caption_url", type=str, default="127.0.0.1")
    p.add_argument("--ulysses_degree", type=int, default=1)
    p.add_argument("--ring_degree", type=int, default=1)
    p.add_argument("--tensor_parallel_degree", type=int, default=1)
    p.add_argument("--prompt", type=str, default="a cat")
    p.add_argument("--infer_steps", type=int, default=50)
    p.add_argument("--cfg_scale", type=float, default=9.0)
    p.add_argument("--time_shift", type=float, default=13.0)
    p.add_argument("--num_frames", type=int, default=204)
    p.add_argument("--height", type=int, default=544)
    p.add_argument("--width", type=int, default=992)
    p.add_argument("--save_path", type=str, default="./results")
    # Rehearsal extras.
    p.add_argument("--scale", choices=["tiny", "full"], default="tiny")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    # Upstream's client hard-codes 8080; the launcher may pick a free port and say so here.
    p.add_argument("--companion_port", type=int, default=8080)
    p.add_argument("--collective_timeout_sec", type=float, default=600.0)
    p.add_argument("--step_sec", type=float, default=0.0, help="extra seconds per step (a slower GPU)")
    # The server's own settings reach the ranks' argv too (one recipe, one argv builder); ignored here.
    p.add_argument("--server_inject", type=str, default="")
    p.add_argument("--ready_timeout_sec", type=float, default=0.0)
    return p.parse_args()


def main():
    args = parse_args()
    rank = int(os.environ.get("RANK", "0"))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    device = torch.device(f"cuda:{local_rank}") if use_cuda else torch.device("cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    dims = shapes.scale(args.scale)
    u, r, tp = args.ulysses_degree, args.ring_degree, args.tensor_parallel_degree

    # Upstream's checks (stepvideo/parallel.py and config): the product is the world size and the
    # heads split evenly over the sequence-parallel and tensor-parallel degrees.
    assert u * r * tp == world, f"ulysses_degree x ring_degree x tensor_parallel_degree = {u}x{r}x{tp} != world size {world}"
    assert dims["heads"] % (u * tp) == 0, f"{dims['heads']} heads do not split over ulysses_degree {u} x tensor_parallel_degree {tp}"

    dist.init_process_group("nccl" if use_cuda else "gloo", timeout=timedelta(seconds=args.collective_timeout_sec))
    # Rank = (ring, ulysses, tp) with tp fastest. Every rank creates every group in the same order.
    groups = {}
    for kind in ("tp", "ulysses", "ring"):
        for key in range(world):
            members = sorted({m for m in range(world) if _coords(m, u, tp)[_other(kind)] == _coords(key, u, tp)[_other(kind)]})
            if tuple(members) in groups.get(kind, {}):
                continue
            pg = dist.new_group(members, timeout=timedelta(seconds=args.collective_timeout_sec))
            groups.setdefault(kind, {})[tuple(members)] = pg
    mine = {k: next(pg for m, pg in v.items() if rank in m) for k, v in groups.items()}
    sizes = {k: next(len(m) for m in v if rank in m) for k, v in groups.items()}
    if rank == 0:
        print(f"Step-Video rehearsal: {world} ranks = ulysses {u} x ring {r} x tp {tp}; {dims['heads']} heads, {dims['heads'] // (u * tp)} per rank", flush=True)

    # Every rank asks for its own captions at the start (upstream's pipeline does, so N ranks queue
    # N requests behind the server's lock).
    host, port = args.caption_url, args.companion_port
    print(f"rank {rank}: asking the caption server at http://{host}:{port}/caption-api", flush=True)
    t0 = time.time()
    cap = wire.call(host, port, "caption", {"prompts": [args.prompt]})
    print(f"rank {rank}: captions in {time.time() - t0:.1f}s, y {tuple(cap['y'].shape)}", flush=True)

    heads_local = dims["heads"] // (u * tp)
    hd = dims["head_dim"]
    seq = 8 * sizes["ulysses"] if args.scale == "tiny" else 1024 * sizes["ulysses"]
    dtype = torch.bfloat16 if use_cuda else torch.float32
    g = torch.Generator().manual_seed(1234 + rank)
    x = torch.randn(seq // sizes["ulysses"], heads_local * sizes["ulysses"], hd, generator=g).to(device, dtype)
    if args.scale == "full" and use_cuda:
        # The DiT's weights, sharded over tensor parallel (the memory the model predicts per rank).
        weights = torch.empty(dims["dit_params"] // tp, dtype=dtype, device=device)  # noqa: F841
    ctx = torch.from_numpy(cap["y"]).to(device, dtype)

    for _step in progress(range(args.infer_steps)):
        for _layer in range(dims["layers"]):
            # Ulysses: sequence-sharded -> head-sharded and back (the all-to-all the seed's ranks time out in).
            a = x.reshape(sizes["ulysses"], -1).contiguous()
            b = torch.empty_like(a)
            dist.all_to_all_single(b, a, group=mine["ulysses"])
            y = b.reshape(x.shape) * 0.5 + ctx.mean() * 0.01
            dist.all_to_all_single(a, y.reshape(sizes["ulysses"], -1).contiguous(), group=mine["ulysses"])
            x = a.reshape(x.shape)
            if sizes["tp"] > 1:
                dist.all_reduce(x, group=mine["tp"])
                x = x / sizes["tp"]
            if sizes["ring"] > 1:
                dist.all_reduce(x, group=mine["ring"])
                x = x / sizes["ring"]
        if args.step_sec:
            time.sleep(args.step_sec)

    if rank == 0:
        f = max(1, (dims.get("frames") or args.num_frames) // dims["temporal"])
        h, w = dims.get("hw") or (args.height, args.width)
        latents = torch.randn(1, f, dims["latent_channels"], h // dims["spatial"], w // dims["spatial"], generator=g)
        print("rank 0: asking the VAE server to decode", flush=True)
        video = wire.call(args.vae_url, port, "vae", {"samples": latents.numpy()})["video"]
        out = os.path.join(args.save_path, "video.y4m")
        write_y4m(out, torch.from_numpy(video))
        print(f"Saved {out}", flush=True)
    if use_cuda:
        print("LAL_PEAK " + json.dumps({"device_used_peak": None, "torch_allocated_peak": int(torch.cuda.max_memory_allocated(device))}), flush=True)
    print(f"rank {rank}: Finished", flush=True)
    # Other ranks do not wait for rank 0's decode (upstream neither).
    dist.destroy_process_group()


def _coords(rank, u, tp):
    """A rank's place (tp fastest, then ulysses, then ring) and the pairs a group's members share."""
    t, uly, ring = rank % tp, (rank // tp) % u, rank // (tp * u)
    return {"ulysses_ring": (uly, ring), "tp_ring": (t, ring), "tp_ulysses": (t, uly)}


def _other(kind):
    """Members of a `kind` group share the other two coordinates."""
    return {"tp": "ulysses_ring", "ulysses": "tp_ring", "ring": "tp_ulysses"}[kind]


if __name__ == "__main__":
    main()
