"""MaxPool and MaxPoolGrad kernels before and after the staged kernels of ops/conv.py, in one process.

    python benchmarks/bench_pool.py [--shapes pool1_b50,pool2_b50] [--blocks 5] [--calls 8]
                                    [--step-blocks 6] [--out benchmarks/results/pool.txt]

Sides:
  * `before`: the per-position loop over the whole batch (conv._max_pool_windows over a padded copy,
    conv._max_pool_grad_windows), which is what both kernels were before; one difference: for windows
    that tile the input exactly, the old gradient kernel skipped the zero fill this one does (a memset of
    the input's size, about 0.1 ms for 5 MB);
  * `after`: conv._max_pool_nhwc / conv._max_pool_grad_nhwc, what a Session runs.
Cache regimes, set up before every timed call:
  * `cold`: 64 MB written first, as in a training step, where MaxPoolGrad's input (and MaxPool's, at
    large batches) was written long before;
  * `hot`: the input just written by a ReLU (np.maximum(source, 0, out=x)), as MaxPool's input usually is.
The sides alternate in blocks of --calls calls; reported per side: the median over blocks of each block's
median CPU time (time.process_time) and wall time per call, and the ratio after / before.

Then the deep MNIST CNN training step of bench_workloads (`cnn_train`, one thread), with each side's
kernels in place (a Session's pooling kernels call these module functions on every run): the step's CPU
time and the CPU time of the two pooling kernels inside it, in alternating blocks of --step-blocks.
The machine's load average is printed at the start and the end: on a shared machine CPU time is the
steadier column.
"""
import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("NUMFLOW_SRC") or os.path.join(HERE, "..", "src"))
sys.path.insert(0, HERE)

import numflow  # noqa: E402
from numflow.client import threads  # noqa: E402
from numflow.ops import conv  # noqa: E402
import bench_workloads  # noqa: E402

# name: (input shape NHWC float32, ksize, stride, padding)
SHAPES = {
    "pool1_b50": ((50, 28, 28, 32), 2, 2, "SAME"),          # the deep MNIST CNN's two pools, batch 50
    "pool2_b50": ((50, 14, 14, 64), 2, 2, "SAME"),
    "pool1_b1000": ((1000, 28, 28, 32), 2, 2, "SAME"),      # its first pool at inference batch size
    "pool1_3x3s2_b50": ((50, 28, 28, 32), 3, 2, "SAME"),   # overlapping windows
    "resnet_3x3s2_b32": ((32, 56, 56, 64), 3, 2, "SAME"),
}
FLUSH_BYTES = 64 << 20


def before_forward(x, g, lowest):
    """MaxPool as it was: the per-position loop over a padded copy of the whole batch."""
    n, h, w, c = x.shape
    oh, ow, pt, pb, pl, pr = g.plan(h, w, g.kh, g.kw)
    return conv._max_pool_windows(conv._pad(x, pt, pb, pl, pr, lowest), oh, ow, g,
                                  np.empty((n, oh, ow, c), x.dtype))


SIDES = {"before": (before_forward, conv._max_pool_grad_windows),
         "after": (conv._max_pool_nhwc, conv._max_pool_grad_nhwc)}


def _geometry(k, s, padding):
    return conv._Geometry({"ksize": [1, k, k, 1], "strides": [1, s, s, 1], "padding": padding,
                           "data_format": "NHWC"})


def kernel_samples(shape, k, s, padding, regime, blocks, calls):
    """{(op, side): [(cpu, wall) median per call of each block]} for MaxPool and MaxPoolGrad."""
    rng = np.random.RandomState(0)
    g = _geometry(k, s, padding)
    source = rng.standard_normal(shape).astype(np.float32)
    x = np.maximum(source, 0)
    y = conv._max_pool_nhwc(x, g, -np.inf)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    flush = np.zeros(FLUSH_BYTES // 4, np.float32)
    ops = {"MaxPool": lambda side: SIDES[side][0](x, g, -np.inf),
           "MaxPoolGrad": lambda side: SIDES[side][1](x, y, dy, g, -np.inf)}
    for op_name, op in ops.items():
        if not np.array_equal(op("before"), op("after")):
            raise AssertionError("%s: the two sides differ at %s" % (op_name, shape))

    def prepare():
        if regime == "cold":
            np.add(flush, 1.0, out=flush)
        else:
            np.maximum(source, 0, out=x)
    samples = {(op, side): [] for op in ops for side in SIDES}
    for _ in range(blocks):
        for op_name, op in ops.items():
            for side in SIDES:
                cpu, wall = [], []
                for _ in range(calls):
                    prepare()
                    start_cpu, start_wall = time.process_time(), time.perf_counter()
                    op(side)
                    cpu.append(time.process_time() - start_cpu)
                    wall.append(time.perf_counter() - start_wall)
                samples[(op_name, side)].append((statistics.median(cpu), statistics.median(wall)))
    return samples


def step_samples(blocks, steps):
    """{side: [(step cpu, MaxPool cpu, MaxPoolGrad cpu) per step of each block]} in the cnn_train step."""
    builder, fetch_key, feeds, _ = bench_workloads.workload("cnn_train")
    step, _, sess = bench_workloads.session_step(numflow, builder, fetch_key, feeds, 1)
    kernel_cpu = {}

    def timed(name, kernel):
        def run(*args):
            start = time.process_time()
            try:
                return kernel(*args)
            finally:
                kernel_cpu[name] = kernel_cpu.get(name, 0.0) + time.process_time() - start
        return run
    saved = conv._max_pool_nhwc, conv._max_pool_grad_nhwc
    samples = {side: [] for side in SIDES}
    try:
        for _ in range(blocks):
            for side, (forward, grad) in SIDES.items():
                conv._max_pool_nhwc = timed("MaxPool", forward)
                conv._max_pool_grad_nhwc = timed("MaxPoolGrad", grad)
                step()
                kernel_cpu.clear()
                start = time.process_time()
                for _ in range(steps):
                    step()
                elapsed = time.process_time() - start
                samples[side].append((elapsed / steps, kernel_cpu["MaxPool"] / steps,
                                      kernel_cpu["MaxPoolGrad"] / steps))
    finally:
        conv._max_pool_nhwc, conv._max_pool_grad_nhwc = saved
        sess.close()
    return samples


def _median(rows, index):
    return statistics.median(row[index] for row in rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--calls", type=int, default=8)
    parser.add_argument("--step-blocks", type=int, default=6)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    threads.set_blas_threads(1)
    lines = ["numflow %s, NumPy %s, Python %s, %s; load average at start %.2f %.2f %.2f" % (
        numflow.NUMFLOW_VERSION, np.__version__, platform.python_version(), platform.machine(),
        *os.getloadavg())]
    print(lines[-1])

    def emit(text):
        lines.append(text)
        print(text, flush=True)
    emit("%-18s %-6s %-12s %22s %22s %8s" % ("shape", "cache", "op", "before cpu/wall ms", "after cpu/wall ms",
                                             "after/bf"))
    for name in args.shapes.split(","):
        shape, k, s, padding = SHAPES[name]
        for regime in ("cold", "hot"):
            samples = kernel_samples(shape, k, s, padding, regime, args.blocks, args.calls)
            for op in ("MaxPool", "MaxPoolGrad"):
                before, after = samples[(op, "before")], samples[(op, "after")]
                emit("%-18s %-6s %-12s %10.3f / %9.3f %10.3f / %9.3f %7.2fx" % (
                    name, regime, op, 1e3 * _median(before, 0), 1e3 * _median(before, 1),
                    1e3 * _median(after, 0), 1e3 * _median(after, 1), _median(after, 0) / _median(before, 0)))
    if args.step_blocks:
        samples = step_samples(args.step_blocks, args.steps)
        emit("cnn_train step (batch 50, 1 thread), CPU ms per step, medians of %d blocks of %d steps:"
             % (args.step_blocks, args.steps))
        for side, rows in samples.items():
            emit("  %-7s step %7.2f   MaxPool %6.3f   MaxPoolGrad %6.3f   [MaxPoolGrad blocks %.3f-%.3f]" % (
                side, 1e3 * _median(rows, 0), 1e3 * _median(rows, 1), 1e3 * _median(rows, 2),
                1e3 * min(r[2] for r in rows), 1e3 * max(r[2] for r in rows)))
    emit("load average at end %.2f %.2f %.2f" % os.getloadavg())
    if args.out:
        with open(args.out, "w") as handle:
            handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
