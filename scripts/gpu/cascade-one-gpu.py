"""A real multi-rank NCCL watchdog cascade (torch >= 2.2) on ONE GPU, for the explainer's fixtures.

NCCL refuses two ranks of one communicator on the same device ("Duplicate GPU detected"): it
compares each rank's host hash and PCI bus id. NCCL_HOSTID replaces the host name in that hash,
so giving every rank its own value makes NCCL treat them as separate hosts that talk over the
socket transport on loopback. The ranks then run real NCCL collectives on one card, and the
watchdog, the abort and torchrun's teardown are the ones a multi-GPU job shows. Nothing else
about the run is faked.

Scenarios (--straggler):
  N     rank N falls behind in Python (sleeps before the collective); every other rank's
        all_reduce outlives the timeout, the watchdog aborts it (exit -6), torchrun stops rank N.
  gpu   no rank falls behind in Python: every rank enters the collective, but rank --gpu_rank's
        stream is held by a spin kernel queued first, so the collective times out on all ranks.

Run (a GPU machine; torchrun from the same torch), as the launcher runs a job:
  NCCL_NVLS_ENABLE=0 NCCL_DEBUG=WARN TORCH_NCCL_TRACE_BUFFER_SIZE=2000 TORCH_NCCL_DUMP_ON_TIMEOUT=1 \
  torchrun --nnodes 1 --nproc_per_node 4 --max_restarts 0 --monitor_interval 1 \
    --log_dir RUN/logs --redirects 3 --tee 3 scripts/gpu/cascade-one-gpu.py --straggler 2 --timeout 10
"""
import argparse
import datetime
import os
import sys
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--straggler", default="2", help="a rank number, or 'gpu' (no rank falls behind in Python)")
    ap.add_argument("--gpu_rank", type=int, default=1, help="with --straggler gpu: the rank whose stream is held")
    ap.add_argument("--timeout", type=float, default=10.0, help="process group timeout, seconds")
    ap.add_argument("--straggle_seconds", type=float, default=120.0)
    ap.add_argument("--healthy", type=int, default=3, help="collectives that complete first")
    ap.add_argument("--backend", default="nccl", help="gloo only to check this script's control flow on CPU")
    args = ap.parse_args()

    local = int(os.environ.get("LOCAL_RANK", "0"))
    # Before torch touches NCCL: one "host" per rank, loopback sockets, nothing that needs one device per rank.
    os.environ["NCCL_HOSTID"] = f"lal-cascade-rank{local}"
    os.environ.setdefault("NCCL_IB_DISABLE", "1")
    os.environ.setdefault("NCCL_SOCKET_IFNAME", "lo")
    os.environ.setdefault("NCCL_NVLS_ENABLE", "0")

    import torch
    import torch.distributed as dist

    timeout = datetime.timedelta(seconds=args.timeout)
    if args.backend == "nccl":
        torch.cuda.set_device(0)
        dev = torch.device("cuda", 0)
        dist.init_process_group("nccl", timeout=timeout, device_id=dev)
    else:
        dev = torch.device("cpu")
        dist.init_process_group("gloo", timeout=timeout)
    rank = dist.get_rank()
    world = dist.get_world_size()
    x = torch.ones(1 << 20, device=dev)
    for i in range(args.healthy):
        dist.all_reduce(x)
        if dev.type == "cuda":
            torch.cuda.synchronize()
        print(f"rank {rank}/{world}: step {i + 1}/{args.healthy} all_reduce done", flush=True)

    if args.straggler == "gpu":
        if rank == args.gpu_rank and dev.type == "cuda":
            print(f"rank {rank}: queueing a {args.straggle_seconds:.0f} s kernel before the next all_reduce", flush=True)
            torch.cuda._sleep(int(args.straggle_seconds * 1.8e9))
    elif rank == int(args.straggler):
        print(f"rank {rank}: busy for {args.straggle_seconds:.0f} s before the next all_reduce", flush=True)
        time.sleep(args.straggle_seconds)
    print(f"rank {rank}: entering all_reduce {args.healthy + 1}", flush=True)
    dist.all_reduce(x)
    if dev.type == "cuda":
        torch.cuda.synchronize()
    # Also reached after the watchdog aborted the communicator: the process is then about to be taken down.
    print(f"rank {rank}: all_reduce {args.healthy + 1} returned", flush=True)
    dist.destroy_process_group()
    sys.exit(3)


if __name__ == "__main__":
    main()
