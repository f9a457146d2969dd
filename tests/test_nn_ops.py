"""tf.nn ops: values against NumPy, gradients against finite differences, error paths."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients, evaluate

RNG = np.random.RandomState(42)


def away_from(x, points, margin=0.05):
    """x nudged so that no element lies within `margin` of a kink in `points`."""
    x = np.array(x, dtype=np.float64)
    for p in points:
        close = np.abs(x - p) < margin
        x[close] = p + margin * 2 * np.sign(x[close] - p + 1e-12)
    return x


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


SELU_A, SELU_S = 1.6732632423543772, 1.0507009873554805

ACTIVATIONS = [
    (tf.nn.relu, lambda x: np.maximum(x, 0), [0.0]),
    (tf.nn.relu6, lambda x: np.clip(x, 0, 6), [0.0, 6.0]),
    (tf.nn.elu, lambda x: np.where(x < 0, np.expm1(x), x), [0.0]),
    (tf.nn.selu, lambda x: SELU_S * np.where(x < 0, SELU_A * np.expm1(x), x), [0.0]),
    (tf.nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x), [0.0]),
    (lambda x: tf.nn.leaky_relu(x, alpha=1.5), lambda x: np.where(x > 0, x, 1.5 * x), [0.0]),
    (tf.nn.softplus, lambda x: np.log1p(np.exp(x)), []),
    (tf.nn.softsign, lambda x: x / (1 + np.abs(x)), [0.0]),
    (tf.nn.swish, lambda x: x * np_sigmoid(x), []),
]


@pytest.mark.parametrize("fn,ref,kinks", ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_values(fn, ref, kinks, dtype):
    x = (RNG.randn(3, 4) * 4).astype(dtype)
    out = evaluate(fn, [x])
    assert out.dtype == dtype
    np.testing.assert_allclose(out, ref(x.astype(np.float64)), rtol=1e-5 if dtype == np.float32 else 1e-12,
                               atol=1e-6)


@pytest.mark.parametrize("fn,ref,kinks", ACTIVATIONS)
def test_activation_gradients(fn, ref, kinks):
    x = away_from(RNG.randn(3, 4) * 4, kinks)
    check_gradients(fn, [x])


def test_relu_keeps_integer_dtype_and_scalar():
    assert evaluate(tf.nn.relu, [np.array([-3, 4], np.int32)]).tolist() == [0, 4]
    assert evaluate(tf.nn.relu, [np.float32(-2.5)]) == 0.0


def test_relu_second_order_gradient():
    x = tf.placeholder(tf.float64, [3])
    g = tf.gradients(tf.nn.relu(x), x)[0]
    gg = tf.gradients(g, x)[0]
    with tf.Session() as sess:
        assert sess.run(g, {x: [-1.0, 2.0, 3.0]}).tolist() == [0, 1, 1]
        assert sess.run(gg, {x: [-1.0, 2.0, 3.0]}).tolist() == [0, 0, 0]


def test_softplus_is_stable_for_large_inputs():
    out = evaluate(tf.nn.softplus, [np.array([-1000.0, 0.0, 1000.0], np.float32)])
    np.testing.assert_allclose(out, [0.0, np.log(2), 1000.0], rtol=1e-6)


def test_elu_rejects_integers():
    with pytest.raises(TypeError, match="int32"):
        tf.nn.elu(tf.constant([1, 2]))


# --- softmax -------------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [None, -1, 0, 1])
def test_softmax_and_log_softmax_values(axis):
    x = RNG.randn(3, 4, 5).astype(np.float32)
    ax = -1 if axis is None else axis
    np.testing.assert_allclose(evaluate(lambda t: tf.nn.softmax(t, axis=axis), [x]), np_softmax(x, ax),
                               rtol=1e-5)
    np.testing.assert_allclose(evaluate(lambda t: tf.nn.log_softmax(t, axis=axis), [x]),
                               np.log(np_softmax(x.astype(np.float64), ax)), rtol=1e-5, atol=1e-6)


def test_softmax_dim_alias_and_stability():
    x = np.array([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 1000.0]], np.float32)
    out = evaluate(lambda t: tf.nn.softmax(t, dim=-1), [x])
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)
    log_out = evaluate(tf.nn.log_softmax, [x])
    np.testing.assert_allclose(log_out[0], [0, -1000, -2000], rtol=1e-6)


@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_gradients(axis):
    x = RNG.randn(3, 4)
    check_gradients(lambda t: tf.nn.softmax(t, axis=axis), [x])
    check_gradients(lambda t: tf.nn.log_softmax(t, axis=axis), [x])


def test_softmax_errors():
    with pytest.raises(ValueError, match="out of bounds"):
        tf.nn.softmax(tf.zeros([2, 3]), axis=2)
    with pytest.raises(TypeError, match="int32"):
        tf.nn.softmax(tf.constant([1, 2]))


# --- softmax cross entropy -----------------------------------------------------------------------
def np_xent(labels, logits, axis=-1):
    return -np.sum(labels * np.log(np_softmax(logits.astype(np.float64), axis)), axis=axis)


def test_softmax_cross_entropy_values():
    logits = RNG.randn(4, 5).astype(np.float32)
    labels = np_softmax(RNG.randn(4, 5)).astype(np.float32)
    for fn in (tf.nn.softmax_cross_entropy_with_logits, tf.nn.softmax_cross_entropy_with_logits_v2):
        out = evaluate(lambda a, b: fn(labels=a, logits=b), [labels, logits])
        assert out.dtype == np.float32 and out.shape == (4,)
        np.testing.assert_allclose(out, np_xent(labels, logits), rtol=1e-5)


def test_softmax_cross_entropy_dim_and_rank1():
    logits = RNG.randn(5, 3)
    labels = np_softmax(RNG.randn(5, 3), 0)
    out = evaluate(lambda a, b: tf.nn.softmax_cross_entropy_with_logits_v2(labels=a, logits=b, dim=0),
                   [labels, logits])
    np.testing.assert_allclose(out, np_xent(labels, logits, 0), rtol=1e-10)
    out = evaluate(lambda a, b: tf.nn.softmax_cross_entropy_with_logits_v2(labels=a, logits=b),
                   [labels[:, 0], logits[:, 0]])
    np.testing.assert_allclose(out, np_xent(labels[:, 0], logits[:, 0]), rtol=1e-10)


def test_softmax_cross_entropy_is_stable_for_logits_of_1000():
    logits = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 0.0]], np.float32)
    labels = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]], np.float32)
    x, y = tf.placeholder(tf.float32, [2, 3]), tf.placeholder(tf.float32, [2, 3])
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x)
    grad = tf.gradients(loss, x)[0]
    with tf.Session() as sess:
        value, g = sess.run([loss, grad], {x: logits, y: labels})
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(g))
    np.testing.assert_allclose(value, [1000.0, 0.0], rtol=1e-6)
    np.testing.assert_allclose(g, [[1, -1, 0], [0, 0, 0]], atol=1e-6)


def test_softmax_cross_entropy_gradients():
    logits = RNG.randn(3, 4)
    labels = np_softmax(RNG.randn(3, 4))
    # v2 differentiates both labels and logits
    check_gradients(lambda a, b: tf.nn.softmax_cross_entropy_with_logits_v2(labels=a, logits=b),
                    [labels, logits])
    check_gradients(lambda a, b: tf.nn.softmax_cross_entropy_with_logits_v2(labels=a, logits=b, dim=0),
                    [np_softmax(labels, 0), logits])
    # v1: logits only
    check_gradients(lambda b: tf.nn.softmax_cross_entropy_with_logits(labels=tf.constant(labels), logits=b),
                    [logits])


def test_softmax_cross_entropy_v1_stops_gradient_into_labels():
    labels = tf.placeholder(tf.float32, [2, 3])
    logits = tf.placeholder(tf.float32, [2, 3])
    v1 = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    v2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    assert tf.gradients(v1, labels) == [None]
    assert tf.gradients(v2, labels)[0] is not None


def test_softmax_cross_entropy_requires_named_arguments():
    with pytest.raises(ValueError, match=r"Only call `softmax_cross_entropy_with_logits` with named "
                                         r"arguments \(labels=\.\.\., logits=\.\.\., \.\.\.\)"):
        tf.nn.softmax_cross_entropy_with_logits(tf.zeros([2, 3]), tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="Only call `softmax_cross_entropy_with_logits_v2` with named"):
        tf.nn.softmax_cross_entropy_with_logits_v2(tf.zeros([2, 3]), tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="Only call `sparse_softmax_cross_entropy_with_logits` with named"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(tf.zeros([2], tf.int32), tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="Only call `sigmoid_cross_entropy_with_logits` with named"):
        tf.nn.sigmoid_cross_entropy_with_logits(tf.zeros([2, 3]), tf.zeros([2, 3]))


def test_softmax_cross_entropy_shape_and_dtype_errors():
    with pytest.raises(ValueError, match=r"same shape \(\(2, 3\) vs \(2, 4\)\)"):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([2, 4]), logits=tf.zeros([2, 3]))
    # labels are cast to the logits' dtype, as TF does
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([2, 3], tf.float64), logits=tf.zeros([2, 3]))
    assert loss.dtype == tf.float32
    with pytest.raises(TypeError, match="int32"):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([2, 3]), logits=tf.zeros([2, 3], tf.int32))


# --- sparse softmax cross entropy ----------------------------------------------------------------
@pytest.mark.parametrize("label_dtype", [np.int32, np.int64])
def test_sparse_softmax_cross_entropy_values(label_dtype):
    logits = RNG.randn(4, 5).astype(np.float32)
    labels = np.array([0, 4, 2, 2], label_dtype)
    out = evaluate(lambda a, b: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=a, logits=b),
                   [labels, logits])
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, np_xent(np.eye(5)[labels], logits), rtol=1e-5)


def test_sparse_softmax_cross_entropy_higher_rank_and_stability():
    logits = RNG.randn(2, 3, 4) * 1000
    labels = np.array([[0, 1, 3], [2, 2, 0]], np.int32)
    out = evaluate(lambda a, b: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=a, logits=b),
                   [labels, logits])
    assert out.shape == (2, 3) and np.all(np.isfinite(out))
    expected = np.log(np.sum(np.exp(logits - logits.max(-1, keepdims=True)), -1)) + logits.max(-1) - \
        np.take_along_axis(logits, labels[..., None], -1)[..., 0]
    np.testing.assert_allclose(out, expected, rtol=1e-9)


def test_sparse_softmax_cross_entropy_gradients():
    labels = np.array([[0, 3], [2, 1]], np.int32)
    check_gradients(lambda b: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant(labels),
                                                                             logits=b),
                    [RNG.randn(2, 2, 4)])


def test_sparse_softmax_cross_entropy_label_out_of_range():
    labels = tf.placeholder(tf.int32, [3])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=tf.zeros([3, 4]))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"label value of 7 .*range of \[0, 4\)"):
            sess.run(loss, {labels: [0, 7, 1]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="label value of -1"):
            sess.run(loss, {labels: [0, -1, 1]})


def test_sparse_softmax_cross_entropy_static_errors():
    with pytest.raises(ValueError, match="Rank mismatch"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([2, 3], tf.int32), logits=tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="Shape mismatch"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([3], tf.int32), logits=tf.zeros([2, 3]))
    with pytest.raises(TypeError, match="float32"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([2]), logits=tf.zeros([2, 3]))


# --- sigmoid / weighted cross entropy ------------------------------------------------------------
def np_sigmoid_xent(z, x):
    return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


def test_sigmoid_cross_entropy_values_and_stability():
    logits = np.array([[-1000.0, -2.0, 0.0, 3.0, 1000.0]], np.float32)
    labels = np.array([[0.0, 1.0, 0.5, 0.0, 1.0]], np.float32)
    out = evaluate(lambda a, b: tf.nn.sigmoid_cross_entropy_with_logits(labels=a, logits=b), [labels, logits])
    assert np.all(np.isfinite(out)) and out.dtype == np.float32
    np.testing.assert_allclose(out, np_sigmoid_xent(labels.astype(np.float64), logits.astype(np.float64)),
                               rtol=1e-6)
    # the definition: -z log(sigmoid(x)) - (1 - z) log(1 - sigmoid(x)) for moderate logits
    x = RNG.randn(3, 4)
    z = RNG.uniform(size=(3, 4))
    out = evaluate(lambda a, b: tf.nn.sigmoid_cross_entropy_with_logits(labels=a, logits=b), [z, x])
    s = np_sigmoid(x)
    np.testing.assert_allclose(out, -z * np.log(s) - (1 - z) * np.log(1 - s), rtol=1e-10)


def test_sigmoid_cross_entropy_gradients():
    check_gradients(lambda a, b: tf.nn.sigmoid_cross_entropy_with_logits(labels=a, logits=b),
                    [RNG.uniform(size=(3, 4)), RNG.randn(3, 4) * 3])


def test_sigmoid_cross_entropy_shape_error():
    with pytest.raises(ValueError, match=r"logits and labels must have the same shape \(\(2, 3\) vs \(2, 4\)\)"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros([2, 4]), logits=tf.zeros([2, 3]))


def test_weighted_cross_entropy_values_and_gradients():
    x = RNG.randn(3, 4) * 3
    z = RNG.uniform(size=(3, 4))
    out = evaluate(lambda a, b: tf.nn.weighted_cross_entropy_with_logits(a, b, pos_weight=2.5), [z, x])
    s = np_sigmoid(x)
    np.testing.assert_allclose(out, -2.5 * z * np.log(s) - (1 - z) * np.log(1 - s), rtol=1e-9)
    big = evaluate(lambda a, b: tf.nn.weighted_cross_entropy_with_logits(targets=a, logits=b, pos_weight=3.0),
                   [np.array([1.0, 0.0], np.float32), np.array([-1000.0, 1000.0], np.float32)])
    np.testing.assert_allclose(big, [3000.0, 1000.0], rtol=1e-6)
    check_gradients(lambda a, b: tf.nn.weighted_cross_entropy_with_logits(a, b, 0.7), [z, x])


def test_log_poisson_loss():
    x = RNG.randn(5)
    t = np.array([0.0, 1.0, 2.0, 3.0, 5.0])
    out = evaluate(lambda a, b: tf.nn.log_poisson_loss(a, b), [t, x])
    np.testing.assert_allclose(out, np.exp(x) - t * x, rtol=1e-10)
    check_gradients(lambda b: tf.nn.log_poisson_loss(tf.constant(t), b), [x])


# --- l2_loss, bias_add -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_l2_loss(dtype):
    x = RNG.randn(3, 4).astype(dtype)
    out = evaluate(tf.nn.l2_loss, [x])
    assert out.dtype == dtype and np.shape(out) == ()
    np.testing.assert_allclose(out, np.sum(x.astype(np.float64) ** 2) / 2, rtol=1e-5)
    check_gradients(tf.nn.l2_loss, [RNG.randn(2, 3)])


@pytest.mark.parametrize("data_format,shape,bias_shape,reshape", [
    (None, (2, 3), (3,), (3,)),
    ("NHWC", (2, 4, 5, 3), (3,), (3,)),
    ("NCHW", (2, 3, 4, 5), (3,), (3, 1, 1)),
    ("NCW", (2, 3, 4), (3,), (3, 1)),
])
def test_bias_add_values_and_gradients(data_format, shape, bias_shape, reshape):
    x = RNG.randn(*shape)
    b = RNG.randn(*bias_shape)
    out = evaluate(lambda v, c: tf.nn.bias_add(v, c, data_format=data_format), [x, b])
    np.testing.assert_allclose(out, x + b.reshape(reshape))
    check_gradients(lambda v, c: tf.nn.bias_add(v, c, data_format=data_format), [x, b])


def test_bias_add_errors():
    with pytest.raises(ValueError, match="rank 1"):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([1, 3]))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4"):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([4]))
    with pytest.raises(ValueError, match="at least rank 2"):
        tf.nn.bias_add(tf.zeros([3]), tf.zeros([3]))
    with pytest.raises(TypeError, match="float64"):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([3], tf.float64))


def test_xw_plus_b():
    x, w, b = RNG.randn(2, 3), RNG.randn(3, 4), RNG.randn(4)
    np.testing.assert_allclose(evaluate(tf.nn.xw_plus_b, [x, w, b]), x @ w + b)
    np.testing.assert_allclose(evaluate(tf.nn.relu_layer, [x, w, b]), np.maximum(x @ w + b, 0))


# --- dropout ---------------------------------------------------------------------------------------
def test_dropout_scales_kept_values():
    x = np.ones((200, 50), np.float32)
    out = evaluate(lambda t: tf.nn.dropout(t, keep_prob=0.25), [x])
    assert out.dtype == np.float32
    assert set(np.unique(out).tolist()) <= {0.0, 4.0}
    assert abs(np.mean(out != 0) - 0.25) < 0.03
    out = evaluate(lambda t: tf.nn.dropout(t, rate=0.25), [x])
    assert set(np.unique(out).tolist()) <= {0.0, np.float32(1 / 0.75)}
    assert abs(np.mean(out != 0) - 0.75) < 0.03


def test_dropout_keep_prob_placeholder_and_noise_shape():
    x = tf.placeholder(tf.float32, [100, 8])
    keep = tf.placeholder(tf.float32, [])
    y = tf.nn.dropout(x, keep_prob=keep, noise_shape=[100, 1])
    with tf.Session() as sess:
        value = sess.run(y, {x: np.ones((100, 8)), keep: 0.5})
        assert set(np.unique(value).tolist()) <= {0.0, 2.0}
        assert np.all(value == value[:, :1])          # one draw per row
        np.testing.assert_array_equal(sess.run(y, {x: np.ones((100, 8)), keep: 1.0}), np.ones((100, 8)))


def test_dropout_keep_prob_one_is_identity():
    x = RNG.randn(3, 4).astype(np.float32)
    np.testing.assert_array_equal(evaluate(lambda t: tf.nn.dropout(t, keep_prob=1.0), [x]), x)
    np.testing.assert_array_equal(evaluate(lambda t: tf.nn.dropout(t, rate=0.0), [x]), x)


def test_dropout_is_reproducible_with_seeds():
    def run_once(graph_seed, op_seed):
        graph = tf.Graph()
        with graph.as_default():
            tf.set_random_seed(graph_seed)
            y = tf.nn.dropout(tf.ones([50, 10]), keep_prob=0.5, seed=op_seed)
            with tf.Session() as sess:
                return sess.run(y), sess.run(y)
    a1, a2 = run_once(3, None)
    b1, b2 = run_once(3, None)
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    assert not np.array_equal(a1, a2)    # a new draw on each run
    c1, _ = run_once(None, 7)
    d1, _ = run_once(None, 7)
    np.testing.assert_array_equal(c1, d1)
    e1, _ = run_once(4, None)
    assert not np.array_equal(a1, e1)


def test_dropout_gradient_uses_the_same_mask():
    x = tf.placeholder(tf.float64, [30, 20])
    y = tf.nn.dropout(x, keep_prob=0.5)
    g = tf.gradients(y * 3.0, x)[0]
    with tf.Session() as sess:
        value, grad = sess.run([y, g], {x: np.ones((30, 20))})
    np.testing.assert_allclose(grad, value * 3.0)


def test_dropout_errors():
    x = tf.zeros([2, 3])
    with pytest.raises(ValueError, match="Cannot specify both 'rate' and 'keep_prob'"):
        tf.nn.dropout(x, keep_prob=0.5, rate=0.5)
    with pytest.raises(ValueError, match="You must provide a rate to dropout"):
        tf.nn.dropout(x)
    with pytest.raises(ValueError, match=r"keep_prob must be a scalar tensor or a float in the range \(0, 1\]"):
        tf.nn.dropout(x, keep_prob=1.5)
    with pytest.raises(ValueError, match=r"rate must be a scalar tensor or a float in the range \[0, 1\)"):
        tf.nn.dropout(x, rate=1.0)
    with pytest.raises(ValueError, match="floating point tensor"):
        tf.nn.dropout(tf.zeros([2], tf.int32), keep_prob=0.5)


# --- l2_normalize, moments -------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [None, 0, 1, [0, 1], -1])
def test_l2_normalize(axis, ):
    x = RNG.randn(3, 4)
    ax = tuple(axis) if isinstance(axis, list) else axis
    expected = x / np.sqrt(np.maximum(np.sum(x ** 2, axis=ax, keepdims=True), 1e-12))
    np.testing.assert_allclose(evaluate(lambda t: tf.nn.l2_normalize(t, axis=axis), [x]), expected)
    check_gradients(lambda t: tf.nn.l2_normalize(t, axis=axis), [x])


def test_l2_normalize_dim_alias_and_zero_vector():
    x = np.array([[3.0, 4.0], [0.0, 0.0]], np.float32)
    out = evaluate(lambda t: tf.nn.l2_normalize(t, dim=1), [x])
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])
    check_gradients(lambda t: tf.nn.l2_normalize(t, 1, epsilon=0.5), [np.array([[0.1, 0.2], [3.0, 4.0]])])


@pytest.mark.parametrize("axes,keep_dims", [([0], False), ([0, 2], False), ([1], True), ([0, 1, 2], False),
                                            ([-1], True)])
def test_moments(axes, keep_dims):
    x = RNG.randn(3, 4, 5)
    mean, var = evaluate(lambda t: tf.nn.moments(t, axes, keep_dims=keep_dims), [x])
    np.testing.assert_allclose(mean, x.mean(axis=tuple(axes), keepdims=keep_dims))
    np.testing.assert_allclose(var, x.var(axis=tuple(axes), keepdims=keep_dims))
    check_gradients(lambda t: tf.nn.moments(t, axes, keep_dims=keep_dims)[0], [x[:2, :2, :3]])
    check_gradients(lambda t: tf.nn.moments(t, axes, keep_dims=keep_dims)[1], [x[:2, :2, :3]])


def test_moments_float32_static_shape():
    mean, var = tf.nn.moments(tf.zeros([2, 3, 4]), axes=[0, 1])
    assert mean.shape.as_list() == [4] and var.dtype == tf.float32
    mean, _ = tf.nn.moments(tf.zeros([2, 3, 4]), axes=[0, 1], keep_dims=True)
    assert mean.shape.as_list() == [1, 1, 4]


# --- top_k, in_top_k -------------------------------------------------------------------------------
def test_top_k_values_indices_and_ties():
    x = np.array([[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 5.0, 0.0]], np.float32)
    values, indices = evaluate(lambda t: tf.nn.top_k(t, k=3), [x])
    np.testing.assert_array_equal(values, [[3, 3, 2], [5, 5, 5]])
    np.testing.assert_array_equal(indices, [[1, 2, 3], [0, 1, 2]])
    assert indices.dtype == np.int32
    result = tf.nn.top_k(tf.constant(x), 2)
    assert result.values.shape.as_list() == [2, 2] and result.indices.dtype == tf.int32


def test_top_k_random_against_numpy():
    x = RNG.randn(5, 100)
    values, indices = evaluate(lambda t: tf.nn.top_k(t, k=7), [x])
    expected = np.argsort(-x, axis=-1)[:, :7]
    np.testing.assert_array_equal(indices, expected)
    np.testing.assert_array_equal(values, np.take_along_axis(x, expected, -1))
    ints = RNG.randint(0, 5, size=(3, 9)).astype(np.int64)
    values, indices = evaluate(lambda t: tf.nn.top_k(t, k=4), [ints])
    np.testing.assert_array_equal(indices, np.argsort(-ints, axis=-1, kind="stable")[:, :4])


def test_top_k_gradient():
    x = np.array([[0.5, 2.0, -1.0, 1.3], [0.1, 0.2, 0.3, 0.4]])
    check_gradients(lambda t: tf.nn.top_k(t, k=2).values, [x])


def test_top_k_errors():
    with pytest.raises(ValueError, match="input must have at least k columns. Had 3, needed 5"):
        tf.nn.top_k(tf.zeros([2, 3]), k=5)
    k = tf.placeholder(tf.int32, [])
    values = tf.nn.top_k(tf.zeros([2, 3]), k=k).values
    with tf.Session() as sess:
        assert sess.run(values, {k: 2}).shape == (2, 2)
        with pytest.raises(tf.errors.InvalidArgumentError, match="Had 3, needed 4"):
            sess.run(values, {k: 4})


def test_in_top_k():
    predictions = np.array([[0.1, 0.9, 0.5], [0.3, 0.3, 0.2], [0.5, 0.2, np.nan]], np.float32)
    targets = np.array([2, 1, 2], np.int32)
    out = evaluate(lambda p, t: tf.nn.in_top_k(p, t, 1), [predictions, targets])
    assert out.dtype == np.bool_
    assert out.tolist() == [False, True, False]
    out = evaluate(lambda p, t: tf.nn.in_top_k(p, t, 2), [predictions, targets])
    assert out.tolist() == [True, True, False]
    with pytest.raises(ValueError, match="rank 2"):
        tf.nn.in_top_k(tf.zeros([3]), tf.zeros([3], tf.int32), 1)


# --- embeddings ------------------------------------------------------------------------------------
def test_embedding_lookup_single_table():
    if not hasattr(tf, "gather"):
        pytest.skip("tf.gather (ops/array) not available yet")
    params = RNG.randn(6, 3)
    ids = np.array([[0, 5], [2, 2]], np.int32)
    out = evaluate(lambda p: tf.nn.embedding_lookup(p, tf.constant(ids)), [params])
    np.testing.assert_allclose(out, params[ids])
    check_gradients(lambda p: tf.nn.embedding_lookup(p, tf.constant(ids)), [params])


@pytest.mark.parametrize("strategy", ["mod", "div"])
def test_embedding_lookup_sharded(strategy):
    table = RNG.randn(7, 2)
    if strategy == "mod":
        shards = [table[i::3] for i in range(3)]
    else:
        shards = [table[0:3], table[3:5], table[5:7]]
    ids = np.array([0, 6, 3, 1, 5, 4, 2, 2], np.int32)
    out = evaluate(lambda a, b, c: tf.nn.embedding_lookup([a, b, c], tf.constant(ids),
                                                          partition_strategy=strategy), shards)
    np.testing.assert_allclose(out, table[ids])
    check_gradients(lambda a, b, c: tf.nn.embedding_lookup([a, b, c], tf.constant(ids),
                                                           partition_strategy=strategy), shards)


def test_embedding_lookup_errors():
    with pytest.raises(ValueError, match="Unrecognized partition strategy"):
        tf.nn.embedding_lookup(tf.zeros([3, 2]), [0], partition_strategy="bogus")
    with pytest.raises(TypeError, match="int32 or int64"):
        tf.nn.embedding_lookup(tf.zeros([3, 2]), tf.zeros([2]))


# --- namespace -------------------------------------------------------------------------------------
def test_nn_namespace_reexports():
    for name in ["relu", "softmax", "dropout", "bias_add", "moments", "top_k", "in_top_k", "l2_normalize",
                 "embedding_lookup", "softmax_cross_entropy_with_logits_v2", "sigmoid_cross_entropy_with_logits"]:
        assert callable(getattr(tf.nn, name)), name


def test_zero_fraction():
    out = evaluate(tf.nn.zero_fraction, [np.array([0.0, 1.0, 0.0, 2.0])])
    assert out == np.float32(0.5) and out.dtype == np.float32


def test_crelu():
    if not hasattr(tf, "concat"):
        pytest.skip("tf.concat (ops/array) not available yet")
    x = away_from(RNG.randn(2, 3), [0.0])
    np.testing.assert_allclose(evaluate(tf.nn.crelu, [x]), np.concatenate([np.maximum(x, 0), np.maximum(-x, 0)], -1))
    check_gradients(tf.nn.crelu, [x])


def test_batch_normalization_and_statistics():
    x, m, v, o, s = RNG.randn(4, 3), RNG.randn(3), RNG.uniform(0.5, 2, 3), RNG.randn(3), RNG.randn(3)
    expected = s * (x - m) / np.sqrt(v + 1e-3) + o
    np.testing.assert_allclose(evaluate(lambda *a: tf.nn.batch_normalization(*a, variance_epsilon=1e-3),
                                        [x, m, v, o, s]), expected)
    np.testing.assert_allclose(evaluate(lambda a, b, c: tf.nn.batch_normalization(a, b, c, None, None, 1e-3),
                                        [x, m, v]), (x - m) / np.sqrt(v + 1e-3))
    check_gradients(lambda *a: tf.nn.batch_normalization(*a, variance_epsilon=1e-3), [x, m, v, o, s])
    count, total, squares = evaluate(lambda t: list(tf.nn.sufficient_statistics(t, [0])[:3]), [x])
    assert count == 4
    np.testing.assert_allclose(total, x.sum(0))
    np.testing.assert_allclose(squares, (x ** 2).sum(0))
    mean, var = evaluate(lambda a, b, c: tf.nn.normalize_moments(a, b, c, None), [np.float64(count), total, squares])
    np.testing.assert_allclose(mean, x.mean(0))
    np.testing.assert_allclose(var, x.var(0))


def test_log_poisson_loss_full():
    t = np.array([0.0, 1.0, 2.0, 5.0])
    x = RNG.randn(4)
    stirling = np.where(t > 1, t * np.log(np.maximum(t, 1)) - t + 0.5 * np.log(2 * np.pi * np.maximum(t, 1)), 0)
    out = evaluate(lambda a, b: tf.nn.log_poisson_loss(a, b, compute_full_loss=True), [t, x])
    np.testing.assert_allclose(out, np.exp(x) - t * x + stirling)


def test_nn_reexports_math_activations():
    assert tf.nn.sigmoid is tf.sigmoid and tf.nn.tanh is tf.tanh


def test_embedding_lookup_max_norm():
    params = np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]])
    out = evaluate(lambda p: tf.nn.embedding_lookup(p, tf.constant([0, 1, 2]), max_norm=1.0), [params])
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.3, 0.4], [0.6, 0.8]])


def _lrn_reference(x, radius, bias, alpha, beta):
    out = np.empty_like(x)
    for d in range(x.shape[-1]):
        lo, hi = max(0, d - radius), min(x.shape[-1], d + radius + 1)
        out[..., d] = x[..., d] / (bias + alpha * np.sum(x[..., lo:hi] ** 2, -1)) ** beta
    return out


@pytest.mark.parametrize("radius, bias, alpha, beta", [(5, 1.0, 1.0, 0.5), (2, 1.5, 0.3, 0.75), (0, 2.0, 0.1, 1.0)])
def test_lrn_values_and_gradient(radius, bias, alpha, beta):
    x = np.random.RandomState(radius).randn(2, 3, 2, 7)
    got = evaluate(lambda t: tf.nn.lrn(t, radius, bias, alpha, beta), [x])
    np.testing.assert_allclose(got, _lrn_reference(x, radius, bias, alpha, beta), rtol=1e-12)
    check_gradients(lambda t: tf.nn.local_response_normalization(t, radius, bias, alpha, beta), [x[:1, :2]])


def test_lrn_needs_rank_4():
    with pytest.raises(ValueError, match="rank 4"):
        tf.nn.lrn(tf.zeros([3, 4]))
