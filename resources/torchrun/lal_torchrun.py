"""torchrun, with a fix for torch's elastic launcher on Python >= 3.11.

Same command line as `torchrun` (it ends in `torch.distributed.run.main()`).

Why: older torch (Debian's 1.13 among them) turns `--redirects`/`--tee` values into `Std` flags by
iterating over the `Std` IntFlag class. From Python 3.11 on, iterating an IntFlag yields only its
single-bit members, so `Std.NONE` (0) and `Std.ALL` (3) are never found and `Std.from_str` returns
None. The launcher then dies in `to_map` with
`AttributeError: 'NoneType' object has no attribute 'get'` before any worker starts, and `--tee 3`
would silently log nothing even if it did not.

The fix builds `Std` members by value (`Std(3)` works on every Python) and makes `to_map` accept
what a broken `from_str` might still hand it. Both are patched wherever they were imported by
name, because `torch.distributed.elastic.multiprocessing` binds its own reference to `to_map`.
On a torch that is not affected the patch changes nothing; the launcher only uses this wrapper
when its probe (electron/core/torchrun/resolve.ts) found the bug.
"""

import re
import sys


def _patch_elastic_std():
    from torch.distributed.elastic.multiprocessing import api

    std_cls = getattr(api, "Std", None)
    original_to_map = getattr(api, "to_map", None)
    if std_cls is None or original_to_map is None:
        return  # a torch that reorganised its launcher has neither the code nor the bug
    value_re = getattr(api, "_VALUE_REGEX", r"^[0-3]$")
    mapping_re = getattr(api, "_MAPPING_REGEX", r"^(\d:[0-3],)*(\d:[0-3])$")

    def as_std(value):
        if isinstance(value, std_cls):
            return value
        return std_cls(0 if value is None else int(value))

    def from_str(cls, vm):
        if re.match(value_re, vm):
            return as_std(vm)
        if re.match(mapping_re, vm):
            mapping = {}
            for item in vm.split(","):
                index, value = item.split(":")
                mapping[int(index)] = as_std(value)
            return mapping
        raise ValueError(f"{vm} does not match: <{value_re}> or <{mapping_re}>")

    def to_map(val_or_map, local_world_size):
        if val_or_map is None or (isinstance(val_or_map, int) and not isinstance(val_or_map, std_cls)):
            val_or_map = as_std(val_or_map)
        if isinstance(val_or_map, dict):
            val_or_map = {int(k): as_std(v) for k, v in val_or_map.items()}
        return original_to_map(val_or_map, local_world_size)

    std_cls.from_str = classmethod(from_str)
    for module in list(sys.modules.values()):
        if module is not None and getattr(module, "to_map", None) is original_to_map:
            module.to_map = to_map


_tails = []


def _track_tails():
    """Remember every TailLog (the `--tee` threads) so they can be told to finish at exit.

    Why: when the agent's SIGTERM shutdown is cut short (seen in CI after the launcher was
    SIGKILLed), `PContext.close()` never reaches `TailLog.stop()`. The tee threads then poll their
    log files forever, and the agent hangs in interpreter shutdown joining them, a leftover that
    holds no GPU but never exits. Setting their `finished` events lets them drain to EOF and end.
    """
    from torch.distributed.elastic.multiprocessing import tail_log

    cls = getattr(tail_log, "TailLog", None)
    if cls is None or not hasattr(cls, "start"):
        return
    original_start = cls.start

    def start(self, *args, **kwargs):
        _tails.append(self)
        return original_start(self, *args, **kwargs)

    cls.start = start


def _finish_tails():
    for tail in _tails:
        for event in getattr(tail, "_finished_events", {}).values():
            event.set()


def main():
    # Import the launcher first so every module that binds `to_map` by name is loaded, then patch.
    from torch.distributed import run

    _patch_elastic_std()
    _track_tails()
    sys.argv[0] = "torchrun"
    try:
        return run.main()
    finally:
        _finish_tails()


if __name__ == "__main__":
    sys.exit(main())
