"""Running a plan's independent heavy kernels at the same time (TF's inter-op parallelism), on NumPy.

A plan is a straight line of kernel calls. Where two consecutive heavy kernels are independent (the
second does not read the first's outputs) and pure (matrix products and convolutions: no variable is
read or written in place), the concurrent variant of the plan hands the second to a worker thread just
before the first runs here, and collects its result where it used to run:

        _p12 = _submit(k12, v3, v7)          # the second kernel starts on the worker
        v10_0 = k10(v1, v2)                  # the first runs here meanwhile
        v12_0 = _p12.result()                # the second's own line: its failures are reported there

NumPy's matrix products and large ufunc loops release the GIL, so both cores work: in a layer's
gradient the weight-gradient and input-gradient products, and in a convolution's gradient the input
and filter gradients. Every kernel still runs exactly as in the sequential plan (same inputs, same
single-threaded BLAS), so the results are the same bits; only the order in which the two run changes.
Ops can also split their own work: an `OpDef.concurrent_kernel` (convolutions' and max pools' batch
tiles, halves of large optimizer updates) hands part of it to the same worker through `submit`; ops in
a pair keep their whole kernels. Where this does not pay, the adaptive thread controller (`threads.py`)
measures that and keeps the sequential plan.
"""
import _thread
import queue
import threading

import numpy as np

# Pure kernels worth a thread round trip (tens of microseconds): matrix products and convolutions.
HEAVY_TYPES = frozenset(("MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", "Conv2D",
                         "Conv2DBackpropInput", "Conv2DBackpropFilter", "Conv3D", "Conv3DBackpropInputV2",
                         "Conv3DBackpropFilterV2"))
# A product is heavy when one of its operands or its result has at least this many elements known
# statically (an unknown batch dimension counts as 1); convolutions always are.
MIN_PRODUCT_ELEMENTS = 1 << 16
_CONV_PREFIX = "Conv"


class _Task:
    """A kernel call handed to the worker; `result()` waits for it and returns or raises its outcome."""
    __slots__ = ("function", "args", "_done", "_value", "_error")

    def __init__(self, function, args):
        self.function, self.args = function, args
        self._done = _thread.allocate_lock()
        self._done.acquire()
        self._value = self._error = None

    def run(self):
        try:
            self._value = self.function(*self.args)
        except BaseException as exc:     # re-raised in the plan's thread, on the kernel's own line
            self._error = exc
        finally:
            self.function = self.args = None
            self._done.release()

    def result(self):
        self._done.acquire()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return self._value


class Worker:
    """One daemon thread running submitted kernel calls in order (shared by every plan of the process:
    concurrent plans of several Sessions queue their calls; a task never waits for another task)."""

    def __init__(self):
        self._tasks = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="numflow-inter-op", daemon=True)
        self._thread.start()

    def _serve(self):
        while True:
            self._tasks.get().run()

    def submit(self, function, *args):
        task = _Task(function, args)
        if threading.current_thread() is self._thread:
            task.run()      # a task's own parts: queued behind itself they would never run
        else:
            self._tasks.put(task)
        return task


_worker = None
_worker_lock = threading.Lock()


def worker():
    """The process's inter-op worker, started on first use."""
    global _worker
    if _worker is None:
        with _worker_lock:
            if _worker is None:
                _worker = Worker()
    return _worker


def submit(function, *args):
    """Hands `function(*args)` to the process's inter-op worker, starting it on first use: a plan binds
    this, so that processes that never run a concurrent step never start the thread."""
    return worker().submit(function, *args)


def _known_elements(shape):
    if shape.ndims is None:
        return 0
    return int(np.prod([d if d is not None else 1 for d in shape.as_list()], dtype=np.int64))


def is_heavy(op):
    """Whether `op` is a pure kernel large enough to run beside another one."""
    op_type = op._op_def.type
    if op_type not in HEAVY_TYPES or op._op_def.stateful:
        return False
    if op_type.startswith(_CONV_PREFIX):
        return True
    tensors = list(op._inputs) + list(op._outputs)
    return max(_known_elements(t.shape) for t in tensors) >= MIN_PRODUCT_ELEMENTS


class OpCall:
    """One generated op statement of a host-only plan: `target = kernel(args)` at `line` (0-based in the
    source lines). The lines up to the next op statement are its own: copies, kernel checks, `del`s."""
    __slots__ = ("op", "line", "target", "kernel", "args")

    def __init__(self, op, line, target, kernel, args):
        self.op, self.line, self.target, self.kernel, self.args = op, line, target, kernel, args

    def reads(self, names):
        return bool(set(self.args) & names)

    def writes(self):
        return {name for name in self.target.split(", ") if name != "_"}


def independent_pairs(calls):
    """Consecutive (first, second) op statements that may run at the same time: both heavy and pure,
    the second not reading anything the first produces. Each statement is in at most one pair."""
    pairs, index = [], 0
    while index + 1 < len(calls):
        first, second = calls[index], calls[index + 1]
        if is_heavy(first.op) and is_heavy(second.op) and not second.reads(first.writes()):
            pairs.append((first, second))
            index += 2
        else:
            index += 1
    return pairs


def concurrent_source(lines, line_ops, pairs):
    """(lines, {0-based line: op}) of the concurrent variant of a host-only plan whose sequential source
    is `lines`, with the op of each line in `line_ops` (0-based), running each of `pairs` (from
    `independent_pairs`) at once."""
    replaced = {}
    for number, (first, second) in enumerate(pairs):
        pending = "_p%d" % number
        replaced[first.line] = [("    %s = _submit(%s)" % (pending, ", ".join([second.kernel] + second.args)),
                                 second.op),
                                (lines[first.line], first.op)]
        replaced[second.line] = [("    %s = %s.result()" % (second.target, pending), second.op)]
    new_lines, new_line_ops = [], {}
    for index, line in enumerate(lines):
        for text, op in replaced.get(index, [(line, line_ops.get(index))]):
            if op is not None:
                new_line_ops[len(new_lines)] = op
            new_lines.append(text)
    return new_lines, new_line_ops
