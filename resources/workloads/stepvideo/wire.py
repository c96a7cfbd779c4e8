"""The caption/VAE server's wire format, made safe.

Upstream (stepfun-ai/Step-Video-T2V api/call_remote_server.py and the ranks' call_api_gen) sends a
pickled dict in the body of `GET /caption-api` and `GET /vae-api` and unpickles the answer. Unpickling
runs code, and anything on this machine can reach a loopback port, so the rehearsal keeps the paths,
the method and the field names ({prompts} -> {y, y_mask, clip_embedding}; {samples} -> video) but
encodes each dict as a numpy .npz read with allow_pickle=False: arrays of numbers and strings only.
"""

import io
import urllib.error
import urllib.request

import numpy as np

# A request or answer larger than this is refused before it is read (a full-scale 204-frame video
# at 544x992 is ~330 MB of uint8).
MAX_BODY = 1 << 30


def encode(fields):
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in fields.items()})
    return buf.getvalue()


def decode(data):
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def call(host, port, api, fields, timeout=12000.0):
    """One request as the ranks make it: GET with a body. A refused connection is reported in the
    words of upstream's aiohttp client (`Cannot connect to host H:P`), so one explanation fits both."""
    url = f"http://{host}:{port}/{api}-api"
    req = urllib.request.Request(url, data=encode(fields), method="GET", headers={"Content-Type": "application/x-npz"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return decode(resp.read(MAX_BODY + 1))
    except urllib.error.URLError as e:
        if isinstance(e.reason, ConnectionRefusedError):
            raise ConnectionRefusedError(f"Cannot connect to host {host}:{port} [Connection refused] ({api}-api)") from None
        raise
    except ConnectionRefusedError:
        raise ConnectionRefusedError(f"Cannot connect to host {host}:{port} [Connection refused] ({api}-api)") from None
