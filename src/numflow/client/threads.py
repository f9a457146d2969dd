"""How many threads BLAS (NumPy's matrix products) may use while a plan runs.

numflow's only parallelism is the BLAS library inside NumPy's matrix products. Multi-threaded BLAS pays
on an idle machine for large products, but when another process keeps a core busy its threads wait for
that core and a step can take many times its single-threaded time. So:
  - `ConfigProto(intra_op_parallelism_threads=n)` fixes the count for a Session's runs (as TF's intra-op
    pool size); `inter_op_parallelism_threads` is accepted and has no effect, since plans run their ops
    in one thread (measured: concurrent ops do not pay on NumPy kernels, see the README);
  - otherwise each plan that calls BLAS times its own steps and keeps whichever of one thread or the
    default count is faster now, re-trying the other now and then at a bounded cost (`AdaptiveThreads`).
The count is set through threadpoolctl when it is installed (`pip install 'numflow-tf1[perf]'`), else by
calling the OpenBLAS that NumPy loaded (found in /proc/self/maps) through ctypes; where neither works
nothing is changed and plans run as before.
"""
import ctypes
import os
import threading
import time

_SETTERS = ("openblas_set_num_threads", "openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
            "scipy_openblas_set_num_threads64_")
_lock = threading.Lock()
_controllers = None     # list of (set(n), get()) for every BLAS library loaded in the process
_last_set = [None]      # the count numflow last set: plans compare with it instead of asking BLAS
_default_threads = None  # the count BLAS started with (or set_default_threads')


def _threadpoolctl_controllers():
    try:
        import threadpoolctl
    except ImportError:
        return []
    try:
        selected = threadpoolctl.ThreadpoolController().select(user_api="blas")
    except Exception:   # an unusual library layout must not stop numflow from running
        return []
    return [(lib.set_num_threads, lambda lib=lib: lib.num_threads) for lib in selected.lib_controllers]


def _loaded_openblas_paths():
    try:
        with open("/proc/self/maps") as maps:
            fields = (line.split(None, 5) for line in maps)
            paths = {f[5].strip() for f in fields if len(f) == 6}
    except OSError:
        return []
    return sorted(p for p in paths if "openblas" in os.path.basename(p).lower())


def _ctypes_controllers():
    found = []
    for path in _loaded_openblas_paths():
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for setter_name in _SETTERS:
            setter = getattr(library, setter_name, None)
            getter = getattr(library, setter_name.replace("_set_", "_get_"), None)
            if setter is not None and getter is not None:
                setter.argtypes, setter.restype = [ctypes.c_int], None
                getter.argtypes, getter.restype = [], ctypes.c_int
                found.append((setter, getter))
                break
    return found


def _blas_controllers():
    global _controllers, _default_threads
    if _controllers is None:
        import numpy  # noqa: F401 - BLAS is loaded with NumPy; it must be mapped before the search
        with _lock:
            if _controllers is None:
                found = _threadpoolctl_controllers() or _ctypes_controllers()
                if found and _default_threads is None:
                    # The count BLAS started with, read before anything here changes it: a Session with
                    # intra_op_parallelism_threads=1 created first must not make 1 the default of all.
                    _default_threads = int(found[0][1]())
                _controllers = found
    return _controllers


def available():
    """Whether numflow can change the BLAS thread count in this process."""
    return bool(_blas_controllers())


def blas_threads():
    """The BLAS thread count now (the first library's), or None when it cannot be read."""
    controllers = _blas_controllers()
    return int(controllers[0][1]()) if controllers else None


def set_blas_threads(count):
    """Sets every loaded BLAS library to `count` threads; returns False when none can be controlled."""
    count = int(count)
    if count < 1:
        raise ValueError("BLAS thread count must be at least 1, got %d" % count)
    controllers = _blas_controllers()
    for setter, _ in controllers:
        setter(count)
    _last_set[0] = count
    return bool(controllers)


class limit_blas_threads:
    """`with limit_blas_threads(n):` runs the block with n BLAS threads, then restores the count."""

    def __init__(self, count):
        self.count = count
        self._previous = None

    def __enter__(self):
        self._previous = blas_threads()
        set_blas_threads(self.count)
        return self

    def __exit__(self, *exc):
        if self._previous is not None:
            set_blas_threads(self._previous)
        return False


def _usable_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1



def default_threads():
    """The BLAS thread count NumPy started with (its environment variables and the usable CPUs)."""
    global _default_threads
    _blas_controllers()
    if _default_threads is None:
        _default_threads = _usable_cpus()
    return _default_threads


def set_default_threads(count):
    """Makes `count` the BLAS thread count plans start from and never exceed (Horovod's `hvd.init()`
    gives each rank its share of the machine's cores this way), and sets it now."""
    global _default_threads
    set_blas_threads(count)
    _default_threads = int(count)


def intra_op_threads(config):
    """`intra_op_parallelism_threads` of a ConfigProto (or a config dict) when positive, else None."""
    if config is None:
        return None
    value = config.get("intra_op_parallelism_threads") if isinstance(config, dict) else \
        getattr(config, "intra_op_parallelism_threads", None)
    if value is None:
        return None
    value = int(value)
    if value < 0:
        raise ValueError("intra_op_parallelism_threads must be >= 0, got %d" % value)
    return value or None


# Op types whose kernels call BLAS: only plans containing one of these get thread control.
_BLAS_OP_MARKERS = ("MatMul", "Conv", "Einsum", "LSTM", "GRU", "Matrix", "Cholesky", "Qr", "Svd")


def calls_blas(op_types):
    return any(marker in kind for kind in op_types for marker in _BLAS_OP_MARKERS)


class FixedThreads:
    """Runs every step with `count` BLAS threads (a Session's intra_op_parallelism_threads)."""

    def __init__(self, count):
        self.count = count

    def __call__(self, function, args):
        if _last_set[0] != self.count:
            set_blas_threads(self.count)
        return function(*args)


class AdaptiveThreads:
    """Chooses between one BLAS thread and `many` by timing a plan's own steps.

    The plan repeats the same work every step, so its step time under each setting is a direct measure.
    Each step updates the running estimate of the setting it ran with; the faster setting is kept, and
    the slower one is re-tried once the time spent since its last try reaches `retry_ratio` times its
    last measured step, so that re-trying a setting that has become slow (another process took the
    second core) costs at most 1/retry_ratio of the run time, while a setting that has become fast again
    is found within a bounded time. The first step of each setting is a warm-up and is not counted.
    """

    def __init__(self, many, retry_ratio=20.0, clock=time.perf_counter):
        self.settings = (1, many)
        self.retry_ratio = retry_ratio
        self.clock = clock
        self.estimate = {1: None, many: None}
        self.warm = set()
        self.current = many
        self.spent_since_try = {1: 0.0, many: 0.0}

    def __call__(self, function, args):
        current = self.current
        if _last_set[0] != current:
            set_blas_threads(current)
        start = self.clock()
        result = function(*args)
        self.record(current, self.clock() - start)
        return result

    def record(self, setting, seconds):
        """Learns from one step of `setting` that took `seconds`; picks the setting of the next step."""
        other = self.settings[0] if setting == self.settings[1] else self.settings[1]
        if setting not in self.warm:
            self.warm.add(setting)
        else:
            previous = self.estimate[setting]
            self.estimate[setting] = seconds if previous is None else 0.5 * (previous + seconds)
        self.spent_since_try[other] += seconds
        self.spent_since_try[setting] = 0.0
        mine, theirs = self.estimate[setting], self.estimate[other]
        if mine is None:
            self.current = setting          # still warming up or measuring this one
        elif theirs is None or other not in self.warm:
            self.current = other            # never measured the other setting yet
        elif mine > theirs:
            self.current = other
        elif self.spent_since_try[other] >= self.retry_ratio * theirs:
            self.current = other            # a bounded-cost re-try of the slower setting
            self.estimate[other] = None     # measured afresh: conditions may have changed
        else:
            self.current = setting


def controller_for(op_types, intra_op=None):
    """What a plan runs its steps through: None (call directly), FixedThreads or AdaptiveThreads."""
    if not available():
        return None
    if intra_op is not None:
        return FixedThreads(intra_op)
    many = default_threads()
    if many <= 1 or not calls_blas(op_types):
        return None
    return AdaptiveThreads(many)
