"""Convert NCCL flight-recorder dumps to JSON for the launcher (issue 22).

torch >= 2.2 writes one pickle per rank to $TORCH_NCCL_DEBUG_INFO_TEMP_FILE<rank> when the NCCL
watchdog times out (pytorch ProcessGroupNCCL.cpp). The launcher cannot read pickle, so it runs this
with the run's own interpreter:  python nccl_trace_json.py FILE...  → one JSON object on stdout,
{"<file>": dump-or-{"error": "..."}}.

A dump is plain data (dicts, lists, strings, numbers). The unpickler refuses every global, so a
file planted in the run folder cannot make this run code. Stack frames are dropped (they can be
thousands of lines); everything else is kept as torch wrote it. Standard library only.
"""

import io
import json
import pickle
import sys

MAX_BYTES = 64 * 1024 * 1024


class _DataOnly(pickle.Unpickler):
    def find_class(self, module, name):  # noqa: D401 - pickle's hook
        raise pickle.UnpicklingError("refusing %s.%s: a flight-recorder dump holds plain data only" % (module, name))


def _plain(x):
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items() if k != "frames"}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, bytes):
        return x.decode("utf-8", "replace")
    if isinstance(x, float) and x != x:
        return None
    return x


def read(path):
    with open(path, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return {"error": "larger than %d bytes" % MAX_BYTES}
    try:
        return _plain(_DataOnly(io.BytesIO(data)).load())
    except Exception as e:  # noqa: BLE001 - any bad file is reported, never fatal
        return {"error": "%s: %s" % (type(e).__name__, e)}


def main(argv):
    out = {}
    for path in argv:
        try:
            out[path] = read(path)
        except OSError as e:
            out[path] = {"error": str(e)}
    sys.stdout.write(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
