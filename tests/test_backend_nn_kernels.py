"""The nn / conv / rnn kernels on a GPU, through the guarded (simulated) GPU: a deep-MNIST-like CNN training
step and an LSTM (static_rnn) training step give, on GPU:0, the losses and weights a CPU-only Session
gives (to float32 rounding), with the training step's heavy ops placed on the GPU (not copied back to the host)."""
import re

import numpy as np
import pytest

import numflow as tf
from numflow import backend
from conftest import TEST_GPU_BACKEND  # noqa: E402

GPU0 = "/job:localhost/replica:0/task:0/device:GPU:0"


def _train_on(monkeypatch, gpu, build, steps=3, capsys=None):
    """(losses of `steps` training steps, trained weights, {op type: device} of one step) of the graph
    `build()` -> (loss, train_op, feed_dict), in a Session with the guarded GPU or with none."""
    monkeypatch.setenv("NUMFLOW_GPU_BACKEND", TEST_GPU_BACKEND if gpu else "none")
    backend.reset_for_tests()
    tf.reset_default_graph()
    tf.set_random_seed(7)
    loss, train_op, feed = build()
    devices = {}
    with tf.Session(config=tf.ConfigProto(log_device_placement=capsys is not None)) as sess:
        sess.run(tf.global_variables_initializer())
        losses = []
        for _ in range(steps):
            if capsys is not None:
                capsys.readouterr()
            losses.append(sess.run([loss, train_op], feed)[0])
            if capsys is not None:
                for name, device in re.findall(r"^\S+: \((\w+)\): (\S+)$", capsys.readouterr().out, re.M):
                    devices.setdefault(name, set()).add(device)
        weights = sess.run(tf.trainable_variables())
        cells = [sess._state.variable_cell(v.op).value for v in tf.trainable_variables()]
    return losses, weights, devices, cells


def _deep_mnist_cnn():
    """A small deep-MNIST CNN: conv(5x5) + relu + max_pool, conv(3x3) + relu + avg_pool, dense + relu,
    dropout, dense logits; softmax cross-entropy plus an l2 penalty, minimized by Adam."""
    rng = np.random.RandomState(0)
    images = rng.rand(6, 144).astype(np.float32)
    labels = np.eye(10, dtype=np.float32)[rng.randint(0, 10, 6)]
    x = tf.placeholder(tf.float32, [None, 144])
    y_ = tf.placeholder(tf.float32, [None, 10])
    keep = tf.placeholder(tf.float32)

    def weight(shape):
        return tf.Variable(tf.truncated_normal(shape, stddev=0.1))

    def bias(shape):
        return tf.Variable(tf.constant(0.1, shape=shape))
    w1, b1, w2, b2 = weight([5, 5, 1, 4]), bias([4]), weight([3, 3, 4, 8]), bias([8])
    w3, b3, w4, b4 = weight([3 * 3 * 8, 16]), bias([16]), weight([16, 10]), bias([10])
    image = tf.reshape(x, [-1, 12, 12, 1])
    h1 = tf.nn.max_pool(tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(image, w1, [1, 1, 1, 1], "SAME"), b1)),
                        [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    h2 = tf.nn.avg_pool(tf.nn.relu(tf.nn.conv2d(h1, w2, [1, 1, 1, 1], "SAME") + b2),
                        [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    flat = tf.reshape(h2, [-1, 3 * 3 * 8])
    hidden = tf.nn.dropout(tf.nn.relu(tf.matmul(flat, w3) + b3), keep, seed=1)
    logits = tf.nn.xw_plus_b(hidden, w4, b4)
    cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=logits))
    loss = cross_entropy + 1e-3 * tf.nn.l2_loss(w3)
    train_op = tf.train.AdamOptimizer(1e-2).minimize(loss)
    return loss, train_op, {x: images, y_: labels, keep: 0.75}


def _lstm_classifier():
    """A static_rnn over a BasicLSTMCell, the last output through a dense layer, sparse softmax
    cross-entropy, minimized by plain gradient descent."""
    rng = np.random.RandomState(1)
    sequences = rng.randn(5, 4, 3).astype(np.float32)
    targets = rng.randint(0, 2, 5)
    x = tf.placeholder(tf.float32, [None, 4, 3])
    y = tf.placeholder(tf.int64, [None])
    cell = tf.nn.rnn_cell.BasicLSTMCell(6)
    outputs, _ = tf.nn.static_rnn(cell, tf.unstack(x, 4, 1), dtype=tf.float32)
    w = tf.Variable(tf.truncated_normal([6, 2], stddev=0.3))
    b = tf.Variable(tf.zeros([2]))
    logits = tf.matmul(outputs[-1], w) + b
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train_op = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    return loss, train_op, {x: sequences, y: targets}


def _assert_same_training(gpu_run, cpu_run):
    """Equal up to float32 rounding: the host sums a bias gradient as a BLAS ones-vector product
    (ops/reduce_kernels.py), a device with a plain reduction, so the last bit may differ."""
    gpu_losses, gpu_weights = gpu_run[:2]
    cpu_losses, cpu_weights = cpu_run[:2]
    np.testing.assert_allclose(gpu_losses, cpu_losses, rtol=1e-6)
    assert gpu_losses[-1] < gpu_losses[0]           # it trains
    assert len(gpu_weights) == len(cpu_weights)
    for on_gpu, on_cpu in zip(gpu_weights, cpu_weights):
        assert type(on_gpu) is np.ndarray           # fetched values come back to the host
        assert on_gpu.dtype == on_cpu.dtype
        np.testing.assert_allclose(on_gpu, on_cpu, rtol=1e-5, atol=1e-7)


def test_deep_mnist_cnn_step_on_the_gpu_equals_the_cpu(guarded_gpu, capsys):
    gpu_run = _train_on(guarded_gpu, True, _deep_mnist_cnn, capsys=capsys)
    cpu_run = _train_on(guarded_gpu, False, _deep_mnist_cnn)
    _assert_same_training(gpu_run, cpu_run)
    devices = gpu_run[2]
    on_gpu = ["Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter", "MaxPool", "MaxPoolGrad", "AvgPool",
              "AvgPoolGrad", "Relu", "ReluGrad", "BiasAdd", "BiasAddGrad", "Dropout",
              "SoftmaxCrossEntropyWithLogits", "L2Loss"]
    for op_type in on_gpu:
        assert devices.get(op_type) == {GPU0}, (op_type, devices.get(op_type))
    assert all(type(cell) is backend.guarded.GuardedArray for cell in gpu_run[3])    # variables stay there
    assert all(type(cell) is np.ndarray for cell in cpu_run[3])


def test_lstm_static_rnn_step_on_the_gpu_equals_the_cpu(guarded_gpu, capsys):
    gpu_run = _train_on(guarded_gpu, True, _lstm_classifier, capsys=capsys)
    cpu_run = _train_on(guarded_gpu, False, _lstm_classifier)
    _assert_same_training(gpu_run, cpu_run)
    devices = gpu_run[2]
    for op_type in ("MatMul", "Sigmoid", "Tanh", "SparseSoftmaxCrossEntropyWithLogits"):
        assert devices.get(op_type) == {GPU0}, (op_type, devices.get(op_type))


def test_nn_ops_on_the_gpu_match_numpy(guarded_gpu):
    """Single kernels whose device path differs from the host one (device 0-d results, fancy-index
    scatter, host-drawn masks copied over) against plain NumPy."""
    rng = np.random.RandomState(2)
    values = rng.randn(3, 5)
    x = tf.placeholder(tf.float64, [3, 5])
    top = tf.nn.top_k(x, 2)
    top_grad = tf.gradients(tf.reduce_sum(top.values * [[1.0, 2.0]]), x)[0]
    results = {"l2": tf.nn.l2_loss(x), "zero_fraction": tf.nn.zero_fraction(tf.nn.relu(x)),
               "in_top_k": tf.nn.in_top_k(tf.cast(x, tf.float32), [0, 1, 2], 2),
               "top_grad": top_grad, "moments": tf.nn.moments(x, [0])}
    with tf.Session() as sess:
        out = sess.run(results, {x: values})
    assert out["l2"] == pytest.approx((values ** 2).sum() / 2, rel=1e-12) and out["l2"].dtype == np.float64
    assert out["zero_fraction"] == np.float32((values <= 0).mean())
    order = np.argsort(-values, axis=1)
    assert out["in_top_k"].tolist() == [bool(np.isin(t, order[i, :2])) for i, t in enumerate([0, 1, 2])]
    expected_grad = np.zeros_like(values)
    expected_grad[np.arange(3)[:, None], order[:, :2]] = [1.0, 2.0]
    assert np.array_equal(out["top_grad"], expected_grad)
    assert np.allclose(out["moments"][0], values.mean(0)) and np.allclose(out["moments"][1], values.var(0))


def test_host_only_nn_ops_still_run_in_a_gpu_session(guarded_gpu, capsys):
    """CTC and fractional pooling kernels are host-only: on a GPU Session the plan copies their inputs to
    the host and their results back, and the values are those of NumPy."""
    logits = tf.placeholder(tf.float32, [2, 1, 3])
    decoded, _ = tf.nn.ctc_greedy_decoder(logits, [2])
    pooled, rows, cols = tf.nn.fractional_max_pool(tf.reshape(tf.range(16.0), [1, 4, 4, 1]), [1, 2, 2, 1],
                                                   seed=3, seed2=4)
    data = np.array([[[0.1, 0.8, 0.1]], [[0.7, 0.2, 0.1]]], np.float32)
    with tf.Session(config=tf.ConfigProto(log_device_placement=True)) as sess:
        capsys.readouterr()
        dense, pooled_value, row_seq, col_seq = sess.run([tf.sparse.to_dense(decoded[0]), pooled, rows, cols],
                                                         {logits: data})
        placed = dict(re.findall(r"^\S+: \((\w+)\): (\S+)$", capsys.readouterr().out, re.M))
    assert dense.tolist() == [[1, 0]]
    expected = [[np.arange(16.0).reshape(4, 4)[r0:r1, c0:c1].max() for c0, c1 in zip(col_seq[:-1], col_seq[1:])]
                for r0, r1 in zip(row_seq[:-1], row_seq[1:])]
    assert pooled_value[0, :, :, 0].tolist() == expected
    assert placed["CTCGreedyDecoder"].endswith("CPU:0") and placed["FractionalMaxPool"].endswith("CPU:0")


def _run_on(monkeypatch, gpu, build, capsys):
    """(fetched values, {op type: device}) of `build()` -> (fetches, feed_dict) in a Session with the
    guarded GPU or with none (soft placement: '/gpu:0' scopes fall back to the host there)."""
    monkeypatch.setenv("NUMFLOW_GPU_BACKEND", TEST_GPU_BACKEND if gpu else "none")
    backend.reset_for_tests()
    tf.reset_default_graph()
    fetches, feed = build()
    config = tf.ConfigProto(allow_soft_placement=True, log_device_placement=True)
    with tf.Session(config=config) as sess:
        capsys.readouterr()
        values = sess.run(fetches, feed)
        placed = dict(re.findall(r"^\S+: \((\w+)\): (\S+)$", capsys.readouterr().out, re.M))
    return values, placed


def test_fused_batch_norm_and_label_bookkeeping_on_the_gpu(guarded_gpu, capsys):
    rng = np.random.RandomState(4)
    images = rng.randn(2, 3, 3, 2).astype(np.float32)
    scale, offset = np.array([1.5, 0.5], np.float32), np.array([0.1, -0.2], np.float32)

    def build():
        x = tf.placeholder(tf.float32, [2, 3, 3, 2])
        y, mean, variance = tf.nn.fused_batch_norm(x, scale, offset, epsilon=0.01)
        grads = tf.gradients(tf.reduce_sum(y * y), [x])
        with tf.device("/gpu:0"):      # integer bookkeeping on host values would stay on the host
            collapsed = tf.nn.collapse_repeated(tf.constant([[1, 1, 2, 2, 3], [4, 4, 4, 5, 0]]), [5, 3])
            hits = tf.nn.compute_accidental_hits(tf.constant([[1, 2], [3, 4]], tf.int64),
                                                 tf.constant([2, 3, 1], tf.int64), 2)
        return {"y": y, "mean": mean, "variance": variance, "dx": grads[0], "collapsed": collapsed,
                "hits": hits}, {x: images}

    on_gpu, placed = _run_on(guarded_gpu, True, build, capsys)
    on_cpu, _ = _run_on(guarded_gpu, False, build, capsys)
    for op_type in ("FusedBatchNorm", "FusedBatchNormGrad", "CollapseRepeated", "ComputeAccidentalHits"):
        assert placed[op_type] == GPU0, op_type
    mean, variance = images.mean(axis=(0, 1, 2)), images.var(axis=(0, 1, 2))
    np.testing.assert_allclose(on_gpu["y"], scale * (images - mean) / np.sqrt(variance + 0.01) + offset,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(on_gpu["mean"], mean, rtol=1e-6)
    np.testing.assert_allclose(on_gpu["variance"], variance * 18 / 17, rtol=1e-5)    # Bessel-corrected
    for key in ("y", "mean", "variance", "dx"):
        np.testing.assert_allclose(on_gpu[key], on_cpu[key], rtol=1e-6, atol=1e-7)
    labels, lengths = on_gpu["collapsed"]
    assert labels.tolist() == [[1, 2, 3], [4, 0, 0]] and lengths.tolist() == [3, 1]
    rows, positions, weights = on_gpu["hits"]
    assert rows.tolist() == [0, 0, 1] and positions.tolist() == [0, 2, 1]
    assert weights.dtype == np.float32 and np.all(weights == -np.finfo(np.float32).max)
