"""A real NCCL watchdog timeout on ONE GPU (torch >= 2.2), for the explainer's fixtures.

A two-rank straggler needs two GPUs (NCCL refuses two ranks on one device). On one GPU the
same watchdog path runs when a collective cannot finish in time because its stream is busy:
a spin kernel (torch.cuda._sleep) holds the stream, the all_reduce queued behind it outlives
the process group's timeout, and the watchdog aborts the rank (exit -6) with the exact
texts a real cascade prints. With TORCH_NCCL_TRACE_BUFFER_SIZE and TORCH_NCCL_DUMP_ON_TIMEOUT
set, torch also writes its flight-recorder dump.

Run (a GPU machine; torchrun from the same torch):
  NCCL_NVLS_ENABLE=0 TORCH_NCCL_TRACE_BUFFER_SIZE=2000 TORCH_NCCL_DUMP_ON_TIMEOUT=1 \
  TORCH_NCCL_DEBUG_INFO_TEMP_FILE=$OUT/nccl_trace_rank_ \
  torchrun --nproc_per_node 1 scripts/gpu/watchdog-one-gpu.py --timeout 8
"""
import argparse
import datetime
import os
import sys

import torch
import torch.distributed as dist


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=8.0)
    ap.add_argument("--spin_seconds", type=float, default=60.0)
    args = ap.parse_args()
    local = int(os.environ.get("LOCAL_RANK", "0"))
    torch.cuda.set_device(local)
    dist.init_process_group("nccl", timeout=datetime.timedelta(seconds=args.timeout))
    x = torch.ones(1 << 20, device="cuda")
    dist.all_reduce(x)  # SeqNum 1 completes: the group is healthy
    torch.cuda.synchronize()
    print(f"rank {dist.get_rank()}: first all_reduce done, now queueing one behind a {args.spin_seconds:.0f} s kernel", flush=True)
    # ~1.7-2 GHz SM clock: cycles for the wanted seconds (the exact length does not matter, only > timeout)
    torch.cuda._sleep(int(args.spin_seconds * 1.8e9))
    dist.all_reduce(x)  # SeqNum 2 waits behind the spin kernel past the timeout
    torch.cuda.synchronize()
    print("unexpected: the collective finished", flush=True)
    sys.exit(3)


if __name__ == "__main__":
    main()
