"""The rehearsal's caption/VAE server: Step-Video-T2V's companion (api/call_remote_server.py) with
random weights, on its own GPU (the last visible one, as upstream) or on the CPU.

Same paths, method and field names as upstream, safe encoding (wire.py). One lock serialises
requests, as upstream's does, so N ranks asking for captions at once wait in turn: the seed's timeout
scenario. Each request prints `LAL_SERVE {json}` when it starts and when it is answered.

--inject (comma-separated):
  down           exit 1 while loading, as a wrong --model_dir does (the run must not start its ranks)
  never-ready    load forever without serving (the readiness timeout)
  slow:SECONDS   each caption request holds the lock SECONDS more (an overloaded server)
  die:N          exit after answering N caption requests (dies mid-run, before rank 0's VAE decode)
  mute:N         stop listening after answering N caption requests but stay alive (a wedged server)
"""

import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shapes  # noqa: E402
import wire  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description="Step-Video rehearsal caption/VAE server")
    p.add_argument("--model_dir", type=str, default="./ckpts")
    p.add_argument("--port", type=int, default=8080)
    # Loopback unless told otherwise: the ranks run on this machine.
    p.add_argument("--host", type=str, default="127.0.0.1")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--scale", choices=["tiny", "full"], default="tiny")
    p.add_argument("--inject", type=str, default="")
    return p.parse_args()


def parse_inject(text):
    out = {}
    for item in [s.strip() for s in (text or "").split(",") if s.strip()]:
        kind, _, val = item.partition(":")
        if kind not in ("down", "never-ready", "slow", "die", "mute"):
            raise SystemExit(f"--inject: unknown fault {item!r} (down, never-ready, slow:SECONDS, die:N, mute:N)")
        out[kind] = float(val) if val else 0.0
    return out


def pick_device(name):
    if name == "cpu" or (name == "auto" and not torch.cuda.is_available()):
        return torch.device("cpu")
    # Upstream takes the last visible GPU; the launcher gives it the mode's extra one there.
    return torch.device(f"cuda:{torch.cuda.device_count() - 1}")


class Models:
    """Random stand-ins of the text encoders and the VAE with the chosen scale's parameter counts."""

    def __init__(self, dims, device):
        self.dims = dims
        self.device = device
        dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
        self.dtype = dtype
        g = torch.Generator().manual_seed(0)
        # Flat weights of the right size: memory is what the rehearsal checks, not quality.
        self.llm = torch.empty(dims["llm_params"], dtype=dtype, device=device)
        self.clip = torch.empty(dims["clip_params"], dtype=dtype, device=device)
        self.vae = torch.empty(dims["vae_params"], dtype=dtype, device=device)
        for t in (self.llm, self.clip, self.vae):
            t.copy_(torch.randn(min(t.numel(), 1 << 20), generator=g).to(dtype).repeat((t.numel() + (1 << 20) - 1) // (1 << 20))[: t.numel()])
        self.proj = torch.randn(dims["caption_dim"], dims["caption_dim"], generator=g).to(device=device, dtype=dtype) / dims["caption_dim"] ** 0.5

    def caption(self, prompts):
        d = self.dims
        n = len(prompts)
        seeds = torch.tensor([sum(p.encode("utf-8")) % 9973 for p in prompts], dtype=torch.float32)
        base = torch.arange(d["caption_len"] * d["caption_dim"], dtype=torch.float32).reshape(d["caption_len"], d["caption_dim"])
        y = torch.sin(base[None] * 1e-3 + seeds[:, None, None]).to(self.device, self.dtype) @ self.proj
        mask = torch.ones(n, d["caption_len"], dtype=torch.int64)
        clip = torch.cos(torch.arange(d["clip_dim"], dtype=torch.float32)[None] + seeds[:, None])
        return {"y": y.float().cpu().numpy(), "y_mask": mask.numpy(), "clip_embedding": clip.numpy()}

    def decode(self, samples):
        d = self.dims
        lat = torch.from_numpy(samples).to(self.device, self.dtype)
        # [B, F, C, h, w] latents -> [F*temporal, 3, h*spatial, w*spatial] frames in [-1, 1]
        b, f, c, h, w = lat.shape
        x = lat[0, :, :3].float()
        x = torch.nn.functional.interpolate(x, scale_factor=d["spatial"], mode="nearest")
        x = x.repeat_interleave(d["temporal"], dim=0)
        return {"video": ((x.tanh() + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).cpu().numpy()}


class State:
    def __init__(self, models, faults):
        self.models = models
        self.faults = faults
        self.lock = threading.Lock()
        self.next_id = 0
        self.captions_answered = 0
        self.muted = False
        self.count_lock = threading.Lock()


def log(obj):
    print("LAL_SERVE " + json.dumps(obj), flush=True)


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # one line per request, like Flask's access log
            if self.path == "/health":  # the launcher's probe, every second: not worth a line
                return
            sys.stdout.write("%s - - [%s] %s\n" % (self.address_string(), self.log_date_time_string(), fmt % args))
            sys.stdout.flush()

        def do_GET(self):
            api = {"/caption-api": "caption", "/vae-api": "vae"}.get(self.path.split("?")[0])
            if self.path == "/health":
                return self._send(200, b"ok", "text/plain")
            if api is None:
                return self._send(404, b"not found", "text/plain")
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                return self._send(400, b"bad Content-Length", "text/plain")
            if length <= 0 or length > wire.MAX_BODY:
                return self._send(413 if length > 0 else 400, b"body missing or too large", "text/plain")
            body = self.rfile.read(length)
            with state.count_lock:
                rid = state.next_id
                state.next_id += 1
            t0 = time.time()
            log({"api": api, "event": "start", "id": rid})
            with state.lock:
                waited = time.time() - t0
                t1 = time.time()
                try:
                    fields = wire.decode(body)
                    if api == "caption":
                        prompts = [str(p) for p in fields["prompts"].reshape(-1).tolist()]
                        if "slow" in state.faults:
                            time.sleep(state.faults["slow"])
                        out = state.models.caption(prompts)
                    else:
                        out = state.models.decode(fields["samples"])
                    data = wire.encode(out)
                except Exception as e:  # a bad request must not take the server down
                    log({"api": api, "event": "error", "id": rid, "error": str(e)[:200]})
                    return self._send(400, str(e).encode("utf-8", "replace")[:2000], "text/plain")
                log({"api": api, "event": "done", "id": rid, "waited": round(waited, 3), "sec": round(time.time() - t1, 3)})
            self._send(200, data, "application/x-npz")
            if api == "caption":
                with state.count_lock:
                    state.captions_answered += 1
                    n = state.captions_answered
                if "die" in state.faults and n >= state.faults["die"]:
                    sys.stderr.write(f"LAL_INJECT {json.dumps({'kind': 'die', 'after': n})}\n")
                    sys.stderr.flush()
                    # Let the answer leave, then go as a crashed server does: no goodbye.
                    threading.Timer(0.3, lambda: os._exit(3)).start()
                if "mute" in state.faults and n >= state.faults["mute"] and not state.muted:
                    state.muted = True
                    sys.stderr.write(f"LAL_INJECT {json.dumps({'kind': 'mute', 'after': n})}\n")
                    sys.stderr.flush()
                    # Close the listening socket and keep the process: alive, but nobody can reach it.
                    threading.Thread(target=lambda: (self.server.shutdown(), self.server.server_close()), daemon=True).start()

        def _send(self, code, data, ctype):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main():
    args = parse_args()
    faults = parse_inject(args.inject)
    device = pick_device(args.device)
    dims = shapes.scale(args.scale)
    print(f"Loading text encoders and VAE on {device} ({args.scale})", flush=True)
    if "down" in faults:
        sys.stderr.write("LAL_INJECT " + json.dumps({"kind": "down"}) + "\n")
        raise SystemExit(f"FileNotFoundError: no text encoder under {os.path.join(args.model_dir, 'step_llm')} (injected: --inject down)")
    models = Models(dims, device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        print("LAL_PEAK " + json.dumps({"role": "server", "torch_allocated_peak": int(torch.cuda.max_memory_allocated(device))}), flush=True)
    if "never-ready" in faults:
        sys.stderr.write("LAL_INJECT " + json.dumps({"kind": "never-ready"}) + "\n")
        while True:
            time.sleep(3600)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(State(models, faults)))
    server.daemon_threads = True
    print(f"Serving /caption-api and /vae-api on http://{args.host}:{args.port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
        # serve_forever returns only after a `mute` fault: stay alive without serving.
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
