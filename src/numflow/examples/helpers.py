"""What the examples share: optional extras with a clear install hint, a progress bar with a fallback, lines
printed without breaking the bar, and the MNIST folder with an error a person can act on."""
import importlib
import os
import sys
import time

from .._install_hints import pip_hint

MNIST_FOLDER = "MNIST_data"  # TF1's tutorials' folder name; ours sits beside the example script


def require(module, extra, purpose):
    """Import the optional `module`, or raise ImportError naming the numflow extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        package = module.split(".")[0]
        raise ImportError("%s needs %s, which is not installed: %s"
                          % (purpose, package, pip_hint(extra, package))) from None


class SimpleProgress:
    """A minimal text progress bar on stderr, used when tqdm is not installed."""

    active = None  # the bar drawing on a terminal now, which `write` has to step around

    def __init__(self, total, desc="", file=None, width=30):
        self.total, self.desc, self.file, self.width = total, desc, file or sys.stderr, width
        self.n, self._shown, self._start = 0, 0, time.time()
        self._tty = hasattr(self.file, "isatty") and self.file.isatty()

    def __iter__(self):
        if self._tty:
            SimpleProgress.active = self
        try:
            for i in range(self.total):
                yield i
                self.update()
        finally:
            self.close()

    def update(self, n=1):
        self.n += n
        bucket = self.n * (100 if self._tty else 10) // max(1, self.total)  # redraw each 1% (tty) or 10%
        if bucket != self._shown:
            self._shown = bucket
            self._draw()

    def _line(self):
        frac = self.n / self.total if self.total else 1.0
        bar = "#" * int(frac * self.width)
        return "%s%3d%%|%-*s| %d/%d [%.1fs]" % (self.desc + ": " if self.desc else "", 100 * frac, self.width,
                                               bar, self.n, self.total, time.time() - self._start)

    def _draw(self):
        self.file.write(("\r" + self._line()) if self._tty else self._line() + "\n")
        self.file.flush()

    def clear(self):
        """Blank the bar's line so that a message can take it (terminal only)."""
        self.file.write("\r" + " " * len(self._line()) + "\r")
        self.file.flush()

    def close(self):
        if SimpleProgress.active is self:
            SimpleProgress.active = None
        if self._tty:
            self.file.write("\n")
            self.file.flush()


_hinted = False


def _tqdm_module():
    """tqdm.auto (tqdm's notebook bar inside Jupyter, its text bar elsewhere), or None."""
    if os.environ.get("NUMFLOW_NO_TQDM"):
        return None
    try:
        import warnings
        with warnings.catch_warnings():  # in a notebook without ipywidgets tqdm falls back to its text bar
            warnings.simplefilter("ignore")
            from tqdm import auto
        return auto
    except ImportError:
        return None


def trange(total, desc=""):
    """`tqdm.auto.trange(total)` when tqdm is installed; else a simple bar (and a one-time hint naming the
    extra)."""
    global _hinted
    auto = _tqdm_module()
    if auto is not None:
        return auto.trange(total, desc=desc or None)
    if not os.environ.get("NUMFLOW_NO_TQDM") and not _hinted:
        print("(tqdm is not installed, using a plain progress bar: %s)" % pip_hint("progress", "tqdm"),
              file=sys.stderr)
        _hinted = True
    return iter(SimpleProgress(total, desc))


def write(*values, file=None):
    """print(*values) on its own line, keeping a progress bar that is being drawn intact (tqdm.write)."""
    message = " ".join(str(v) for v in values)
    auto = _tqdm_module()
    if auto is not None:
        auto.tqdm.write(message, file=file)
        return
    bar = SimpleProgress.active
    if bar is not None:
        bar.clear()
    print(message, file=file or sys.stdout, flush=True)
    if bar is not None:
        bar._draw()


def default_mnist_dir(script):
    """`MNIST_data` beside the example `script`: where the MNIST examples look for (and download) the data."""
    return os.path.join(os.path.dirname(os.path.abspath(script)), MNIST_FOLDER)


def read_mnist(data_dir, **kwargs):
    """`read_data_sets(data_dir, **kwargs)`; missing data ends the program with the loader's advice (which
    files, which folder, where to get them) instead of a traceback."""
    from ..datasets import mnist
    try:
        return mnist.read_data_sets(data_dir, **kwargs)
    except mnist.DatasetNotFoundError as e:
        print("error: %s" % e, file=sys.stderr)
        raise SystemExit(1) from None
