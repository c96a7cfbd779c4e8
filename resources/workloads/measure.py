"""Run the rehearsal in the standard layouts and record what each rank really allocated.

    python3 resources/workloads/measure.py --out docs/rehearsal-data/<machine>   # on the GPU box
    python3 resources/workloads/measure.py --only single-fp8,tpp4-fp8 ...         # a subset

For every layout that fits the visible GPUs it runs torchrun (`python -m torch.distributed.run`
with this interpreter), keeps the full log, and writes `summary.json` (commands, versions, per-rank
LAL_PLAN next to LAL_PEAK) plus `summary.md` (one table). Layouts needing more GPUs are skipped and
listed as such. docs/rehearsal.md §6 explains the columns.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "rehearsal.py")
SHIM = os.path.join(os.path.dirname(HERE), "torchrun", "lal_torchrun.py")

COMMON = ["--size", "704*384", "--infer_frames", "48", "--load_lora"]

# name, processes, flags, what a real run is expected to do (docs/upstream-notes.md §3.8)
LAYOUTS = [
    # quick ones first (~20-30 s each on H200); the offload-KV pair moves every cache across PCIe
    # per step, as upstream does, and takes ~200 s each: give them their own call.
    ("single-fp8", 1, ["--sample_steps", "4", "--num_clip", "2", "--fp8"], "single GPU as shipped: ~60.5 GB during denoising"),
    ("tpp4-fp8", 4, ["--num_gpus_dit", "3", "--sample_steps", "3", "--enable_vae_parallel", "--fp8", "--num_clip", "2"], "issue #11 layout: DiT ranks ~41 GB, VAE rank ~28 GB"),
    ("tpp4-fp8-t5cpu", 4, ["--num_gpus_dit", "3", "--sample_steps", "3", "--enable_vae_parallel", "--fp8", "--t5_cpu", "--num_clip", "2"], "DiT ranks ~29.7 GB"),
    ("fsdp2-ulysses2", 2, ["--dit_fsdp", "--ulysses_size", "2", "--sample_steps", "4", "--num_clip", "2"], "Wan-style FSDP + Ulysses (not an upstream Live Avatar layout)"),
    ("fsdp4-ulysses4", 4, ["--dit_fsdp", "--ulysses_size", "4", "--sample_steps", "4", "--num_clip", "2"], "Wan-style FSDP + Ulysses (not an upstream Live Avatar layout)"),
    ("tpp5-fp8", 5, ["--num_gpus_dit", "4", "--sample_steps", "4", "--enable_vae_parallel", "--fp8", "--num_clip", "2"], "shipped multi-GPU script"),
    ("single-bf16", 1, ["--sample_steps", "4", "--num_clip", "1"], "77.4 GB (72 GiB) + overhead: at the edge of an 80 GB card; a real run OOMed there (facts §3.8)"),
    ("single-fp8-offload-kv", 1, ["--sample_steps", "4", "--num_clip", "1", "--fp8", "--offload_kv_cache"], "~29.3 GB (48 GB cards); slow (~200 s)"),
    ("single-bf16-offload-kv", 1, ["--sample_steps", "4", "--num_clip", "1", "--offload_kv_cache"], "~45.3 GB; 3rd-party measured 52 GB at 80 frames; slow (~200 s)"),
]


def tagged(text, tag):
    out = []
    for line in text.splitlines():
        i = line.find(tag + " ")
        if i < 0:
            continue
        body = line[i + len(tag) + 1:]
        try:
            out.append(json.JSONDecoder().raw_decode(body)[0])
        except ValueError:
            pass
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def versions():
    info = {"python": sys.version.split()[0], "host": socket.gethostname()}
    try:
        import torch
        info["torch"] = torch.__version__
        info["cuda"] = torch.version.cuda
        info["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if torch.cuda.is_available() else []
        info["gpu_total_bytes"] = [torch.cuda.get_device_properties(i).total_memory for i in range(torch.cuda.device_count())] if torch.cuda.is_available() else []
        try:
            info["nccl"] = ".".join(str(x) for x in torch.cuda.nccl.version())
        except Exception:
            info["nccl"] = None
    except ImportError:
        info["torch"] = None
    return info


def gib(v):
    return None if v is None else round(v / float(1 << 30), 2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join("docs", "rehearsal-data", socket.gethostname()))
    ap.add_argument("--only", default="", help="comma-separated layout names")
    ap.add_argument("--gpus", type=int, default=None, help="GPUs to assume (default: torch.cuda.device_count())")
    ap.add_argument("--scale", default="full", choices=["tiny", "full"])
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--timeout", type=float, default=540.0, help="seconds per layout")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    if a.list:
        for name, n, flags, note in LAYOUTS:
            print(f"{name:24s} {n} GPU(s)  {' '.join(flags)}  # {note}")
        return 0

    info = versions()
    gpus = a.gpus if a.gpus is not None else len(info.get("gpus") or [])
    only = [s for s in a.only.split(",") if s]
    os.makedirs(a.out, exist_ok=True)
    summary_path = os.path.join(a.out, "summary.json")
    summary = {"versions": info, "runs": {}}
    if os.path.exists(summary_path):
        with open(summary_path) as f:
            summary["runs"] = json.load(f).get("runs", {})  # accumulate across --only calls

    launcher = [sys.executable, SHIM]  # same CLI as torchrun; a no-op patch on torch without the bug
    for name, nproc, flags, note in LAYOUTS:
        if only and name not in only:
            continue
        if gpus < nproc and a.device != "cpu":
            summary["runs"][name] = {"skipped": f"needs {nproc} GPUs, {gpus} visible", "note": note}
            print(f"== {name}: skipped (needs {nproc} GPUs)", flush=True)
            continue
        cmd = launcher + ["--nproc_per_node", str(nproc), "--master_port", str(free_port()), SCRIPT,
                          "--scale", a.scale, "--device", a.device] + COMMON + flags + ["--save_file", os.path.join(a.out, name + ".y4m")]
        env = dict(os.environ, PYTHONUNBUFFERED="1", ENABLE_COMPILE="false")
        print(f"== {name}: {' '.join(cmd)}", flush=True)
        t0 = time.time()
        try:
            p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=a.timeout)
            rc, out, err = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            rc, out, err = "timeout", (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or ""), (e.stderr or b"").decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        wall = round(time.time() - t0, 1)
        with open(os.path.join(a.out, name + ".log"), "w") as f:
            f.write(f"$ {' '.join(cmd)}\n# exit {rc}, {wall} s\n--- stdout\n{out}\n--- stderr\n{err}\n")
        plans = {p["rank"]: p for p in tagged(out, "LAL_PLAN")}
        peaks = {p["rank"]: p for p in tagged(out, "LAL_PEAK")}
        ranks = []
        for r in sorted(set(plans) | set(peaks)):
            pl, pk = plans.get(r, {}), peaks.get(r, {})
            ranks.append({
                "rank": r, "role": pl.get("role"),
                "plan_gpu_phases": pl.get("gpu_phases"), "plan_gpu_peak": pl.get("gpu_peak_expected"),
                "plan_host": pl.get("host"), "peak": pk,
            })
        oom = "OutOfMemoryError" in err
        # PYTORCH_CUDA_ALLOC_CONF passes through from this environment: the reserve depends on it.
        summary["runs"][name] = {"command": cmd, "exit": rc, "wall_s": wall, "oom": oom, "note": note, "ranks": ranks,
                                 "alloc_conf": env.get("PYTORCH_CUDA_ALLOC_CONF") or None}
        print(f"   exit {rc} in {wall} s" + (" (OOM)" if oom else ""), flush=True)
        with open(summary_path, "w") as f:
            json.dump(summary, f, indent=1)

    lines = ["| layout | rank | role | plan peak GiB | torch alloc GiB | torch reserved GiB | device used GiB | host RSS GiB | load s | first clip s | total s | exit |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, run in summary["runs"].items():
        if "skipped" in run:
            lines.append(f"| {name} | – | – | – | – | – | – | – | – | – | – | skipped: {run['skipped']} |")
            continue
        for r in run["ranks"] or [{"rank": "–", "role": None, "plan_gpu_peak": None, "peak": {}}]:
            pk = r.get("peak") or {}
            t = pk.get("timings") or {}
            lines.append(f"| {name} | {r['rank']} | {r.get('role')} | {gib(r.get('plan_gpu_peak'))} | {gib(pk.get('torch_allocated_peak'))} | "
                         f"{gib(pk.get('torch_reserved_peak'))} | {gib(pk.get('device_used_peak'))} | {gib(pk.get('host_rss_peak'))} | "
                         f"{t.get('load')} | {t.get('first_clip')} | {t.get('total')} | {run['exit']}{' OOM' if run.get('oom') else ''} |")
    with open(os.path.join(a.out, "summary.md"), "w") as f:
        f.write(f"Versions: `{json.dumps(summary['versions'])}`\n\n" + "\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
