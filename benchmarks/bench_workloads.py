"""Bigger workloads, numflow against hand-written NumPy and (when importable here) TensorFlow, one process.

    python benchmarks/bench_workloads.py [--only cnn_train,mlp128] [--modes 1,default,busy]
                                         [--blocks 5] [--seconds 0.25] [--json out.json]

Run it with an interpreter that has TensorFlow (and numflow installed, `pip install -e . --no-deps`) to
get the TF column; TF is never a dependency. The same graph-building function builds each workload with
`numflow` and with `tensorflow.compat.v1`. The hand-written NumPy step does the same math with plain
array code. Modes: `1` (one thread everywhere: ConfigProto(intra_op_parallelism_threads=1) for numflow
and TF, one BLAS thread for NumPy), `default` (nothing set), `busy` (default, while a second process
spins on a core). Sides alternate in blocks of about --seconds each; medians of per-step wall and CPU
time (all threads of the process) are reported, with minor page faults per step (ru_minflt).
"""
import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("NUMFLOW_SRC") or os.path.join(HERE, "..", "src"))
sys.path.insert(0, HERE)

import numflow  # noqa: E402
from numflow.client import threads  # noqa: E402
from bench_cnn import NumpyCNN, _im2col, _pad2, _pool  # noqa: E402


def load_tensorflow():
    try:
        import tensorflow
    except ImportError:
        return None
    v1 = tensorflow.compat.v1
    v1.disable_eager_execution()
    v1.logging.set_verbosity(v1.logging.ERROR)
    return v1


# --- graphs, built with either module (numflow or tf.compat.v1) ----------------------------------
def cnn_graph(tf, hidden=1024, channels=(32, 64)):
    """The deep MNIST CNN of examples/mnist_deep_cnn.py."""
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 784])
    y_ = tf.placeholder(tf.float32, [None, 10])
    keep = tf.placeholder(tf.float32)

    def weight(shape):
        return tf.Variable(tf.truncated_normal(shape, stddev=0.1))

    def bias(shape):
        return tf.Variable(tf.constant(0.1, shape=shape))
    c1, c2 = channels
    w1, b1, w2, b2 = weight([5, 5, 1, c1]), bias([c1]), weight([5, 5, c1, c2]), bias([c2])
    w3, b3, w4, b4 = weight([49 * c2, hidden]), bias([hidden]), weight([hidden, 10]), bias([10])
    h = tf.reshape(x, [-1, 28, 28, 1])
    for w, b in ((w1, b1), (w2, b2)):
        h = tf.nn.relu(tf.nn.conv2d(h, w, strides=[1, 1, 1, 1], padding="SAME") + b)
        h = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    h = tf.nn.relu(tf.matmul(tf.reshape(h, [-1, 49 * c2]), w3) + b3)
    logits = tf.matmul(tf.nn.dropout(h, keep), w4) + b4
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=logits))
    train = tf.train.AdamOptimizer(1e-4).minimize(loss)
    return {"x": x, "y": y_, "keep": keep, "logits": logits, "train": train,
            "params": [w1, b1, w2, b2, w3, b3, w4, b4]}


def mlp_graph(tf, sizes=(784, 256, 256, 10), lr=0.1):
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, sizes[0]])
    y_ = tf.placeholder(tf.float32, [None, sizes[-1]])
    h, params = x, []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        w = tf.Variable(tf.truncated_normal([n_in, n_out], stddev=0.1))
        b = tf.Variable(tf.constant(0.1, shape=[n_out]))
        params += [w, b]
        h = tf.matmul(h, w) + b
        if i < len(sizes) - 2:
            h = tf.nn.relu(h)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=h))
    return {"x": x, "y": y_, "train": tf.train.GradientDescentOptimizer(lr).minimize(loss), "params": params,
            "loss": loss}


def logic_graph(tf, hidden=10):
    """The main job's graph (examples/logic_functions.py)."""
    tf.set_random_seed(1)
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.placeholder(tf.float32, [None, 2])
    w1, b1 = tf.Variable(tf.truncated_normal([2, hidden])), tf.Variable(tf.zeros([hidden]))
    w2, b2 = tf.Variable(tf.truncated_normal([hidden, 2])), tf.Variable(tf.zeros([2]))
    logits = tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2) + b2
    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.stop_gradient(y), logits=logits))
    return {"x": x, "y": y, "train": tf.train.GradientDescentOptimizer(0.5).minimize(cost), "loss": cost,
            "params": [w1, b1, w2, b2]}


def autoencoder_graph(tf, hidden=256, noise=0.3, lr=0.5):
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 784])
    noisy = x + noise * tf.random_normal(tf.shape(x))
    w1 = tf.Variable(tf.truncated_normal([784, hidden], stddev=0.05))
    b1 = tf.Variable(tf.zeros([hidden]))
    w2 = tf.Variable(tf.truncated_normal([hidden, 784], stddev=0.05))
    b2 = tf.Variable(tf.zeros([784]))
    code = tf.nn.sigmoid(tf.matmul(noisy, w1) + b1)
    out = tf.nn.sigmoid(tf.matmul(code, w2) + b2)
    loss = tf.reduce_mean(tf.square(out - x))
    return {"x": x, "train": tf.train.GradientDescentOptimizer(lr).minimize(loss), "loss": loss,
            "params": [w1, b1, w2, b2]}


def lstm_graph(tf, steps=28, inputs=28, units=128, lr=0.1):
    """An LSTM classifier unrolled by hand (the same ops static_rnn builds for a BasicLSTMCell: one
    matmul for the four gates, i, j, f, o order, forget bias 1)."""
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, steps, inputs])
    y_ = tf.placeholder(tf.float32, [None, 10])
    kernel = tf.Variable(tf.truncated_normal([inputs + units, 4 * units], stddev=0.1))
    bias = tf.Variable(tf.zeros([4 * units]))
    w_out = tf.Variable(tf.truncated_normal([units, 10], stddev=0.1))
    b_out = tf.Variable(tf.zeros([10]))
    batch = tf.shape(x)[0]
    c = h = tf.zeros(tf.stack([batch, units]))
    for x_t in tf.unstack(x, axis=1):
        gates = tf.matmul(tf.concat([x_t, h], 1), kernel) + bias
        i, j, f, o = tf.split(gates, 4, axis=1)
        c = c * tf.sigmoid(f + 1.0) + tf.sigmoid(i) * tf.tanh(j)
        h = tf.tanh(c) * tf.sigmoid(o)
    logits = tf.matmul(h, w_out) + b_out
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=logits))
    return {"x": x, "y": y_, "train": tf.train.GradientDescentOptimizer(lr).minimize(loss), "loss": loss,
            "params": [kernel, bias, w_out, b_out]}


# --- hand-written NumPy steps ----------------------------------------------------------------------
def _softmax_xent_grad(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(total[:, 0]) - (labels * shifted).sum(axis=1))
    return loss, (exp / total - labels) / np.float32(logits.shape[0])


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def numpy_dense_step(params, lr, hidden_activation="relu"):
    """SGD step of a dense net: ReLU hidden layers, softmax cross-entropy."""
    lr = np.float32(lr)

    def step(bx, by):
        acts, h = [bx], bx
        layers = len(params) // 2
        for i in range(layers):
            h = h @ params[2 * i] + params[2 * i + 1]
            if i < layers - 1:
                h = np.maximum(h, 0)
            acts.append(h)
        loss, g = _softmax_xent_grad(h, by)
        for i in reversed(range(layers)):
            w, b = params[2 * i], params[2 * i + 1]
            dw, db = acts[i].T @ g, g.sum(axis=0)
            if i > 0:
                g = (g @ w.T) * (acts[i] > 0)
            w -= lr * dw
            b -= lr * db
        return loss
    return step


def numpy_autoencoder_step(params, noise=0.3, lr=0.5, seed=0):
    w1, b1, w2, b2 = params
    rng = np.random.default_rng(seed)
    lr, noise = np.float32(lr), np.float32(noise)

    def step(bx):
        noisy = bx + noise * rng.standard_normal(bx.shape, dtype=np.float32)
        code = _sigmoid(noisy @ w1 + b1)
        out = _sigmoid(code @ w2 + b2)
        diff = out - bx
        dz2 = (np.float32(2.0 / diff.size) * diff) * out * (1 - out)
        dcode = (dz2 @ w2.T) * code * (1 - code)
        np.subtract(w2, lr * (code.T @ dz2), out=w2)
        np.subtract(b2, lr * dz2.sum(axis=0), out=b2)
        np.subtract(w1, lr * (noisy.T @ dcode), out=w1)
        np.subtract(b1, lr * dcode.sum(axis=0), out=b1)
        return np.mean(np.square(diff))
    return step


def numpy_lstm_step(params, lr=0.1):
    kernel, bias, w_out, b_out = params
    units = w_out.shape[0]
    lr = np.float32(lr)

    def step(bx, by):
        n, steps, _ = bx.shape
        h = np.zeros((n, units), np.float32)
        c = np.zeros((n, units), np.float32)
        saved = []
        for t in range(steps):
            xh = np.concatenate([bx[:, t], h], axis=1)
            z = xh @ kernel + bias
            i, j, f, o = (z[:, k * units:(k + 1) * units] for k in range(4))
            si, tj, sf, so = _sigmoid(i), np.tanh(j), _sigmoid(f + np.float32(1)), _sigmoid(o)
            c_prev = c
            c = c_prev * sf + si * tj
            tc = np.tanh(c)
            h = tc * so
            saved.append((xh, c_prev, si, tj, sf, so, tc))
        loss, dlogits = _softmax_xent_grad(h @ w_out + b_out, by)
        gw_out, gb_out = h.T @ dlogits, dlogits.sum(axis=0)
        dh = dlogits @ w_out.T
        dc = np.zeros_like(c)
        gkernel = np.zeros_like(kernel)
        gbias = np.zeros_like(bias)
        inputs = bx.shape[2]
        for xh, c_prev, si, tj, sf, so, tc in reversed(saved):
            dc = dc + dh * so * (1 - tc * tc)
            dz = np.concatenate([dc * tj * si * (1 - si), dc * si * (1 - tj * tj),
                                 dc * c_prev * sf * (1 - sf), dh * tc * so * (1 - so)], axis=1)
            gkernel += xh.T @ dz
            gbias += dz.sum(axis=0)
            dh = (dz @ kernel.T)[:, inputs:]
            dc = dc * sf
        np.subtract(kernel, lr * gkernel, out=kernel)
        np.subtract(bias, lr * gbias, out=bias)
        np.subtract(w_out, lr * gw_out, out=w_out)
        np.subtract(b_out, lr * gb_out, out=b_out)
        return loss
    return step


def numpy_cnn_forward(params):
    w1, b1, w2, b2, w3, b3, w4, b4 = [np.array(p, np.float32) for p in params]
    c1, c2 = w1.shape[3], w2.shape[3]

    def forward(xs):
        n = xs.shape[0]
        cols1 = _im2col(_pad2(xs.reshape(n, 28, 28, 1)), 5, 28, 28)
        h1 = np.maximum((cols1 @ w1.reshape(25, c1)).reshape(n, 28, 28, c1) + b1, 0)
        p1, _ = _pool(h1)
        cols2 = _im2col(_pad2(p1), 5, 14, 14)
        h2 = np.maximum((cols2 @ w2.reshape(25 * c1, c2)).reshape(n, 14, 14, c2) + b2, 0)
        p2, _ = _pool(h2)
        h3 = np.maximum(p2.reshape(n, 49 * c2) @ w3 + b3, 0)
        return h3 @ w4 + b4
    return forward


# --- workloads: data, graph, feeds, the NumPy step -------------------------------------------------
def _mnist_like(rng, n, shape=(784,)):
    xs = rng.uniform(0, 1, (n,) + shape).astype(np.float32)
    ys = np.eye(10, dtype=np.float32)[rng.randint(0, 10, n)]
    return xs, ys


def _logic_data(rng, n=10000):
    inputs = rng.randint(2, size=(n, 2))
    out = inputs[:, 0] ^ inputs[:, 1]
    return inputs.astype(np.float32), np.stack([out, 1 - out], axis=1).astype(np.float32)


def workload(name):
    """(graph builder, fetch key, feeds(g) -> dict, NumPy step factory(params) -> step())."""
    rng = np.random.RandomState(0)
    if name == "cnn_train":
        xs, ys = _mnist_like(rng, 50)

        def numpy_factory(params):
            reference = NumpyCNN(params)
            return lambda: reference.step(xs, ys)
        return cnn_graph, "train", lambda g: {g["x"]: xs, g["y"]: ys, g["keep"]: 0.5}, numpy_factory
    if name == "cnn_infer":
        xs, _ = _mnist_like(rng, 1000)

        def numpy_factory(params):
            forward = numpy_cnn_forward(params)
            return lambda: forward(xs)
        return cnn_graph, "logits", lambda g: {g["x"]: xs, g["keep"]: 1.0}, numpy_factory
    if name in ("mlp128", "mlp1024"):
        xs, ys = _mnist_like(rng, int(name[3:]))

        def numpy_factory(params):
            step = numpy_dense_step([np.array(p) for p in params], 0.1)
            return lambda: step(xs, ys)
        return mlp_graph, "train", lambda g: {g["x"]: xs, g["y"]: ys}, numpy_factory
    if name == "main_job":
        xs, ys = _logic_data(rng)

        def numpy_factory(params):
            step = numpy_dense_step([np.array(p) for p in params], 0.5)
            return lambda: step(xs, ys)
        return logic_graph, ("train", "loss"), lambda g: {g["x"]: xs, g["y"]: ys}, numpy_factory
    if name == "autoencoder":
        xs, _ = _mnist_like(rng, 256)

        def numpy_factory(params):
            step = numpy_autoencoder_step([np.array(p) for p in params])
            return lambda: step(xs)
        return autoencoder_graph, "train", lambda g: {g["x"]: xs}, numpy_factory
    if name == "lstm":
        xs, ys = _mnist_like(rng, 128, (28, 28))

        def numpy_factory(params):
            step = numpy_lstm_step([np.array(p) for p in params])
            return lambda: step(xs, ys)
        return lstm_graph, "train", lambda g: {g["x"]: xs, g["y"]: ys}, numpy_factory
    raise ValueError("unknown workload %r" % name)


WORKLOADS = ("main_job", "mlp128", "mlp1024", "autoencoder", "lstm", "cnn_train", "cnn_infer")


def session_step(module, builder, fetch_key, feeds, intra_op):
    """A step closure running the workload's graph built with `module`, and the initial parameters."""
    graph = module.Graph()
    with graph.as_default():
        g = builder(module)
        init = module.global_variables_initializer()
    config = None
    if intra_op:
        config = module.ConfigProto(intra_op_parallelism_threads=intra_op, inter_op_parallelism_threads=intra_op)
    sess = module.Session(graph=graph, config=config)
    sess.run(init)
    params = sess.run(g["params"])
    fetch = [g[k] for k in fetch_key] if isinstance(fetch_key, tuple) else g[fetch_key]
    feed = feeds(g)
    return (lambda: sess.run(fetch, feed)), params, sess


QUIET_SECONDS = threads.BLAS_SETTLE_SECONDS
WARMUP_SECONDS = 5.0


def _block(step, seconds_per_step, target_seconds):
    steps = max(1, int(round(target_seconds / max(seconds_per_step, 1e-6))))
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(steps):
        step()
    wall = (time.perf_counter() - wall) / steps
    cpu = (time.process_time() - cpu) / steps
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / steps
    return wall, cpu, faults


def block_samples(sides, blocks, target_seconds):
    """{side: [(wall, cpu, faults) per step of each block]} for `sides` {name: (step, before)}, timed in
    alternating blocks of about `target_seconds` each, after a warm-up; `before()` runs ahead of every
    block of its side (to set its BLAS threads, say)."""
    estimates = {}
    for name, (step, before) in sides.items():
        before()
        # Warm-up, the same for every side: plan compilation, caches and BLAS buffers, and numflow's
        # thread controller measuring its settings (about 15 steps, then a first re-try of each).
        start = time.perf_counter()
        warm_steps = 0
        while warm_steps < 3 or time.perf_counter() - start < WARMUP_SECONDS:
            step()
            warm_steps += 1
        start = time.perf_counter()
        step()
        estimates[name] = time.perf_counter() - start
    samples = {name: [] for name in sides}
    for _ in range(blocks):
        for name, (step, before) in sides.items():
            before()
            # The side before may leave threads spinning (OpenBLAS's helpers, TF's pools) for 0.1-0.3 s:
            # every block starts after they have gone to sleep, so that none pays for its neighbour.
            time.sleep(QUIET_SECONDS)
            samples[name].append(_block(step, estimates[name], target_seconds))
    return samples


def measure(sides, blocks, target_seconds):
    """Medians of (wall, cpu, faults) per step for each side, timed in alternating blocks."""
    return {name: tuple(statistics.median(s[i] for s in rows) for i in range(3))
            for name, rows in block_samples(sides, blocks, target_seconds).items()}


class BusyCore:
    """A second process spinning on one core while the block runs."""

    def __enter__(self):
        self.process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        self.process.kill()
        self.process.wait()
        return False


def run_workload(name, modes, blocks, seconds, tf_module):
    builder, fetch_key, feeds, numpy_factory = workload(name)
    results = {}
    for mode in modes:
        intra = 1 if mode == "1" else None
        blas = 1 if mode == "1" else threads.default_threads()
        nf_step, params, nf_sess = session_step(numflow, builder, fetch_key, feeds, intra)
        numpy_step = numpy_factory(params)
        sides = {"numflow": (nf_step, lambda: None),
                 "numpy": (numpy_step, lambda: threads.set_blas_threads(blas))}
        if tf_module is not None:
            tf_step, _, tf_sess = session_step(tf_module, builder, fetch_key, feeds, intra)
            sides["tf"] = (tf_step, lambda: None)
        if mode == "busy":
            with BusyCore():
                results[mode] = measure(sides, blocks, seconds)
        else:
            results[mode] = measure(sides, blocks, seconds)
        nf_sess.close()
        if tf_module is not None:
            tf_sess.close()
    return results


def print_table(all_results):
    header = "%-11s %-7s %9s %9s %9s %9s %9s %7s %7s %8s %8s %8s" % (
        "workload", "mode", "nf ms", "nf cpu", "numpy ms", "tf ms", "tf cpu", "nf/np", "nf/tf",
        "nf flt", "np flt", "tf flt")
    print(header)
    print("-" * len(header))
    for name, by_mode in all_results.items():
        for mode, sides in by_mode.items():
            nf, npy, tfr = sides["numflow"], sides["numpy"], sides.get("tf")
            print("%-11s %-7s %9.2f %9.2f %9.2f %9s %9s %7.2f %7s %8.0f %8.0f %8s" % (
                name, mode, nf[0] * 1e3, nf[1] * 1e3, npy[0] * 1e3,
                "%.2f" % (tfr[0] * 1e3) if tfr else "-", "%.2f" % (tfr[1] * 1e3) if tfr else "-",
                nf[0] / npy[0], "%.2f" % (nf[0] / tfr[0]) if tfr else "-", nf[2], npy[2],
                "%.0f" % tfr[2] if tfr else "-"))
        if "1" in by_mode and "busy" in by_mode:
            print("%-11s busy / own 1-thread time: %.2f" % (
                "", by_mode["busy"]["numflow"][0] / by_mode["1"]["numflow"][0]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(WORKLOADS))
    parser.add_argument("--modes", default="1,default,busy")
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.25, help="target seconds per block and side")
    parser.add_argument("--no-tf", action="store_true", help="skip TensorFlow even when importable")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args(argv)
    tf_module = None if args.no_tf else load_tensorflow()
    modes = args.modes.split(",")
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    print("numflow %s, NumPy %s, TF %s, %s, %d CPUs, load average %s, BLAS threads control: %s" % (
        numflow.__version__, np.__version__, "absent" if tf_module is None else sys.modules["tensorflow"].__version__,
        platform.python_version(), os.cpu_count(), " ".join(load), threads.available()))
    results = {}
    for name in args.only.split(","):
        results[name] = run_workload(name, modes, args.blocks, args.seconds, tf_module)
        print_table({name: results[name]})
        sys.stdout.flush()
    print()
    print_table(results)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"load_average_at_start": load, "results": results}, f, indent=1)
    return results


if __name__ == "__main__":
    main()
