"""How many threads a plan's steps use: BLAS threads inside matrix products, and a second Python thread.

numflow has two kinds of parallelism, and they do not mix on a machine with few cores:
  - the BLAS library inside NumPy's matrix products. Multi-threaded BLAS pays on an idle machine for
    large products, but when another process keeps a core busy its threads wait for that core and a step
    can take many times its single-threaded time; and after each multi-threaded product OpenBLAS's helper
    threads keep spinning for about 0.1 s, on the cores anything else would need;
  - running independent heavy kernels of a plan at the same time (`concurrency.py`), each with one BLAS
    thread: the two products of a layer's gradient, or a large update split in halves. A waiting Python
    thread sleeps instead of spinning, so this never collapses under load, and the results are the same
    bits as one thread's.
So each plan runs its steps under one `Setting` (BLAS threads, concurrent or not):
  - `ConfigProto(intra_op_parallelism_threads=n)` fixes the BLAS count (as TF's intra-op pool size);
    `inter_op_parallelism_threads=1` turns concurrent kernels off (TF's one inter-op thread), and they are
    only used at one BLAS thread;
  - otherwise each plan times its own steps under each candidate setting (one BLAS thread, the default
    count, and concurrent kernels where the plan has any) and keeps whichever is fastest now, re-trying
    the others now and then at a bounded cost (`AdaptiveThreads`).
The count is set through threadpoolctl when it is installed (`pip install 'numflow-tf1[perf]'`), else by
calling the OpenBLAS that NumPy loaded (found in /proc/self/maps) through ctypes; where neither works
the BLAS count is left alone.
"""
import collections
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


def _config_threads(config, field):
    """A thread-count field of a ConfigProto (or a config dict) when positive, else None."""
    if config is None:
        return None
    value = config.get(field) if isinstance(config, dict) else getattr(config, field, None)
    if value is None:
        return None
    value = int(value)
    if value < 0:
        raise ValueError("%s must be >= 0, got %d" % (field, value))
    return value or None


def intra_op_threads(config):
    """`intra_op_parallelism_threads` of a ConfigProto (or a config dict) when positive, else None."""
    return _config_threads(config, "intra_op_parallelism_threads")


def inter_op_threads(config):
    """`inter_op_parallelism_threads` of a ConfigProto (or a config dict) when positive, else None."""
    return _config_threads(config, "inter_op_parallelism_threads")


# Op types whose kernels call BLAS: only plans containing one of these get thread control.
_BLAS_OP_MARKERS = ("MatMul", "Conv", "Einsum", "LSTM", "GRU", "Matrix", "Cholesky", "Qr", "Svd")


def calls_blas(op_types):
    return any(marker in kind for kind in op_types for marker in _BLAS_OP_MARKERS)


def _use_blas_threads(count):
    """Sets the BLAS count for a step, unless numflow set it already (None: leave BLAS alone)."""
    if count is not None and _last_set[0] != count:
        set_blas_threads(count)


Setting = collections.namedtuple("Setting", "blas concurrent")
Setting.__doc__ = """How a plan runs a step: `blas` BLAS threads, with its concurrent kernels or not."""


class FixedThreads:
    """Runs every step under one `Setting` (a Session's intra_op_parallelism_threads)."""

    def __init__(self, setting):
        self.setting = setting

    def __call__(self, functions, args):
        _use_blas_threads(self.setting.blas)
        return functions[self.setting.concurrent](*args)


# After products on several threads OpenBLAS's helper threads keep spinning (about 0.1 s after one product,
# benchmarks/results/interop.txt; longer after a run of them), on the cores a one-thread setting would use:
# steps run in that time are not counted for the setting switched to. Measured on the deep MNIST CNN: its
# concurrent step read 37 ms 0.15 s after two-thread steps, and its steady 26.6 ms after 0.3 s.
BLAS_SETTLE_SECONDS = 0.3
# A step of the setting in use this many times slower than the runner-up's estimate means conditions
# changed (another process took a core: multi-threaded BLAS then runs 3-50x slower), not noise.
SLOWDOWN_FACTOR = 2.0
# ... in this many steps in a row: one slow step is a hiccup (an interrupt, the first product after the
# process slept), and switching on it costs a second of a worse setting on small steps.
SLOWDOWN_STEPS = 2
FIRST_WARMUP_STEPS = 2
# A setting's estimate is the mean of its last WINDOW_STEPS counted steps (at least `samples` of them). The
# mean, not the median: under load two-thread BLAS is mostly as fast as ever and now and then 50-100x
# slower (measured on the MLP-128: median 0.85 ms, mean 4.3 ms), and what a run pays is the mean.
WINDOW_STEPS = 8
# The first re-try of each setting comes sooner: the first steps of a process run with cold caches and
# a growing heap, the concurrent variant's worker thread most (measured: the CNN's concurrent step takes
# 33 ms in its first second and 27 ms from then on), so first estimates may be off.
FIRST_RETRY_RATIO = 4.0


class AdaptiveThreads:
    """Chooses among `settings` (each a `Setting`) by timing a plan's own steps.

    The plan repeats the same work every step, so its step time under each setting is a direct measure.
    A setting is measured over `samples` counted steps and estimated by their mean; the setting in use
    keeps updating its estimate from its last WINDOW_STEPS steps. The fastest setting is kept, and each slower one is re-measured once the time spent
    since its last try reaches `retry_ratio` times what the re-try costs, so that re-trying a setting
    that has become slow (another process took the second core) costs at most 1/retry_ratio of the run
    time per setting, while a setting that has become fast again is found within a bounded time.
    SLOWDOWN_STEPS steps in a row of the setting in use taking more than SLOWDOWN_FACTOR times the best
    other estimate mean conditions changed: the last becomes its estimate and the best other runs next.
    Not counted: the first FIRST_WARMUP_STEPS steps of a setting, the first step after every switch, and
    the steps of the first BLAS_SETTLE_SECONDS after leaving a multi-threaded BLAS setting. Settings are
    measured first in the order given.
    """

    def __init__(self, settings, retry_ratio=20.0, samples=3, clock=time.perf_counter):
        self.settings = tuple(settings)
        self.retry_ratio = retry_ratio
        self.samples = samples
        self.clock = clock
        self.estimate = dict.fromkeys(self.settings)
        self.recent = {setting: collections.deque(maxlen=WINDOW_STEPS) for setting in self.settings}
        self.current = self.settings[0]
        self.previous = None    # the setting of the step before: a switch makes the next step a warm-up
        self.others = {setting: tuple(s for s in self.settings if s != setting) for setting in self.settings}
        self.elapsed = 0.0      # seconds of all steps so far
        self.last_ran = dict.fromkeys(self.settings, 0.0)   # self.elapsed after each setting's last step
        self.runs = dict.fromkeys(self.settings, 0)
        self.settling = 0.0     # seconds of steps still to run before a step is counted
        self.slow_steps = 0     # consecutive counted steps slower than SLOWDOWN_FACTOR x the runner-up
        self.stint = 0.0        # seconds run under the current setting since it was switched to
        self.retrying = None    # the setting being re-tried, if any
        self.retry_seconds = {}  # what the last re-try of each setting cost, all its steps included

    def __call__(self, functions, args):
        current = self.current
        _use_blas_threads(current.blas)
        start = self.clock()
        result = functions[current.concurrent](*args)
        self.record(current, self.clock() - start)
        return result

    def record(self, setting, seconds):
        """Learns from one step of `setting` that took `seconds`; picks the setting of the next step."""
        self.runs[setting] += 1
        self.stint = (self.stint if setting == self.previous else 0.0) + seconds
        # The first steps of a setting fill caches and the worker's scratch buffers: two are warm-up;
        # after a later switch, one (BLAS threads waking, the other setting's data leaving the cache).
        counted = setting == self.previous and self.settling <= 0.0 and self.runs[setting] > FIRST_WARMUP_STEPS
        self.previous = setting
        self.settling -= seconds
        self.elapsed += seconds
        self.last_ran[setting] = self.elapsed
        if counted:
            recent = self.recent[setting]
            recent.append(seconds)
            if len(recent) >= self.samples:
                self.estimate[setting] = sum(recent) / len(recent)
        self.current = self._next(setting, counted, seconds)
        if self.current != setting and setting == self.retrying:
            self.retry_seconds[setting] = self.stint        # what that re-try really cost
            self.retrying = None
        if (setting.blas or 1) > 1 and (self.current.blas or 1) == 1:
            self.settling = BLAS_SETTLE_SECONDS

    def _next(self, setting, counted, seconds):
        if not counted or self.estimate[setting] is None:
            return setting          # warming up, settling, or measuring this one
        if None in self.estimate.values():
            return next(s for s in self.settings if self.estimate[s] is None)
        others = self.others[setting]
        if others:
            runner_up = min(others, key=self.estimate.__getitem__)
            self.slow_steps = self.slow_steps + 1 if seconds > SLOWDOWN_FACTOR * self.estimate[runner_up] else 0
            if self.slow_steps >= SLOWDOWN_STEPS:
                self.estimate[setting] = seconds     # conditions changed: no median to wait for
                self.recent[setting].clear()
                self.slow_steps = 0
                return runner_up
        best = min(self.settings, key=self.estimate.__getitem__)
        for other in self.others[best]:
            cost = max(self._retry_cost(best, other), self.retry_seconds.get(other, 0.0))
            ratio = self.retry_ratio if other in self.retry_seconds else FIRST_RETRY_RATIO
            if self.elapsed - self.last_ran[other] >= ratio * cost:
                self.estimate[other] = None     # measured afresh: conditions may have changed
                self.recent[other].clear()
                self.retrying = other
                return other                    # a bounded-cost re-try of a slower setting
        return best

    def _retry_cost(self, best, other):
        """Seconds a re-try of `other` should take: a warm-up and the measured steps, plus the settling
        steps when it leaves multi-threaded BLAS (the cadence uses the larger of this and what its last
        re-try did cost: under load a few fast steps can hide how slow a setting's other steps are)."""
        settle = BLAS_SETTLE_SECONDS if (best.blas or 1) > 1 >= (other.blas or 1) else 0.0
        return (1 + self.samples) * self.estimate[other] + settle


def controller_for(op_types, intra_op=None, inter_op=None, has_concurrent=False):
    """What a plan runs its steps through: None (call the sequential function directly), FixedThreads or
    AdaptiveThreads. `has_concurrent`: the plan has a concurrent variant (`concurrency.py`), used only
    at one BLAS thread, when inter_op_parallelism_threads is not 1 and the process may use two cores
    (its default thread count: the CPUs, OPENBLAS_NUM_THREADS, or a Horovod rank's share)."""
    control = available()
    concurrent = (has_concurrent and intra_op in (None, 1) and inter_op != 1
                  and (inter_op or default_threads()) > 1)
    settings = [Setting(1 if control else None, True)] if concurrent else []
    if intra_op is not None:
        settings.append(Setting(intra_op if control else None, False))
    elif control and calls_blas(op_types) and default_threads() > 1:
        # One-thread settings first: measuring them after a multi-threaded one costs settling time.
        settings += [Setting(1, False), Setting(default_threads(), False)]
    else:
        settings.append(Setting(None, False))   # BLAS left as it is
    if len(settings) > 1:
        return AdaptiveThreads(settings)
    return None if settings[0] == Setting(None, False) else FixedThreads(settings[0])
