"""Describe this Python environment as one JSON line on stdout, for the launcher's detection.

Reports the Python and torch versions, torch's CUDA build, CUDA availability and device count,
NCCL version, flash-attn (FA2 ``flash_attn`` and FA3 ``flash_attn_interface``) and the torchrun
that belongs to this interpreter.

It must never hang or disturb the GPUs:
- PYTORCH_NVML_BASED_CUDA_CHECK=1 makes ``torch.cuda.is_available()``/``device_count()`` ask NVML
  instead of initialising the CUDA runtime, so no CUDA context is created on any GPU.
- ``torch.cuda.init()`` and anything that allocates on a device are never called.
- The caller bounds the run with a timeout (a broken import can hang on a network file system).
Standard library only, besides the optional torch / flash-attn imports. Works on Python 3.6+.
"""
import json
import os
import sys
import time

os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")

out = {
    "python": sys.version.split()[0],
    "executable": sys.executable,
    "prefix": sys.prefix,
    "torch": None,
}
t0 = time.time()


def short(exc):
    text = "%s: %s" % (type(exc).__name__, exc)
    return text.splitlines()[0][:300] if text else type(exc).__name__


def dist_version(name):
    try:
        from importlib import metadata  # Python 3.8+
        return metadata.version(name)
    except Exception:
        return None


def torchrun_path():
    # The torchrun next to the interpreter is the one pip/apt/conda installed for it.
    here = os.path.join(os.path.dirname(sys.executable), "torchrun")
    if os.path.isfile(here) and os.access(here, os.X_OK):
        return here
    # One on PATH counts only if its shebang names this interpreter; else it runs another Python's torch.
    try:
        import shutil
        found = shutil.which("torchrun")
        if not found:
            return None
        with open(found, "rb") as f:
            first = f.readline().decode("utf-8", "replace").strip()
        if first.startswith("#!"):
            interp = first[2:].strip().split()[0]
            if os.path.realpath(interp) == os.path.realpath(sys.executable):
                return found
        return None
    except Exception:
        return None


try:
    import torch  # noqa: E402

    out["torch"] = torch.__version__
    out["torch_cuda"] = getattr(torch.version, "cuda", None)
    try:
        out["device_count"] = int(torch.cuda.device_count())
        out["cuda_available"] = bool(torch.cuda.is_available())
    except Exception as e:
        out["cuda_error"] = short(e)
        out["device_count"] = None
        out["cuda_available"] = False
    try:
        # Compiled arch targets; reads a build constant, does not touch the driver.
        out["arch_list"] = list(torch.cuda.get_arch_list()) if out.get("torch_cuda") else []
    except Exception:
        out["arch_list"] = []
    try:
        v = torch.cuda.nccl.version() if out.get("torch_cuda") else None
        if isinstance(v, tuple):
            v = ".".join(str(x) for x in v)
        elif isinstance(v, int):
            v = "%d.%d.%d" % (v // 1000, (v % 1000) // 100, v % 100) if v < 10000 else "%d.%d.%d" % (v // 10000, (v % 10000) // 100, v % 100)
        out["nccl"] = v
    except Exception:
        out["nccl"] = None
except Exception as e:  # ImportError, or a broken install raising anything else
    out["torch"] = None
    out["torch_error"] = short(e)

for module, key in (("flash_attn", "flash_attn"), ("flash_attn_interface", "flash_attn3")):
    try:
        import importlib.util
        if importlib.util.find_spec(module) is None:
            out[key] = None
            continue
    except Exception:
        out[key] = None
        continue
    # Importing loads the CUDA extension (no CUDA context), which is what catches an ABI mismatch.
    try:
        mod = __import__(module)
        out[key] = getattr(mod, "__version__", None) or dist_version(module.replace("_interface", "")) or "present"
    except Exception as e:
        out[key] = None
        out[key + "_error"] = short(e)

out["torchrun"] = torchrun_path()
out["seconds"] = round(time.time() - t0, 3)
sys.stdout.write("LAL_PROBE " + json.dumps(out) + "\n")
sys.stdout.flush()
