"""One training step of an embedding model: the table's gradient applied sparsely (tf.IndexedSlices, the
default) against the same gradient densified first (what numflow did before issue 12), and against a
hand-written NumPy sparse step.

    python benchmarks/bench_sparse_embedding.py [--rows 100000] [--dim 64] [--batch 128] [--steps 30]

The model: a batch of ids looks up rows of a [rows, dim] table, a [dim, 1] layer scores them and the loss
is the squared error to a target. Each optimizer is timed three ways in this process, in alternating
blocks, and the medians of the per-step times are compared. The NumPy step computes the same gradients
and updates only the looked-up rows (GradientDescent and Adagrad; Adam's TF1 sparse update decays its
moments over the whole table, so its NumPy step does too).
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
import numflow as tf  # noqa: E402

OPTIMIZERS = {
    "GradientDescent": lambda: tf.train.GradientDescentOptimizer(0.1),
    "Adagrad": lambda: tf.train.AdagradOptimizer(0.1),
    "Momentum": lambda: tf.train.MomentumOptimizer(0.1, 0.9),
    "Adam": lambda: tf.train.AdamOptimizer(0.001),
}


def build_numflow(make_optimizer, rows, dim, densify, seed=0):
    """A session and a step function running one training step on (ids, targets)."""
    graph = tf.Graph()
    with graph.as_default():
        rng = np.random.RandomState(seed)
        table = tf.Variable(rng.randn(rows, dim).astype(np.float32) * 0.1, name="table")
        dense = tf.Variable(rng.randn(dim, 1).astype(np.float32) * 0.1, name="dense")
        ids = tf.placeholder(tf.int32, [None], name="ids")
        targets = tf.placeholder(tf.float32, [None, 1], name="targets")
        scores = tf.matmul(tf.nn.embedding_lookup(table, ids), dense)
        loss = tf.reduce_mean(tf.square(scores - targets))
        optimizer = make_optimizer()
        grads_and_vars = optimizer.compute_gradients(loss)
        if densify:
            grads_and_vars = [(tf.convert_to_tensor(g), v) for g, v in grads_and_vars]
        train = optimizer.apply_gradients(grads_and_vars)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=graph)
    sess.run(init)

    def step(batch_ids, batch_targets):
        sess.run(train, {ids: batch_ids, targets: batch_targets})
    return step


def build_numpy(name, rows, dim, seed=0):
    """The same step written by hand in NumPy, updating only the looked-up rows where TF1 does."""
    rng = np.random.RandomState(seed)
    table = rng.randn(rows, dim).astype(np.float32) * 0.1
    dense = rng.randn(dim, 1).astype(np.float32) * 0.1
    state = {"table": np.full_like(table, 0.1), "dense": np.full_like(dense, 0.1),
             "m": np.zeros_like(table), "v": np.zeros_like(table), "t": 0,
             "mom": np.zeros_like(table), "mom_dense": np.zeros_like(dense)}

    def step(batch_ids, batch_targets):
        rows_used = table[batch_ids]
        scores = rows_used @ dense
        d_scores = (scores - batch_targets) * np.float32(2.0 / len(batch_ids))
        d_dense = rows_used.T @ d_scores
        d_rows = d_scores @ dense.T
        unique, positions = np.unique(batch_ids, return_inverse=True)
        summed = np.zeros((len(unique), dim), np.float32)
        np.add.at(summed, positions, d_rows)
        if name == "GradientDescent":
            table[unique] -= np.float32(0.1) * summed
            dense[...] -= np.float32(0.1) * d_dense
        elif name == "Adagrad":
            accum = state["table"][unique] + summed * summed
            state["table"][unique] = accum
            table[unique] -= np.float32(0.1) * summed / np.sqrt(accum)
            state["dense"] += d_dense * d_dense
            dense[...] -= np.float32(0.1) * d_dense / np.sqrt(state["dense"])
        elif name == "Momentum":
            mom = state["mom"][unique] * np.float32(0.9) + summed
            state["mom"][unique] = mom
            table[unique] -= np.float32(0.1) * mom
            state["mom_dense"] = state["mom_dense"] * np.float32(0.9) + d_dense
            dense[...] -= np.float32(0.1) * state["mom_dense"]
        else:
            state["t"] += 1
            t = state["t"]
            lr = np.float32(0.001 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t))
            m, v = state["m"], state["v"]
            m *= np.float32(0.9)
            m[unique] += np.float32(0.1) * summed
            v *= np.float32(0.999)
            v[unique] += np.float32(0.001) * summed * summed
            table[...] -= lr * m / (np.sqrt(v) + np.float32(1e-8))
            dense[...] -= lr * d_dense   # the small layer's Adam is negligible next to the table's
    return step


def median_step_time(step, batches, steps):
    times = []
    for index in range(steps):
        ids, targets = batches[index % len(batches)]
        start = time.perf_counter()
        step(ids, targets)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--blocks", type=int, default=3)
    parser.add_argument("--optimizers", default=",".join(OPTIMIZERS))
    args = parser.parse_args()
    rng = np.random.RandomState(1)
    batches = [(rng.randint(0, args.rows, args.batch).astype(np.int32),
                rng.randn(args.batch, 1).astype(np.float32)) for _ in range(8)]
    print("embedding %dx%d, batch of %d ids, median step time over %d blocks of %d steps"
          % (args.rows, args.dim, args.batch, args.blocks, args.steps))
    print("%-16s %12s %12s %12s %10s %12s" % ("optimizer", "sparse ms", "dense ms", "numpy ms", "dense/sp",
                                              "sparse/numpy"))
    for name in args.optimizers.split(","):
        make = OPTIMIZERS[name]
        runners = {"sparse": build_numflow(make, args.rows, args.dim, densify=False),
                   "dense": build_numflow(make, args.rows, args.dim, densify=True),
                   "numpy": build_numpy(name, args.rows, args.dim)}
        for run in runners.values():      # warm-up: plans compiled, caches filled
            run(*batches[0])
        results = {key: [] for key in runners}
        for _ in range(args.blocks):
            for key, run in runners.items():
                results[key].append(median_step_time(run, batches, args.steps))
        sparse, dense, numpy_ = (min(results[k]) * 1e3 for k in ("sparse", "dense", "numpy"))
        print("%-16s %12.3f %12.3f %12.3f %9.1fx %11.2fx" % (name, sparse, dense, numpy_, dense / sparse,
                                                             sparse / numpy_))


if __name__ == "__main__":
    main()
