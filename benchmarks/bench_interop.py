"""Does an inter-op executor pay on this machine? Measured before building one.

    python benchmarks/bench_interop.py [--parts gil,candidates,elementwise,mlp,cnn] [--loads idle,busy]
                                       [--rounds 31] [--chunk 0.03]

numflow runs a plan as one generated straight-line function, one kernel call per op, on one Python
thread; its only parallelism is the BLAS library inside matrix products (2 threads by default here).
An inter-op executor would instead run independent heavy kernels on two Python threads, each with one
BLAS thread, which only helps where NumPy releases the GIL. This script measures what that would gain,
with numflow's own kernels, before any of it is built:

  gil          NumPy calls of growing size on one thread (2k calls) and on two threads (k calls each):
               a ratio above 1 means the calls really overlap; below 1 the GIL (or the handoff) loses.
  candidates   each concurrent candidate alone, with the arguments of a real step: the pairs of
               independent heavy kernels that follow each other in numflow's plans (the dW and dX
               matrix products of a layer, the conv input and filter gradients), one after the other
               at one and at two BLAS threads, and at once on two threads with one BLAS thread each;
               the largest Adam update whole and with its rows split over two threads.
  elementwise  relu, add, multiply, sigmoid (numflow's kernels) on 50x28x28x32 and 1000x14x14x64
               float32 arrays and smaller ones: one call against the rows split over two threads into a
               preallocated output.
  mlp, cnn     whole steps: the 784-256-256-10 MLP's SGD step (batch 128 and 1024) and the deep MNIST
               CNN's Adam step (batch 50), as numflow compiles them. The plan's own generated source is
               rewritten so that each candidate pair runs on two threads, the second op on a worker from
               a one-thread pool while the calling thread runs the first (a static schedule, no
               dependency tracking at run time: the cheapest executor possible); for the CNN also Adam's
               8 updates split over two threads (whole variables balanced by size, or the largest
               variable's rows). Before timing, each op is profiled, and a greedy two-thread list
               schedule of the plan's dependency graph with those times gives the most that any
               dataflow executor could save with ideal threads.

Variants are named `<schedule>@<BLAS threads>`: `seq@1` is numflow with
ConfigProto(intra_op_parallelism_threads=1), `seq@2` numflow at the default BLAS count (its adaptive
controller picks the faster of the two per plan), `pairs@1` the concurrent pairs with one BLAS thread
everywhere, `pairs@1,rest@2` one BLAS thread inside the pairs and two elsewhere, `matmul@2,rest@1` no concurrency but
two BLAS threads for matrix products only (a per-op BLAS count, for comparison). Every concurrent
variant is first checked to give the same variables as `seq@1` after a step (keep_prob 1, so dropout
draws nothing that differs). Loads: `idle` (whatever else runs on the machine: the load average is
printed) and `busy` (a second process spinning on one core, as in bench_workloads.py). Each
measurement alternates the variants in short rounds (--chunk seconds each) so that a change of load
hits all of them alike; the medians over rounds are reported, the spread is the lowest and highest.
"""
import argparse
import concurrent.futures
import os
import re
import statistics
import sys
import threading
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("NUMFLOW_SRC") or os.path.join(HERE, "..", "src"))
sys.path.insert(0, HERE)

import numflow  # noqa: E402
from numflow.client import plan as plan_module  # noqa: E402
from numflow.client import threads  # noqa: E402
from numflow.ops import math as math_ops  # noqa: E402
from numflow.ops import training as training_ops  # noqa: E402
from bench_cnn import NumpyCNN  # noqa: E402
from bench_workloads import BusyCore, cnn_graph, mlp_graph, numpy_dense_step, _mnist_like  # noqa: E402

HEAVY_TYPES = ("MatMul", "Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter")
_LINE = re.compile(r"^    (?P<target>.+?) = (?P<kernel>k\d+)\((?P<args>.*)\)$")


# --- timing ------------------------------------------------------------------------------------------
def alternate(variants, rounds, chunk_seconds):
    """{name: (median seconds per call, lowest round, highest round, median CPU seconds per call)}.

    `variants`: {name: (call, prepare)}; `prepare()` runs before each round of that variant (it sets
    the BLAS thread count, which is global to the process). Each round times every variant for about
    `chunk_seconds` in turn, so that a change of the machine's load hits all of them alike."""
    calls = {}
    for name, (call, prepare) in variants.items():
        prepare()
        for _ in range(2):      # warm-up: BLAS buffers, workspaces, the worker thread
            call()
        start = time.perf_counter()
        call()
        calls[name] = max(1, int(chunk_seconds / max(time.perf_counter() - start, 1e-7)))
    samples = {name: [] for name in variants}
    for _ in range(rounds):
        for name, (call, prepare) in variants.items():
            prepare()
            count = calls[name]
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(count):
                call()
            samples[name].append(((time.perf_counter() - wall) / count, (time.process_time() - cpu) / count))
    result = {}
    for name, rows in samples.items():
        walls = [w for w, _ in rows]
        result[name] = (statistics.median(walls), min(walls), max(walls), statistics.median(c for _, c in rows))
    return result


# Measured here: after a product on two BLAS threads, OpenBLAS's helper thread keeps spinning for about
# 0.1 s (100-105 ms of CPU on a quiet machine), even once the count is set back to 1, taking the second
# core from whatever runs next.
_BLAS_SPIN_SECONDS = 0.25


_last_prepared = [None]     # the BLAS count of the variant measured last (it may switch counts itself)


def blas(count):
    """A `prepare` that sets the BLAS thread count, and after a multi-threaded variant waits out the
    BLAS helper's spinning, which would otherwise be charged to the next variant."""
    def prepare():
        threads.set_blas_threads(count)
        if count == 1 and (_last_prepared[0] or 1) > 1:
            time.sleep(_BLAS_SPIN_SECONDS)
        _last_prepared[0] = count
    return prepare


def load_average():
    return " ".join("%.2f" % v for v in os.getloadavg())


# --- the second thread ---------------------------------------------------------------------------------
class Worker:
    """One extra Python thread; the calling thread is the other one of the two cores."""

    def __init__(self):
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)

    def submit(self, function, *args):
        return self.pool.submit(function, *args)

    def close(self):
        self.pool.shutdown()


def _run_calls(calls):
    for kernel, args in calls:
        kernel(*args)


# --- rewriting a numflow plan into a concurrent one ----------------------------------------------------
class PlanSchedule:
    """A compiled numflow plan's generated source, with the line of each op, ready to be rewritten."""

    def __init__(self, plan):
        if plan_module.check_kernels_enabled():
            raise RuntimeError("run without NUMFLOW_CHECK_KERNELS: its check lines change the plan source")
        self.plan = plan
        self.lines = plan.source.splitlines()
        self.namespace = plan._function.__globals__
        self.op_at = {number - 1: op for number, op in plan._line_ops.items()}   # 0-based line -> op

    def call(self, index):
        """(target, kernel name, argument names) of the op line at `index`."""
        match = _LINE.match(self.lines[index])
        args = [a for a in match.group("args").split(", ") if a]
        return match.group("target"), match.group("kernel"), args

    def next_op_line(self, index):
        """The next line after `index` that runs an op, skipping `del` lines; None at the end."""
        for other in range(index + 1, len(self.lines)):
            if other in self.op_at:
                return other
            if not self.lines[other].startswith("    del "):
                return None
        return None

    def independent_heavy_pairs(self):
        """Consecutive heavy ops where the second does not read the first's outputs."""
        pairs, index = [], 0
        while index < len(self.lines):
            op = self.op_at.get(index)
            following = self.next_op_line(index) if op is not None else None
            if following is not None and op.type in HEAVY_TYPES and self.op_at[following].type in HEAVY_TYPES:
                first_targets = set(self.call(index)[0].split(", "))
                if not first_targets & set(self.call(following)[2]):
                    pairs.append((index, following))
                    index = following + 1
                    continue
            index += 1
        return pairs

    def lines_of_type(self, op_type):
        return [i for i, op in sorted(self.op_at.items()) if op.type == op_type]

    def compile(self, replacements, extra_namespace):
        """A plan function with `replacements` ({line index: [new lines]}) applied."""
        lines = []
        for index, line in enumerate(self.lines):
            lines.extend(replacements.get(index, [line]))
        source = "\n".join(lines) + "\n"
        namespace = dict(self.namespace)
        namespace.update(extra_namespace)
        exec(compile(source, "<interop plan>", "exec"), namespace)
        return namespace["_plan"], source


def pair_replacements(schedule, pairs, switch_blas):
    """The second op of each pair is submitted to the worker just before the first runs here; its
    result is collected where it used to run. With `switch_blas` BLAS has 1 thread only during pairs."""
    replacements = {}
    for first, second in pairs:
        target, kernel, args = schedule.call(second)
        submit = "    _pending = _submit(%s)" % ", ".join([kernel] + args)
        before = ["    _blas(1)", submit] if switch_blas else [submit]
        replacements[first] = before + [schedule.lines[first]]
        after = ["    %s = _pending.result()" % target]
        replacements[second] = after + (["    _blas(2)"] if switch_blas else [])
    return replacements


def _sizes_of_adam(schedule, index):
    op = schedule.op_at[index]
    return int(np.prod(op.inputs[0].shape.as_list()))


def _split_update_by_rows(op, state, worker):
    """The update of the fused optimizer op `op` (ApplyAdam...) as numflow's kernel makes it, on the
    first half of the variable's rows here and the second half on the worker (elementwise updates:
    each half gets exactly the operations it gets in the whole-array update)."""
    op_def = op._op_def
    cells = [state.variable_cell(op.inputs[i].op) for i in range(op_def.refs)]
    one, attrs, update = op.inputs[0].dtype.np.type(1), op.attrs, op_def.update
    # numflow's kernel may update a large variable in cache-sized chunks; each half does the same.
    in_chunks = getattr(training_ops, "_update_in_chunks", None)
    threshold = getattr(training_ops, "CHUNKING_THRESHOLD", None)

    def update_rows(refs, args):
        if in_chunks is not None and refs[0].size >= threshold:
            in_chunks(update, refs, args, one, attrs)
        else:
            update(refs, args, one, attrs)

    def run(*args):
        refs = [cell.value for cell in cells]
        half = refs[0].shape[0] // 2
        rows = lambda part: [a if np.ndim(a) == 0 else part(a) for a in args]  # noqa: E731
        pending = worker.submit(update_rows, [r[half:] for r in refs], rows(lambda a: a[half:]))
        update_rows([r[:half] for r in refs], rows(lambda a: a[:half]))
        pending.result()
        return refs[0]
    return run


def adam_replacements(schedule, mode, worker, namespace, state):
    """Adam's updates on two threads: `by_variable` (greedy halves by size) or `by_rows` (the largest
    variable's update split by rows, the others as before)."""
    indices = schedule.lines_of_type("ApplyAdam")
    if not indices:
        return {}
    if mode == "by_rows":
        largest = max(indices, key=lambda i: _sizes_of_adam(schedule, i))
        target, kernel, args = schedule.call(largest)
        name = "_adam_rows_%s" % kernel
        namespace[name] = _split_update_by_rows(schedule.op_at[largest], state, worker)
        return {largest: ["    %s = %s(%s)" % (target, name, ", ".join(args))]}
    groups, totals = ([], []), [0, 0]
    for index in sorted(indices, key=lambda i: -_sizes_of_adam(schedule, i)):
        lighter = 0 if totals[0] <= totals[1] else 1
        groups[lighter].append(index)
        totals[lighter] += _sizes_of_adam(schedule, index)

    def calls(group):
        items = []
        for index in sorted(group):
            _, kernel, args = schedule.call(index)
            items.append("(%s, (%s,))" % (kernel, ", ".join(args)))
        return "(%s,)" % ", ".join(items)
    first, end = min(indices), max(indices) + 1
    while end < len(schedule.lines) and schedule.lines[end].startswith("    del "):
        end += 1
    span = range(first, end)
    deletes = [schedule.lines[i] for i in span if schedule.lines[i].startswith("    del ")]
    replacements = {i: [] for i in span}
    replacements[first] = ["    _pending = _submit(_run_calls, %s)" % calls(groups[1]),
                           "    _run_calls(%s)" % calls(groups[0]),
                           "    _pending.result()"] + deletes
    return replacements


# --- workloads -----------------------------------------------------------------------------------------
class PlanWorkload:
    """A numflow training graph, its compiled plan for the train op, and step functions over it."""

    def __init__(self, builder, feeds_of, check_feeds_of):
        self.graph = numflow.Graph()
        with self.graph.as_default():
            self.handles = builder(numflow)
            init = numflow.global_variables_initializer()
        self.session = numflow.Session(graph=self.graph)
        self.session.run(init)
        self.session._plans.clear()
        feeds = feeds_of(self.handles)
        self.session.run(self.handles["train"], feeds)
        (self.plan,) = self.session._plans.values()
        self.feed_values = [feeds[t] for t in self.plan.feed_tensors]
        check_feeds = check_feeds_of(self.handles)
        self.check_values = [check_feeds[t] for t in self.plan.feed_tensors]
        self.schedule = PlanSchedule(self.plan)
        self.worker = Worker()
        self.params = self.session.run(self.handles["params"])

    def sequential(self):
        function, values = self.plan._function, self.feed_values
        return lambda: function(*values)

    def concurrent(self, pairs=True, switch_blas=False, adam=None, matmul_threads=None):
        """A step function of the rewritten plan, and its source. `matmul_threads`: no concurrency, but
        that many BLAS threads around each MatMul and one elsewhere (a per-op BLAS count, for comparison)."""
        namespace = {"_submit": self.worker.submit, "_run_calls": _run_calls, "_blas": threads.set_blas_threads}
        replacements = {}
        if matmul_threads:
            for index in self.schedule.lines_of_type("MatMul"):
                replacements[index] = ["    _blas(%d)" % matmul_threads, self.schedule.lines[index], "    _blas(1)"]
        if pairs:
            replacements.update(pair_replacements(self.schedule, self.schedule.independent_heavy_pairs(),
                                                  switch_blas))
        if adam:
            replacements.update(adam_replacements(self.schedule, adam, self.worker, namespace,
                                                  self.session._state))
        function, source = self.schedule.compile(replacements, namespace)
        values = self.feed_values
        return (lambda: function(*values)), function, source

    def variables_after_one_step(self, function, blas_threads):
        """The variables after one step of `function` from the current state, which is then restored."""
        variables = self.graph.get_collection(numflow.GraphKeys.GLOBAL_VARIABLES)
        before = self.session.run(variables)
        threads.set_blas_threads(blas_threads)
        function(*self.check_values)
        after = self.session.run(variables)
        for variable, value in zip(variables, before):
            variable.load(value, self.session)
        return after

    def close(self):
        self.worker.close()
        self.session.close()


def mlp_workload(batch):
    xs, ys = _mnist_like(np.random.RandomState(0), batch)
    feeds = lambda h: {h["x"]: xs, h["y"]: ys}  # noqa: E731
    workload = PlanWorkload(mlp_graph, feeds, feeds)
    reference = numpy_dense_step([np.array(p) for p in workload.params], 0.1)
    return workload, lambda: reference(xs, ys)


def cnn_workload(batch=50):
    xs, ys = _mnist_like(np.random.RandomState(0), batch)
    workload = PlanWorkload(cnn_graph, lambda h: {h["x"]: xs, h["y"]: ys, h["keep"]: 0.5},
                            lambda h: {h["x"]: xs, h["y"]: ys, h["keep"]: 1.0})
    reference = NumpyCNN(workload.params)
    return workload, lambda: reference.step(xs, ys)


def plan_variants(workload, numpy_step, with_adam):
    """{name: (step, prepare)} and {name: plan function} of the concurrent ones (for the check)."""
    # One-thread variants first and two-thread ones last in each round: one wait for BLAS's spinning
    # helper per round instead of one per switch.
    variants = {"numpy@1": (numpy_step, blas(1)), "seq@1": (workload.sequential(), blas(1))}
    concurrent = {}
    options = [("pairs@1", dict(pairs=True), 1)]
    if with_adam:
        options += [("adam-vars@1", dict(pairs=False, adam="by_variable"), 1),
                    ("adam-rows@1", dict(pairs=False, adam="by_rows"), 1),
                    ("pairs+adam-rows@1", dict(pairs=True, adam="by_rows"), 1)]
    options += [("seq@2", None, 2), ("pairs@1,rest@2", dict(pairs=True, switch_blas=True), 2),
                ("matmul@2,rest@1", dict(pairs=False, matmul_threads=2), 2)]
    for name, kwargs, count in options:
        if kwargs is None:
            variants[name] = (workload.sequential(), blas(count))
            continue
        step, function, _ = workload.concurrent(**kwargs)
        variants[name] = (step, blas(count))
        concurrent[name] = (function, count)
    return variants, concurrent


def check_same_results(workload, concurrent):
    """Max abs difference of every concurrent variant's variables after one step from seq@1's."""
    expected = workload.variables_after_one_step(workload.plan._function, 1)
    differences = {}
    for name, (function, count) in concurrent.items():
        got = workload.variables_after_one_step(function, count)
        differences[name] = max(float(np.max(np.abs(a - b))) for a, b in zip(expected, got))
    return differences


def profile_ops(workload, steps):
    """Median seconds of each op's kernel call over `steps` steps of the plan at one BLAS thread."""
    schedule = workload.schedule
    samples = {index: [] for index in schedule.op_at}
    namespace = {}
    for index in schedule.op_at:
        kernel_name = schedule.call(index)[1]
        kernel = schedule.namespace[kernel_name]

        def timed(*args, kernel=kernel, record=samples[index].append):
            start = time.perf_counter()
            result = kernel(*args)
            record(time.perf_counter() - start)
            return result
        namespace[kernel_name] = timed
    function, _ = schedule.compile({}, namespace)
    threads.set_blas_threads(1)
    for _ in range(steps + 2):
        function(*workload.feed_values)
    return {index: statistics.median(times[2:]) for index, times in samples.items()}


def dependencies(schedule):
    """{op line: lines it must wait for}: its inputs' producers and control inputs; an op that updates
    state also waits for every op before it that does not (numflow's variable reads return the stored
    array itself, which the update then changes in place)."""
    producer, line_of = {}, {op: index for index, op in schedule.op_at.items()}
    preds, earlier_reads = {}, []
    for index in sorted(schedule.op_at):
        op = schedule.op_at[index]
        target, _, args = schedule.call(index)
        wanted = {producer[a] for a in args if a in producer}
        wanted.update(line_of[c] for c in op._control_inputs if c in line_of)
        if op._op_def.updates_state:
            wanted.update(earlier_reads)
        else:
            earlier_reads.append(index)
        preds[index] = wanted
        for name in target.split(", "):
            producer[name] = index
    return preds


def simulate_two_threads(times, preds, offloadable, overhead):
    """Step time of a greedy list schedule on two threads: the calling thread runs any op, the second
    only `offloadable` ones, each at its measured one-thread time plus `overhead` for the handoff; ops
    start as early as possible, the longest remaining chain first. Ideal: two ops running at once are
    assumed to slow each other down neither through the GIL nor through memory bandwidth."""
    successors = {index: [] for index in times}
    for index, wanted in preds.items():
        for pred in wanted:
            successors[pred].append(index)
    rank = {}
    for index in sorted(times, reverse=True):
        rank[index] = times[index] + max((rank[s] for s in successors[index]), default=0.0)
    finish, thread_free, pending = {}, [0.0, 0.0], set(times)
    while pending:
        best = None
        for index in pending:
            if not preds[index] <= finish.keys():
                continue
            ready = max((finish[p] for p in preds[index]), default=0.0)
            for thread in (0, 1) if index in offloadable else (0,):
                key = (max(thread_free[thread], ready), -rank[index], thread)
                if best is None or key < best[0]:
                    best = (key, index, thread)
        (start, _, thread), index = best[0], best[1]
        finish[index] = start + times[index] + (overhead if thread else 0.0)
        thread_free[thread] = finish[index]
        pending.discard(index)
    return max(finish.values())


def print_bound(label, workload, with_adam, steps, handoff=20e-6, offload_threshold=100e-6):
    """What two perfectly overlapped threads could save at most: the shorter op of each pair, half of
    the largest variable's update (and nothing else: the rest of the step is a chain)."""
    times = profile_ops(workload, steps)
    schedule = workload.schedule
    total = sum(times.values())
    saving, parts = 0.0, []
    for first, second in schedule.independent_heavy_pairs():
        a, b = times[first], times[second]
        saving += min(a, b)
        parts.append("%s %.2f | %s %.2f" % (schedule.op_at[first].type, a * 1e3, schedule.op_at[second].type,
                                           b * 1e3))
    if with_adam:
        adam = schedule.lines_of_type("ApplyAdam")
        largest = max(adam, key=lambda i: _sizes_of_adam(schedule, i))
        saving += times[largest] / 2
        parts.append("largest ApplyAdam %.2f (all 8: %.2f)" % (times[largest] * 1e3,
                                                                sum(times[i] for i in adam) * 1e3))
    print("  per-op profile at 1 BLAS thread (median of %d steps): kernels %.2f ms/step; %s" % (
        steps, total * 1e3, "; ".join(parts)))
    print("  upper bound of the saving with two ideal threads: %.2f ms (%.0f%% of the step)" % (
        saving * 1e3, 100 * saving / total))
    preds = dependencies(schedule)
    offloadable = {i for i, t in times.items() if t >= offload_threshold}
    ideal = simulate_two_threads(times, preds, offloadable, 0.0)
    with_handoff = simulate_two_threads(times, preds, offloadable, handoff)
    print("  any dataflow executor, simulated on two ideal threads (ops >= %.0f us offloaded): %.2f ms "
          "(%.0f%% saved), %.2f ms with a %.0f us handoff (%.0f%% saved)" % (
              offload_threshold * 1e6, ideal * 1e3, 100 * (1 - ideal / total), with_handoff * 1e3,
              handoff * 1e6, 100 * (1 - with_handoff / total)))
    elementwise = sum(t for i, t in times.items() if t >= offload_threshold
                      and not threads.calls_blas([schedule.op_at[i].type]))
    print("  kernels without BLAS taking >= %.0f us: %.2f ms (%.0f%% of the step): splitting all of them by "
          "rows over two ideal threads would save at most %.2f ms (%.0f%%)" % (
              offload_threshold * 1e6, elementwise * 1e3, 100 * elementwise / total, elementwise / 2 * 1e3,
              50 * elementwise / total))
    return total, saving, ideal, with_handoff, elementwise


def run_plan_part(label, make, with_adam, loads, rounds, chunk_seconds):
    workload, numpy_step = make()
    try:
        variants, concurrent = plan_variants(workload, numpy_step, with_adam)
        differences = check_same_results(workload, concurrent)
        pairs = workload.schedule.independent_heavy_pairs()
        print("\n%s: concurrent pairs %s" % (label, ", ".join(
            "%s|%s" % (workload.schedule.op_at[a].type, workload.schedule.op_at[b].type) for a, b in pairs)))
        print("  max |variables - seq@1's| after one step: %s" % ", ".join(
            "%s %.3g" % item for item in differences.items()))
        bound = print_bound(label, workload, with_adam, steps=30)
        results = {"bound": bound}
        for load in loads:
            results[load] = _measure_under(load, variants, rounds, chunk_seconds)
        print_plan_table(label, results)
        return results, differences
    finally:
        workload.close()


def _measure_under(load, variants, rounds, chunk_seconds):
    start = load_average()
    with BusyCore() if load == "busy" else _Nothing():
        result = alternate(variants, rounds, chunk_seconds)
    print("  [%s] load average %s -> %s" % (load, start, load_average()))
    return result


def print_plan_table(label, results):
    print("  %-6s %-18s %9s %17s %9s %9s %9s" % ("load", "variant", "ms/step", "spread", "cpu ms",
                                                  "/seq@1", "/best seq"))
    for load, rows in results.items():
        if load == "bound":
            continue
        best = min(rows["seq@1"][0], rows["seq@2"][0])
        for name, (wall, low, high, cpu) in rows.items():
            print("  %-6s %-18s %9.2f %8.2f-%-8.2f %9.2f %9.2f %9.2f" % (
                load, name, wall * 1e3, low * 1e3, high * 1e3, cpu * 1e3, wall / rows["seq@1"][0], wall / best))
    sys.stdout.flush()


# --- the concurrent candidates alone, in finely alternated rounds -------------------------------------
def capture_arguments(workload, indices):
    """{op line: (kernel, argument values)} of the ops at `indices`, from one step of the plan."""
    schedule, captured, namespace = workload.schedule, {}, {}
    for index in indices:
        kernel_name = schedule.call(index)[1]
        kernel = schedule.namespace[kernel_name]

        def capture(*args, kernel=kernel, index=index):
            captured[index] = (kernel, args)
            return kernel(*args)
        namespace[kernel_name] = capture
    function, _ = schedule.compile({}, namespace)
    function(*workload.feed_values)
    return captured


def candidate_variants(workload, with_adam):
    """{case: {variant: (call, prepare)}} for each concurrent pair and the largest Adam update."""
    schedule, worker = workload.schedule, workload.worker
    pairs = [p for p in schedule.independent_heavy_pairs()]
    adam = schedule.lines_of_type("ApplyAdam") if with_adam else []
    largest = max(adam, key=lambda i: _sizes_of_adam(schedule, i)) if adam else None
    captured = capture_arguments(workload, [i for p in pairs for i in p] + ([largest] if adam else []))
    cases = {}
    for first, second in pairs:
        (ka, aa), (kb, ab) = captured[first], captured[second]

        def sequential(ka=ka, aa=aa, kb=kb, ab=ab):
            ka(*aa)
            kb(*ab)

        def at_once(ka=ka, aa=aa, kb=kb, ab=ab):
            pending = worker.submit(kb, *ab)
            ka(*aa)
            pending.result()
        label = "%s %s | %s %s" % (schedule.op_at[first].type, "x".join(map(str, np.shape(ka(*aa)))),
                                    schedule.op_at[second].type, "x".join(map(str, np.shape(kb(*ab)))))
        cases[label] = {"seq@1": (sequential, blas(1)), "concurrent@1": (at_once, blas(1)),
                        "seq@2": (sequential, blas(2))}
    if largest is not None:
        kernel, args = captured[largest]
        split = _split_update_by_rows(schedule.op_at[largest], workload.session._state, worker)
        label = "ApplyAdam %s" % "x".join(map(str, schedule.op_at[largest].inputs[0].shape.as_list()))
        cases[label] = {"seq@1": ((lambda: kernel(*args)), blas(1)),
                        "concurrent@1": ((lambda: split(*args)), blas(1))}
    return cases


def run_candidates_part(label, make, with_adam, loads, rounds, chunk_seconds):
    """The op-level version of the plan part: what each candidate saves per step, idle and busy."""
    workload, _ = make()
    try:
        step = sum(profile_ops(workload, 20).values())
        cases = candidate_variants(workload, with_adam)
        results = {}
        print("\n%s (kernels %.2f ms/step at one BLAS thread): each candidate, ms per call" % (label, step * 1e3))
        for load in loads:
            before = load_average()
            with BusyCore() if load == "busy" else _Nothing():
                rows = {case: alternate(variants, rounds, chunk_seconds) for case, variants in cases.items()}
            results[load] = rows
            saved_vs_1 = sum(r["seq@1"][0] - r["concurrent@1"][0] for r in rows.values())
            saved_vs_best = sum(min(r["seq@1"][0], r.get("seq@2", r["seq@1"])[0]) - r["concurrent@1"][0]
                                for r in rows.values())
            print("  [%s] load average %s -> %s" % (load, before, load_average()))
            for case, timings in rows.items():
                print("  %-5s %-58s %s" % (load, case, "  ".join(
                    "%s %.3f (%.3f-%.3f)" % (name, t[0] * 1e3, t[1] * 1e3, t[2] * 1e3)
                    for name, t in timings.items())))
            print("  %-5s all candidates concurrent save %.2f ms per step vs seq@1 (%.0f%% of the step), "
                  "%.2f ms vs the better of seq@1/seq@2 (%.0f%%)" % (
                      load, saved_vs_1 * 1e3, 100 * saved_vs_1 / step, saved_vs_best * 1e3, 100 * saved_vs_best / step))
        sys.stdout.flush()
        return step, results
    finally:
        workload.close()


# --- elementwise kernels split by rows -------------------------------------------------------------------
def _relu_into(x, out):
    np.maximum(x, np.float32(0), out=out)


def _sigmoid_into(x, out):
    np.negative(x, out=out)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1
    np.reciprocal(out, out=out)


ELEMENTWISE = {
    # name: (numflow's kernel, the same computed into a given output, number of inputs)
    "relu": (lambda x: np.maximum(x, np.float32(0)), _relu_into, 1),
    "add": (math_ops.Add.fn, lambda x, y, out: np.add(x, y, out=out), 2),
    "multiply": (math_ops.Mul.fn, lambda x, y, out: np.multiply(x, y, out=out), 2),
    "sigmoid": (math_ops.Sigmoid.fn, _sigmoid_into, 1),
}
ELEMENTWISE_SHAPES = ((64, 256), (128, 1024), (50, 14, 14, 32), (50, 28, 28, 32), (1000, 14, 14, 64))


def split_rows(into, worker):
    """`into`'s computation on the first half of the rows here and the second half on the worker."""
    def run(*inputs):
        out = np.empty_like(inputs[0])
        half = out.shape[0] // 2
        pending = worker.submit(into, *([x[half:] for x in inputs] + [out[half:]]))
        into(*([x[:half] for x in inputs] + [out[:half]]))
        pending.result()
        return out
    return run


def run_elementwise_part(loads, rounds, chunk_seconds):
    worker = Worker()
    rng = np.random.default_rng(0)
    results = {}
    try:
        for shape in ELEMENTWISE_SHAPES:
            inputs = [rng.standard_normal(shape, dtype=np.float32) for _ in range(2)]
            variants = {}
            for name, (kernel, into, arity) in ELEMENTWISE.items():
                args = inputs[:arity]
                split = split_rows(into, worker)
                if not np.array_equal(split(*args), kernel(*args)):
                    raise AssertionError("split %s differs from numflow's kernel" % name)
                variants[name + " 1 thread"] = ((lambda k=kernel, a=args: k(*a)), blas(1))
                variants[name + " 2 rows"] = ((lambda s=split, a=args: s(*a)), blas(1))
            for load in loads:
                results[(shape, load)] = _measure_under(load, variants, rounds, chunk_seconds)
                print_elementwise_row(shape, load, results[(shape, load)])
    finally:
        worker.close()
    return results


def print_elementwise_row(shape, load, rows):
    cells = []
    for name in ELEMENTWISE:
        one, two = rows[name + " 1 thread"], rows[name + " 2 rows"]
        cells.append("%s %.3f %.3f %.2f" % (name, one[0] * 1e3, two[0] * 1e3, two[0] / one[0]))
    print("  %-18s %-5s %s" % ("x".join(map(str, shape)), load, "  ".join(cells)))
    sys.stdout.flush()


# --- do NumPy calls overlap on two threads? ----------------------------------------------------------
GIL_CASES = (
    ("relu", lambda n: (np.ones(n, np.float32),), lambda x: np.maximum(x, np.float32(0))),
    ("sigmoid", lambda n: (np.ones(n, np.float32),), math_ops.Sigmoid.fn),
    ("matmul", lambda n: (np.ones((int(n ** 0.5),) * 2, np.float32),) * 2, np.matmul),
)
GIL_SIZES = (256, 4096, 65536, 1 << 20)


def _calls_on_threads(function, args, calls, count):
    """Seconds to make `calls` calls split over `count` threads (started and joined each time)."""
    barrier = threading.Barrier(count + 1)

    def work():
        barrier.wait()
        for _ in range(calls // count):
            function(*args)
    workers = [threading.Thread(target=work) for _ in range(count)]
    for worker in workers:
        worker.start()
    barrier.wait()
    start = time.perf_counter()
    for worker in workers:
        worker.join()
    return time.perf_counter() - start


def blas_spin_cpu(repeats):
    """Median CPU seconds the process uses during a 0.3 s sleep that follows a 2-thread product."""
    square = np.ones((512, 512), np.float32)
    burnt = []
    for _ in range(repeats):
        threads.set_blas_threads(2)
        np.matmul(square, square)
        threads.set_blas_threads(1)
        start = time.process_time()
        time.sleep(0.3)
        burnt.append(time.process_time() - start)
    return statistics.median(burnt)


def run_gil_part(loads, blocks, seconds):
    threads.set_blas_threads(1)
    worker = Worker()
    handoff = []
    for _ in range(blocks):
        start = time.perf_counter()
        for _ in range(2000):
            worker.submit(int).result()
        handoff.append((time.perf_counter() - start) / 2000)
    worker.close()
    print("\ngil: a submit-and-wait round trip to the worker thread costs %.1f us (median of %d blocks)"
          % (statistics.median(handoff) * 1e6, blocks))
    print("  after a product on 2 BLAS threads (then set back to 1), the process burns %.0f ms of CPU while "
          "sleeping 0.3 s: BLAS's helper thread spinning on the second core" % (blas_spin_cpu(blocks) * 1e3))
    results = {}
    for load in loads:
        context = BusyCore() if load == "busy" else _Nothing()
        with context:
            for name, make, function in GIL_CASES:
                for size in GIL_SIZES:
                    args = make(size)
                    start = time.perf_counter()
                    function(*args)
                    calls = max(4, int(seconds / max(time.perf_counter() - start, 1e-7)) // 2 * 2)
                    one, two = [], []
                    for _ in range(blocks):
                        one.append(_calls_on_threads(function, args, calls, 1))
                        two.append(_calls_on_threads(function, args, calls, 2))
                    speedup = statistics.median(one) / statistics.median(two)
                    results[(load, name, size)] = speedup
                    print("  %-5s %-8s %8d elements: one thread %.2f us/call, two threads %.2fx as fast" % (
                        load, name, size, statistics.median(one) / calls * 1e6, speedup))
                    sys.stdout.flush()
    return results


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="gil,candidates,elementwise,mlp,cnn")
    parser.add_argument("--loads", default="idle,busy")
    parser.add_argument("--rounds", type=int, default=31, help="alternating rounds per measurement")
    parser.add_argument("--chunk", type=float, default=0.03, help="seconds per variant and round")
    args = parser.parse_args(argv)
    if not threads.available():
        raise SystemExit("numflow cannot set the BLAS thread count here: nothing to compare")
    plan_module.keep_freed_memory()
    loads = args.loads.split(",")
    print("NumPy %s, %d CPUs, default BLAS threads %d, load average %s, OPENBLAS_CORETYPE=%s" % (
        np.__version__, os.cpu_count(), threads.default_threads(), load_average(),
        os.environ.get("OPENBLAS_CORETYPE", "")))
    parts = args.parts.split(",")
    results = {}
    if "gil" in parts:
        results["gil"] = run_gil_part(loads, max(5, args.rounds // 4), 0.05)
    if "candidates" in parts:
        for batch in (128, 1024):
            results["candidates mlp%d" % batch] = run_candidates_part(
                "mlp batch %d" % batch, lambda b=batch: mlp_workload(b), False, loads, args.rounds, args.chunk)
        results["candidates cnn"] = run_candidates_part("deep MNIST CNN batch 50", cnn_workload, True, loads,
                                                        args.rounds, args.chunk)
    if "elementwise" in parts:
        print("\nelementwise: numflow's kernel on one thread, ms; rows split over two threads, ms; their "
              "ratio (below 1: the split wins)")
        results["elementwise"] = run_elementwise_part(loads, args.rounds, args.chunk)
    if "mlp" in parts:
        for batch in (128, 1024):
            results["mlp%d" % batch] = run_plan_part("mlp batch %d" % batch, lambda b=batch: mlp_workload(b),
                                                     False, loads, args.rounds, args.chunk)
    if "cnn" in parts:
        results["cnn"] = run_plan_part("deep MNIST CNN batch 50", cnn_workload, True, loads, args.rounds,
                                       args.chunk)
    threads.set_blas_threads(threads.default_threads())
    return results


if __name__ == "__main__":
    main()
