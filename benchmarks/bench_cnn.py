"""One training step of the deep MNIST CNN: numflow against a hand-written NumPy step of the same math.

    python benchmarks/bench_cnn.py [--blocks 7] [--steps 5] [--batch 50]

The network is TF's "Deep MNIST for experts": conv 5x5x32 + ReLU, 2x2 max pool, conv 5x5x64 + ReLU,
2x2 max pool, fc 1024 + ReLU, dropout 0.5, fc 10, softmax cross-entropy, Adam 1e-4; batches of 50.
The NumPy step is what a careful hand-written implementation does: im2col + one matrix product per
convolution (the patches kept from the forward pass for the filter gradient), the input gradient as one
product per kernel position, pooling gradients to the first maximum, Adam in place. Both run in this
process on the same batch, in alternating blocks; the medians of the per-step times are compared.
"""
import argparse
import os
import sys
import time

import numpy as np
from numpy.lib.stride_tricks import as_strided

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
import numflow as tf  # noqa: E402


# --- numflow ---------------------------------------------------------------------------------------
def build_numflow(seed=0, channels=(32, 64), hidden=1024):
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        x = tf.placeholder(tf.float32, [None, 784], name="x")
        y_ = tf.placeholder(tf.float32, [None, 10], name="y_")
        keep_prob = tf.placeholder(tf.float32, name="keep_prob")

        def weight(shape):
            return tf.Variable(tf.truncated_normal(shape, stddev=0.1))

        def bias(shape):
            return tf.Variable(tf.constant(0.1, shape=shape))

        x_image = tf.reshape(x, [-1, 28, 28, 1])
        c1, c2 = channels
        w1, b1 = weight([5, 5, 1, c1]), bias([c1])
        h1 = tf.nn.relu(tf.nn.conv2d(x_image, w1, strides=[1, 1, 1, 1], padding="SAME") + b1)
        p1 = tf.nn.max_pool(h1, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
        w2, b2 = weight([5, 5, c1, c2]), bias([c2])
        h2 = tf.nn.relu(tf.nn.conv2d(p1, w2, strides=[1, 1, 1, 1], padding="SAME") + b2)
        p2 = tf.nn.max_pool(h2, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
        w3, b3 = weight([7 * 7 * c2, hidden]), bias([hidden])
        h3 = tf.nn.relu(tf.matmul(tf.reshape(p2, [-1, 7 * 7 * c2]), w3) + b3)
        h3_drop = tf.nn.dropout(h3, keep_prob)
        w4, b4 = weight([hidden, 10]), bias([10])
        logits = tf.matmul(h3_drop, w4) + b4
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=logits))
        train_step = tf.train.AdamOptimizer(1e-4).minimize(loss)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=graph)
    sess.run(init)
    params = sess.run([w1, b1, w2, b2, w3, b3, w4, b4])

    def step(xs, ys):
        sess.run(train_step, {x: xs, y_: ys, keep_prob: 0.5})
    return step, params, sess


# --- hand-written NumPy ----------------------------------------------------------------------------
def _im2col(xp, k, oh, ow):
    n, _, _, c = xp.shape
    s0, s1, s2, s3 = xp.strides
    return as_strided(xp, (n, oh, ow, k, k, c), (s0, s1, s2, s1, s2, s3)).reshape(n * oh * ow, k * k * c)


def _pad2(x):
    n, h, w, c = x.shape
    out = np.zeros((n, h + 4, w + 4, c), x.dtype)
    out[:, 2:-2, 2:-2] = x
    return out


def _conv_input_grad(dy2, w, n, h, wd, c):
    dxp = np.zeros((n, h + 4, wd + 4, c), dy2.dtype)
    for i in range(5):
        for j in range(5):
            view = dxp[:, i:i + h, j:j + wd]
            np.add(view, (dy2 @ w[i, j].T).reshape(n, h, wd, c), out=view)
    return dxp[:, 2:-2, 2:-2]


def _pool(x):
    n, h, w, c = x.shape
    views = [x[:, i::2, j::2] for i in range(2) for j in range(2)]
    y = np.maximum(np.maximum(views[0], views[1]), np.maximum(views[2], views[3]))
    return y, views


def _pool_grad(views, y, dy, shape):
    dx = np.zeros(shape, dy.dtype)
    remaining = np.ones(y.shape, bool)
    for index, view in enumerate(views):
        i, j = divmod(index, 2)
        hit = (view == y) & remaining
        dx[:, i::2, j::2] = dy * hit
        remaining &= ~hit
    return dx


class NumpyCNN:
    def __init__(self, params, seed=0):
        self.params = [np.array(p, np.float32) for p in params]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.b1p, self.b2p = np.float32(0.9), np.float32(0.999)
        self.rng = np.random.default_rng(seed)

    def step(self, xs, ys, keep=0.5, lr=1e-4):
        w1, b1, w2, b2, w3, b3, w4, b4 = self.params
        n = xs.shape[0]
        c1, c2 = w1.shape[3], w2.shape[3]
        # forward
        cols1 = _im2col(_pad2(xs.reshape(n, 28, 28, 1)), 5, 28, 28)
        h1 = np.maximum((cols1 @ w1.reshape(25, c1)).reshape(n, 28, 28, c1) + b1, 0)
        p1, views1 = _pool(h1)
        cols2 = _im2col(_pad2(p1), 5, 14, 14)
        h2 = np.maximum((cols2 @ w2.reshape(25 * c1, c2)).reshape(n, 14, 14, c2) + b2, 0)
        p2, views2 = _pool(h2)
        flat = p2.reshape(n, 49 * c2)
        h3 = np.maximum(flat @ w3 + b3, 0)
        mask = (self.rng.random(h3.shape, dtype=np.float32) < keep).astype(np.float32) / np.float32(keep)
        d3 = h3 * mask
        logits = d3 @ w4 + b4
        z = logits - logits.max(1, keepdims=True)
        e = np.exp(z)
        prob = e / e.sum(1, keepdims=True)
        loss = np.mean(-np.sum(ys * (z - np.log(e.sum(1, keepdims=True))), 1))
        # backward
        dlogits = (prob - ys) / np.float32(n)
        gw4, gb4 = d3.T @ dlogits, dlogits.sum(0)
        dh3 = (dlogits @ w4.T) * mask * (h3 > 0)
        gw3, gb3 = flat.T @ dh3, dh3.sum(0)
        dp2 = (dh3 @ w3.T).reshape(n, 7, 7, c2)
        dh2 = _pool_grad(views2, p2, dp2, h2.shape) * (h2 > 0)
        dy2 = dh2.reshape(-1, c2)
        gw2, gb2 = (cols2.T @ dy2).reshape(5, 5, c1, c2), dy2.sum(0)
        dp1 = _conv_input_grad(dy2, w2, n, 14, 14, c1)
        dh1 = _pool_grad(views1, p1, dp1, h1.shape) * (h1 > 0)
        dy1 = dh1.reshape(-1, c1)
        gw1, gb1 = (cols1.T @ dy1).reshape(5, 5, 1, c1), dy1.sum(0)
        # Adam
        alpha = np.float32(lr) * np.sqrt(np.float32(1) - self.b2p) / (np.float32(1) - self.b1p)
        for p, g, m, v in zip(self.params, [gw1, gb1, gw2, gb2, gw3, gb3, gw4, gb4], self.m, self.v):
            m += (g - m) * np.float32(0.1)
            v += (np.square(g) - v) * np.float32(0.001)
            denominator = np.sqrt(v)
            denominator += np.float32(1e-8)
            step = m * alpha
            step /= denominator
            p -= step
        self.b1p *= np.float32(0.9)
        self.b2p *= np.float32(0.999)
        return loss


def small_cnn_workload(batch=50, seed=0):
    """W4 of bench_session: conv 5x5x8, pool, conv 5x5x16, pool, fc 128, dropout, Adam; two step closures."""
    rng = np.random.RandomState(seed)
    xs = rng.uniform(0, 1, (batch, 784)).astype(np.float32)
    ys = np.eye(10, dtype=np.float32)[rng.randint(0, 10, batch)]
    nf_step, params, _ = build_numflow(seed, channels=(8, 16), hidden=128)
    reference = NumpyCNN(params, seed)
    return (lambda: nf_step(xs, ys)), (lambda: reference.step(xs, ys))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=40, help="alternating timing blocks per side")
    parser.add_argument("--steps", type=int, default=1, help="training steps per block")
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args(argv)

    rng = np.random.RandomState(0)
    xs = rng.uniform(0, 1, (args.batch, 784)).astype(np.float32)
    ys = np.eye(10, dtype=np.float32)[rng.randint(0, 10, args.batch)]
    nf_step, params, _ = build_numflow()
    reference = NumpyCNN(params)
    sides = {"numflow": lambda: nf_step(xs, ys), "numpy": lambda: reference.step(xs, ys)}
    for run in sides.values():   # warm up: plan compilation, BLAS buffers
        run()
        run()
    times = {name: [] for name in sides}
    for _ in range(args.blocks):
        for name, run in sides.items():
            for _ in range(args.steps):
                start = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - start)
    nf, ref = np.median(times["numflow"]), np.median(times["numpy"])
    print("deep MNIST CNN training step, batch %d (%d blocks x %d steps per side)"
          % (args.batch, args.blocks, args.steps))
    print("  numflow      %.2f ms/step  (%.1f steps/s)" % (nf * 1e3, 1 / nf))
    print("  NumPy (hand) %.2f ms/step  (%.1f steps/s)" % (ref * 1e3, 1 / ref))
    print("  ratio numflow / NumPy: %.3f  (target <= 1.3)" % (nf / ref))
    return nf / ref


if __name__ == "__main__":
    main()
