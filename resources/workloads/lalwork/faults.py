"""--inject KIND@CLIP:STEP[:RANK]: deliberate failures at a known point of the run.

A fault fires when a rank's step loop reaches STEP (1-based) in the first block of clip CLIP
(1-based); CLIP 0 means "while loading weights" (STEP is then ignored). RANK: an integer, `all`,
or omitted = the rank that owns the step (TPP: rank STEP-1; single GPU and FSDP: rank 0).
Every fault first prints one `LAL_INJECT {json}` line on stderr so tests and demos can see that it
fired. docs/rehearsal.md has the full table.
"""

import json
import os
import signal
import sys
import time

import torch

from .shapes import human


class Faults:
    def __init__(self, injects, rank, owner_of_step, device, local_rank, sim_gpu_gib, slow_seconds, oom_request_bytes):
        self.pending = list(injects)
        self.rank = rank
        self.owner_of_step = owner_of_step
        self.device = device
        self.local_rank = local_rank
        self.sim_total = int(sim_gpu_gib * (1 << 30))
        self.slow_seconds = slow_seconds
        self.slow = False
        self.oom_request = oom_request_bytes

    def _mine(self, inj):
        if inj["rank"] == "all":
            return True
        if inj["rank"] is None:
            return self.rank == (0 if inj["clip"] == 0 else self.owner_of_step(inj["step"]))
        return inj["rank"] == self.rank

    def at_load(self):
        self._check(lambda inj: inj["clip"] == 0, clip=0, step=0)

    def at_step(self, clip, step, first_block):
        if first_block:
            self._check(lambda inj: inj["clip"] == clip and inj["step"] == step, clip=clip, step=step)
        if self.slow:
            time.sleep(self.slow_seconds)

    def _check(self, match, clip, step):
        for inj in [i for i in self.pending if match(i) and self._mine(i)]:
            self.pending.remove(inj)
            self._fire(inj, clip, step)

    def _fire(self, inj, clip, step):
        kind = inj["kind"]
        sys.stdout.flush()
        sys.stderr.write("LAL_INJECT " + json.dumps({"kind": kind, "rank": self.rank, "clip": clip, "step": step, "spec": inj["text"]}) + "\n")
        sys.stderr.flush()
        if kind == "slow":
            self.slow = True
        elif kind == "hang":
            # Peers block in their next send/recv/collective, as with a stuck GPU or a deadlock.
            while True:
                time.sleep(3600)
        elif kind == "crash":
            raise RuntimeError(f"LAL rehearsal: injected crash (--inject {inj['text']}) on rank {self.rank} at clip {clip}, step {step}")
        elif kind == "sigkill":
            # What the kernel OOM killer does: no traceback, exit code -9 in torchrun's table.
            os.kill(os.getpid(), signal.SIGKILL)
        elif kind == "oom":
            self._oom()

    def _oom(self):
        if self.device.type == "cuda":
            free, total = torch.cuda.mem_get_info(self.device)
            # A real request past capacity: torch's own allocator raises and words the error.
            torch.empty(int(total) + (1 << 30), dtype=torch.uint8, device=self.device)
            raise AssertionError("unreachable: allocation past device capacity succeeded")
        # CPU stand-in: the same exception type and the torch >= 2.2 wording seen in
        # test/fixtures/captured/logs/fail-oom.log, with numbers for a simulated card of --sim_gpu_gib.
        exc = getattr(torch, "OutOfMemoryError", None) or torch.cuda.OutOfMemoryError
        req = self.oom_request
        free = req // 2
        in_use = self.sim_total - free
        allocated = max(0, in_use - int(1.5 * (1 << 30)))
        unalloc = 20 * (1 << 20)
        raise exc(
            f"CUDA out of memory. Tried to allocate {human(req)}. GPU {self.local_rank} has a total capacity of "
            f"{human(self.sim_total)} of which {human(free)} is free. Including non-PyTorch memory, this process has "
            f"{human(in_use)} memory in use. Of the allocated memory {human(allocated)} is allocated by PyTorch, and "
            f"{human(unalloc)} is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try "
            f"setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for "
            f"Memory Management  (https://docs.pytorch.org/docs/stable/notes/cuda.html#optimizing-memory-usage-with-pytorch-cuda-alloc-conf)"
        )
