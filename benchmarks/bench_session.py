"""Session.run against hand-written NumPy: numflow's five reference workloads, timed in one process.

    python benchmarks/bench_session.py [--quick] [--json results.json] [--only W1,W2]

Each workload builds a TF1 graph in numflow and a hand-written NumPy version of the very same training
step (same math, same in-place updates). Blocks of steps alternate between the two; the median block
time of each gives the ratio numflow / NumPy. W0 reports microseconds per `Session.run` instead.
Also measured: `import numflow` time and peak memory of a 5000-step W2 run (separate processes).
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))

import numflow as tf  # noqa: E402


def alternate(numflow_step, numpy_step, steps_per_block, blocks):
    """Median seconds per step of each, measured in alternating blocks after a warm-up block."""
    for _ in range(max(3, steps_per_block // 4)):
        numflow_step()
        numpy_step()
    ours, theirs = [], []
    for _ in range(blocks):
        start = time.perf_counter()
        for _ in range(steps_per_block):
            numflow_step()
        ours.append((time.perf_counter() - start) / steps_per_block)
        start = time.perf_counter()
        for _ in range(steps_per_block):
            numpy_step()
        theirs.append((time.perf_counter() - start) / steps_per_block)
    return statistics.median(ours), statistics.median(theirs)


# --- W0: the overhead of one Session.run ---------------------------------------------------------
def w0(quick):
    graph = tf.Graph()
    with graph.as_default():
        p = tf.placeholder(tf.float32)
        out = p + 1.0
        sess = tf.Session(graph=graph)
    feed = {p: 1.0}
    one = np.float32(1.0)

    def ours():
        sess.run(out, feed)

    def theirs():
        np.add(np.asarray(1.0, dtype=np.float32), one)
    n = 2000 if quick else 20000
    t_ours, t_np = alternate(ours, theirs, n, 5)
    return {"numflow_us": t_ours * 1e6, "numpy_us": t_np * 1e6, "target_us": 15.0,
            "met": t_ours * 1e6 <= 15.0}


# --- shared pieces of the hand-written NumPy steps ----------------------------------------------
def softmax_ce_backprop(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    probs = exp / exp.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(exp.sum(axis=1)) - (labels * shifted).sum(axis=1))
    return loss, (probs - labels) / logits.shape[0]


def batches(rng, n, features, classes, count=16):
    xs = [rng.rand(n, features).astype(np.float32) for _ in range(count)]
    ys = [np.eye(classes, dtype=np.float32)[rng.randint(classes, size=n)] for _ in range(count)]
    return xs, ys


class Cycle:
    def __init__(self, xs, ys):
        self.xs, self.ys, self.i = xs, ys, 0

    def next(self):
        self.i = (self.i + 1) % len(self.xs)
        return self.xs[self.i], self.ys[self.i]


# --- W1: softmax regression -----------------------------------------------------------------------
def w1(quick):
    rng = np.random.RandomState(0)
    xs, ys = batches(rng, 100, 784, 10)
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 784])
        y_ = tf.placeholder(tf.float32, [None, 10])
        W = tf.Variable(tf.zeros([784, 10]))
        b = tf.Variable(tf.zeros([10]))
        y = tf.matmul(x, W) + b
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))
        train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        sess = tf.Session(graph=graph)
        sess.run(tf.global_variables_initializer())
    data_a, data_b = Cycle(xs, ys), Cycle(xs, ys)
    Wn = np.zeros((784, 10), np.float32)
    bn = np.zeros(10, np.float32)
    lr = np.float32(0.5)

    def ours():
        bx, by = data_a.next()
        sess.run(train, {x: bx, y_: by})

    def theirs():
        bx, by = data_b.next()
        _, g = softmax_ce_backprop(bx @ Wn + bn, by)
        np.subtract(Wn, lr * (bx.T @ g), out=Wn)
        np.subtract(bn, lr * g.sum(axis=0), out=bn)
    return ratio_result(*alternate(ours, theirs, 100 if quick else 400, 7), 1.15)


def ratio_result(t_ours, t_np, target):
    ratio = t_ours / t_np
    return {"numflow_ms": t_ours * 1e3, "numpy_ms": t_np * 1e3, "ratio": ratio, "target": target,
            "met": ratio <= target}


# --- W2: MLP 784-50-30-10 ---------------------------------------------------------------------------
def mlp_graph(sizes, lr):
    x = tf.placeholder(tf.float32, [None, sizes[0]])
    y_ = tf.placeholder(tf.float32, [None, sizes[-1]])
    h = x
    params = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        W = tf.Variable(tf.truncated_normal([n_in, n_out], stddev=0.1, seed=i + 1))
        b = tf.Variable(tf.constant(0.1, shape=[n_out]))
        params += [W, b]
        h = tf.matmul(h, W) + b
        if i < len(sizes) - 2:
            h = tf.nn.relu(h)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=h))
    train = tf.train.GradientDescentOptimizer(lr).minimize(loss)
    return x, y_, params, train


def numpy_mlp(params, lr):
    lr = np.float32(lr)

    def step(bx, by):
        acts = [bx]
        h = bx
        layers = len(params) // 2
        for i in range(layers):
            h = h @ params[2 * i] + params[2 * i + 1]
            if i < layers - 1:
                h = np.maximum(h, 0)
            acts.append(h)
        _, g = softmax_ce_backprop(h, by)
        for i in reversed(range(layers)):
            W, b = params[2 * i], params[2 * i + 1]
            dW = acts[i].T @ g
            db = g.sum(axis=0)
            if i > 0:
                g = (g @ W.T) * (acts[i] > 0)
            W -= lr * dW
            b -= lr * db
    return step


def w2(quick, steps=None):
    rng = np.random.RandomState(0)
    xs, ys = batches(rng, 100, 784, 10)
    graph = tf.Graph()
    with graph.as_default():
        x, y_, params, train = mlp_graph([784, 50, 30, 10], 0.1)
        sess = tf.Session(graph=graph)
        sess.run(tf.global_variables_initializer())
        values = sess.run(params)
    numpy_step = numpy_mlp([np.array(v) for v in values], 0.1)
    data_a, data_b = Cycle(xs, ys), Cycle(xs, ys)

    def ours():
        bx, by = data_a.next()
        sess.run(train, {x: bx, y_: by})

    def theirs():
        numpy_step(*data_b.next())
    return ratio_result(*alternate(ours, theirs, 100 if quick else 400, 7), 1.10)


# --- W3: column-layout MLP with Adam --------------------------------------------------------------
def w3(quick):
    rng = np.random.RandomState(0)
    xs = [rng.rand(784, 32).astype(np.float32) for _ in range(16)]
    ys = [np.eye(6, dtype=np.float32)[rng.randint(6, size=32)].T.copy() for _ in range(16)]
    graph = tf.Graph()
    with graph.as_default():
        X = tf.placeholder(tf.float32, [784, None])
        Y = tf.placeholder(tf.float32, [6, None])
        init = tf.contrib.layers.xavier_initializer(seed=1)
        shapes = [(25, 784), (12, 25), (6, 12)]
        Ws = [tf.get_variable("W%d" % i, s, initializer=init) for i, s in enumerate(shapes)]
        bs = [tf.get_variable("b%d" % i, (s[0], 1), initializer=tf.zeros_initializer())
              for i, s in enumerate(shapes)]
        A = X
        for i in range(3):
            Z = tf.add(tf.matmul(Ws[i], A), bs[i])
            A = tf.nn.relu(Z) if i < 2 else Z
        cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=tf.transpose(A),
                                                                      labels=tf.transpose(Y)))
        train = tf.train.AdamOptimizer(learning_rate=0.0001).minimize(cost)
        sess = tf.Session(graph=graph)
        sess.run(tf.global_variables_initializer())
        values = sess.run(Ws + bs)
    params = [np.array(v) for v in values]
    moments = [[np.zeros_like(p), np.zeros_like(p)] for p in params]
    beta1, beta2, eps, lr = np.float32(0.9), np.float32(0.999), np.float32(1e-8), np.float32(1e-4)
    powers = [np.float32(1.0), np.float32(1.0)]
    data_a, data_b = Cycle(xs, ys), Cycle(xs, ys)

    def theirs():
        bx, by = data_b.next()
        Wn, bn = params[:3], params[3:]
        acts = [bx]
        A = bx
        for i in range(3):
            A = Wn[i] @ A + bn[i]
            if i < 2:
                A = np.maximum(A, 0)
            acts.append(A)
        _, g = softmax_ce_backprop(A.T, by.T)
        g = g.T
        grads = [None] * 6
        for i in reversed(range(3)):
            grads[i] = g @ acts[i].T
            grads[3 + i] = g.sum(axis=1, keepdims=True)
            if i > 0:
                g = (Wn[i].T @ g) * (acts[i] > 0)
        powers[0] *= beta1
        powers[1] *= beta2
        lr_t = lr * np.sqrt(1 - powers[1]) / (1 - powers[0])
        for p, (m, v), grad in zip(params, moments, grads):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            p -= lr_t * m / (np.sqrt(v) + eps)

    def ours():
        bx, by = data_a.next()
        sess.run(train, {X: bx, Y: by})
    return ratio_result(*alternate(ours, theirs, 100 if quick else 400, 7), 1.25)


# --- W4: small CNN ----------------------------------------------------------------------------------
def w4(quick):
    try:
        from bench_cnn import small_cnn_workload
    except ImportError as exc:
        return {"skipped": "needs benchmarks/bench_cnn.small_cnn_workload (%s)" % exc}
    ours, theirs = small_cnn_workload(batch=50)
    return ratio_result(*alternate(ours, theirs, 5 if quick else 20, 5), 1.30)


# --- import time and peak memory (separate processes) ----------------------------------------------
def import_time():
    """Median seconds of `import numflow` in a fresh interpreter, as an installed package imports (its
    bytecode compiled once: pip does that at install), and without bytecode caches, where every import
    compiles ~160 modules from source (PYTHONDONTWRITEBYTECODE=1, which some environments set)."""
    import tempfile
    code = "import time; s = time.perf_counter(); import numflow; print(time.perf_counter() - s)"
    env = dict(os.environ, PYTHONPATH=os.path.join(HERE, "..", "src"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    uncached_env = dict(env, PYTHONDONTWRITEBYTECODE="1")

    def median_of_five(environment):
        return statistics.median(float(subprocess.check_output([sys.executable, "-c", code], env=environment))
                                 for _ in range(5))
    with tempfile.TemporaryDirectory() as cache:
        env["PYTHONPYCACHEPREFIX"] = cache      # the bytecode goes here, not into the source tree
        subprocess.check_output([sys.executable, "-c", code], env=env)
        best = median_of_five(env)
    return {"seconds": best, "seconds_without_bytecode": median_of_five(uncached_env), "target": 0.4,
            "met": best <= 0.4}


MEMORY_SCRIPT = r"""
import sys, tracemalloc
sys.path.insert(0, {src!r}); sys.path.insert(0, {here!r})
import numpy as np
import bench_session as b
rng = np.random.RandomState(0)
xs, ys = b.batches(rng, 100, 784, 10)
steps = {steps}
if sys.argv[1] == "numflow":
    import numflow as tf
    x, y_, params, train = b.mlp_graph([784, 50, 30, 10], 0.1)
    sess = tf.Session(); sess.run(tf.global_variables_initializer())
    def step(i):
        sess.run(train, {{x: xs[i % 16], y_: ys[i % 16]}})
else:
    rng2 = np.random.RandomState(1)
    params = []
    for n_in, n_out in [(784, 50), (50, 30), (30, 10)]:
        params += [rng2.randn(n_in, n_out).astype(np.float32) * 0.1, np.full(n_out, 0.1, np.float32)]
    numpy_step = b.numpy_mlp(params, 0.1)
    def step(i):
        numpy_step(xs[i % 16], ys[i % 16])
step(0)
tracemalloc.start()
base = tracemalloc.get_traced_memory()[0]
for i in range(steps):
    step(i)
current, peak = tracemalloc.get_traced_memory()
print(peak - base, current - base)
"""


def peak_memory(steps):
    """Peak bytes allocated (tracemalloc, NumPy buffers included) above the set-up, over `steps` steps."""
    script = MEMORY_SCRIPT.format(src=os.path.join(HERE, "..", "src"), here=HERE, steps=steps)
    ours, ours_left = map(int, subprocess.check_output([sys.executable, "-c", script, "numflow"]).split())
    theirs, theirs_left = map(int, subprocess.check_output([sys.executable, "-c", script, "numpy"]).split())
    ratio = ours / theirs
    return {"numflow_peak_bytes": ours, "numpy_peak_bytes": theirs, "numflow_retained_bytes": ours_left,
            "numpy_retained_bytes": theirs_left, "ratio": ratio, "target": 1.2, "met": ratio <= 1.2}


WORKLOADS = {"W0": w0, "W1": w1, "W2": w2, "W3": w3, "W4": w4}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps (a smoke run, noisy)")
    parser.add_argument("--only", default="", help="comma list of workloads, e.g. W0,W1")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH (the published "
                        "figures are in benchmarks/results/bench_session.json)")
    args = parser.parse_args(argv)
    chosen = [w for w in WORKLOADS if not args.only or w in args.only.split(",")]
    results = {"machine": {"platform": platform.platform(), "python": platform.python_version(),
                           "numpy": np.__version__, "cpus": os.cpu_count(),
                           "rewrites": os.environ.get("NUMFLOW_REWRITES", "all")}}
    print("%-4s %12s %12s %8s %8s %s" % ("id", "numflow", "numpy", "ratio", "target", "met"))
    for name in chosen:
        result = WORKLOADS[name](args.quick)
        results[name] = result
        if "skipped" in result:
            print("%-4s skipped: %s" % (name, result["skipped"]))
        elif name == "W0":
            print("%-4s %10.2fus %10.2fus %8s %6.0fus %s" % (name, result["numflow_us"], result["numpy_us"],
                                                             "-", result["target_us"], result["met"]))
        else:
            print("%-4s %10.3fms %10.3fms %8.3f %8.2f %s" % (name, result["numflow_ms"], result["numpy_ms"],
                                                             result["ratio"], result["target"], result["met"]))
    if not args.only:
        results["import"] = import_time()
        print("import numflow: %.3fs (target %.1fs) %s; without bytecode caches: %.3fs" % (
            results["import"]["seconds"], 0.4, results["import"]["met"],
            results["import"]["seconds_without_bytecode"]))
        results["memory"] = peak_memory(500 if args.quick else 5000)
        memory = results["memory"]
        print("peak memory of W2 training above set-up: numflow %.0f KB, numpy %.0f KB, ratio %.3f "
              "(target 1.2) %s" % (memory["numflow_peak_bytes"] / 1024, memory["numpy_peak_bytes"] / 1024,
                                   memory["ratio"], memory["met"]))
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)
        print("results written to %s" % args.json)


if __name__ == "__main__":
    main()
