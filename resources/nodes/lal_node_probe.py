"""Preflight probe for one node of a multi-node run, run by the node's Python over SSH (`python -c`).

Modes (argv):
  probe RDZV_HOST IFNAME,... CHECKOUT  facts as one JSON line: host name, Python/torch/NCCL versions,
                                 GPUs, name resolution and route toward the rendezvous host,
                                 interfaces, /dev/shm, free disk, clock.
  listen PORT [TRIES]            bind the rendezvous port (or the next free one), print
                                 `LISTENING <port>`, accept connections until stdin closes.
  connect HOST PORT              one TCP connect, as the workers will make it; JSON line.
  sweep RUN_ID NODE              SIGKILL every process whose environment has LAL_RUN_ID=RUN_ID
                                 and LAL_NODE=NODE;
                                 JSON line with what was killed and what is left (lal runs --reap,
                                 and the launcher after a node ended badly).
Standard library only; importing torch is the slow part (seconds).
"""

import json
import os
import socket
import subprocess
import sys
import time


def smi_gpus():
    """The node's GPUs as nvidia-smi sees them (free memory includes other users'), or None without it."""
    try:
        r = subprocess.run(
            ["nvidia-smi", "--query-gpu=index,name,memory.total,memory.free", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if r.returncode != 0:
        return None
    gpus = []
    for line in r.stdout.splitlines():
        parts = [p.strip() for p in line.split(",")]
        try:
            gpus.append({"index": int(parts[0]), "name": parts[1], "totalBytes": int(float(parts[2])) * 1048576, "freeBytes": int(float(parts[3])) * 1048576})
        except (ValueError, IndexError):
            continue
    return gpus or None


def probe(rdzv_host, ifnames, checkout):
    out = {"hostname": socket.gethostname(), "python": sys.version.split()[0], "executable": sys.executable}
    try:
        import torch

        out["torch"] = torch.__version__
        out["cuda"] = bool(torch.cuda.is_available())
        try:
            v = torch.cuda.nccl.version() if out["cuda"] else None
            out["nccl"] = ".".join(str(x) for x in v) if isinstance(v, tuple) else (str(v) if v else None)
        except Exception:
            out["nccl"] = None
        gpus = []
        if out["cuda"]:
            for i in range(torch.cuda.device_count()):
                p = torch.cuda.get_device_properties(i)
                free = None
                try:
                    free = torch.cuda.mem_get_info(i)[0]
                except Exception:
                    pass
                gpus.append({"name": p.name, "totalBytes": p.total_memory, "freeBytes": free})
        out["gpus"] = gpus
    except Exception as e:
        out["torch"] = None
        out["torchError"] = "%s: %s" % (type(e).__name__, e)
    # nvidia-smi, where the node has it, for the per-GPU memory check: every physical GPU in the
    # order the ranks take them, with the memory other processes already hold.
    smi = smi_gpus()
    if smi is not None:
        out["gpus"] = smi
        out["gpuSource"] = "nvidia-smi"
    try:
        infos = socket.getaddrinfo(rdzv_host, None, proto=socket.IPPROTO_TCP)
        out["resolved"] = sorted({i[4][0] for i in infos})
    except OSError as e:
        out["resolved"] = []
        out["resolveError"] = str(e)
    out["route"] = None
    if out["resolved"]:
        try:
            r = subprocess.run(["ip", "-o", "route", "get", out["resolved"][0]], capture_output=True, text=True, timeout=5)
            words = r.stdout.split()
            if "dev" in words:
                out["route"] = words[words.index("dev") + 1]
            if out["route"] == "lo" and not out["resolved"][0].startswith("127."):
                # The rendezvous host is this node: the interface that holds the address is the one
                # the other nodes come in through, not the loopback the kernel routes to itself by.
                r = subprocess.run(["ip", "-o", "addr", "show"], capture_output=True, text=True, timeout=5)
                for line in r.stdout.splitlines():
                    w = line.split()
                    if len(w) > 3 and w[3].split("/")[0] == out["resolved"][0]:
                        out["route"] = w[1]
        except (OSError, subprocess.SubprocessError):
            pass
    try:
        out["interfaces"] = sorted(name for _, name in socket.if_nameindex())
    except OSError:
        out["interfaces"] = []
    out["ifnamesMissing"] = [n for n in ifnames if n and not n.startswith("^") and n not in out["interfaces"]]
    try:
        st = os.statvfs("/dev/shm")
        out["shmBytes"] = st.f_frsize * st.f_blocks
    except OSError:
        out["shmBytes"] = None
    home = os.path.expanduser("~")
    st = os.statvfs(home)
    out["diskFreeBytes"] = st.f_frsize * st.f_bavail
    if checkout:
        out["checkoutMissing"] = not os.path.isdir(checkout)
    out["time"] = time.time()
    return out


def listen(port, tries):
    s = None
    for p in range(port, port + tries):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # As torch's TCPStore does: our own probe connections in TIME_WAIT must not make the port look taken.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("0.0.0.0", p))
            s.listen(64)
            port = p
            break
        except OSError:
            s.close()
            s = None
    if s is None:
        print("BUSY %d" % port, flush=True)
        return
    print("LISTENING %d" % port, flush=True)
    s.settimeout(0.2)
    import threading

    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    deadline = time.time() + 60
    while not stop.is_set() and time.time() < deadline:
        try:
            c, _ = s.accept()
            c.close()
        except OSError:
            pass
    s.close()


def connect(host, port):
    t0 = time.time()
    try:
        c = socket.create_connection((host, port), timeout=4)
        c.close()
        print(json.dumps({"ok": True, "ms": round((time.time() - t0) * 1000, 1)}))
    except OSError as e:
        print(json.dumps({"ok": False, "error": "%s: %s" % (type(e).__name__, e), "ms": round((time.time() - t0) * 1000, 1)}))


def sweep(run_id, node):
    # LAL_NODE too: when the launcher's own machine is also a node, its driver carries LAL_RUN_ID
    # but no LAL_NODE, and must not be killed by its own sweep.
    me = os.getpid()
    want = ("LAL_RUN_ID=" + run_id).encode()
    want_node = ("LAL_NODE=" + node).encode()
    def ours():
        pids = []
        for name in os.listdir("/proc"):
            if name.isdigit() and int(name) != me:
                try:
                    with open("/proc/%s/environ" % name, "rb") as f:
                        env = f.read().split(b"\0")
                        if want in env and want_node in env:
                            pids.append(int(name))
                except OSError:
                    pass
        return pids
    killed = ours()
    for pid in killed:
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    left = killed
    for _ in range(40):
        left = [p for p in ours() if os.path.exists("/proc/%d" % p) and open("/proc/%d/stat" % p).read().rsplit(")", 1)[1].split()[0] != "Z"]
        if not left:
            break
        time.sleep(0.05)
    print(json.dumps({"killed": killed, "left": left}))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "probe":
        print(json.dumps(probe(sys.argv[2], sys.argv[3].split(",") if len(sys.argv) > 3 else [], sys.argv[4] if len(sys.argv) > 4 else "")))
    elif mode == "listen":
        listen(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    elif mode == "sweep":
        sweep(sys.argv[2], sys.argv[3])
    elif mode == "connect":
        connect(sys.argv[2], int(sys.argv[3]))
