"""The faster kernels of issue #16 give the generic kernels' results: bit for bit where the arithmetic is
the same, to float rounding where BLAS sums in another order."""
import numpy as np
import pytest

import numflow as tf
from numflow.ops import reduce_kernels


def _generic_softmax_xent(logits, labels):
    shifted = np.subtract(logits, np.maximum.reduce(logits, axis=-1, keepdims=True))
    exp = np.exp(shifted)
    total = np.add.reduce(exp, axis=-1, keepdims=True)
    shifted -= np.log(total)
    loss = np.negative(np.add.reduce(np.multiply(labels, shifted), axis=-1))
    exp /= total
    exp -= labels
    return loss, exp


@pytest.mark.parametrize("width", [2, 3, 5, 7])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_narrow_sums_and_maxima_are_bit_identical(width, dtype):
    x = (np.random.RandomState(width).standard_normal((37, 5, width)) * 100).astype(dtype)
    x[3, 2, 0] = np.nan
    np.testing.assert_array_equal(reduce_kernels.sum_last(x), np.add.reduce(x, axis=-1))
    np.testing.assert_array_equal(reduce_kernels.max_last(x, True), np.maximum.reduce(x, axis=-1, keepdims=True))
    assert reduce_kernels.sum_last(x).dtype == dtype


def test_wide_or_integer_sums_take_numpy_reduce():
    wide = np.arange(40.0).reshape(4, 10)
    np.testing.assert_array_equal(reduce_kernels.sum_last(wide), wide.sum(axis=-1))
    ints = np.arange(12, dtype=np.int32).reshape(6, 2)
    assert reduce_kernels.add_reduce(ints, (0,), np.int32).dtype == np.int32
    np.testing.assert_array_equal(reduce_kernels.add_reduce(ints, (1,)), ints.sum(axis=1))


@pytest.mark.parametrize("shape,lead", [((10000, 2), 1), ((1000, 10), 1), ((50, 28, 28, 3), 3), ((70, 4, 5), 1),
                                        ((3, 2), 1), ((0, 4), 1)])
def test_sum_over_leading_axes_matches_numpy(shape, lead):
    x = np.random.RandomState(0).standard_normal(shape).astype(np.float32)
    expected = np.add.reduce(x.astype(np.float64), axis=tuple(range(lead)))
    got = reduce_kernels.sum_leading(x, lead)
    assert got.shape == expected.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-3)
    kept = reduce_kernels.add_reduce(x, tuple(range(lead)), None, True)
    assert kept.shape == (1,) * lead + shape[lead:]


@pytest.mark.parametrize("shape", [(10000, 2), (7, 3), (4, 5, 7), (1, 2)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_narrow_softmax_cross_entropy_is_bit_identical(shape, dtype):
    rng = np.random.RandomState(1)
    logits = (rng.standard_normal(shape) * 30).astype(dtype)
    labels = rng.random_sample(shape).astype(dtype)
    loss, backprop = reduce_kernels.narrow_softmax_xent(logits, labels)
    expected_loss, expected_backprop = _generic_softmax_xent(logits, labels)
    np.testing.assert_array_equal(loss, expected_loss)
    np.testing.assert_array_equal(backprop, expected_backprop)
    assert backprop.flags.c_contiguous and loss.dtype == dtype


def _logic_step(rewrites):
    """One training step of the main job's network; returns the loss and the updated variables."""
    rng = np.random.RandomState(0)
    xs = rng.randint(2, size=(1000, 2)).astype(np.float32)
    ys = np.stack([xs[:, 0], 1 - xs[:, 0]], axis=1)
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(3)
        x = tf.placeholder(tf.float32, [None, 2])
        y = tf.placeholder(tf.float32, [None, 2])
        w1, b1 = tf.Variable(tf.truncated_normal([2, 10])), tf.Variable(tf.fill([10], 0.1))
        w2, b2 = tf.Variable(tf.truncated_normal([10, 2])), tf.Variable(tf.fill([2], 0.2))
        logits = tf.nn.bias_add(tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2), b2)
        cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
        train = tf.train.GradientDescentOptimizer(0.5).minimize(cost)
        init = tf.global_variables_initializer()
    with tf.Session(graph=graph, config={"rewrites": rewrites}) as sess:
        sess.run(init)
        _, loss = sess.run([train, cost], {x: xs, y: ys})
        fused = {op.type for plan in sess._plans.values() for op in plan.program.fused}
        return loss, sess.run([w1, b1, w2, b2]), fused


def test_main_job_step_is_the_same_with_and_without_the_rewrites():
    loss, params, fused = _logic_step("all")
    plain_loss, plain_params, plain_fused = _logic_step("none")
    assert {"ScaleAlongAxis", "BiasAdd", "Relu"} <= fused and not plain_fused
    assert loss == plain_loss
    for got, expected in zip(params, plain_params):
        np.testing.assert_array_equal(got, expected)


def test_bias_gradients_match_numpy():
    rng = np.random.RandomState(2)
    value = rng.standard_normal((64, 3, 3, 5)).astype(np.float32)
    upstream = rng.standard_normal((64, 3, 3, 5)).astype(np.float32)
    x = tf.constant(value)
    b = tf.constant(np.zeros(5, np.float32))
    grads = tf.gradients([tf.nn.bias_add(x, b), x + b], [b], grad_ys=None)
    weighted = tf.gradients(tf.reduce_sum(tf.nn.bias_add(x, b) * upstream), [b])
    with tf.Session() as sess:
        both, single = sess.run([grads[0], weighted[0]])
    np.testing.assert_allclose(both, np.full(5, 2 * 64 * 9, np.float32))
    np.testing.assert_allclose(single, upstream.astype(np.float64).sum(axis=(0, 1, 2)), rtol=1e-5, atol=1e-4)


def test_mean_gradient_fusion_keeps_fetched_spread_values():
    x = tf.placeholder(tf.float32, [None, 2])
    labels = tf.constant([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=x))
    grad = tf.gradients(cost, x)[0]
    feed = {x: np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 3.0]], np.float32)}
    with tf.Session() as sess:
        got = sess.run(grad, feed)
    logits = feed[x]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(got, (probs - labels_value()) / 3, rtol=1e-6)


def labels_value():
    return np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], np.float32)


def _reference_conv(x, f):
    """A SAME, stride-1 convolution by explicit loops over kernel positions (float64)."""
    kh, kw, _, _ = f.shape
    n, h, w, _ = x.shape
    padded = np.pad(x.astype(np.float64), ((0, 0), (kh // 2, kh - 1 - kh // 2), (kw // 2, kw - 1 - kw // 2), (0, 0)))
    out = 0
    for i in range(kh):
        for j in range(kw):
            out = out + padded[:, i:i + h, j:j + w, :] @ f[i, j].astype(np.float64)
    return out


@pytest.mark.parametrize("channels", [1, 3, 6])
def test_convolution_tiled_over_the_batch_matches_the_loop(monkeypatch, channels):
    from numflow.ops import conv
    # A workspace of a few images forces several tiles, including a short last one.
    monkeypatch.setattr(conv, "_WORKSPACE_BYTES", 3 * 8 * 8 * 9 * channels * 4 + 1)
    rng = np.random.RandomState(channels)
    xs = rng.standard_normal((7, 8, 8, channels)).astype(np.float32)
    fs = rng.standard_normal((3, 3, channels, 5)).astype(np.float32)
    dys = rng.standard_normal((7, 8, 8, 5)).astype(np.float32)
    x = tf.constant(xs)
    f = tf.constant(fs)
    y = tf.nn.conv2d(x, f, strides=[1, 1, 1, 1], padding="SAME")
    dx = tf.gradients(y, x, grad_ys=tf.constant(dys))[0]
    with tf.Session() as sess:
        got_y, got_dx = sess.run([y, dx])
    np.testing.assert_allclose(got_y, _reference_conv(xs, fs), rtol=1e-4, atol=1e-4)
    # The input gradient is the convolution of dy with the filter flipped and its channels swapped.
    flipped = fs[::-1, ::-1].transpose(0, 1, 3, 2)
    np.testing.assert_allclose(got_dx, _reference_conv(dys, flipped), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape,narrow_sum,narrow_softmax", [
    ((10000, 2), True, True), ((64, 2), True, False), ((80, 2), True, True), ((32, 6), False, False),
    ((256, 6), True, True), ((128, 7), False, False), ((8, 50, 7), True, True), ((10000, 8), False, False)])
def test_column_wise_routes_only_where_rows_are_many(shape, narrow_sum, narrow_softmax):
    # One ufunc call per column only pays with enough rows; a 32x6 softmax is faster through NumPy's loop.
    x = np.zeros(shape, np.float32)
    assert reduce_kernels.narrow_last(x) is narrow_sum
    assert reduce_kernels.narrow_last(x, reduce_kernels.SOFTMAX_ROWS_PER_COLUMN) is narrow_softmax
    assert reduce_kernels.narrow_last(x.astype(np.int32)) is False
