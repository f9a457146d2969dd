"""Where a workload's step goes, per op type, at one thread: how much of it is BLAS and how much is numflow.

    python benchmarks/bench_op_breakdown.py [--only mlp128,lstm] [--steps 50] [--json out.json]

Runs bench_workloads' graphs in numflow with `intra_op_parallelism_threads=1`, times every kernel of the
compiled plan (each kernel call wrapped with a clock), and prints milliseconds per step by op type, the
share inside matrix products (MatMul, BatchMatMul, Conv2D and its gradients), and what is left: the
elementwise kernels and the plan's own Python. It also measures this process's single-thread sgemm rate
on a 1024^3 product, which is what bounds every matmul-heavy step.

Why this exists: issue #16 asks for every workload at <= 1.0x TensorFlow's time at one thread. When the
matrix products alone take longer than TensorFlow's whole step, no change to numflow's own code can get
there; only faster BLAS kernels can. Run it twice, as is and with the machine's native OpenBLAS kernels
(`env -u OPENBLAS_CORETYPE python benchmarks/bench_op_breakdown.py`, where the environment pins a core
type), to see how much of the gap is BLAS. The wrapping adds about 0.3 us per kernel call; the totals
printed are the wrapped step's.
"""
import argparse
import json
import os
import re
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("NUMFLOW_SRC") or os.path.join(HERE, "..", "src"))
sys.path.insert(0, HERE)

import numflow  # noqa: E402
from numflow.client import threads  # noqa: E402
import bench_workloads  # noqa: E402

MATRIX_PRODUCTS = ("MatMul", "BatchMatMul", "BatchMatMulV2", "Conv2D", "Conv2DBackpropInput",
                   "Conv2DBackpropFilter", "LSTMBlockCell", "LSTMBlockCellGrad", "BlockLSTM", "BlockLSTMGrad")


def sgemm_gflops(n=1024, seconds=0.5):
    """Single-thread float32 GEMM rate of this process's BLAS, in GFLOP/s."""
    threads.set_blas_threads(1)
    a = np.random.RandomState(0).rand(n, n).astype(np.float32)
    b = a.T.copy()
    a @ b
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ b
        count += 1
    return 2.0 * n ** 3 * count / (time.perf_counter() - start) / 1e9


def _timed(kernel, totals, key):
    clock = time.perf_counter

    def timed(*args):
        start = clock()
        try:
            return kernel(*args)
        finally:
            totals[key] = totals.get(key, 0.0) + clock() - start
    return timed


def breakdown(name, steps, intra_op=1):
    """(step seconds, {op type: seconds per step}) of workload `name` at `intra_op` BLAS threads."""
    builder, fetch_key, feeds, _ = bench_workloads.workload(name)
    step, _, sess = bench_workloads.session_step(numflow, builder, fetch_key, feeds, intra_op)
    step()
    plan = list(sess._plans.values())[-1]
    namespace = plan._function.__globals__
    kernel_types = {}
    for line_number, line in enumerate(plan.source.splitlines(), 1):
        match = re.search(r"= (k\d+)\(", line)
        if match and line_number in plan._line_ops:
            kernel_types[match.group(1)] = plan._line_ops[line_number].type
    totals = {}
    for kernel_name, op_type in kernel_types.items():
        namespace[kernel_name] = _timed(namespace[kernel_name], totals, op_type)
    for _ in range(3):
        step()
    totals.clear()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    elapsed = (time.perf_counter() - start) / steps
    sess.close()
    return elapsed, {op_type: seconds / steps for op_type, seconds in totals.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(w for w in bench_workloads.WORKLOADS if w != "cnn_infer"))
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1,
                        help="intra_op_parallelism_threads of the timed session (default 1)")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    rate = sgemm_gflops()
    print("numflow %s, NumPy %s, OPENBLAS_CORETYPE=%s, single-thread sgemm %.0f GFLOP/s" % (
        numflow.NUMFLOW_VERSION, np.__version__, os.environ.get("OPENBLAS_CORETYPE", "(not set)"), rate))
    results = {"sgemm_gflops_1_thread": rate, "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
               "threads": args.threads, "workloads": {}}
    for name in args.only.split(","):
        steps = max(3, args.steps // 10) if name.startswith("cnn") else args.steps
        elapsed, by_type = breakdown(name, steps, args.threads)
        products = sum(t for op_type, t in by_type.items() if op_type in MATRIX_PRODUCTS)
        kernels = sum(by_type.values())
        results["workloads"][name] = {"step_ms": elapsed * 1e3, "matrix_products_ms": products * 1e3,
                                      "other_kernels_ms": (kernels - products) * 1e3,
                                      "plan_overhead_ms": (elapsed - kernels) * 1e3,
                                      "by_op_type_ms": {k: v * 1e3 for k, v in by_type.items()}}
        top = sorted(by_type.items(), key=lambda item: -item[1])[:6]
        print("%-11s step %7.2f ms = matrix products %7.2f + other kernels %6.2f + plan %5.2f   | %s" % (
            name, elapsed * 1e3, products * 1e3, (kernels - products) * 1e3, (elapsed - kernels) * 1e3,
            ", ".join("%s %.2f" % (op_type, t * 1e3) for op_type, t in top)))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=1)


if __name__ == "__main__":
    main()
