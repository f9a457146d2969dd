"""Values against plain NumPy for the ops the rest of the suite checks only indirectly.

Mostly the ops that gradients are built from (ReluGrad, SoftmaxGrad, TileGrad, SumToShapeOf, ...): each
case builds `tf.gradients(f(x), x, grad_ys=dy)`, asserts that the op under test is in the graph, and
compares the value with the closed-form NumPy gradient, in float32 and float64 where the op takes both.
"""
import math

import numpy as np
import pytest

import numflow as tf
from numflow.ops.array import broadcast_to_shape_of
from numflow.ops.common import sum_to_shape_of
from numflow.ops.math import _broadcast_reduced

RNG = np.random.RandomState(11)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def rand(*shape, low=-2.0, high=2.0, dtype=np.float64):
    return RNG.uniform(low, high, size=shape).astype(dtype)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _op_types(graph):
    return {op.type for op in graph.get_operations()}


def gradient_value(f, x, dy, expect, wrt_extra=()):
    """The value of tf.gradients(f(x), x, grad_ys=dy) with x and dy fed; asserts `expect` is built."""
    graph = tf.Graph()
    with graph.as_default():
        xs = tf.placeholder(tf.as_dtype(x.dtype), x.shape)
        dys = tf.placeholder(tf.as_dtype(dy.dtype), dy.shape)
        g, = tf.gradients(f(xs), xs, grad_ys=dys)
        assert expect in _op_types(graph), "%s not built: %s" % (expect, sorted(_op_types(graph)))
        with tf.Session(graph=graph) as sess:
            return sess.run(g, {xs: x, dys: dy})


def check(out, expected, dtype):
    assert out.dtype == dtype and out.shape == np.shape(expected), (out.dtype, out.shape, np.shape(expected))
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(out, expected, **tol)


# --- activations' gradient ops -------------------------------------------------------------------------
def _selu_grad(x, dy):
    return dy * np.where(x < 0, SELU_SCALE * SELU_ALPHA * np.exp(x), SELU_SCALE)


def _swish_grad(x, dy):
    s = sigmoid(x)
    return dy * (s + x * s * (1 - s))


ELEMENTWISE_GRADS = [  # op type, forward, NumPy gradient dy -> dx, input range
    ("ReluGrad", tf.nn.relu, lambda x, dy: dy * (x > 0), (-2, 2)),
    ("Relu6Grad", tf.nn.relu6, lambda x, dy: dy * ((x > 0) & (x < 6)), (-3, 9)),
    ("LeakyReluGrad", lambda x: tf.nn.leaky_relu(x, alpha=0.3), lambda x, dy: dy * np.where(x > 0, 1, 0.3),
     (-2, 2)),
    ("EluGrad", tf.nn.elu, lambda x, dy: dy * np.where(x < 0, np.exp(x), 1), (-2, 2)),
    ("SeluGrad", tf.nn.selu, _selu_grad, (-2, 2)),
    ("SoftplusGrad", tf.nn.softplus, lambda x, dy: dy * sigmoid(x), (-5, 5)),
    ("SoftsignGrad", tf.nn.softsign, lambda x, dy: dy / (1 + np.abs(x)) ** 2, (-3, 3)),
    ("SwishGrad", tf.nn.swish, _swish_grad, (-4, 4)),
]


@pytest.mark.parametrize("op_type,fn,ref,domain", ELEMENTWISE_GRADS, ids=[c[0] for c in ELEMENTWISE_GRADS])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(3, 4), (), (2, 1, 3)], ids=str)
def test_activation_grad_values(op_type, fn, ref, domain, dtype, shape):
    x = rand(*shape, low=domain[0], high=domain[1], dtype=dtype)
    dy = rand(*shape, dtype=dtype)
    out = gradient_value(fn, x, dy, op_type)
    check(out, ref(x.astype(np.float64), dy.astype(np.float64)), dtype)


@pytest.mark.parametrize("axis", [-1, 0, 1])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_and_log_softmax_grad_values(axis, dtype):
    x, dy = rand(3, 4, 2, dtype=dtype), rand(3, 4, 2, dtype=dtype)
    x64, dy64 = x.astype(np.float64), dy.astype(np.float64)
    y = softmax(x64, axis)
    out = gradient_value(lambda t: tf.nn.softmax(t, axis=axis), x, dy, "SoftmaxGrad")
    check(out, (dy64 - np.sum(dy64 * y, axis=axis, keepdims=True)) * y, dtype)
    out = gradient_value(lambda t: tf.nn.log_softmax(t, axis=axis), x, dy, "LogSoftmaxGrad")
    check(out, dy64 - y * np.sum(dy64, axis=axis, keepdims=True), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_cross_entropy_grad_values(dtype):
    x, z, dy = rand(3, 4, dtype=dtype), rand(3, 4, low=0, high=1, dtype=dtype), rand(3, 4, dtype=dtype)
    out = gradient_value(lambda t: tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant(z), logits=t),
                         x, dy, "SigmoidCrossEntropyGrad")
    check(out, dy.astype(np.float64) * (sigmoid(x.astype(np.float64)) - z), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_scale_along_axis_values_in_softmax_cross_entropy_gradient(dtype):
    x, dy = rand(4, 5, dtype=dtype), rand(4, dtype=dtype)
    labels = softmax(rand(4, 5)).astype(dtype)
    out = gradient_value(lambda t: tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.constant(labels), logits=t),
                         x, dy, "ScaleAlongAxis")
    check(out, dy.astype(np.float64)[:, None] * (softmax(x.astype(np.float64)) - labels), dtype)
    ids = np.array([0, 4, 2, 2])
    out = gradient_value(lambda t: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant(ids), logits=t),
                         x, dy, "ScaleAlongAxis")
    check(out, dy.astype(np.float64)[:, None] * (softmax(x.astype(np.float64)) - np.eye(5)[ids]), dtype)


@pytest.mark.parametrize("axis", [-1, 0, [0, 1]])
def test_l2_normalize_grad_values(axis):
    x, dy = rand(3, 4), rand(3, 4)
    ax = tuple(np.atleast_1d(axis))
    n = np.sqrt(np.sum(x * x, axis=ax, keepdims=True))
    y = x / n
    out = gradient_value(lambda t: tf.nn.l2_normalize(t, axis=axis), x, dy, "L2NormalizeGrad")
    check(out, (dy - y * np.sum(dy * y, axis=ax, keepdims=True)) / n, np.float64)


@pytest.mark.parametrize("data_format,shape", [("NHWC", (2, 3, 4)), ("NHWC", (5, 3)), ("NCHW", (2, 3, 2, 2))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bias_add_grad_values(data_format, shape, dtype):
    channels = shape[1] if data_format == "NCHW" else shape[-1]
    b, dy = rand(channels, dtype=dtype), rand(*shape, dtype=dtype)
    x = rand(*shape, dtype=dtype)
    out = gradient_value(lambda t: tf.nn.bias_add(tf.constant(x), t, data_format=data_format), b, dy, "BiasAddGrad")
    axes = tuple(i for i in range(len(shape)) if i != (1 if data_format == "NCHW" else len(shape) - 1))
    check(out, np.sum(dy.astype(np.float64), axis=axes), dtype)


@pytest.mark.parametrize("axes,keep_dims", [([0], False), ([0, 2], True), ([1], False)])
def test_moments_grad_values(axes, keep_dims):
    x = rand(3, 4, 2)
    shape = np.mean(x, axis=tuple(axes), keepdims=keep_dims).shape
    dmean, dvar = rand(*shape), rand(*shape)
    graph = tf.Graph()
    with graph.as_default():
        xs = tf.placeholder(tf.float64, x.shape)
        mean, var = tf.nn.moments(xs, axes, keep_dims=keep_dims)
        g, = tf.gradients([mean, var], xs, grad_ys=[tf.constant(dmean), tf.constant(dvar)])
        assert "MomentsGrad" in _op_types(graph)
        with tf.Session(graph=graph) as sess:
            out = sess.run(g, {xs: x})
    n = np.prod([x.shape[a] for a in axes])
    kept = np.mean(x, axis=tuple(axes), keepdims=True).shape
    mu = np.mean(x, axis=tuple(axes), keepdims=True)
    expected = dmean.reshape(kept) / n + dvar.reshape(kept) * 2 * (x - mu) / n
    check(out, expected, np.float64)


def test_top_k_grad_values():
    x = np.array([[3.0, 1.0, 4.0, 1.5, 5.0], [9.0, 2.0, 6.0, 5.5, 3.0]])
    dy = rand(2, 3)
    out = gradient_value(lambda t: tf.nn.top_k(t, k=3).values, x, dy, "TopKGrad")
    expected = np.zeros_like(x)
    np.put_along_axis(expected, np.argsort(-x, axis=-1)[:, :3], dy, axis=-1)
    check(out, expected, np.float64)


@pytest.mark.parametrize("axis", [None, 0, [0, 2]])
def test_prod_grad_values_with_zeros(axis):
    x = rand(2, 3, 2)
    x[0, 1, 0] = 0.0
    x[1, 2, 1] = 0.0
    x[1, 0, 1] = 0.0
    ax = None if axis is None else tuple(np.atleast_1d(axis))
    dy = rand(*np.prod(x, axis=ax).shape)
    out = gradient_value(lambda t: tf.reduce_prod(t, axis=axis), x, dy, "ProdGrad")
    # d prod / d x_i = product of the other reduced elements, computed by brute force.
    expected = np.zeros_like(x)
    dy_kept = np.reshape(dy, np.prod(x, axis=ax, keepdims=True).shape)
    for pos in np.ndindex(*x.shape):
        others = x.copy()
        others[pos] = 1.0
        expected[pos] = (np.prod(others, axis=ax, keepdims=True) * dy_kept)[
            tuple(0 if (ax is None or i in ax) else p for i, p in enumerate(pos))]
    check(out, expected, np.float64)


@pytest.mark.parametrize("strategy", ["mod", "div"])
def test_sharded_gather_grad_values(strategy):
    shards = [rand(3, 2), rand(2, 2), rand(2, 2)]
    ids = np.array([[0, 6], [3, 6], [5, 1]])
    dy = rand(3, 2, 2)
    graph = tf.Graph()
    with graph.as_default():
        params = [tf.placeholder(tf.float64, s.shape) for s in shards]
        out = tf.nn.embedding_lookup(params, tf.constant(ids), partition_strategy=strategy)
        grads = tf.gradients(out, params, grad_ys=tf.constant(dy))
        # One IndexedSlices per shard (as TF's partitioned lookup), compared densified.
        assert all(isinstance(g, tf.IndexedSlices) for g in grads)
        with tf.Session(graph=graph) as sess:
            values = sess.run([tf.convert_to_tensor(g) for g in grads], dict(zip(params, shards)))
    sizes = [3, 2, 2]
    expected = [np.zeros_like(s) for s in shards]
    for id_, row in zip(ids.reshape(-1), dy.reshape(-1, 2)):
        if strategy == "mod":
            shard, local = id_ % 3, id_ // 3
        else:
            bounds = np.cumsum([0] + sizes)
            shard = int(np.searchsorted(bounds, id_, side="right") - 1)
            local = id_ - bounds[shard]
        expected[shard][local] += row
    for v, e in zip(values, expected):
        check(np.asarray(v), e, np.float64)


def _adjoint_of(forward, x_shape, dy):
    """The transpose of the linear map `forward` (from x_shape) applied to dy, via an index grid."""
    index = np.arange(int(np.prod(x_shape))).reshape(x_shape)
    source = forward(index)
    out = np.zeros(int(np.prod(x_shape)))
    np.add.at(out, source.reshape(-1), np.reshape(dy, -1))
    return out.reshape(x_shape)


# --- array ops' gradient ops ----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_concat_grad_values(dtype):
    a, b, c = rand(2, 1, dtype=dtype), rand(2, 3, dtype=dtype), rand(2, 2, dtype=dtype)
    dy = rand(2, 6, dtype=dtype)
    graph = tf.Graph()
    with graph.as_default():
        ts = [tf.constant(v) for v in (a, b, c)]
        grads = tf.gradients(tf.concat(ts, axis=-1), ts, grad_ys=tf.constant(dy))
        assert "ConcatGrad" in _op_types(graph)
        with tf.Session(graph=graph) as sess:
            out = sess.run(grads)
    for o, e in zip(out, np.split(dy, [1, 4], axis=1)):
        check(o, e, dtype)


# axis=-2 is a matrix's first axis through GatherGrad (axis=0 gives an IndexedSlices: test_indexed_slices.py).
@pytest.mark.parametrize("axis,indices", [(-2, [3, 0, 3, 1, 3]), (1, [[2, 2], [0, 2]]), (-1, 1)])
def test_gather_grad_values(axis, indices):
    x = rand(4, 3)
    indices = np.array(indices)
    dy = rand(*np.take(x, indices, axis=axis).shape)
    out = gradient_value(lambda t: tf.gather(t, indices, axis=axis), x, dy, "GatherGrad")
    expected = _adjoint_of(lambda i: np.take(i, indices, axis=axis), x.shape, dy)
    check(out, expected, np.float64)


def test_gather_nd_grad_values():
    x = rand(3, 4, 2)
    indices = np.array([[0, 1], [2, 3], [0, 1], [1, 0]])
    dy = rand(4, 2)
    out = gradient_value(lambda t: tf.gather_nd(t, indices), x, dy, "GatherNdGrad")
    expected = np.zeros_like(x)
    np.add.at(expected, (indices[:, 0], indices[:, 1]), dy)
    check(out, expected, np.float64)


@pytest.mark.parametrize("mode,paddings", [("REFLECT", [[1, 2], [2, 1]]), ("SYMMETRIC", [[2, 3], [0, 4]]),
                                           ("REFLECT", [[0, 0], [3, 3]])])
def test_mirror_pad_grad_values(mode, paddings):
    x = rand(3, 4)
    np_mode = mode.lower()
    dy = rand(*np.pad(x, paddings, mode=np_mode).shape)
    out = gradient_value(lambda t: tf.pad(t, paddings, mode=mode), x, dy, "MirrorPadGrad")
    check(out, _adjoint_of(lambda i: np.pad(i, paddings, mode=np_mode), x.shape, dy), np.float64)


def test_slice_grad_values():
    x = rand(4, 5, 3)
    dy = rand(2, 3, 3)
    out = gradient_value(lambda t: tf.slice(t, [1, 2, 0], [2, -1, -1]), x, dy, "SliceGrad")
    expected = np.zeros_like(x)
    expected[1:3, 2:, :] = dy
    check(out, expected, np.float64)


@pytest.mark.parametrize("key", [
    (slice(1, 5, 2), slice(None, None, -1), 1),
    (Ellipsis, slice(0, 2)),
    (slice(None), np.newaxis, slice(-1, 0, -2), slice(1, None)),
    (2, 3),
], ids=["step_reverse_shrink", "ellipsis", "newaxis_negative", "scalar"])
def test_strided_slice_grad_values(key):
    x = rand(5, 4, 3)
    tf_key = tuple(tf.newaxis if k is np.newaxis else k for k in key)
    dy = rand(*x[key].shape)
    out = gradient_value(lambda t: t[tf_key], x, dy, "StridedSliceGrad")
    check(out, _adjoint_of(lambda i: i[key], x.shape, dy), np.float64)


@pytest.mark.parametrize("shape,multiples", [((2, 1, 3), [2, 3, 1]), ((3,), [4]), ((2, 2), [1, 3])])
def test_tile_grad_values(shape, multiples):
    x = rand(*shape)
    dy = rand(*np.tile(x, multiples).shape)
    out = gradient_value(lambda t: tf.tile(t, multiples), x, dy, "TileGrad")
    check(out, _adjoint_of(lambda i: np.tile(i, multiples), x.shape, dy), np.float64)


@pytest.mark.parametrize("mask_shape", [(4,), (4, 3)])
def test_boolean_mask_grad_values(mask_shape):
    x = rand(4, 3, 2)
    mask = RNG.rand(*mask_shape) < 0.6
    mask.flat[0] = True
    dy = rand(*x[mask].shape)
    out = gradient_value(lambda t: tf.boolean_mask(t, mask), x, dy, "BooleanMaskGrad")
    expected = np.zeros_like(x)
    expected[mask] = dy
    check(out, expected, np.float64)


# --- broadcasting and reduction helpers -------------------------------------------------------------------
def _run(build, feeds):
    graph = tf.Graph()
    with graph.as_default():
        placeholders = [tf.placeholder(tf.as_dtype(v.dtype), shape) for v, shape in feeds]
        out = build(*placeholders)
        with tf.Session(graph=graph) as sess:
            return sess.run(out, {p: v for p, (v, _) in zip(placeholders, feeds)})


SUM_TO_CASES = [((3, 4), (4,)), ((3, 4), (1, 4)), ((3, 4), (3, 1)), ((2, 3), ()), ((2, 1, 3), (4, 1)),
                ((5, 2, 3), (2, 3)), ((2, 3), (2, 3))]


@pytest.mark.parametrize("grad_shape,like_shape", SUM_TO_CASES, ids=str)
@pytest.mark.parametrize("static", [True, False], ids=["static", "dynamic"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sum_to_shape_of_and_broadcast_to_shape_of_values(grad_shape, like_shape, static, dtype):
    full = np.broadcast_shapes(grad_shape, like_shape)
    grad, like = rand(*full, dtype=dtype), rand(*like_shape, dtype=dtype)

    def shape(v):
        return v.shape if static else [None] * v.ndim
    out = _run(lambda g, l: sum_to_shape_of(g, l), [(grad, shape(grad)), (like, shape(like))])
    lead = grad.ndim - like.ndim
    axes = tuple(range(lead)) + tuple(lead + i for i, d in enumerate(like_shape) if d == 1 and full[lead + i] != 1)
    check(np.asarray(out), np.sum(grad.astype(np.float64), axis=axes).reshape(like_shape), dtype)

    small = rand(*like_shape, dtype=dtype)
    out = _run(lambda s, g: broadcast_to_shape_of(s, g), [(small, shape(small)), (grad, shape(grad))])
    check(np.asarray(out), np.broadcast_to(small, full), dtype)
    assert out.flags.writeable  # a real array, not a read-only broadcast view


@pytest.mark.parametrize("axis,keep_dims", [(None, False), (None, True), ([1], False), ([0, 2], True),
                                            ([-1], False)])
@pytest.mark.parametrize("mean", [False, True])
@pytest.mark.parametrize("static", [True, False], ids=["static", "dynamic"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_broadcast_reduced_values(axis, keep_dims, mean, static, dtype):
    x = rand(2, 3, 4, dtype=dtype)
    ax = None if axis is None else tuple(axis)
    dy = rand(*np.sum(x, axis=ax, keepdims=keep_dims).shape, dtype=dtype)

    def build(d, x_):
        axes = None if axis is None else tf.constant(axis)
        return _broadcast_reduced(d, x_, axes, keep_dims, mean=mean)
    shape = (lambda v: v.shape) if static else (lambda v: [None] * v.ndim)
    out = _run(build, [(dy, shape(dy)), (x, shape(x))])
    kept = np.sum(x, axis=ax, keepdims=True).shape
    expected = np.broadcast_to(dy.astype(np.float64).reshape(kept), x.shape)
    if mean:
        expected = expected / (x.size // int(np.prod(kept)))
    check(np.asarray(out), expected, dtype)


# --- leaves -----------------------------------------------------------------------------------------------
def test_placeholder_with_default_values():
    default = rand(2, 3)
    fed = rand(4, 3)
    graph = tf.Graph()
    with graph.as_default():
        d = tf.constant(default)
        p = tf.placeholder_with_default(d, [None, 3])
        assert p.op.type == "PlaceholderWithDefault" and p.shape.as_list() == [None, 3]
        y = p * 2.0
        with tf.Session(graph=graph) as sess:
            np.testing.assert_array_equal(sess.run(y), default * 2.0)
            np.testing.assert_array_equal(sess.run(y, {p: fed}), fed * 2.0)
    with pytest.raises(ValueError):
        tf.placeholder_with_default(tf.constant(default), [3, 3])


@pytest.mark.parametrize("value,dtype,shape", [
    (3.5, None, [2, 3]), ([1, 2, 3], tf.float64, None), ([[1, 2]], tf.int64, [1, 2]), (7, tf.int32, [3]),
    (True, None, []), (math.pi, tf.float32, None),
])
def test_const_values(value, dtype, shape):
    expected = np.asarray(value, dtype=None if dtype is None else dtype.as_numpy_dtype)
    if shape is not None:
        expected = np.broadcast_to(expected, shape)
    c = tf.constant(value, dtype=dtype, shape=shape)
    assert c.op.type == "Const" and c.shape.as_list() == list(expected.shape)
    with tf.Session() as sess:
        out = sess.run(c)
    np.testing.assert_array_equal(out, expected)
    assert np.asarray(out).dtype == c.dtype.as_numpy_dtype


@pytest.mark.parametrize("fn,op_type", [(tf.identity, "Identity"), (tf.stop_gradient, "StopGradient")])
@pytest.mark.parametrize("value", [np.arange(6.0).reshape(2, 3), np.array(3, np.int32), np.array([True, False])],
                         ids=["float64", "int32_scalar", "bool"])
def test_identity_and_stop_gradient_values(fn, op_type, value):
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.as_dtype(value.dtype), value.shape)
        y = fn(x)
        assert y.op.type == op_type and y.dtype == x.dtype and y.shape.as_list() == list(value.shape)
        with tf.Session(graph=graph) as sess:
            out = sess.run(y, {x: value})
    np.testing.assert_array_equal(out, value)
    assert np.asarray(out).dtype == value.dtype
