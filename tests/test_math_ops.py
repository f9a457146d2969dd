"""Math ops: values against NumPy, gradients against finite differences, dtype rules and errors."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import numflow as tf
from gradcheck import check_gradients, evaluate

RNG = np.random.RandomState(0)


def rand(*shape, low=-2.0, high=2.0, dtype=np.float64):
    return RNG.uniform(low, high, size=shape).astype(dtype)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


# --- unary elementwise ---------------------------------------------------------------------------
_erf = np.vectorize(math.erf)

UNARY = [  # tf function, NumPy reference, input range
    (tf.negative, np.negative, (-2, 2)),
    (tf.square, np.square, (-2, 2)),
    (tf.sqrt, np.sqrt, (0.1, 3)),
    (tf.rsqrt, lambda x: 1 / np.sqrt(x), (0.1, 3)),
    (tf.exp, np.exp, (-2, 2)),
    (tf.expm1, np.expm1, (-2, 2)),
    (tf.log, np.log, (0.1, 3)),
    (tf.log1p, np.log1p, (-0.5, 2)),
    (tf.abs, np.abs, (-2, 2)),
    (tf.reciprocal, np.reciprocal, (0.2, 3)),
    (tf.sin, np.sin, (-3, 3)),
    (tf.cos, np.cos, (-3, 3)),
    (tf.tan, np.tan, (-1.2, 1.2)),
    (tf.asin, np.arcsin, (-0.9, 0.9)),
    (tf.acos, np.arccos, (-0.9, 0.9)),
    (tf.atan, np.arctan, (-3, 3)),
    (tf.sinh, np.sinh, (-2, 2)),
    (tf.cosh, np.cosh, (-2, 2)),
    (tf.sigmoid, lambda x: 1 / (1 + np.exp(-x)), (-5, 5)),
    (tf.tanh, np.tanh, (-3, 3)),
    (tf.erf, _erf, (-2, 2)),
]


@pytest.mark.parametrize("fn,ref,domain", UNARY, ids=[u[0].__name__ for u in UNARY])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unary_values(fn, ref, domain, dtype):
    x = rand(3, 4, low=domain[0], high=domain[1], dtype=dtype)
    out = evaluate(fn, [x])
    assert out.dtype == dtype and out.shape == (3, 4)
    np.testing.assert_allclose(out, ref(x.astype(np.float64)), rtol=1e-5 if dtype == np.float32 else 1e-12,
                               atol=1e-6 if dtype == np.float32 else 1e-14)


@pytest.mark.parametrize("fn,ref,domain", UNARY, ids=[u[0].__name__ for u in UNARY])
def test_unary_gradients(fn, ref, domain):
    x = rand(2, 3, low=domain[0], high=domain[1])
    check_gradients(fn, [x])


def test_unary_on_scalars():
    x = tf.placeholder(tf.float32, [])
    outs = run([tf.exp(x), tf.sigmoid(x), tf.rsqrt(x), tf.erf(x)], {x: 0.5})
    for out in outs:
        assert isinstance(out, np.float32)
    np.testing.assert_allclose(outs, [np.exp(0.5), 1 / (1 + np.exp(-0.5)), 1 / np.sqrt(0.5), math.erf(0.5)],
                               rtol=1e-6)


def test_sigmoid_extremes_no_overflow():
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], np.float32)
    out = evaluate(tf.sigmoid, [x])
    np.testing.assert_allclose(out, [0.0, 1.9287499e-22, 0.5, 1.0, 1.0], rtol=1e-5)


def test_sign_floor_ceil_round_rint():
    x = np.array([-2.5, -1.5, -0.5, 0.0, 0.5, 1.5, 2.5, 2.7], np.float32)
    np.testing.assert_array_equal(evaluate(tf.sign, [x]), np.sign(x))
    np.testing.assert_array_equal(evaluate(tf.floor, [x]), np.floor(x))
    np.testing.assert_array_equal(evaluate(tf.ceil, [x]), np.ceil(x))
    # banker's rounding, as TF
    np.testing.assert_array_equal(evaluate(tf.round, [x]), [-2, -2, -0, 0, 0, 2, 2, 3])
    np.testing.assert_array_equal(evaluate(tf.rint, [x]), [-2, -2, -0, 0, 0, 2, 2, 3])
    ints = np.array([-3, 0, 4], np.int32)
    out = evaluate(tf.round, [ints])
    assert out.dtype == np.int32 and out.tolist() == [-3, 0, 4]
    out = evaluate(tf.abs, [ints])
    assert out.dtype == np.int32 and out.tolist() == [3, 0, 4]
    assert evaluate(tf.sign, [ints]).tolist() == [-1, 0, 1]


def test_rounding_ops_have_no_gradient():
    x = tf.placeholder(tf.float64, [3])
    for fn in (tf.floor, tf.ceil, tf.round):
        assert tf.gradients(fn(x), x) == [None]


def test_sign_gradient_is_zero():
    x = tf.placeholder(tf.float64, [3])
    g, = tf.gradients(tf.sign(x) * x, x)
    np.testing.assert_array_equal(run(g, {x: [-2.0, 0.5, 3.0]}), [-1, 1, 1])


def test_is_nan_inf_finite():
    x = np.array([1.0, np.nan, np.inf, -np.inf], np.float32)
    assert evaluate(tf.is_nan, [x]).tolist() == [False, True, False, False]
    assert evaluate(tf.is_inf, [x]).tolist() == [False, False, True, True]
    assert evaluate(tf.is_finite, [x]).tolist() == [True, False, False, False]


@pytest.mark.parametrize("fn", [tf.sqrt, tf.exp, tf.log, tf.sigmoid, tf.tanh, tf.sin, tf.floor])
def test_float_only_unary_rejects_ints(fn):
    with pytest.raises(TypeError, match="int32"):
        fn(tf.constant([1, 2]))


def test_unary_rejects_bool():
    with pytest.raises(TypeError, match="bool"):
        tf.negative(tf.constant([True]))
    with pytest.raises(TypeError, match="bool"):
        tf.square(tf.constant([True]))


# --- binary arithmetic ---------------------------------------------------------------------------
BINARY = [
    (tf.add, np.add, None),
    (tf.subtract, np.subtract, None),
    (tf.multiply, np.multiply, None),
    (tf.divide, np.true_divide, "nonzero"),
    (tf.truediv, np.true_divide, "nonzero"),
    (tf.realdiv, np.true_divide, "nonzero"),
    (tf.div, np.true_divide, "nonzero"),
    (tf.maximum, np.maximum, None),
    (tf.minimum, np.minimum, None),
    (tf.squared_difference, lambda x, y: (x - y) ** 2, None),
    (tf.pow, np.power, "positive"),
    (tf.floormod, np.mod, "nonzero"),
    (tf.div_no_nan, np.true_divide, "nonzero"),
]
BROADCAST_SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((), (2, 3)), ((2, 3), ()),
                    ((2, 1, 3), (4, 1))]


def _operands(kind, sx, sy):
    if kind == "positive":
        return rand(*sx, low=0.5, high=2.0), rand(*sy, low=-1.5, high=1.5)
    x = rand(*sx)
    y = rand(*sy, low=0.5, high=2.0) * np.where(RNG.rand(*sy) < 0.5, -1, 1)
    return x, y


@pytest.mark.parametrize("fn,ref,kind", BINARY, ids=[b[0].__name__ for b in BINARY])
@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
def test_binary_values_broadcast(fn, ref, kind, shapes):
    x, y = _operands(kind, *shapes)
    for dtype in (np.float32, np.float64):
        out = evaluate(fn, [x.astype(dtype), y.astype(dtype)])
        expected = ref(x.astype(dtype), y.astype(dtype))
        assert out.dtype == dtype and out.shape == expected.shape
        np.testing.assert_allclose(out, expected, rtol=1e-6)


GRAD_BINARY = [b for b in BINARY if b[0] not in (tf.maximum, tf.minimum)]


@pytest.mark.parametrize("fn,ref,kind", GRAD_BINARY, ids=[b[0].__name__ for b in GRAD_BINARY])
@pytest.mark.parametrize("shapes", [((3, 4), (4,)), ((3, 1), (1, 4)), ((), (2, 3)), ((2, 3), ())], ids=str)
def test_binary_gradients_broadcast(fn, ref, kind, shapes):
    x, y = _operands(kind, *shapes)
    check_gradients(fn, [x, y])


@pytest.mark.parametrize("fn", [tf.maximum, tf.minimum])
@pytest.mark.parametrize("shapes", [((3, 4), (4,)), ((3, 1), (1, 4)), ((), (2, 3))], ids=str)
def test_max_min_gradients(fn, shapes):
    # Values far apart so that finite differences never cross a tie.
    x = rand(*shapes[0])
    y = np.round(rand(*shapes[1]) * 4) / 4 + 0.125
    check_gradients(fn, [x, y])


def test_max_min_ties_go_to_x():
    x = tf.placeholder(tf.float64, [3])
    y = tf.placeholder(tf.float64, [3])
    gx, gy = tf.gradients(tf.maximum(x, y), [x, y])
    hx, hy = tf.gradients(tf.minimum(x, y), [x, y])
    feed = {x: [1.0, 2.0, 3.0], y: [1.0, 5.0, 0.0]}
    out = run([gx, gy, hx, hy], feed)
    np.testing.assert_array_equal(out, [[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]])


def test_pow_gradient_at_nonpositive_base_is_finite():
    x = tf.placeholder(tf.float64, [2])
    y = tf.placeholder(tf.float64, [2])
    gx, gy = tf.gradients(tf.pow(x, y), [x, y])
    out = run([gx, gy], {x: [0.0, -2.0], y: [2.0, 3.0]})
    np.testing.assert_allclose(out[0], [0.0, 12.0])
    np.testing.assert_allclose(out[1], [0.0, 0.0])


def test_floordiv_and_mod_python_semantics():
    xi = np.array([7, -7, 7, -7, 0], np.int32)
    yi = np.array([2, 2, -2, -2, 3], np.int32)
    assert evaluate(tf.floordiv, [xi, yi]).tolist() == (xi // yi).tolist()
    assert evaluate(tf.floor_div, [xi, yi]).dtype == np.int32
    assert evaluate(tf.floormod, [xi, yi]).tolist() == (xi % yi).tolist()
    assert evaluate(tf.mod, [xi, yi]).tolist() == [1, 1, -1, -1, 0]
    assert evaluate(tf.truncatemod, [xi, yi]).tolist() == [1, -1, 1, -1, 0]
    # TF1's div: floor division for integers
    assert evaluate(tf.div, [xi, yi]).tolist() == [3, -4, -4, 3, 0]
    # realdiv on ints rounds toward zero
    assert evaluate(tf.realdiv, [xi, yi]).tolist() == [3, -3, -3, 3, 0]
    xf = np.array([7.5, -7.5, 1.0], np.float32)
    yf = np.array([2.0, 2.0, 0.1], np.float32)
    out = evaluate(tf.floordiv, [xf, yf])
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.floor(xf / yf))
    np.testing.assert_allclose(evaluate(tf.floormod, [xf, yf]), np.mod(xf, yf), rtol=1e-6)


def test_floormod_gradient():
    x = rand(3, 4, low=0.3, high=0.9) + np.arange(4)
    y = np.full([4], 1.3)
    check_gradients(tf.floormod, [x, y])
    assert tf.gradients(tf.floordiv(tf.constant(3.0), tf.constant(2.0)), tf.constant(1.0)) == [None]


def test_div_no_nan():
    out = evaluate(tf.div_no_nan, [np.array([1.0, 2.0, 0.0]), np.array([0.0, 4.0, 0.0])])
    np.testing.assert_array_equal(out, [0.0, 0.5, 0.0])


def test_truediv_dtype_table():
    cases = [(np.int32, np.float64), (np.int64, np.float64), (np.int16, np.float32), (np.int8, np.float32),
             (np.uint8, np.float32), (np.float32, np.float32), (np.float64, np.float64)]
    for src, dst in cases:
        out = evaluate(tf.truediv, [np.array([3, 4], src), np.array([2, 8], src)])
        assert out.dtype == dst, src
        np.testing.assert_allclose(out, [1.5, 0.5])
    assert tf.truediv(tf.constant(3), tf.constant(2)).dtype == tf.float64
    assert tf.divide(tf.constant(3), 2).dtype == tf.float64
    with pytest.raises(TypeError, match="Invalid dtype"):
        tf.truediv(tf.constant(True), tf.constant(False))
    with pytest.raises(TypeError, match="int32.*float32|float32.*int32"):
        tf.truediv(tf.constant(3), tf.constant(2.0))


def test_binary_dtype_mismatch_is_type_error():
    with pytest.raises(TypeError, match="float32.*int32|int32.*float32"):
        tf.add(tf.constant(1), tf.constant(1.0))
    with pytest.raises(TypeError, match="float64.*float32|float32.*float64"):
        tf.multiply(tf.constant(1.0), tf.constant(1.0, tf.float64))
    with pytest.raises(TypeError, match="bool"):
        tf.add(tf.constant(True), tf.constant(False))


def test_binary_shape_mismatch_is_value_error():
    with pytest.raises(ValueError, match=r"\[3,4\].*\[3\]|Dimensions must be equal"):
        tf.add(tf.zeros([3, 4]), tf.zeros([3]))
    with pytest.raises(ValueError, match=r"\[2,3\]"):
        tf.maximum(tf.zeros([2, 3]), tf.zeros([2, 2]))


def test_python_scalars_take_tensor_dtype():
    assert tf.add(tf.constant(1), 2).dtype == tf.int32
    assert tf.add(tf.constant(1.0), 2).dtype == tf.float32
    assert tf.multiply(10, tf.placeholder(tf.int64)).dtype == tf.int64
    assert tf.subtract(1.5, tf.constant(1.0, tf.float64)).dtype == tf.float64
    with pytest.raises(TypeError):
        tf.add(tf.constant(1), 2.5)


def test_string_add_concatenates():
    out = run(tf.add(tf.constant(["a", "b"]), tf.constant("c")))
    assert out.tolist() == [b"ac", b"bc"]


def test_scalar_mul():
    x = tf.constant([[1.0, 2.0]])
    np.testing.assert_allclose(run(tf.scalar_mul(3, x)), [[3.0, 6.0]])
    with pytest.raises(ValueError, match="Only scalar multiply works"):
        tf.scalar_mul([1.0, 2.0], x)


def test_add_n_and_accumulate_n():
    a = rand(2, 3)
    b = rand(2, 3)
    c = rand(2, 3)
    np.testing.assert_allclose(evaluate(lambda x, y, z: tf.add_n([x, y, z]), [a, b, c]), a + b + c)
    np.testing.assert_allclose(evaluate(lambda x, y: tf.accumulate_n([x, y]), [a, b]), a + b)
    np.testing.assert_allclose(evaluate(lambda x: tf.add_n([x]), [a]), a)
    check_gradients(lambda x, y: tf.add_n([x, y, x]), [a, b])
    with pytest.raises(ValueError, match="non-empty"):
        tf.add_n([])
    with pytest.raises(ValueError, match=r"\[2,3\].*\[3,2\]"):
        tf.add_n([tf.zeros([2, 3]), tf.zeros([3, 2])])
    with pytest.raises(TypeError, match="float32.*int32"):
        tf.add_n([tf.zeros([2]), tf.constant([1, 2])])


def test_cast_helpers():
    x = tf.constant([1.7, -1.7])
    assert tf.to_int32(x).dtype == tf.int32
    assert run(tf.to_int32(x)).tolist() == [1, -1]
    assert tf.to_int64(x).dtype == tf.int64
    assert tf.to_double(x).dtype == tf.float64
    assert tf.to_float(tf.constant([1, 2])).dtype == tf.float32
    assert tf.cast(x, tf.float32) is x
    check_gradients(lambda v: tf.cast(tf.cast(v, tf.float32), tf.float64) * 2.0, [rand(3)], rtol=1e-3, atol=1e-4, delta=1e-2)


# --- clip_by_value -------------------------------------------------------------------------------
def test_clip_by_value_values_and_gradient():
    x = np.array([[-2.0, -0.5, 0.3], [0.9, 1.5, 3.0]])
    out = evaluate(lambda v: tf.clip_by_value(v, -1.0, 1.0), [x])
    np.testing.assert_array_equal(out, np.clip(x, -1, 1))
    check_gradients(lambda v: tf.clip_by_value(v, -1.0, 1.0), [x])
    check_gradients(lambda v, lo, hi: tf.clip_by_value(v, lo, hi), [x, np.array([-1.0, 0.0, 0.5]), np.array(1.0)])
    t = tf.placeholder(tf.float64, [3])
    g, = tf.gradients(tf.clip_by_value(t, 0.0, 1.0), t)
    np.testing.assert_array_equal(run(g, {t: [-1.0, 0.5, 2.0]}), [0, 1, 0])


def test_clip_by_value_errors():
    with pytest.raises(ValueError, match=r"\[2,3\]"):
        tf.clip_by_value(tf.zeros([3]), tf.zeros([2, 3]), 1.0)
    with pytest.raises(TypeError, match="int32.*float32|float32.*int32"):
        tf.clip_by_value(tf.zeros([3]), tf.constant(0), 1.0)
    assert run(tf.clip_by_value(tf.constant([1, 5, 9]), 2, 6)).tolist() == [2, 5, 6]


# --- comparisons and logic -----------------------------------------------------------------------
@pytest.mark.parametrize("fn,ref", [(tf.equal, np.equal), (tf.not_equal, np.not_equal), (tf.less, np.less),
                                    (tf.less_equal, np.less_equal), (tf.greater, np.greater),
                                    (tf.greater_equal, np.greater_equal)])
def test_comparisons(fn, ref):
    x = np.array([[1, 2, 3], [3, 2, 1]], np.int32)
    y = np.array([2, 2, 2], np.int32)
    out = evaluate(fn, [x, y])
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out, ref(x, y))
    assert fn(tf.constant(1.0), 2).dtype == tf.bool
    assert tf.gradients(tf.cast(fn(tf.constant(1.0), 2.0), tf.float32), tf.constant(0.0)) == [None]


def test_comparison_errors():
    with pytest.raises(TypeError, match="float32.*int32|int32.*float32"):
        tf.less(tf.constant(1), tf.constant(1.0))
    with pytest.raises(TypeError, match="bool"):
        tf.less(tf.constant(True), tf.constant(False))
    assert run(tf.equal(tf.constant([True, False]), True)).tolist() == [True, False]


@pytest.mark.parametrize("fn,ref", [(tf.logical_and, np.logical_and), (tf.logical_or, np.logical_or),
                                    (tf.logical_xor, np.logical_xor)])
def test_logical_binary(fn, ref):
    x = np.array([[True, False], [True, True]])
    y = np.array([True, False])
    np.testing.assert_array_equal(evaluate(fn, [x, y]), ref(x, y))
    with pytest.raises(TypeError, match="int32"):
        fn(tf.constant([1]), tf.constant([0]))


def test_logical_not():
    assert evaluate(tf.logical_not, [np.array([True, False])]).tolist() == [False, True]
    with pytest.raises(TypeError, match="float32"):
        tf.logical_not(tf.constant([1.0]))


# --- where ---------------------------------------------------------------------------------------
def test_where_select_same_shape():
    c = np.array([[True, False, True], [False, False, True]])
    x = rand(2, 3)
    y = rand(2, 3)
    out = evaluate(lambda cc, a, b: tf.where(cc, a, b), [c, x, y])
    np.testing.assert_array_equal(out, np.where(c, x, y))
    check_gradients(lambda a, b: tf.where(tf.constant(c), a, b), [x, y])


def test_where_vector_condition_selects_rows():
    c = np.array([True, False, True])
    x = rand(3, 2)
    y = rand(3, 2)
    out = evaluate(lambda cc, a, b: tf.where(cc, a, b), [c, x, y])
    np.testing.assert_array_equal(out, np.where(c[:, None], x, y))
    check_gradients(lambda a, b: tf.where(tf.constant(c), a, b), [x, y])
    # unknown ranks take the runtime path
    cp = tf.placeholder(tf.bool)
    xp = tf.placeholder(tf.float64)
    out = run(tf.where(cp, xp, tf.zeros_like(xp)), {cp: c, xp: x})
    np.testing.assert_array_equal(out, np.where(c[:, None], x, 0))


def test_where_scalar_condition():
    out = run(tf.where(tf.constant(False), tf.constant([1, 2]), tf.constant([3, 4])))
    assert out.tolist() == [3, 4]


def test_where_coordinates():
    c = np.array([[True, False], [False, True], [True, True]])
    out = evaluate(tf.where, [c])
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, np.argwhere(c))
    t = tf.where(tf.placeholder(tf.bool, [3, 2]))
    assert t.shape.as_list() == [None, 2] and t.dtype == tf.int64
    out = evaluate(tf.where, [np.array([0, 3, 0, 1], np.int32)])
    assert out.tolist() == [[1], [3]]


def test_where_errors():
    with pytest.raises(ValueError, match=r"\[2\].*\[3\]"):
        tf.where(tf.constant([True, False]), tf.zeros([2]), tf.zeros([3]))
    with pytest.raises(ValueError, match="both"):
        tf.where(tf.constant([True]), tf.zeros([1]))
    with pytest.raises(TypeError, match="int32.*float32|float32.*int32"):
        tf.where(tf.constant([True]), tf.constant([1]), tf.constant([1.0]))
    with pytest.raises(TypeError, match="bool"):
        tf.where(tf.constant([1]), tf.constant([1]), tf.constant([2]))
    with pytest.raises(ValueError, match=r"\[2\].*\[3,2\]"):
        tf.where(tf.constant([True, False]), tf.zeros([3, 2]), tf.zeros([3, 2]))


# --- reductions ----------------------------------------------------------------------------------
REDUCTIONS = [
    (tf.reduce_sum, np.sum),
    (tf.reduce_mean, np.mean),
    (tf.reduce_max, np.max),
    (tf.reduce_min, np.min),
    (tf.reduce_prod, np.prod),
    (tf.reduce_logsumexp, lambda x, axis=None, keepdims=False: np.log(np.sum(np.exp(x), axis=axis,
                                                                             keepdims=keepdims))),
]
AXES = [None, 0, 1, -1, [0, 2], (-1, 0), [], [0, 1, 2]]


@pytest.mark.parametrize("fn,ref", REDUCTIONS, ids=[r[0].__name__ for r in REDUCTIONS])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_values_and_static_shape(fn, ref, axis, keepdims):
    x = rand(2, 3, 4, low=0.5, high=1.5, dtype=np.float32)
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    expected = ref(x, axis=np_axis, keepdims=keepdims)
    p = tf.placeholder(tf.float32, [2, 3, 4])
    t = fn(p, axis=axis, keepdims=keepdims)
    assert t.dtype == tf.float32
    assert t.shape.as_list() == list(np.shape(expected))
    out = run(t, {p: x})
    assert out.dtype == np.float32 and np.shape(out) == np.shape(expected)
    np.testing.assert_allclose(out, expected, rtol=1e-5)


GRAD_REDUCTIONS = [r[0] for r in REDUCTIONS]


@pytest.mark.parametrize("fn", GRAD_REDUCTIONS, ids=[f.__name__ for f in GRAD_REDUCTIONS])
@pytest.mark.parametrize("axis,keepdims", [(None, False), (1, False), ([0, 2], True), (-1, True)], ids=str)
def test_reduction_gradients(fn, axis, keepdims):
    x = rand(2, 3, 2, low=0.5, high=1.5)
    check_gradients(lambda v: fn(v, axis=axis, keepdims=keepdims), [x])


def test_reduction_gradients_unknown_shape_and_tensor_axis():
    x = rand(2, 3)
    for fn in GRAD_REDUCTIONS:
        axis = tf.constant(1)
        with tf.Graph().as_default():
            p = tf.placeholder(tf.float64)
            a = tf.placeholder(tf.int32, [])
            y = fn(p, axis=a)
            assert y.shape.ndims is None
            g, = tf.gradients(y, p)
            with tf.Session() as sess:
                out, grad = sess.run([y, g], {p: x, a: 1})
        del axis
        assert out.shape == (2,)
        assert grad.shape == (2, 3)


def test_reduce_prod_gradient_with_zeros():
    x = np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 4.0], [1.0, 2.0, 5.0]])
    check_gradients(lambda v: tf.reduce_prod(v, axis=1), [x])
    check_gradients(lambda v: tf.reduce_prod(v), [np.array([[0.5, 2.0], [3.0, 1.5]])])


def test_reduce_max_gradient_splits_ties():
    x = tf.placeholder(tf.float64, [2, 3])
    g, = tf.gradients(tf.reduce_max(x, axis=1), x)
    h, = tf.gradients(tf.reduce_min(x), x)
    out = run([g, h], {x: [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]})
    np.testing.assert_allclose(out[0], [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    np.testing.assert_allclose(out[1], [[1, 0, 0], [0, 0, 0]])


def test_reduce_int_dtypes_preserved():
    x = np.array([[1, 2, 3], [4, 5, -7]], np.int32)
    for fn, ref in [(tf.reduce_sum, np.sum), (tf.reduce_prod, np.prod), (tf.reduce_max, np.max),
                    (tf.reduce_min, np.min)]:
        out = evaluate(lambda v: fn(v, axis=1), [x])
        assert out.dtype == np.int32
        np.testing.assert_array_equal(out, ref(x, axis=1))
    total = evaluate(tf.reduce_sum, [x])
    assert isinstance(total, np.int32) and total == 8
    # integer mean rounds toward zero, as TF
    out = evaluate(lambda v: tf.reduce_mean(v, axis=1), [x])
    assert out.dtype == np.int32 and out.tolist() == [2, 0]
    assert evaluate(tf.reduce_mean, [np.array([-3, -4], np.int64)]) == -3


def test_reduce_mean_float16():
    x = rand(4, 5, dtype=np.float16)
    out = evaluate(lambda v: tf.reduce_mean(v, axis=0), [x])
    assert out.dtype == np.float16
    np.testing.assert_allclose(out, x.astype(np.float32).mean(axis=0), rtol=1e-2, atol=1e-3)


def test_reduce_any_all():
    x = np.array([[True, False], [True, True]])
    assert evaluate(lambda v: tf.reduce_any(v, axis=0), [x]).tolist() == [True, True]
    assert evaluate(lambda v: tf.reduce_all(v, axis=1), [x]).tolist() == [False, True]
    out = evaluate(lambda v: tf.reduce_all(v, keepdims=True), [x])
    assert out.shape == (1, 1) and out.dtype == np.bool_ and not out[0, 0]
    with pytest.raises(TypeError, match="float32"):
        tf.reduce_any(tf.zeros([2]))
    with pytest.raises(TypeError, match="bool"):
        tf.reduce_sum(tf.constant([True]))


def test_reduce_logsumexp_stable():
    x = np.array([[1000.0, 1000.0], [-1000.0, -np.inf], [-np.inf, -np.inf]], np.float32)
    out = evaluate(lambda v: tf.reduce_logsumexp(v, axis=1), [x])
    np.testing.assert_allclose(out[:2], [1000.0 + np.log(2.0), -1000.0], rtol=1e-6)
    assert out[2] == -np.inf


def test_reduction_deprecated_args():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(run(tf.reduce_sum(x, reduction_indices=[0])), [4.0, 6.0])
    assert tf.reduce_sum(x, 1, keep_dims=True).shape.as_list() == [2, 1]
    with pytest.raises(ValueError, match="both 'axis' and 'reduction_indices'"):
        tf.reduce_sum(x, axis=0, reduction_indices=0)
    with pytest.raises(ValueError, match="both 'keepdims' and 'keep_dims'"):
        tf.reduce_mean(x, keepdims=True, keep_dims=True)


def test_reduction_axis_errors():
    with pytest.raises(ValueError, match="Invalid reduction dimension 2 for input with 2 dimensions"):
        tf.reduce_sum(tf.zeros([2, 3]), axis=2)
    with pytest.raises(ValueError, match="Invalid reduction dimension -3"):
        tf.reduce_max(tf.zeros([2, 3]), axis=[0, -3])
    with pytest.raises(TypeError, match="float32"):
        tf.reduce_sum(tf.zeros([2, 3]), axis=tf.constant(1.0))


def test_reduction_static_shapes_partial():
    p = tf.placeholder(tf.float32, [None, 3])
    assert tf.reduce_sum(p, 1).shape.as_list() == [None]
    assert tf.reduce_sum(p).shape.as_list() == []
    assert tf.reduce_sum(tf.placeholder(tf.float32)).shape.as_list() == []
    assert tf.reduce_sum(p, tf.placeholder(tf.int32), keepdims=True).shape.as_list() == [None, None]
    assert tf.reduce_sum(p, tf.placeholder(tf.int32)).shape.ndims is None


def test_reduce_variance_std_norm():
    x = rand(3, 4)
    np.testing.assert_allclose(evaluate(lambda v: tf.math.reduce_variance(v, axis=1), [x]), x.var(axis=1))
    np.testing.assert_allclose(evaluate(lambda v: tf.math.reduce_std(v), [x]), x.std())
    np.testing.assert_allclose(evaluate(lambda v: tf.math.reduce_euclidean_norm(v, 0), [x]),
                               np.linalg.norm(x, axis=0))
    check_gradients(lambda v: tf.math.reduce_variance(v, axis=0), [x])


def test_count_nonzero():
    x = np.array([[0, 1, 2], [0, 0, 3]], np.int32)
    out = evaluate(lambda v: tf.count_nonzero(v, axis=1), [x])
    assert out.dtype == np.int64 and out.tolist() == [2, 1]
    assert evaluate(tf.count_nonzero, [x]) == 3
    out = evaluate(lambda v: tf.count_nonzero(v, keepdims=True, dtype=tf.int32), [np.array([True, False])])
    assert out.dtype == np.int32 and out.tolist() == [1]


# --- argmax / argmin -----------------------------------------------------------------------------
def test_argmax_argmin():
    x = np.array([[1.0, 5.0, 5.0], [7.0, 0.0, 7.0]], np.float32)
    out = evaluate(tf.argmax, [x])
    assert out.dtype == np.int64 and out.tolist() == [1, 0, 1]
    assert evaluate(lambda v: tf.argmax(v, axis=1), [x]).tolist() == [1, 0]
    assert evaluate(lambda v: tf.argmin(v, -1), [x]).tolist() == [0, 1]
    out = evaluate(lambda v: tf.argmin(v, dimension=1, output_type=tf.int32), [x])
    assert out.dtype == np.int32 and out.tolist() == [0, 1]
    scalar = evaluate(lambda v: tf.argmax(v[0] if False else v, 0), [np.array([3, 9, 2], np.int32)])
    assert isinstance(scalar, np.int64) and scalar == 1
    assert tf.argmax(tf.placeholder(tf.float32, [None, 4]), 1).shape.as_list() == [None]
    assert tf.argmax(tf.placeholder(tf.float32, [5, 4]), tf.placeholder(tf.int32, [])).shape.as_list() == [None]


def test_argmax_errors():
    with pytest.raises(ValueError, match="Invalid dimension 2"):
        tf.argmax(tf.zeros([2, 3]), 2)
    with pytest.raises(ValueError, match="both 'axis' and 'dimension'"):
        tf.argmax(tf.zeros([2, 3]), axis=0, dimension=1)
    with pytest.raises(TypeError, match="output_type"):
        tf.argmax(tf.zeros([2, 3]), 0, output_type=tf.float32)
    assert tf.gradients(tf.cast(tf.argmax(tf.zeros([3])), tf.float32), tf.zeros([1])) == [None]


# --- scans ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_cumsum_cumprod(exclusive, reverse, axis):
    x = rand(3, 4, low=0.5, high=1.5)

    def ref(values, op, identity):
        v = np.flip(values, axis) if reverse else values
        out = op(v, axis=axis)
        if exclusive:
            out = np.concatenate([np.full_like(np.take(out, [0], axis=axis), identity),
                                  np.take(out, range(out.shape[axis] - 1), axis=axis)], axis=axis)
        return np.flip(out, axis) if reverse else out
    np.testing.assert_allclose(evaluate(lambda v: tf.cumsum(v, axis, exclusive, reverse), [x]),
                               ref(x, np.cumsum, 0))
    np.testing.assert_allclose(evaluate(lambda v: tf.cumprod(v, axis, exclusive, reverse), [x]),
                               ref(x, np.cumprod, 1))
    check_gradients(lambda v: tf.cumsum(v, axis, exclusive, reverse), [x])
    check_gradients(lambda v: tf.cumprod(v, axis, exclusive, reverse), [x])


def test_cumsum_int_dtype():
    out = evaluate(tf.cumsum, [np.array([1, 2, 3], np.int32)])
    assert out.dtype == np.int32 and out.tolist() == [1, 3, 6]


# --- matmul --------------------------------------------------------------------------------------
@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
def test_matmul_rank2(ta, tb):
    a = rand(3, 2) if ta else rand(2, 3)
    b = rand(4, 3) if tb else rand(3, 4)
    out = evaluate(lambda x, y: tf.matmul(x, y, transpose_a=ta, transpose_b=tb), [a, b])
    np.testing.assert_allclose(out, (a.T if ta else a) @ (b.T if tb else b))
    check_gradients(lambda x, y: tf.matmul(x, y, transpose_a=ta, transpose_b=tb), [a, b])


@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
def test_batch_matmul(ta, tb):
    a = rand(2, 3, 2) if ta else rand(2, 2, 3)
    b = rand(2, 4, 3) if tb else rand(2, 3, 4)
    t = tf.matmul(tf.constant(a), tf.constant(b), adjoint_a=ta, adjoint_b=tb)
    assert t.shape.as_list() == [2, 2, 4]
    expected = np.matmul(np.swapaxes(a, -1, -2) if ta else a, np.swapaxes(b, -1, -2) if tb else b)
    np.testing.assert_allclose(run(t), expected)
    check_gradients(lambda x, y: tf.matmul(x, y, transpose_a=ta, transpose_b=tb), [a, b])


def test_batch_matmul_broadcasts_batch_dims():
    a = rand(2, 1, 2, 3)
    b = rand(4, 3, 2)
    t = tf.matmul(tf.constant(a), tf.constant(b))
    assert t.shape.as_list() == [2, 4, 2, 2]
    np.testing.assert_allclose(run(t), np.matmul(a, b))
    check_gradients(tf.matmul, [a, b])
    check_gradients(tf.matmul, [rand(3, 2, 3), rand(3, 2)])


def test_matmul_errors():
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.matmul(tf.zeros([2, 3]), tf.zeros([4, 5]))
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.matmul(tf.zeros([5, 2, 3]), tf.zeros([5, 4, 5]))
    with pytest.raises(ValueError, match="rank"):
        tf.matmul(tf.zeros([3]), tf.zeros([3, 2]))
    with pytest.raises(ValueError, match=r"\[2,2,3\].*\[3,3,2\]"):
        tf.matmul(tf.zeros([2, 2, 3]), tf.zeros([3, 3, 2]))
    with pytest.raises(TypeError, match="float64.*float32|float32.*float64"):
        tf.matmul(tf.zeros([2, 2]), tf.zeros([2, 2], tf.float64))
    assert run(tf.matmul(tf.constant([[1, 2]]), tf.constant([[3], [4]]))).tolist() == [[11]]


# --- namespace -----------------------------------------------------------------------------------
def test_tf_math_namespace():
    for name in ["add", "subtract", "multiply", "divide", "truediv", "floordiv", "floormod", "mod", "pow",
                 "square", "sqrt", "rsqrt", "exp", "expm1", "log", "log1p", "abs", "negative", "sign",
                 "reciprocal", "floor", "ceil", "round", "maximum", "minimum", "squared_difference", "sin",
                 "cos", "tan", "sigmoid", "tanh", "erf", "equal", "not_equal", "less", "less_equal",
                 "greater", "greater_equal", "logical_and", "logical_or", "logical_not", "logical_xor",
                 "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any",
                 "reduce_all", "reduce_logsumexp", "argmax", "argmin", "count_nonzero", "cumsum", "add_n",
                 "accumulate_n", "scalar_mul", "is_nan", "divide_no_nan"]:
        assert callable(getattr(tf.math, name)), name
    assert tf.math.reduce_sum is tf.reduce_sum
    assert tf.math.log is tf.log


# --- property tests: broadcasting shape rules ----------------------------------------------------
_dims = st.lists(st.integers(1, 3), min_size=0, max_size=3)


@settings(max_examples=40, deadline=None)
@given(_dims, _dims, st.data())
def test_broadcast_static_shape_matches_numpy(sx, sy, data):
    # Make some dims of y equal to x's or 1 so that many pairs broadcast.
    sy = [data.draw(st.sampled_from([d, 1, sx[len(sx) - len(sy) + i]]))
          if 0 <= len(sx) - len(sy) + i < len(sx) else d for i, d in enumerate(sy)]
    with tf.Graph().as_default():
        try:
            expected = np.broadcast_shapes(tuple(sx), tuple(sy))
        except ValueError:
            with pytest.raises(ValueError, match="Dimensions must be equal"):
                tf.add(tf.zeros(sx), tf.zeros(sy))
            return
        t = tf.multiply(tf.zeros(sx), tf.ones(sy))
        assert tuple(t.shape.as_list()) == expected
        assert tf.less(tf.zeros(sx), tf.ones(sy)).shape.as_list() == list(expected)
        x = tf.placeholder(tf.float32, [None] * len(sx))
        assert tf.add(x, tf.zeros(sy)).shape.ndims == len(expected)


def test_reduce_mean_paths():
    x = rand(4, 3, dtype=np.float32)
    p = tf.placeholder(tf.float32, [None, 3])
    a = tf.placeholder(tf.int32, [None])
    h = tf.placeholder(tf.float16, [None, 3])
    fetches = [tf.reduce_mean(p), tf.reduce_mean(p, 1), tf.reduce_mean(p, 0, keepdims=True),
               tf.reduce_mean(p, a), tf.reduce_mean(h), tf.reduce_mean(tf.placeholder_with_default(x, None), 0)]
    out = run(fetches, {p: x, a: [0, 1], h: x.astype(np.float16)})
    assert isinstance(out[0], np.float32) and isinstance(out[4], np.float16)
    np.testing.assert_allclose(out[0], x.mean(), rtol=1e-6)
    np.testing.assert_allclose(out[1], x.mean(1), rtol=1e-6)
    np.testing.assert_allclose(out[2], x.mean(0, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(out[3], x.mean(), rtol=1e-6)
    np.testing.assert_allclose(out[4], x.mean(), rtol=1e-2)
    np.testing.assert_allclose(out[5], x.mean(0), rtol=1e-6)


def test_second_order_through_reductions():
    x = tf.placeholder(tf.float64, [2, 3])
    g, = tf.gradients(tf.reduce_mean(x * x, 1), x)
    h, = tf.gradients(tf.reduce_sum(g * g), x)
    k, = tf.gradients(tf.reduce_max(x * x, 1), x)
    m, = tf.gradients(tf.reduce_sum(k * k), x)
    xv = np.arange(6.0).reshape(2, 3)
    out = run([h, m], {x: xv})
    np.testing.assert_allclose(out[0], 8 * xv / 9)
    np.testing.assert_allclose(out[1], [[0, 0, 16], [0, 0, 40]])


def test_mul_gradient_conjugates_complex_inputs_as_tf():
    x = tf.constant(np.array([1 + 2j, 3 - 1j], np.complex128))
    y = tf.constant(np.array([2 - 1j, 1 + 1j], np.complex128))
    gx, gy = tf.gradients(tf.real(x * y), [x, y])
    with tf.Session() as session:
        gx, gy = session.run([gx, gy])
    np.testing.assert_allclose(gx, np.conj([2 - 1j, 1 + 1j]))
    np.testing.assert_allclose(gy, np.conj([1 + 2j, 3 - 1j]))
