"""What the examples share: optional extras with a clear install hint, and a progress bar with a fallback."""
import importlib
import os
import sys
import time


def require(module, extra, purpose):
    """Import the optional `module`, or raise ImportError naming the numflow extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError("%s needs %s, which is not installed: pip install 'numflow[%s]' (or pip install %s)"
                          % (purpose, module.split(".")[0], extra, module.split(".")[0])) from None


class SimpleProgress:
    """A minimal text progress bar on stderr, used when tqdm is not installed."""

    def __init__(self, total, desc="", file=None, width=30):
        self.total, self.desc, self.file, self.width = total, desc, file or sys.stderr, width
        self.n, self._shown, self._start = 0, 0, time.time()
        self._tty = hasattr(self.file, "isatty") and self.file.isatty()

    def __iter__(self):
        for i in range(self.total):
            yield i
            self.update()
        self.close()

    def update(self, n=1):
        self.n += n
        bucket = self.n * (100 if self._tty else 10) // max(1, self.total)  # redraw each 1% (tty) or 10%
        if bucket != self._shown:
            self._shown = bucket
            self._draw()

    def _draw(self):
        frac = self.n / self.total if self.total else 1.0
        bar = "#" * int(frac * self.width)
        line = "%s%3d%%|%-*s| %d/%d [%.1fs]" % (self.desc + ": " if self.desc else "", 100 * frac, self.width,
                                               bar, self.n, self.total, time.time() - self._start)
        self.file.write(("\r" + line) if self._tty else line + "\n")
        self.file.flush()

    def close(self):
        if self._tty:
            self.file.write("\n")
            self.file.flush()


_hinted = False


def trange(total, desc=""):
    """`tqdm.trange(total)` when tqdm is installed; else a simple bar (and a one-time hint naming the extra)."""
    global _hinted
    if not os.environ.get("NUMFLOW_NO_TQDM"):
        try:
            from tqdm import trange as tqdm_trange
            return tqdm_trange(total, desc=desc or None)
        except ImportError:
            if not _hinted:
                print("(tqdm is not installed, using a plain progress bar: pip install 'numflow[progress]')",
                      file=sys.stderr)
                _hinted = True
    return iter(SimpleProgress(total, desc))
