"""Tensor operator overloads: which op each operator builds, dtype rules for Python operands, errors."""
import operator

import numpy as np
import pytest

import numflow as tf


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


X = np.array([[1.5, -2.0, 3.0], [4.0, 0.5, -6.0]], np.float32)
Y = np.array([2.0, -0.5, 4.0], np.float32)


@pytest.mark.parametrize("op,ref", [
    (operator.add, np.add), (operator.sub, np.subtract), (operator.mul, np.multiply),
    (operator.truediv, np.true_divide), (operator.floordiv, lambda a, b: np.floor(a / b)),
    (operator.mod, np.mod), (operator.pow, lambda a, b: np.power(np.abs(a), b)),
])
def test_float_binary_operators_and_reverse(op, ref):
    xv, yv = (np.abs(X), np.abs(Y)) if op is operator.pow else (X, Y)
    x = tf.placeholder(tf.float32, [2, 3])
    y = tf.constant(yv)
    out, rev, with_np, with_scalar, scalar_rev = run(
        [op(x, y), op(y, x), op(x, yv), op(x, 2), op(3, abs(x) + 1)], {x: xv})
    for value in (out, rev, with_np, with_scalar, scalar_rev):
        assert value.dtype == np.float32
    np.testing.assert_allclose(out, ref(xv, yv), rtol=1e-6)
    np.testing.assert_allclose(rev, ref(yv, xv), rtol=1e-6)
    np.testing.assert_allclose(with_np, ref(xv, yv), rtol=1e-6)
    np.testing.assert_allclose(with_scalar, ref(xv, np.float32(2)), rtol=1e-6)
    np.testing.assert_allclose(scalar_rev, ref(np.float32(3), np.abs(xv) + 1), rtol=1e-6)


def test_numpy_array_on_the_left_uses_reverse_operator():
    x = tf.placeholder(tf.float32, [3])
    t = Y + x
    assert isinstance(t, tf.Tensor)
    np.testing.assert_allclose(run(t, {x: Y}), 2 * Y)
    t = np.float32(2.0) * x
    assert isinstance(t, tf.Tensor) and t.dtype == tf.float32
    t = np.ones([2, 3], np.float32) @ tf.ones([3, 2])
    assert isinstance(t, tf.Tensor)
    np.testing.assert_allclose(run(t), np.full([2, 2], 3.0))


def test_op_types_built_by_operators():
    x = tf.constant([1.0, 2.0])
    b = tf.constant([True, False])
    assert (x + x).op.type == "Add"
    assert (x - x).op.type == "Sub"
    assert (x * x).op.type == "Mul"
    assert (x / x).op.type == "RealDiv"
    assert (x // x).op.type == "FloorDiv"
    assert (x % x).op.type == "FloorMod"
    assert (x ** x).op.type == "Pow"
    assert (-x).op.type == "Neg"
    assert abs(x).op.type == "Abs"
    assert (x < x).op.type == "Less"
    assert (x <= x).op.type == "LessEqual"
    assert (x > x).op.type == "Greater"
    assert (x >= x).op.type == "GreaterEqual"
    assert (b & b).op.type == "LogicalAnd"
    assert (b | b).op.type == "LogicalOr"
    assert (b ^ b).op.type == "LogicalXor"
    assert (~b).op.type == "LogicalNot"
    m = tf.constant([[1.0]])
    assert (m @ m).op.type == "MatMul"
    assert x.__div__(x).op.type == "RealDiv"
    assert tf.constant(3).__div__(2).op.type == "FloorDiv"
    assert tf.constant(3).__rdiv__(7).op.type == "FloorDiv"


def test_integer_operators():
    a = tf.constant([7, -7, 9])
    assert a.dtype == tf.int32
    out = run([a + 1, a - 1, a * 2, a // 2, a % 3, a ** 2, -a, abs(a), 10 // a, 20 % a])
    assert [o.dtype for o in out] == [np.int32] * 10
    assert out[3].tolist() == [3, -4, 4]
    assert out[4].tolist() == [1, 2, 0]
    assert out[5].tolist() == [49, 49, 81]
    assert out[8].tolist() == [1, -2, 1]
    assert out[9].tolist() == [6, -1, 2]
    # true division of ints gives float64, as TF
    t = a / 2
    assert t.dtype == tf.float64
    np.testing.assert_allclose(run(t), [3.5, -3.5, 4.5])
    assert (7 / a).dtype == tf.float64
    # Python 2 division: floor for ints
    assert run(a.__div__(2)).tolist() == [3, -4, 4]


def test_python_scalar_dtype_rules():
    assert tf.constant(1).dtype == tf.int32
    assert tf.constant(1.0).dtype == tf.float32
    p64 = tf.placeholder(tf.int64, [2])
    t = 10 * p64
    assert t.dtype == tf.int64
    assert run(t, {p64: [1, 2]}).tolist() == [10, 20]
    f64 = tf.placeholder(tf.float64, [])
    assert (f64 + 1).dtype == tf.float64
    assert (0.5 * f64).dtype == tf.float64
    assert (tf.constant(2, tf.int8) * 3).dtype == tf.int8
    with pytest.raises(TypeError):
        tf.constant(1) + 0.5


def test_mixed_dtype_tensors_are_type_errors():
    i = tf.constant([1, 2])
    f = tf.constant([1.0, 2.0])
    for op in (operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod,
               operator.pow, operator.lt, operator.ge):
        with pytest.raises(TypeError, match="int32") as info:
            op(i, f)
        assert "float32" in str(info.value)
    with pytest.raises(TypeError, match="float64"):
        f + tf.constant([1.0, 2.0], tf.float64)


def test_shape_errors_name_both_shapes():
    with pytest.raises(ValueError, match=r"\[2,3\].*\[2\]"):
        tf.zeros([2, 3]) + tf.zeros([2])
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.zeros([2, 3]) @ tf.zeros([2, 3])


def test_comparison_operators():
    x = tf.constant([1, 2, 3])
    out = run([x < 2, x <= 2, x > 2, x >= 2, 2 < x, 2 >= x])
    assert [o.tolist() for o in out] == [[True, False, False], [True, True, False], [False, False, True],
                                         [False, True, True], [False, False, True], [True, True, False]]
    assert all(o.dtype == np.bool_ for o in out)


def test_equality_stays_identity():
    x = tf.constant([1.0])
    y = tf.constant([1.0])
    assert (x == x) is True
    assert (x == y) is False
    assert (x != y) is True
    assert {x: 1, y: 2}[x] == 1


def test_logical_operators_on_bools():
    a = tf.constant([True, True, False, False])
    b = tf.constant([True, False, True, False])
    out = run([a & b, a | b, a ^ b, ~a, True & b, False | b, True ^ b])
    assert [o.tolist() for o in out] == [[True, False, False, False], [True, True, True, False],
                                         [False, True, True, False], [False, False, True, True],
                                         [True, False, True, False], [True, False, True, False],
                                         [False, True, False, True]]
    with pytest.raises(TypeError, match="int32"):
        tf.constant([1]) & tf.constant([1])
    with pytest.raises(TypeError, match="float32"):
        ~tf.constant([1.0])


def test_unary_operators():
    x = tf.constant([-1.5, 2.0])
    np.testing.assert_allclose(run([-x, abs(x)]), [[1.5, -2.0], [1.5, 2.0]])
    with pytest.raises(TypeError):
        bool(x < 1.0)


def test_matmul_operator_and_batch():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_allclose(run(tf.constant(a) @ tf.constant(b)), a @ b)
    np.testing.assert_allclose(run(a @ tf.constant(b)), a @ b)
    c = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    t = tf.ones([2, 5, 3]) @ tf.constant(c)
    assert t.shape.as_list() == [2, 5, 4]
    np.testing.assert_allclose(run(t), np.ones([2, 5, 3], np.float32) @ c)


def test_operator_gradients():
    x = tf.placeholder(tf.float64, [3])
    y = tf.placeholder(tf.float64, [3])
    z = (x * y + x / y - y ** 2 + 3.0 - x % 7.0) * 2.0 - (-x)
    gx, gy = tf.gradients(z, [x, y])
    xv = np.array([1.0, 2.0, 3.0])
    yv = np.array([0.5, 1.5, 2.5])
    out = run([gx, gy], {x: xv, y: yv})
    np.testing.assert_allclose(out[0], (yv + 1 / yv - 1) * 2 + 1)
    np.testing.assert_allclose(out[1], (xv - xv / yv ** 2 - 2 * yv) * 2)
