"""The launcher's agent on one node of a multi-node run (started over SSH by lal_nodes.py).

It starts torchrun in its own process group, streams torchrun's console and every rank's log file
back over its stdout as JSON lines, and stops everything it started when the launcher asks, when
its stdin closes (the SSH connection dropped) or when the launcher's pings stop arriving (a link
that died silently never delivers EOF). Standard library only: a node needs Python and torch.

Frames (one JSON object per line): start, con (console bytes, base64), log (one rank's file bytes),
workers, stopping, exit.
"""

import base64
import glob
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time


class Out:
    def __init__(self):
        self.lock = threading.Lock()
        self.broken = False

    def send(self, **frame):
        if self.broken:
            return
        data = (json.dumps(frame, separators=(",", ":")) + "\n").encode()
        with self.lock:
            try:
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
            except (BrokenPipeError, OSError, ValueError):
                self.broken = True


def environ_of(pid):
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            raw = f.read()
    except OSError:
        return None
    out = {}
    for item in raw.split(b"\0"):
        k, sep, v = item.partition(b"=")
        if sep:
            out[k.decode("latin1")] = v.decode("latin1")
    return out


def run_pids(run_id, node=None):
    """Processes that carry this run's LAL_RUN_ID (and this node's LAL_NODE, when two nodes share a machine)."""
    me = os.getpid()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        env = environ_of(int(name))
        if env and env.get("LAL_RUN_ID") == run_id and (node is None or env.get("LAL_NODE") == node):
            found.append((int(name), env))
    return found


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _die_with_parent():
    """In the child before exec: SIGTERM torchrun if this agent dies, even by SIGKILL (PR_SET_PDEATHSIG).

    torchrun stops its workers on SIGTERM; the setting does not survive its fork, which is why the
    launcher also sweeps the node by LAL_RUN_ID when a node ends badly.
    """
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1
    except Exception:
        pass


class Agent:
    def __init__(self, cfg):
        self.cfg = cfg
        self.out = Out()
        self.run_id = cfg["runId"]
        self.dir = cfg["dir"]
        self.proc = None
        self.stop_once = threading.Lock()
        self.stopped = None
        self.last_ping = time.time()
        self.ranks = {}  # local rank -> global rank
        self.files = {}  # path -> offset
        self.done = threading.Event()

    def argv(self):
        sub = lambda a: a.replace("{DIR}", self.dir)
        return [sys.executable, "-u", os.path.join(self.dir, "torchrun", "lal_torchrun.py")] + [sub(a) for a in self.cfg["torchrunArgs"]]

    def start(self):
        env = dict(os.environ)
        env.update({k: v.replace("{DIR}", self.dir) for k, v in self.cfg.get("env", {}).items()})
        env["LAL_RUN_ID"] = self.run_id
        env["PYTHONUNBUFFERED"] = "1"
        cwd = self.cfg.get("cwd") or self.dir
        os.makedirs(os.path.join(self.dir, "logs"), exist_ok=True)
        self.proc = subprocess.Popen(self.argv(), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent)
        self.out.send(k="start", pid=self.proc.pid, host=socket.gethostname(), t=time.time(), python=sys.version.split()[0])

    def pump_console(self):
        fd = self.proc.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.out.send(k="con", d=base64.b64encode(chunk).decode())

    def map_ranks(self):
        for pid, env in run_pids(self.run_id, self.cfg.get("node")):
            lr, r = env.get("LOCAL_RANK"), env.get("RANK")
            if lr is not None and r is not None and lr.isdigit() and r.isdigit() and int(lr) not in self.ranks:
                self.ranks[int(lr)] = int(r)
                self.out.send(k="workers", rank=int(r), localRank=int(lr), pid=pid)

    def tail(self, final=False):
        self.map_ranks()
        pattern = os.path.join(self.dir, "logs", "*", "attempt_*", "*", "std*.log")
        for path in sorted(glob.glob(pattern)):
            parts = path.split(os.sep)
            local, attempt, stream = parts[-2], parts[-3], parts[-1][:-4]
            if not local.isdigit() or stream not in ("stdout", "stderr"):
                continue
            rank = self.ranks.get(int(local))
            if rank is None:
                if not final:
                    continue  # wait until the worker's RANK is known
                rank = self.cfg.get("rankBase", 0) + int(local)
            off = self.files.get(path, 0)
            try:
                with open(path, "rb") as f:
                    f.seek(off)
                    data = f.read(1 << 20)
            except OSError:
                continue
            if data:
                self.files[path] = off + len(data)
                self.out.send(k="log", r=rank, a=int(attempt[8:]) if attempt[8:].isdigit() else 0, s=stream, d=base64.b64encode(data).decode())

    def tail_loop(self):
        while not self.done.is_set():
            self.tail()
            time.sleep(0.2)

    def read_stdin(self):
        for line in sys.stdin.buffer:
            cmd = line.strip()
            if cmd == b"ping":
                self.last_ping = time.time()
            elif cmd == b"stop":
                self.stop("launcher")
        self.stop("ssh-eof")

    def watchdog(self):
        limit = float(self.cfg.get("pingTimeoutSec", 15))
        while not self.done.is_set():
            if time.time() - self.last_ping > limit:
                self.stop("no-ping")
                return
            time.sleep(0.5)

    def stop(self, reason):
        with self.stop_once:
            if self.stopped or self.proc is None:
                return
            self.stopped = reason
        self.out.send(k="stopping", reason=reason, t=time.time())
        # torchrun's agent first (it stops its workers in order), then its whole group, then the sweep.
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except OSError:
            pass
        deadline = time.time() + float(self.cfg.get("graceSec", 1.5))
        while time.time() < deadline and self.proc.poll() is None:
            time.sleep(0.05)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self.sweep()

    def sweep(self):
        for pid, _ in run_pids(self.run_id, self.cfg.get("node")):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        deadline = time.time() + 2
        left = [p for p, _ in run_pids(self.run_id, self.cfg.get("node")) if alive(p)]
        while left and time.time() < deadline:
            time.sleep(0.05)
            left = [p for p, _ in run_pids(self.run_id, self.cfg.get("node")) if alive(p)]
        return left

    def run(self):
        self.start()
        threads = [threading.Thread(target=f, daemon=True) for f in (self.pump_console, self.tail_loop, self.read_stdin, self.watchdog)]
        for t in threads:
            t.start()
        rc = self.proc.wait()
        threads[0].join(2)
        self.done.set()
        self.tail(final=True)
        left = self.sweep()
        self.out.send(k="exit", code=rc, stopped=self.stopped, left=left, t=time.time())
        return rc if rc >= 0 else 128 - rc


def main(cfg):
    code = Agent(cfg).run()
    try:
        sys.stdout.flush()
    except OSError:
        pass
    os._exit(code)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
