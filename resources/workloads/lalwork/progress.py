"""tqdm if installed, else a minimal stand-in that prints the same `\r`-separated bar lines on
stderr, so a launcher parses one format whether or not the GPU box has tqdm."""

import sys
import time

try:
    from tqdm import tqdm as _tqdm
except ImportError:  # torch boxes often lack it
    _tqdm = None


def progress(iterable):
    # Every rank iterates every step and skips the ones that are not its own in microseconds, so
    # tqdm's 0.1 s rate limit would hide that a rank got past them before blocking in a send. The
    # launcher's stall rule names the rank that got least far; it needs each tick (a handful per block).
    if _tqdm is not None:
        return _tqdm(iterable, mininterval=0)
    return _MiniBar(iterable)


class _MiniBar:
    """Prints e.g. ` 50%|█████     | 2/4 [00:01<00:01,  1.99it/s]` like tqdm's default format."""

    WIDTH = 10

    def __init__(self, iterable):
        self.items = list(iterable)
        self.total = len(self.items)

    def __iter__(self):
        start = time.monotonic()
        self._draw(0, start)
        for i, item in enumerate(self.items):
            yield item
            self._draw(i + 1, start)
        sys.stderr.write("\n")
        sys.stderr.flush()

    def _draw(self, n, start):
        elapsed = time.monotonic() - start
        total = self.total
        frac = n / total if total else 1.0
        filled = int(frac * self.WIDTH)
        bar = "\u2588" * filled + " " * (self.WIDTH - filled)
        rate = n / elapsed if elapsed > 0 and n else None
        remaining = (total - n) / rate if rate else None
        rate_s = f"{rate:5.2f}it/s" if rate else "?it/s"
        sys.stderr.write(f"\r{int(frac * 100):3d}%|{bar}| {n}/{total} [{_fmt(elapsed)}<{_fmt(remaining) if remaining is not None else '?'}, {rate_s}]")
        sys.stderr.flush()


def _fmt(seconds):
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h:d}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
