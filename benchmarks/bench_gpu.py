"""numflow on a GPU (CuPy backend) against numflow on the CPU, and TensorFlow on the same GPU when it is
importable (never a dependency), one process.

    NUMFLOW_GPU_BACKEND=cupy python benchmarks/bench_gpu.py [--only cnn_train,cnn_infer,lstm,mlp1024]
                                                            [--steps 20] [--json out.json]

Workloads are those of bench_workloads.py (the deep-MNIST CNN training step at batch 50, its inference at
batch 1000, the 28-step LSTM classifier at batch 128, the 784-256-256-10 MLP at batch 1024), built by the
same graph functions. The CPU side is the same graph in a Session with ConfigProto(device_count={'GPU': 0}).
Each step fetches its loss (or logits), which copies the value to the host and therefore waits for the
GPU; medians of wall time per step after warm-up. Without a GPU it says so and exits 0.
Targets of issue #18: CNN training >= 10x numflow's CPU step, within 2x of PyTorch's GPU step (a PyTorch
twin of these graphs is not written yet).
"""
import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numflow  # noqa: E402
from numflow import backend  # noqa: E402
from bench_workloads import load_tensorflow, session_step, workload  # noqa: E402

WORKLOADS = ("cnn_train", "cnn_infer", "lstm", "mlp1024")


def timed(step, steps):
    for _ in range(3):           # warm-up: plan compilation, CuPy kernel compilation and memory pool
        step()
    samples = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def numflow_step(name, gpu):
    builder, fetch_key, feeds, _ = workload(name)
    config = None if gpu else numflow.ConfigProto(device_count={"GPU": 0})
    graph = numflow.Graph()
    with graph.as_default():
        g = builder(numflow)
        init = numflow.global_variables_initializer()
    sess = numflow.Session(graph=graph, config=config)
    sess.run(init)
    fetch = [g[k] for k in fetch_key] if isinstance(fetch_key, tuple) else g[fetch_key]
    feed = feeds(g)
    return (lambda: sess.run(fetch, feed)), sess


def tensorflow_gpu_step(tf_module, name):
    """The same graph in TensorFlow, placed by TF (on its GPU when it has one)."""
    builder, fetch_key, feeds, _ = workload(name)
    step, _, sess = session_step(tf_module, builder, fetch_key, feeds, None)
    return step, sess


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(WORKLOADS))
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--simulated", action="store_true",
                        help="accept the guarded test device (NUMFLOW_GPU_BACKEND=guarded): checks the script, "
                             "measures nothing meaningful")
    args = parser.parse_args(argv)
    gpus = backend.gpu_backends()
    if not gpus or ("CuPy" not in gpus[0].description and not args.simulated):
        print("no CuPy GPU here (NUMFLOW_GPU_BACKEND=cupy with CuPy and an NVIDIA GPU): nothing measured")
        return 0
    print("device: %s" % gpus[0].description)
    tf_module = load_tensorflow()
    results = {}
    for name in args.only.split(","):
        row = {}
        for side, gpu in (("numflow_gpu", True), ("numflow_cpu", False)):
            step, sess = numflow_step(name, gpu)
            row[side] = timed(step, args.steps if gpu else max(3, args.steps // 4))
            sess.close()
        if tf_module is not None:
            step, sess = tensorflow_gpu_step(tf_module, name)
            row["tensorflow"] = timed(step, args.steps)
            sess.close()
        results[name] = row
        cells = "  ".join("%s %.2f ms" % (side, seconds * 1e3) for side, seconds in row.items())
        print("%-10s %s  (GPU speed-up over CPU: %.1fx)" % (name, cells, row["numflow_cpu"] / row["numflow_gpu"]))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"device": gpus[0].description, "results": results}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
