"""Finite-difference gradient checks (float64) for the ops the rest of the suite left unchecked.

Most of these are the ops that gradients are built from (ReluGrad, TileGrad, SumToShapeOf, ...): their
own gradients are what second-order differentiation (tf.hessians, gradient penalties) runs through.
Each case builds `tf.gradients(f(x), x, grad_ys=dy)` and checks its gradient with respect to x and dy
against central differences, after asserting that the op under test really is in the graph.
"""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients
from numflow.ops.conv import depthwise_conv2d_native

RNG = np.random.RandomState(7)


def rand(*shape, low=-2.0, high=2.0):
    return RNG.uniform(low, high, size=shape)


def away_from(points, *shape, low=-2.0, high=2.0, margin=0.1):
    """Uniform values at least `margin` from every point in `points` (kinks of piecewise functions)."""
    x = rand(*shape, low=low, high=high)
    for p in points:
        close = np.abs(x - p) < margin
        x[close] = p + np.where(x[close] >= p, margin, -margin) * 2
    return x


def _op_types(tensor):
    return {op.type for op in tensor.graph.get_operations()}


def backprop(f, wrt=0, expect=None):
    """build(*inputs, dy) -> tf.gradients(f(*inputs), inputs[wrt], grad_ys=dy), asserting `expect` ran."""
    def build(*args):
        *inputs, dy = args
        g, = tf.gradients(f(*inputs), inputs[wrt], grad_ys=dy)
        if expect is not None:
            assert expect in _op_types(g), "%s not in the gradient graph: %s" % (expect, sorted(_op_types(g)))
        return g
    return build


# --- gradients of the array ops' gradient ops --------------------------------------------------------
def test_concat_grad_gradient():
    x, y = rand(2, 3), rand(2, 2)
    dy = rand(2, 5)

    def build(x, y, dy):
        gx, gy = tf.gradients(tf.concat([x, y], axis=1), [x, y], grad_ys=dy)
        assert "ConcatGrad" in _op_types(gx)
        return tf.reduce_sum(gx * x * 2.0) + tf.reduce_sum(gy * gy * y)
    check_gradients(build, [x, y, dy])


def test_concat_grad_gradient_axis0_three_inputs():
    a, b, c = rand(1, 3), rand(2, 3), rand(3, 3)
    dy = rand(6, 3)

    def build(a, b, c, dy):
        ga, gb, gc = tf.gradients(tf.concat([a, b, c], axis=0), [a, b, c], grad_ys=dy)
        return tf.concat([ga * a, gb * b, gc * gc * c], axis=0)
    check_gradients(build, [a, b, c, dy])


# axis=-2 is a matrix's first axis through GatherGrad (axis=0 gives an IndexedSlices: test_indexed_slices.py).
@pytest.mark.parametrize("axis", [-2, 1])
def test_gather_grad_gradient_repeated_indices(axis):
    x = rand(4, 3)
    indices = np.array([2, 0, 2, 1]) if axis == -2 else np.array([[2, 0], [2, 2]])
    out_shape = (4, 3) if axis == -2 else (4, 2, 2)
    dy = rand(*out_shape)
    build = backprop(lambda x: tf.gather(x, indices, axis=axis), expect="GatherGrad")
    check_gradients(lambda x, dy: build(x, dy) * x, [x, dy])


def test_gather_nd_grad_gradient():
    x = rand(3, 4)
    indices = np.array([[0, 1], [2, 3], [0, 1]])
    dy = rand(3)
    build = backprop(lambda x: tf.gather_nd(x, indices), expect="GatherNdGrad")
    check_gradients(lambda x, dy: build(x, dy) * x, [x, dy])


def test_gather_nd_grad_gradient_slices():
    x = rand(3, 2, 2)
    indices = np.array([[[1]], [[1]]])
    dy = rand(2, 1, 2, 2)
    build = backprop(lambda x: tf.gather_nd(x, indices), expect="GatherNdGrad")
    check_gradients(lambda x, dy: build(x, dy) * x, [x, dy])


@pytest.mark.parametrize("mode", ["REFLECT", "SYMMETRIC"])
def test_mirror_pad_grad_gradient(mode):
    x = rand(3, 4)
    paddings = [[1, 2], [2, 1]] if mode == "REFLECT" else [[2, 3], [0, 4]]
    padded = np.pad(x, paddings, mode="reflect" if mode == "REFLECT" else "symmetric")
    dy = rand(*padded.shape)
    build = backprop(lambda x: tf.pad(x, paddings, mode=mode), expect="MirrorPadGrad")
    check_gradients(lambda x, dy: build(x, dy) * x, [x, dy])


def test_slice_grad_gradient():
    x = rand(4, 5, 2)
    dy = rand(2, 3, 2)
    build = backprop(lambda x: tf.slice(x, [1, 2, 0], [2, -1, 2]), expect="SliceGrad")
    check_gradients(lambda x, dy: build(x, dy) * x, [x, dy])


def test_strided_slice_grad_gradient():
    x = rand(5, 4, 3)
    dy = np.ones_like(x[1:5:2, ::-1, np.newaxis, 1])
    dy = rand(*dy.shape)
    build = backprop(lambda x: x[1:5:2, ::-1, tf.newaxis, 1], expect="StridedSliceGrad")
    check_gradients(lambda x, dy: build(x, dy) * x, [x, dy])


def test_tile_grad_gradient():
    x = rand(2, 1, 3)
    dy = rand(4, 3, 3)
    build = backprop(lambda x: tf.tile(x, [2, 3, 1]), expect="TileGrad")
    check_gradients(lambda x, dy: build(x, dy) * x, [x, dy])


def test_boolean_mask_grad_gradient():
    x = rand(4, 3)
    mask = np.array([True, False, True, True])
    dy = rand(3, 3)
    build = backprop(lambda x: tf.boolean_mask(x, mask), expect="BooleanMaskGrad")
    check_gradients(lambda x, dy: build(x, dy) * x, [x, dy])


def test_boolean_mask_grad_gradient_2d_mask():
    x = rand(2, 3, 2)
    mask = np.array([[True, False, True], [False, False, True]])
    dy = rand(3, 2)
    build = backprop(lambda x: tf.boolean_mask(x, mask), expect="BooleanMaskGrad")
    check_gradients(lambda x, dy: build(x, dy) * x, [x, dy])


# --- gradients of the activations' gradient ops -------------------------------------------------------
def test_relu_grad_gradient():
    x = away_from([0.0], 3, 4)
    dy = rand(3, 4)
    build = backprop(tf.nn.relu, expect="ReluGrad")
    check_gradients(lambda x, dy: build(x, dy) * x, [x, dy])


def test_relu6_grad_gradient():
    x = away_from([0.0, 6.0], 3, 4, low=-3.0, high=9.0)
    dy = rand(3, 4)
    build = backprop(tf.nn.relu6, expect="Relu6Grad")
    check_gradients(lambda x, dy: build(x, dy) * x, [x, dy])


@pytest.mark.parametrize("alpha", [0.2, 0.01])
def test_leaky_relu_grad_gradient(alpha):
    x = away_from([0.0], 3, 4)
    dy = rand(3, 4)
    build = backprop(lambda x: tf.nn.leaky_relu(x, alpha=alpha), expect="LeakyReluGrad")
    check_gradients(lambda x, dy: build(x, dy) * x, [x, dy])


def test_relu_hessian_through_relu_grad():
    # d2/dx2 sum(relu(x)^2) = 2 * (x > 0): exercises ReluGrad's gradient inside tf.hessians.
    x = away_from([0.0], 5)
    check_gradients(lambda x: tf.gradients(tf.reduce_sum(tf.square(tf.nn.relu(x))), x)[0], [x])


# --- broadcasting and reduction helpers ----------------------------------------------------------------
@pytest.mark.parametrize("shapes", [((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3), ()), ((2, 1, 3), (4, 1))],
                         ids=str)
def test_sum_to_shape_of_gradient(shapes):
    # gy = SumToShapeOf(dy * x, y); its gradient is BroadcastToShapeOf.
    x, y = rand(*shapes[0]), rand(*shapes[1])
    dy = rand(*np.broadcast(x, y).shape)

    def build(x, y, dy):
        gy, = tf.gradients(x * y, y, grad_ys=dy)
        assert "SumToShapeOf" in _op_types(gy)
        return gy * y
    check_gradients(build, [x, y, dy])


def test_broadcast_to_shape_of_gradient():
    # Third order through a broadcast: the gradient of BroadcastToShapeOf is SumToShapeOf again.
    x, y = rand(3, 4), rand(4)
    dy = rand(3, 4)

    def build(x, y, dy):
        gy, = tf.gradients(x * y, y, grad_ys=dy)
        gdy, = tf.gradients(gy * y * y, dy)
        assert "BroadcastToShapeOf" in _op_types(gdy)
        return gdy * dy
    check_gradients(build, [x, y, dy])


def test_broadcast_helpers_gradient_with_unknown_shapes():
    # placeholder_with_default hides the static shapes, so the helpers take their runtime paths.
    x, y = rand(3, 4), rand(1, 4)
    dy = rand(3, 4)

    def build(x, y, dy):
        xs = tf.placeholder_with_default(x, [None, None])
        ys = tf.placeholder_with_default(y, [None, None])
        gy, = tf.gradients(xs * ys, ys, grad_ys=dy)
        gdy, = tf.gradients(gy * ys * ys, dy)
        return gy * 2.0 + tf.reduce_sum(gdy * dy)
    check_gradients(build, [x, y, dy])


@pytest.mark.parametrize("reduce", [tf.reduce_sum, tf.reduce_mean], ids=["sum", "mean"])
@pytest.mark.parametrize("axis,keepdims", [(None, False), (1, False), ([0, 2], True), (-1, True)])
def test_broadcast_reduced_gradient(reduce, axis, keepdims):
    x = rand(2, 3, 4)
    out_shape = np.sum(x, axis=None if axis is None else tuple(np.atleast_1d(axis)), keepdims=keepdims).shape
    dy = rand(*out_shape)
    build = backprop(lambda x: reduce(x, axis=axis, keepdims=keepdims), expect="BroadcastReduced")
    check_gradients(lambda x, dy: build(x, dy) * x, [x, dy])


def test_broadcast_reduced_gradient_unknown_shape():
    x = rand(2, 3)
    dy = rand(3)

    def build(x, dy):
        xs = tf.placeholder_with_default(x, [None, None])
        g, = tf.gradients(tf.reduce_mean(xs, axis=0), xs, grad_ys=dy)
        assert "BroadcastReduced" in _op_types(g)
        return g * x
    check_gradients(build, [x, dy])


# --- depthwise convolution backprops (ops/conv.py) --------------------------------------------------------
@pytest.mark.parametrize("strides,padding", [([1, 1, 1, 1], "VALID"), ([1, 2, 2, 1], "SAME")])
def test_depthwise_backprop_gradients(strides, padding):
    x = rand(1, 5, 5, 2)
    w = rand(3, 3, 2, 2)
    y_shape = tf.Graph()
    with y_shape.as_default():
        out = depthwise_conv2d_native(tf.constant(x), tf.constant(w), strides, padding)
        out_shape = out.shape.as_list()
    dy = rand(*out_shape)

    def build(x, w, dy):
        y = depthwise_conv2d_native(x, w, strides, padding)
        gx, gw = tf.gradients(y, [x, w], grad_ys=dy)
        types = _op_types(gx)
        assert {"DepthwiseConv2dNativeBackpropInput", "DepthwiseConv2dNativeBackpropFilter"} <= types
        return tf.reduce_sum(gx * x) + tf.reduce_sum(gw * gw)
    check_gradients(build, [x, w, dy], rtol=1e-5, atol=1e-6)


# --- ops whose gradient is zero, the identity, or nothing --------------------------------------------------
def test_sign_gradient_against_finite_differences():
    x = away_from([0.0], 3, 4)
    check_gradients(lambda x: tf.sign(x) * x, [x])


def test_placeholder_with_default_gradient():
    x = rand(2, 3)
    check_gradients(lambda x: tf.placeholder_with_default(x * x, [None, 3]) * x, [x])


def test_identity_gradient():
    x = rand(2, 3)
    check_gradients(lambda x: tf.identity(x) * tf.identity(x * 2.0), [x])


@pytest.mark.parametrize("fn", [tf.rint, tf.floor, tf.ceil, tf.round])
def test_rounding_ops_have_no_gradient_including_rint(fn):
    x = tf.placeholder(tf.float64, [3])
    assert tf.gradients(fn(x), x) == [None]


@pytest.mark.parametrize("fn", [tf.floordiv, tf.truncatemod], ids=["floordiv", "truncatemod"])
def test_integer_division_ops_have_no_gradient(fn):
    x = tf.placeholder(tf.float64, [3])
    y = tf.placeholder(tf.float64, [3])
    assert tf.gradients(fn(x, y), [x, y]) == [None, None]


def test_dropout_gradient_against_finite_differences():
    # Dropout draws a new mask per run, so each evaluation uses a fresh session with a graph-level and
    # op-level seed: every session draws the same mask and central differences see a fixed function.
    x0 = rand(3, 4)
    weights = RNG.uniform(0.5, 1.5, size=(3, 4))
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(3)
        x = tf.placeholder(tf.float64, [3, 4])
        y = tf.nn.dropout(x * x, keep_prob=0.6, seed=11)
        assert "Dropout" in _op_types(y)
        g, = tf.gradients(y, x, grad_ys=tf.constant(weights))

    def run(fetch, value):
        with tf.Session(graph=graph) as sess:
            return sess.run(fetch, {x: value})
    symbolic = run(g, x0)
    numeric = np.zeros_like(x0)
    delta = 1e-6
    for pos in np.ndindex(*x0.shape):
        plus, minus = x0.copy(), x0.copy()
        plus[pos] += delta
        minus[pos] -= delta
        numeric[pos] = (np.sum(run(y, plus) * weights) - np.sum(run(y, minus) * weights)) / (2 * delta)
    assert np.count_nonzero(run(y, x0)) not in (0, x0.size)  # the mask really drops something
    np.testing.assert_allclose(symbolic, numeric, rtol=1e-5, atol=1e-7)


# --- while_loop (While / WhileGrad) ----------------------------------------------------------------------
def test_while_gradient_loop_vars_and_captured_tensor():
    # Three iterations of (i, x) -> (i + 1, sin(x) * w + x * x / 4): gradients for x0 and the captured w.
    x, w = rand(2, 3, low=-1.0, high=1.0), rand(3, low=-1.0, high=1.0)

    def build(x, w):
        def body(i, v):
            return i + 1, tf.sin(v) * w + v * v / 4.0
        _, out = tf.while_loop(lambda i, v: i < 3, body, [tf.constant(0), x])
        return out
    check_gradients(build, [x, w])


def test_while_gradient_data_dependent_trip_count_and_matmul():
    # The trip count depends on the value (fixed under small perturbations); the body reads a matrix.
    x, m = rand(1, 3, low=0.5, high=1.0), rand(3, 3, low=-0.5, high=0.5) + np.eye(3)

    def build(x, m):
        def body(v, s):
            return tf.tanh(tf.matmul(v, m)) + v, s + tf.reduce_sum(v * v)
        out, total = tf.while_loop(lambda v, s: tf.reduce_sum(tf.abs(v)) < 20.0, body,
                                   [x, tf.constant(0.0, tf.float64)], maximum_iterations=4)
        return tf.concat([tf.reshape(out, [-1]), tf.reshape(total, [1])], 0)
    check_gradients(build, [x, m])


def test_second_order_through_max_pool_is_a_clear_error_not_a_silent_zero():
    x = tf.placeholder(tf.float64, [1, 2, 2, 1])
    pooled = tf.nn.max_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")
    g = tf.gradients(tf.reduce_sum(tf.square(pooled)), x)[0]
    with pytest.raises(LookupError, match="MaxPoolGrad"):
        tf.gradients(tf.reduce_sum(tf.square(g)), x)
