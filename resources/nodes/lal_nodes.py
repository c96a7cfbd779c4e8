"""The launcher's side of a multi-node run: one SSH connection per node, all started together.

For each node it runs the system `ssh` client (argv only, BatchMode: keys come from the user's
agent and config, never a password) with a fixed remote command that starts the node's Python on a
small bootstrap. Over that same connection's stdin it sends the run's config and a tar of the files
the launcher provides (the torchrun wrapper, the node agent, the workload), then a ping every
`pingSec`. The node agent (lal_node_agent.py) answers with JSON frames: console bytes go to our
stdout prefixed with `[node:NAME] `, rank logs land in `<runDir>/logs/<node>/attempt_<n>/<rank>/`,
so the run manager's progress, stall rule and explainer read them as they read a local run.

When one node fails or its connection drops, every other node is stopped; SIGTERM/SIGINT does the
same. `<runDir>/nodes.json` records what each node did (host name, pids, exit, lost at).
Standard library only.
"""

import base64
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import threading
import time

BOOT = (
    "import sys,os,io,json,tarfile,runpy\n"
    "b=sys.stdin.buffer\n"
    "h=b.readline().split()\n"
    "cfg=json.loads(b.read(int(h[1])))\n"
    "data=b.read(int(h[2]))\n"
    "d=os.path.expanduser(cfg['dir'])\n"
    "os.makedirs(d,exist_ok=True)\n"
    "t=tarfile.open(fileobj=io.BytesIO(data))\n"
    "t.extractall(d,filter='data') if hasattr(tarfile,'data_filter') else t.extractall(d)\n"
    "cfg['dir']=d\n"
    "runpy.run_path(os.path.join(d,'nodes','lal_node_agent.py'))['main'](cfg)\n"
)


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def now_iso():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int((t % 1) * 1000)


class Console:
    """Our stdout: whole lines, each prefixed with the node it came from."""

    def __init__(self):
        self.lock = threading.Lock()

    def write(self, prefix, data):
        with self.lock:
            out = sys.stdout.buffer
            for line in data.splitlines(keepends=True):
                out.write(prefix + line)
            if data and not data.endswith((b"\n", b"\r")):
                out.write(b"\n")
            out.flush()

    def lal(self, text):
        self.write(b"[lal] ", (text + "\n").encode())


class Node:
    def __init__(self, driver, spec):
        self.d = driver
        self.spec = spec
        self.name = spec["name"]
        self.proc = None
        self.state = {"name": self.name, "host": spec["host"], "status": "starting"}
        self.buf = {}
        self.exit_frame = None
        self.stdin_lock = threading.Lock()
        # `[node:NAME] `: a prefix no torch/NCCL message contains, so the explainer can tell whose line it is.
        self.prefix = ("[node:%s] " % self.name).encode()
        self.partial = b""

    def ssh_argv(self):
        argv = [self.d.cfg.get("ssh", "ssh"), "-T", "-o", "BatchMode=yes", "-o", "ServerAliveInterval=2", "-o", "ServerAliveCountMax=3", "-o", "ConnectTimeout=10"]
        argv += self.d.cfg.get("sshOptions", [])
        if self.spec.get("port"):
            argv += ["-p", str(self.spec["port"])]
        if self.spec.get("user"):
            argv += ["-l", self.spec["user"]]
        py = self.spec.get("python") or "python3"
        return argv + ["--", self.spec["host"], "exec %s -u -c %s" % (sh_quote(py), sh_quote(BOOT))]

    def start(self, payload):
        self.proc = subprocess.Popen(self.ssh_argv(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        cfg = json.dumps(self.spec["agent"]).encode()
        header = ("LAL1 %d %d\n" % (len(cfg), len(payload))).encode()
        self.send(header + cfg + payload)
        for target in (self.read_frames, self.read_stderr):
            threading.Thread(target=target, daemon=True).start()

    def send(self, data):
        with self.stdin_lock:
            try:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
                return True
            except (BrokenPipeError, OSError, ValueError):
                return False

    def close_stdin(self):
        with self.stdin_lock:
            try:
                self.proc.stdin.close()
            except OSError:
                pass

    def read_stderr(self):
        for line in self.proc.stderr:
            self.d.console.write(("[node:%s ssh] " % self.name).encode(), line)

    def read_frames(self):
        for line in self.proc.stdout:
            try:
                f = json.loads(line)
            except ValueError:
                self.d.console.write(self.prefix, line)
                continue
            k = f.get("k")
            if k == "con":
                self.d.console.write(self.prefix, base64.b64decode(f["d"]))
            elif k == "log":
                self.d.write_log(self.name, f["r"], f.get("a", 0), f["s"], base64.b64decode(f["d"]))
            elif k == "start":
                self.state.update(status="running", hostname=f.get("host"), agentPid=f.get("pid"), clockOffsetSec=round(f.get("t", time.time()) - time.time(), 3))
                self.d.console.lal("node %s (%s) started torchrun, pid %s" % (self.name, f.get("host"), f.get("pid")))
                self.d.save()
            elif k == "workers":
                self.state.setdefault("ranks", {})[str(f["rank"])] = f.get("pid")
                self.d.save()
            elif k == "stopping":
                self.state["stopReason"] = f.get("reason")
            elif k == "exit":
                self.exit_frame = f


class Driver:
    def __init__(self, cfg):
        self.cfg = cfg
        self.run_dir = cfg["runDir"]
        self.console = Console()
        self.nodes = [Node(self, n) for n in cfg["nodes"]]
        self.logs = {}
        self.log_lock = threading.Lock()
        self.stopping = None
        self.stopped_at = None
        self.lock = threading.Lock()

    def payload(self):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as t:
            for src, arc in self.cfg["files"]:
                t.add(src, arcname=arc, recursive=True, filter=lambda ti: None if "__pycache__" in ti.name else ti)
        return buf.getvalue()

    def write_log(self, node, rank, attempt, stream, data):
        key = (node, rank, attempt, stream)
        with self.log_lock:
            f = self.logs.get(key)
            if f is None:
                d = os.path.join(self.run_dir, "logs", node, "attempt_%d" % attempt, str(rank))
                os.makedirs(d, exist_ok=True)
                f = self.logs[key] = open(os.path.join(d, stream + ".log"), "ab")
            f.write(data)
            f.flush()

    def save(self):
        with self.lock:
            tmp = os.path.join(self.run_dir, "nodes.json.tmp")
            with open(tmp, "w") as f:
                json.dump({"nodes": [n.state for n in self.nodes], "stopping": self.stopping}, f, indent=1)
            os.replace(tmp, os.path.join(self.run_dir, "nodes.json"))

    def sweep(self, n):
        script = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "lal_node_probe.py")).read()
        argv = n.ssh_argv()[:-1] + ["exec %s -c %s sweep %s %s" % (sh_quote(n.spec.get("python") or "python3"), sh_quote(script), sh_quote(self.cfg["runId"]), sh_quote(n.name))]
        argv[argv.index("ConnectTimeout=10")] = "ConnectTimeout=3"
        try:
            r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=8)
            got = json.loads(r.stdout.decode().strip().splitlines()[-1])
            self.console.lal("node %s swept: %d processes of the run killed, %d left" % (n.name, len(got["killed"]), len(got["left"])))
            return got
        except Exception as e:  # unreachable node: say so; `lal runs --reap` can try again later
            self.console.lal("node %s could not be swept (%s); run `lal runs --reap` once it is reachable" % (n.name, type(e).__name__))
            return {"error": type(e).__name__}

    def stop_all(self, reason):
        with self.lock:
            if self.stopping:
                return
            self.stopping = reason
        for n in self.nodes:
            n.send(b"stop\n")
            n.close_stdin()
        self.save()

    def pinger(self):
        every = float(self.cfg.get("pingSec", 2))
        while not self.stopping:
            for n in self.nodes:
                n.send(b"ping\n")
            time.sleep(every)

    def run(self):
        os.makedirs(os.path.join(self.run_dir, "logs"), exist_ok=True)
        signal.signal(signal.SIGTERM, lambda *_: self.stop_all("signal"))
        signal.signal(signal.SIGINT, lambda *_: self.stop_all("signal"))
        payload = self.payload()
        self.console.lal("starting %d nodes, rendezvous %s" % (len(self.nodes), self.cfg.get("endpoint", "?")))
        for n in self.nodes:
            n.start(payload)
        self.save()
        threading.Thread(target=self.pinger, daemon=True).start()
        first_bad = None
        pending = list(self.nodes)
        while pending:
            if self.stopping and self.stopped_at is None:
                self.stopped_at = time.time()
            if self.stopped_at is not None and time.time() - self.stopped_at > 5:
                for n in pending:
                    if n.proc.poll() is None:
                        n.proc.kill()  # the node did not answer in time (link down): its own watchdog stops it
            for n in list(pending):
                rc = n.proc.poll()
                if rc is None:
                    continue
                pending.remove(n)
                time.sleep(0.1)  # let the frame reader drain the last frames
                ef = n.exit_frame
                code = ef["code"] if ef else None
                n.state.update(exitCode=code, sshExit=rc, endedAt=now_iso(), left=(ef or {}).get("left", []))
                if ef is None:
                    n.state["status"] = "lost"
                    n.state["lostAt"] = now_iso()
                    # One line the explainer reads (NODE_LOST); the time says when the connection went.
                    # "NodeLostError": log scanners that skim for error words see this line too.
                    self.console.lal("LAL_NODE_LOST node=%s host=%s at=%s ssh_exit=%d (NodeLostError)" % (n.name, n.spec["host"], n.state["lostAt"], rc))
                    if first_bad is None and not self.stopping:
                        first_bad = 1
                else:
                    n.state["status"] = "succeeded" if code == 0 else ("stopped" if ef.get("stopped") else "failed")
                    self.console.lal("node %s exited %s%s" % (n.name, code, " (stopped: %s)" % ef["stopped"] if ef.get("stopped") else ""))
                    if code != 0 and first_bad is None and not self.stopping:
                        first_bad = code
                if first_bad is not None and not self.stopping:
                    self.console.lal("stopping every node: node %s ended first" % n.name)
                    self.stop_all("node-failed:%s" % n.name)
                self.save()
            time.sleep(0.1)
        # A failed run where some nodes formed ranks and another never did: name that node.
        if first_bad is not None and any(n.state.get("ranks") for n in self.nodes):
            for n in self.nodes:
                if not n.state.get("ranks") and n.state.get("status") != "lost":
                    self.console.lal("LAL_NODE_NEVER_JOINED node=%s host=%s (NodeNeverJoinedError)" % (n.name, n.spec["host"]))
        # A node that ended without its agent's own clean-up (lost connection, agent killed) may still
        # run torchrun or workers: sweep it by LAL_RUN_ID over a fresh connection.
        for n in self.nodes:
            ef = n.exit_frame
            if ef is None or ef.get("left"):
                n.state["sweep"] = self.sweep(n)
        with self.log_lock:
            for f in self.logs.values():
                f.close()
        self.save()
        if self.stopping == "signal":
            return 143
        return first_bad or 0


if __name__ == "__main__":
    arg = sys.argv[1]
    cfg = json.loads(arg if arg.startswith("{") else open(arg).read())
    sys.exit(Driver(cfg).run())
