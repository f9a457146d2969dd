"""Clipping by norm and linear algebra: values against NumPy, gradients against finite differences,
errors."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients, evaluate

RNG = np.random.RandomState(0)


def rand(*shape):
    return RNG.uniform(-2.0, 2.0, size=shape)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


# --- clipping -------------------------------------------------------------------------------------
def _np_clip_by_norm(t, c, axes=None):
    axes = tuple(axes) if isinstance(axes, list) else axes
    norm = np.sqrt(np.sum(t * t, axis=axes, keepdims=True))
    return t * c / np.maximum(norm, c)


@pytest.mark.parametrize("axes", [None, 0, [1]])
def test_clip_by_norm_values(axes):
    t = rand(3, 4)
    for c in (0.5, 100.0):
        out = evaluate(lambda x: tf.clip_by_norm(x, c, axes=axes), [t])
        np.testing.assert_allclose(out, _np_clip_by_norm(t, c, axes), rtol=1e-12)


def test_clip_by_norm_zero_input_and_dtype():
    out = evaluate(lambda x: tf.clip_by_norm(x, 1.0), [np.zeros((2, 2), np.float32)])
    assert out.dtype == np.float32 and np.all(out == 0)
    with tf.Graph().as_default():
        x = tf.zeros([3])
        g = tf.gradients(tf.reduce_sum(tf.clip_by_norm(x, 1.0)), x)[0]
        assert np.all(np.isfinite(run(g)))


def test_clip_by_norm_gradient():
    check_gradients(lambda x: tf.clip_by_norm(x, 1.0), [rand(3, 4)])
    check_gradients(lambda x: tf.clip_by_norm(x, 1.0, axes=[1]), [rand(3, 4)])
    check_gradients(lambda x, c: tf.clip_by_norm(x, c), [rand(2, 3), np.array(0.7)])


def test_global_norm_and_clip_by_global_norm():
    a, b = rand(2, 3), rand(4)
    expected_norm = np.sqrt(np.sum(a * a) + np.sum(b * b))
    with tf.Graph().as_default():
        ta, tb = tf.constant(a), tf.constant(b)
        norm = tf.global_norm([ta, None, tb])
        clipped, used = tf.clip_by_global_norm([ta, None, tb], 1.0)
        assert clipped[1] is None
        n, ca, cb, u = run([norm, clipped[0], clipped[2], used])
    np.testing.assert_allclose(n, expected_norm)
    np.testing.assert_allclose(u, expected_norm)
    np.testing.assert_allclose(ca, a / expected_norm)
    np.testing.assert_allclose(cb, b / expected_norm)


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_clip_by_global_norm_no_clip_use_norm_and_inf():
    a = rand(3)
    with tf.Graph().as_default():
        clipped, norm = tf.clip_by_global_norm([tf.constant(a)], 1e6)
        np.testing.assert_allclose(run(clipped[0]), a)
        forced, _ = tf.clip_by_global_norm([tf.constant(a)], 1.0, use_norm=tf.constant(2.0, tf.float64))
        np.testing.assert_allclose(run(forced[0]), a / 2.0)
        nan, _ = tf.clip_by_global_norm([tf.constant(a)], 1.0, use_norm=tf.constant(np.inf, tf.float64))
        assert np.all(np.isnan(run(nan[0])))


def test_clip_by_global_norm_gradient():
    check_gradients(lambda x, y: tf.clip_by_global_norm([x, y], 1.0)[0][0], [rand(2, 2), rand(3)])
    check_gradients(lambda x, y: tf.global_norm([x, y]), [rand(2, 2), rand(3)])


def test_clip_by_average_norm():
    t = rand(2, 5)
    for c in (0.01, 10.0):
        out = evaluate(lambda x: tf.clip_by_average_norm(x, c), [t])
        l2 = np.sqrt(np.sum(t * t))
        np.testing.assert_allclose(out, t * c / np.maximum(l2 / t.size, c))


def test_clip_errors():
    with pytest.raises(TypeError, match="t_list should be a sequence"):
        tf.clip_by_global_norm(tf.constant([1.0]), 1.0)
    with pytest.raises(TypeError, match="t_list should be a sequence"):
        tf.global_norm(tf.constant([1.0]))


# --- eye, diagonals, trace, cross -----------------------------------------------------------------
def test_eye():
    np.testing.assert_array_equal(run(tf.eye(3)), np.eye(3, dtype=np.float32))
    out = run(tf.eye(2, 3, batch_shape=[4], dtype=tf.int32))
    assert out.shape == (4, 2, 3) and out.dtype == np.int32
    np.testing.assert_array_equal(out[2], np.eye(2, 3))
    n = tf.placeholder(tf.int32, [])
    e = tf.eye(n, dtype=tf.float64)
    assert e.shape.as_list() == [None, None]
    np.testing.assert_array_equal(run(e, {n: 2}), np.eye(2))
    assert tf.eye(5).shape.as_list() == [5, 5]
    with pytest.raises(ValueError, match="num_rows must be non-negative"):
        tf.eye(-1)


def test_diagonals():
    d = rand(2, 3)
    np.testing.assert_allclose(run(tf.matrix_diag(d)), np.stack([np.diag(r) for r in d]))
    m = rand(2, 3, 4)
    np.testing.assert_allclose(run(tf.matrix_diag_part(m)), np.stack([np.diag(x) for x in m]))
    np.testing.assert_allclose(run(tf.trace(m)), np.trace(m, axis1=1, axis2=2))
    set_to = rand(2, 3)
    expected = m.copy()
    for b in range(2):
        expected[b][np.arange(3), np.arange(3)] = set_to[b]
    np.testing.assert_allclose(run(tf.matrix_set_diag(m, set_to)), expected)
    v = rand(2, 3)
    full = run(tf.diag(v))
    assert full.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(full.reshape(6, 6), np.diag(v.reshape(-1)))
    np.testing.assert_allclose(run(tf.diag_part(tf.constant(full))), v)
    assert tf.linalg.diag is tf.matrix_diag and tf.linalg.diag_part is tf.matrix_diag_part


def test_diagonal_gradients():
    check_gradients(tf.matrix_diag, [rand(2, 3)])
    check_gradients(tf.matrix_diag_part, [rand(3, 4)])
    check_gradients(tf.matrix_set_diag, [rand(2, 3, 3), rand(2, 3)])
    check_gradients(tf.diag, [rand(3)])
    check_gradients(tf.diag_part, [rand(2, 2, 2, 2)])
    check_gradients(tf.trace, [rand(3, 3)])


def test_diagonal_errors():
    with pytest.raises(ValueError, match="even rank"):
        tf.diag_part(tf.zeros([2, 3, 4]))
    with pytest.raises(ValueError, match="first half"):
        tf.diag_part(tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="at least rank 2"):
        tf.matrix_diag_part(tf.zeros([3]))
    with pytest.raises(ValueError, match="does not match input"):
        tf.matrix_set_diag(tf.zeros([3, 3]), tf.zeros([2]))


def test_cross():
    a, b = rand(4, 3), rand(4, 3)
    np.testing.assert_allclose(run(tf.cross(a, b)), np.cross(a, b))
    check_gradients(tf.cross, [a, b])
    with pytest.raises(ValueError, match="innermost dimension of 3"):
        tf.cross(tf.zeros([2]), tf.zeros([2]))


# --- inverse and determinant ----------------------------------------------------------------------
def _well_conditioned(*batch, n=3):
    return rand(*batch, n, n) + 4.0 * np.eye(n)


def test_matrix_inverse_and_determinant_values():
    a = _well_conditioned(2)
    np.testing.assert_allclose(run(tf.matrix_inverse(a)), np.linalg.inv(a))
    np.testing.assert_allclose(run(tf.matrix_inverse(a, adjoint=True)), np.linalg.inv(np.swapaxes(a, -1, -2)))
    np.testing.assert_allclose(run(tf.matrix_determinant(a)), np.linalg.det(a))
    out = run(tf.linalg.det(tf.constant(a[0], tf.float32)))
    assert isinstance(out, np.float32)
    assert tf.linalg.inv is tf.matrix_inverse


def test_matrix_inverse_and_determinant_gradients():
    check_gradients(tf.matrix_inverse, [_well_conditioned()], rtol=1e-5, atol=1e-6)
    check_gradients(lambda x: tf.matrix_inverse(x, adjoint=True), [_well_conditioned(2)], atol=1e-6)
    check_gradients(tf.matrix_determinant, [_well_conditioned(2)], atol=1e-6)


def test_matrix_inverse_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input is not invertible"):
        run(tf.matrix_inverse(tf.zeros([2, 2])))
    with pytest.raises(ValueError, match="square matrices"):
        tf.matrix_inverse(tf.zeros([2, 3]))
    with pytest.raises(TypeError, match="int32"):
        tf.matrix_determinant(tf.zeros([2, 2], tf.int32))


# --- einsum and tensordot -------------------------------------------------------------------------
EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->i", [(2, 3)]),
    ("i,j->ij", [(2,), (3,)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 4)]),
    ("ij,ij->i", [(3, 1), (3, 4)]),
    ("ab,bc,cd->ad", [(2, 3), (3, 4), (4, 2)]),
]


@pytest.mark.parametrize("equation,shapes", EINSUM_CASES)
def test_einsum_values_and_gradients(equation, shapes):
    inputs = [rand(*s) for s in shapes]
    out = evaluate(lambda *xs: tf.einsum(equation, *xs), inputs)
    np.testing.assert_allclose(out, np.einsum(equation, *inputs), rtol=1e-12)
    with tf.Graph().as_default():
        assert tf.einsum(equation, *[tf.zeros(s) for s in shapes]).shape.as_list() == \
            list(np.einsum(equation, *inputs).shape)
    check_gradients(lambda *xs: tf.einsum(equation, *xs), inputs)


def test_einsum_diagonal_value_and_errors():
    m = rand(3, 3)
    np.testing.assert_allclose(run(tf.einsum("ii->i", m)), np.diag(m))
    with pytest.raises(ValueError, match="names 2 operand"):
        tf.einsum("ij,jk->ik", tf.zeros([2, 2]))
    with pytest.raises(ValueError, match="does not match dimension"):
        tf.einsum("ij,jk->ik", tf.zeros([2, 3]), tf.zeros([4, 2]))
    with pytest.raises(ValueError, match="has 2 subscript"):
        tf.einsum("ij->i", tf.zeros([2, 3, 4]))
    with pytest.raises(ValueError, match="appear in no input"):
        tf.einsum("ij->k", tf.zeros([2, 3]))
    with pytest.raises(TypeError, match="share one dtype"):
        tf.einsum("i,i->", tf.zeros([2]), tf.zeros([2], tf.float64))


def test_einsum_repeated_subscript_gradient_raises():
    x = tf.placeholder(tf.float32, [2, 2])
    with pytest.raises(LookupError, match="repeats a subscript"):
        tf.gradients(tf.einsum("ii->i", x), x)


@pytest.mark.parametrize("axes", [1, [[1], [0]], [1, 0], ([0, 1], [1, 2]), 0])
def test_tensordot(axes):
    a = rand(3, 4)
    b = rand(4, 3, 2) if axes != ([0, 1], [1, 2]) else rand(2, 3, 4)
    np_axes = axes if not isinstance(axes, list) or axes != [1, 0] else ([1], [0])
    expected = np.tensordot(a, b, np_axes)
    np.testing.assert_allclose(evaluate(lambda x, y: tf.tensordot(x, y, axes), [a, b]), expected, rtol=1e-12)
    check_gradients(lambda x, y: tf.tensordot(x, y, axes), [a, b])


def test_tensordot_errors():
    with pytest.raises(ValueError, match="Different number of contraction axes"):
        tf.tensordot(tf.zeros([2, 3]), tf.zeros([3, 2]), [[0, 1], [0]])
    with pytest.raises(ValueError, match="at least 0"):
        tf.tensordot(tf.zeros([2, 3]), tf.zeros([3, 2]), -1)
    with pytest.raises(ValueError, match="ranks of a and b"):
        tf.tensordot(tf.placeholder(tf.float32), tf.zeros([3, 2]), 1)


# --- norm -----------------------------------------------------------------------------------------
NORM_CASES = [
    (dict(), lambda x: np.sqrt(np.sum(x * x))),
    (dict(ord=1), lambda x: np.sum(np.abs(x))),
    (dict(ord=np.inf), lambda x: np.max(np.abs(x))),
    (dict(ord=3, axis=1), lambda x: np.sum(np.abs(x) ** 3, axis=1) ** (1 / 3)),
    (dict(axis=0, keepdims=True), lambda x: np.linalg.norm(x, axis=0, keepdims=True)),
    (dict(ord="fro", axis=[0, 1]), lambda x: np.linalg.norm(x, "fro")),
    (dict(ord=1, axis=(0, 1)), lambda x: np.linalg.norm(x, 1)),
    (dict(ord=np.inf, axis=(0, 1)), lambda x: np.linalg.norm(x, np.inf)),
    (dict(ord=np.inf, axis=(-1, -2)), lambda x: np.linalg.norm(x.T, np.inf)),
    (dict(ord="euclidean", axis=(0, 1), keepdims=True), lambda x: np.linalg.norm(x, "fro").reshape(1, 1)),
]


@pytest.mark.parametrize("kwargs,reference", NORM_CASES)
def test_norm(kwargs, reference):
    x = rand(3, 4)
    out = evaluate(lambda t: tf.norm(t, **kwargs), [x])
    np.testing.assert_allclose(out, reference(x), rtol=1e-12)
    check_gradients(lambda t: tf.norm(t, **kwargs), [x])


def test_norm_errors():
    with pytest.raises(ValueError, match="supported vector norm, got fro"):
        tf.norm(tf.zeros([3]), ord="fro")
    with pytest.raises(ValueError, match="supported vector norm"):
        tf.norm(tf.zeros([3]), ord=-1)
    with pytest.raises(ValueError, match="supported matrix norm"):
        tf.norm(tf.zeros([3, 3]), ord=2, axis=[0, 1])
    with pytest.raises(ValueError, match="tuple of 2 unique integers"):
        tf.norm(tf.zeros([3, 3]), axis=[0, 0])
    with pytest.raises(ValueError, match="tuple of 2 unique integers"):
        tf.norm(tf.zeros([3, 3]), axis="a")


def test_linalg_namespace():
    for name in ("inv", "det", "diag", "diag_part", "eye", "norm", "matmul", "einsum", "tensordot",
                 "transpose", "trace"):
        assert callable(getattr(tf.linalg, name))
    x = rand(2, 3, 4)
    np.testing.assert_allclose(run(tf.linalg.transpose(x)), np.swapaxes(x, -1, -2))
