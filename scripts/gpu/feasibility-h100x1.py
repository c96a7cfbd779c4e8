"""Single-GPU validation of the feasibility model: allocator settings, frame counts, fp8 vs bf16,
offload_kv_cache, t5_cpu, and layouts at the edge of the card.

    NCCL_NVLS_ENABLE=0 OUT=/tmp/out python3 scripts/gpu/feasibility-h100x1.py [--only a,b] [--budget 540]

Each run is the rehearsal at full scale on GPU 0 (one process under the torchrun shim), with
PYTORCH_CUDA_ALLOC_CONF set as the run's name says ("exp" = expandable_segments:True, "default" =
unset). Besides the workload's own LAL_PEAK line, this driver samples `nvidia-smi` every 0.1 s, so a
run that dies (OOM) still has a device-used peak. Writes $OUT/results.ndjson (one object per run),
$OUT/logs.txt (trimmed logs) and $OUT/machine.txt. docs/validation-data/h100x1-allocator/README.md
says what came out.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "resources", "workloads", "rehearsal.py")
SHIM = os.path.join(ROOT, "resources", "torchrun", "lal_torchrun.py")
EXP = "expandable_segments:True"

# name, alloc conf (None = torch default), flags. All: --scale full --size S --load_lora --sample_steps 4 --num_clip 1.
RUNS = [
    ("fp8-f48-default", None, ["--fp8", "--infer_frames", "48"]),
    ("fp8-f48-exp", EXP, ["--fp8", "--infer_frames", "48"]),
    ("fp8-f36-exp", EXP, ["--fp8", "--infer_frames", "36"]),
    ("fp8-f60-exp", EXP, ["--fp8", "--infer_frames", "60"]),
    ("bf16-f36-default", None, ["--infer_frames", "36"]),
    ("bf16-f36-exp", EXP, ["--infer_frames", "36"]),
    ("fp8-f48-t5cpu-exp", EXP, ["--fp8", "--t5_cpu", "--infer_frames", "48"]),
    ("fp8-f72-688-exp", EXP, ["--fp8", "--infer_frames", "72", "--size", "688*368"]),
    ("bf16-f48-exp", EXP, ["--infer_frames", "48"]),
    ("fp8-f72-default", None, ["--fp8", "--infer_frames", "72"]),
    ("fp8-f72-exp", EXP, ["--fp8", "--infer_frames", "72"]),
    ("bf16-f48-offloadkv-exp", EXP, ["--offload_kv_cache", "--infer_frames", "48"]),
    # second call (--only ...): held-out rows chosen after the model was refitted
    ("bf16-f48-default", None, ["--infer_frames", "48"]),
    ("fp8-f60-default", None, ["--fp8", "--infer_frames", "60"]),
    ("fp8-f60-688-default", None, ["--fp8", "--infer_frames", "60", "--size", "688*368"]),
    ("bf16-f24-exp", EXP, ["--infer_frames", "24"]),
    ("fp8-f72-exp-again", EXP, ["--fp8", "--infer_frames", "72"]),
    ("fp8-f84-688-exp", EXP, ["--fp8", "--infer_frames", "84", "--size", "688*368"]),
]


def tagged(text, tag):
    out = []
    for line in text.splitlines():
        i = line.find(tag + " ")
        if i < 0:
            continue
        try:
            out.append(json.JSONDecoder().raw_decode(line[i + len(tag) + 1:])[0])
        except ValueError:
            pass
    return out


def smi_used_mib():
    try:
        p = subprocess.run(["nvidia-smi", "--query-gpu=memory.used,memory.total,memory.free", "--format=csv,noheader,nounits", "-i", "0"],
                           capture_output=True, text=True, timeout=5)
        used, total, free = (int(x) for x in p.stdout.strip().split(","))
        return used, total, free
    except Exception:  # a sampler miss is a gap in the curve, not a failed run
        return None


class Sampler:
    def __init__(self):
        self.peak = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            s = smi_used_mib()
            if s and s[0] > self.peak:
                self.peak = s[0]
            self._stop.wait(0.1)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join(timeout=2)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--budget", type=float, default=540.0, help="seconds for all runs; later runs are skipped")
    ap.add_argument("--size", default="704*384")
    a = ap.parse_args()
    out = os.environ.get("OUT") or "/tmp/feas-out"
    os.makedirs(out, exist_ok=True)
    only = [s for s in a.only.split(",") if s]
    t_start = time.time()
    with open(os.path.join(out, "machine.txt"), "w") as f:
        for cmd in (["nvidia-smi"], [sys.executable, "-c", "import torch;print(torch.__version__, torch.version.cuda, torch.cuda.get_device_name(0), torch.cuda.mem_get_info(0))"]):
            p = subprocess.run(cmd, capture_output=True, text=True)
            f.write("$ " + " ".join(cmd) + "\n" + p.stdout + p.stderr + "\n")
    res = open(os.path.join(out, "results.ndjson"), "a")
    logs = open(os.path.join(out, "logs.txt"), "a")
    runs = [r for r in RUNS if not only or r[0] in only]
    for name, conf, flags in runs:
        left = a.budget - (time.time() - t_start)
        if left < 25:
            res.write(json.dumps({"name": name, "skipped": "out of time"}) + "\n")
            res.flush()
            continue
        size = flags[flags.index("--size") + 1] if "--size" in flags else a.size
        flags = [x for i, x in enumerate(flags) if x != "--size" and (i == 0 or flags[i - 1] != "--size")]
        cmd = [sys.executable, SHIM, "--nproc_per_node", "1", "--master_port", str(free_port()), SCRIPT,
               "--scale", "full", "--device", "cuda", "--size", size, "--load_lora", "--sample_steps", "4", "--num_clip", "1",
               "--sample_interval", "0.02", "--save_file", "/tmp/feas.y4m"] + flags
        env = dict(os.environ, PYTHONUNBUFFERED="1", ENABLE_COMPILE="false", NCCL_NVLS_ENABLE="0", CUDA_VISIBLE_DEVICES="0")
        env.pop("PYTORCH_CUDA_ALLOC_CONF", None)
        if conf:
            env["PYTORCH_CUDA_ALLOC_CONF"] = conf
        before = smi_used_mib()
        t0 = time.time()
        with Sampler() as smp:
            try:
                p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=max(20, left - 5))
                rc, so, se = p.returncode, p.stdout, p.stderr
            except subprocess.TimeoutExpired as e:
                rc = "timeout"
                so = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
                se = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        wall = round(time.time() - t0, 1)
        plan = (tagged(so, "LAL_PLAN") or [None])[0]
        peak = (tagged(so, "LAL_PEAK") or [None])[0]
        oom = "OutOfMemoryError" in se or "CUDA out of memory" in se or "OutOfMemoryError" in so
        row = {"name": name, "alloc_conf": conf, "size": size, "flags": flags, "command": cmd, "exit": rc, "wall_s": wall, "oom": oom,
               "smi_before_mib": before, "smi_used_peak_mib": smp.peak, "plan": plan, "peak": peak}
        res.write(json.dumps(row) + "\n")
        res.flush()
        err_tail = "\n".join([ln for ln in se.splitlines() if "Error" in ln or "error" in ln][-6:])
        logs.write(f"=== {name} exit={rc} wall={wall}s oom={oom} smi_peak={smp.peak} MiB\n$ PYTORCH_CUDA_ALLOC_CONF={conf or ''} {' '.join(cmd)}\n"
                   + "\n".join(ln for ln in so.splitlines() if ln.startswith(("LAL_", "[")))[-4000:] + "\n--- stderr (errors)\n" + err_tail + "\n")
        logs.flush()
        print(f"{name}: exit {rc} {wall}s oom={oom} smi_peak={smp.peak} MiB dev_peak={(peak or {}).get('device_used_peak')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
