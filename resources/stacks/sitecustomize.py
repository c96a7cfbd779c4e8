"""Live Avatar Launcher: Python stacks on demand for every process of a run.

The launcher puts this folder first on PYTHONPATH and sets LAL_STACKS_DIR to <run folder>/stacks.
Python imports `sitecustomize` at start-up (the `site` module), so every rank registers
faulthandler on SIGUSR1: the signal makes the interpreter write the Python stack of every thread
to stacks/rank<RANK>-<pid>.txt, in C, without the GIL, even while the main thread is blocked in a
collective. The process then carries on; nothing else changes. Afterwards the next `sitecustomize`
on sys.path (Debian ships one, so may a virtualenv) is imported as if this one did not exist.

Nothing here may ever stop a rank from starting: every failure is swallowed.
"""


def _register():
    import faulthandler
    import os
    import signal

    folder = os.environ.get("LAL_STACKS_DIR")
    if not folder or not os.path.isabs(folder) or not hasattr(signal, "SIGUSR1"):
        return
    rank = os.environ.get("RANK") or os.environ.get("LOCAL_RANK")
    # Only digits go into the file name: the name is ours, whatever the environment says.
    who = "rank%s" % rank if rank and rank.isdigit() else "proc"
    os.makedirs(folder, mode=0o700, exist_ok=True)
    path = os.path.join(folder, "%s-%d.txt" % (who, os.getpid()))
    # O_NOFOLLOW: never write through a link someone planted in the folder. Kept open for the
    # life of the process (faulthandler writes to the descriptor from the signal handler).
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600)
    out = os.fdopen(fd, "a", buffering=1)
    faulthandler.register(signal.SIGUSR1, file=out, all_threads=True, chain=False)
    globals()["_lal_stacks_file"] = out


def _chain():
    """Import the sitecustomize this one shadows: the next one on sys.path after our folder."""
    import importlib.machinery
    import importlib.util
    import os
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None or os.path.abspath(spec.origin or "") == os.path.abspath(__file__):
        return
    module = importlib.util.module_from_spec(spec)
    # While it runs it is "the" sitecustomize, as it would have been without us.
    me = sys.modules.get("sitecustomize")
    sys.modules["sitecustomize"] = module
    try:
        spec.loader.exec_module(module)
    finally:
        if me is not None:
            sys.modules["sitecustomize"] = me


try:
    _register()
except BaseException:  # noqa: BLE001 - a rank must start even if this fails
    pass
try:
    _chain()
except BaseException:  # noqa: BLE001 - as above; the chained file's own errors are its own
    pass
