"""numflow.horovod under MPI: allreduce bandwidth, and the MNIST CNN training step at 1, 2 and 4 ranks with
the collective's share of each step; then an extrapolation (a model, not a measurement) to multi-node runs.

    python benchmarks/bench_horovod.py [--ranks 1 2 4] [--steps 20] [--out benchmarks/results/horovod]

The driver launches `mpiexec -n N` on this file in worker mode; rank 0 prints one JSON line of timings.
Measured on this machine:
  * allreduce: one HorovodAllreduce op of float32 messages from 4 KiB to 64 MiB, median of repeats;
    algorithm bandwidth = bytes / time, bus bandwidth = 2 (n-1)/n * bytes / time (what a ring moves per
    rank, comparable across n);
  * CNN step: the examples' MNIST CNN (horovod_common.conv_model), 64 examples per rank per step (weak
    scaling), Adam under DistributedOptimizer; the step time, and the time of the fused gradient allreduce
    alone on a buffer of the model's size (its share of the step).
The extrapolation applies a ring-allreduce cost model (2 (n-1)/n * bytes / link bandwidth + 2 (n-1) *
latency) to the measured gradient size and the measured one-rank compute time, for nodes joined by
10 and 100 Gbit/s links; numflow does not overlap the allreduce with backpropagation, so the model adds the
two (Horovod overlaps them; its published ~90% scaling efficiency at 512 GPUs for Inception V3 and
ResNet-101 is the reference the design must not prevent: the allreduce is one fused op per step and per
dtype, which is what that overlap and tensor fusion build on).
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MESSAGE_BYTES = [4 << 10, 64 << 10, 1 << 20, 16 << 20, 64 << 20]


def _median_time(fn, repeats, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def worker_allreduce(tf, hvd):
    results = []
    for size in MESSAGE_BYTES:
        tf.reset_default_graph()
        value = tf.placeholder(tf.float32, [size // 4])
        reduced = hvd.allreduce(value, op=hvd.Sum)
        data = np.ones(size // 4, np.float32)
        with tf.Session() as sess:
            repeats = 30 if size <= (1 << 20) else 8
            seconds = _median_time(lambda: sess.run(reduced, {value: data}), repeats)
        results.append({"bytes": size, "seconds": seconds})
    return results


def worker_cnn(tf, hvd, steps):
    sys.path.insert(0, os.path.join(os.path.dirname(HERE), "examples"))
    import horovod_common
    rng = np.random.RandomState(hvd.rank())
    images = tf.placeholder(tf.float32, [None, 784])
    labels = tf.placeholder(tf.float32, [None, 10])
    _, loss, _ = horovod_common.conv_model(images, labels)
    train_op = hvd.DistributedOptimizer(tf.train.AdamOptimizer(1e-3)).minimize(loss)
    parameters = int(sum(np.prod(v.shape.as_list()) for v in tf.trainable_variables()))
    gradient_buffer = tf.placeholder(tf.float32, [parameters])
    fused = hvd.allreduce(gradient_buffer)
    feed = {images: rng.rand(64, 784).astype(np.float32),
            labels: np.eye(10, dtype=np.float32)[rng.randint(0, 10, 64)]}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(hvd.broadcast_global_variables(0))
        step = _median_time(lambda: sess.run(train_op, feed), steps)
        buffer = np.ones(parameters, np.float32)
        collective = _median_time(lambda: sess.run(fused, {gradient_buffer: buffer}), steps)
    return {"parameters": parameters, "gradient_bytes": parameters * 4, "step_seconds": step,
            "allreduce_seconds": collective, "examples_per_rank": 64}


def worker(mode, steps):
    import numflow as tf
    import numflow.horovod as hvd
    hvd.init()
    result = worker_allreduce(tf, hvd) if mode == "allreduce" else worker_cnn(tf, hvd, steps)
    if hvd.rank() == 0:
        print("RESULT " + json.dumps({"ranks": hvd.size(), "blas_threads": hvd.blas_threads(), "result": result}))


def launch(ranks, mode, steps, threads=None):
    """Runs the worker on `ranks` ranks; `threads` fixes every rank's BLAS threads (default: the cores
    divided between the ranks, as horovodrun does)."""
    from numflow.horovod import launcher
    saved = os.environ.pop("OMP_NUM_THREADS", None)
    if threads is not None:
        os.environ["OMP_NUM_THREADS"] = str(threads)
    try:
        command, environment = launcher.build_command(ranks, [sys.executable, os.path.abspath(__file__), "--worker",
                                                              mode, "--steps", str(steps)],
                                                      mpiexec=launcher.find_mpiexec())
    finally:
        os.environ.pop("OMP_NUM_THREADS", None)
        if saved is not None:
            os.environ["OMP_NUM_THREADS"] = saved
    env = dict(os.environ)
    env.update(environment)
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    if completed.returncode != 0:
        raise RuntimeError("mpiexec -n %d failed:\n%s%s" % (ranks, completed.stdout, completed.stderr))
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def ring_allreduce_seconds(nbytes, ranks, link_bytes_per_second, latency):
    """The ring-allreduce cost model: each rank sends and receives 2 (n-1)/n of the buffer in 2 (n-1) steps."""
    if ranks == 1:
        return 0.0
    return 2.0 * (ranks - 1) / ranks * nbytes / link_bytes_per_second + 2 * (ranks - 1) * latency


def extrapolate(compute_seconds, gradient_bytes, examples_per_rank):
    rows = []
    for gbit in (10, 100):
        for nodes in (2, 8, 32, 128, 512):
            comm = ring_allreduce_seconds(gradient_bytes, nodes, gbit * 1e9 / 8, 20e-6)
            step = compute_seconds + comm
            rows.append({"link_gbit": gbit, "nodes": nodes, "step_seconds": step,
                         "efficiency": compute_seconds / step,
                         "examples_per_second": nodes * examples_per_rank / step})
    return rows


def report(allreduce, cnn, extrapolation, oversubscribed=None):
    lines = ["numflow.horovod benchmark (MPICH, %d cores on this machine)" % (os.cpu_count() or 1), "",
             "Allreduce (one HorovodAllreduce op, float32, median):"]
    lines.append("  %-6s %10s %12s %14s %14s" % ("ranks", "bytes", "time ms", "algbw MB/s", "busbw MB/s"))
    for run in allreduce:
        n = run["ranks"]
        for row in run["result"]:
            algbw = row["bytes"] / row["seconds"] / 1e6
            lines.append("  %-6d %10d %12.3f %14.1f %14.1f" % (n, row["bytes"], row["seconds"] * 1e3, algbw,
                                                            algbw * (2.0 * (n - 1) / n if n > 1 else 1.0)))
    lines += ["", "MNIST CNN step (64 examples per rank, Adam, DistributedOptimizer), median:"]
    lines.append("  %-6s %8s %12s %14s %12s %14s" % ("ranks", "threads", "step ms", "allreduce ms", "share",
                                                     "examples/s"))
    for run in cnn:
        r = run["result"]
        lines.append("  %-6d %8d %12.2f %14.3f %11.1f%% %14.0f" % (
            run["ranks"], run["blas_threads"], r["step_seconds"] * 1e3, r["allreduce_seconds"] * 1e3,
            100 * r["allreduce_seconds"] / r["step_seconds"], run["ranks"] * 64 / r["step_seconds"]))
    if oversubscribed is not None:
        limited = next(run for run in cnn if run["ranks"] == 2)["result"]["step_seconds"]
        step = oversubscribed["result"]["step_seconds"]
        lines.append("  2 ranks with %d BLAS threads each (not split): %.2f ms per step, %.1fx the split run"
                     % (oversubscribed["blas_threads"], step * 1e3, step / limited))
    base = cnn[0]["result"]
    lines += ["", "EXTRAPOLATION (a cost model, not a measurement): one rank per node, each node computing a "
              "step as fast as", "the 1-rank run here (%.1f ms), gradients of %d bytes in a ring allreduce, "
              "20 us latency, no overlap:" % (base["step_seconds"] * 1e3, base["gradient_bytes"])]
    lines.append("  %-10s %6s %12s %11s %14s" % ("link", "nodes", "step ms", "efficiency", "examples/s"))
    for row in extrapolation:
        lines.append("  %-10s %6d %12.2f %10.1f%% %14.0f" % ("%d Gbit/s" % row["link_gbit"], row["nodes"],
                                                          row["step_seconds"] * 1e3, 100 * row["efficiency"],
                                                          row["examples_per_second"]))
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--out", default=None, help="write OUT.json and OUT.txt")
    parser.add_argument("--worker", choices=["allreduce", "cnn"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.steps)
        return None
    allreduce = [launch(n, "allreduce", args.steps) for n in args.ranks if n > 1]
    cnn = [launch(n, "cnn", args.steps) for n in args.ranks]
    # The same 2-rank step with every rank using all the cores: what horovodrun's thread split avoids.
    oversubscribed = launch(2, "cnn", args.steps, threads=os.cpu_count() or 1) if 2 in args.ranks else None
    base = cnn[0]["result"]
    extrapolation = extrapolate(base["step_seconds"], base["gradient_bytes"], base["examples_per_rank"])
    text = report(allreduce, cnn, extrapolation, oversubscribed)
    sys.stdout.write(text)
    if args.out:
        with open(args.out + ".json", "w") as handle:
            json.dump({"allreduce": allreduce, "cnn": cnn, "oversubscribed": oversubscribed,
                       "extrapolation": extrapolation}, handle, indent=1)
        with open(args.out + ".txt", "w") as handle:
            handle.write(text)
    return {"allreduce": allreduce, "cnn": cnn, "extrapolation": extrapolation}


if __name__ == "__main__":
    main()
