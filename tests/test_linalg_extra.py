"""tf.linalg decompositions and solvers: reconstruction identities against NumPy, errors, and finite-
difference gradients (through sign-invariant functions where a factor's sign is arbitrary)."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients, evaluate

RNG = np.random.RandomState(11)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def spd(n, batch=()):
    x = RNG.randn(*batch, n, n)
    return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)


def spd_from(x):
    """A positive-definite matrix built from a free matrix, so finite differences see a symmetric input."""
    n = x.shape[-1].value
    return tf.matmul(x, x, transpose_b=True) + n * tf.eye(n, dtype=x.dtype)


def test_cholesky_values_and_error():
    a = spd(4, (2,))
    factor = run(tf.cholesky(a))
    np.testing.assert_allclose(factor, np.linalg.cholesky(a), rtol=1e-12)
    np.testing.assert_allclose(np.triu(factor[0], 1), 0.0)
    # Only the lower triangle is read.
    garbage_upper = np.tril(a) + np.triu(RNG.randn(4, 4), 1)
    np.testing.assert_allclose(run(tf.linalg.cholesky(garbage_upper)), factor, rtol=1e-12)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cholesky decomposition was not successful"):
        run(tf.cholesky(-np.eye(2)))
    with pytest.raises(ValueError, match="square matrices"):
        tf.cholesky(tf.ones([2, 3]))


def test_solvers():
    a, b = spd(3, (2,)), RNG.randn(2, 3, 2)
    np.testing.assert_allclose(run(tf.matrix_solve(a, b)), np.linalg.solve(a, b), rtol=1e-12)
    np.testing.assert_allclose(run(tf.linalg.solve(a, b, adjoint=True)),
                               np.linalg.solve(np.swapaxes(a, -1, -2), b), rtol=1e-12)
    lower = np.tril(a) + np.triu(RNG.randn(3, 3), 1)   # the upper part is ignored
    np.testing.assert_allclose(run(tf.matrix_triangular_solve(lower, b)), np.linalg.solve(np.tril(lower), b),
                               rtol=1e-12)
    np.testing.assert_allclose(run(tf.linalg.triangular_solve(lower, b, lower=False, adjoint=True)),
                               np.linalg.solve(np.swapaxes(np.triu(lower), -1, -2), b), rtol=1e-12)
    factor = np.linalg.cholesky(a)
    np.testing.assert_allclose(run(tf.linalg.cholesky_solve(factor, b)), np.linalg.solve(a, b), rtol=1e-10)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input matrix is not invertible"):
        run(tf.matrix_solve(np.zeros((2, 2)), np.ones((2, 1))))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input matrix is not invertible"):
        run(tf.matrix_triangular_solve(np.diag([1.0, 0.0]), np.ones((2, 1))))
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.matrix_solve(tf.ones([3, 3]), tf.ones([2, 1]))


def test_least_squares():
    a, b = RNG.randn(6, 3), RNG.randn(6, 2)
    expected = np.linalg.lstsq(a, b, rcond=None)[0]
    np.testing.assert_allclose(run(tf.linalg.lstsq(a, b)), expected, rtol=1e-10)
    np.testing.assert_allclose(run(tf.matrix_solve_ls(a, b, fast=False)), expected, rtol=1e-10)
    regularized = np.linalg.solve(a.T @ a + 0.5 * np.eye(3), a.T @ b)
    np.testing.assert_allclose(run(tf.linalg.lstsq(a, b, l2_regularizer=0.5)), regularized, rtol=1e-10)
    wide = RNG.randn(2, 4)
    minimum_norm = run(tf.linalg.lstsq(wide, b[:2]))
    np.testing.assert_allclose(minimum_norm, np.linalg.pinv(wide) @ b[:2], rtol=1e-10)
    rank_deficient = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])
    np.testing.assert_allclose(run(tf.matrix_solve_ls(rank_deficient, b[:3], fast=False)),
                               np.linalg.lstsq(rank_deficient, b[:3], rcond=None)[0], rtol=1e-10)


def test_determinants():
    a = RNG.randn(3, 4, 4)
    sign, log_abs = run(tf.linalg.slogdet(a))
    np.testing.assert_allclose(sign * np.exp(log_abs), np.linalg.det(a), rtol=1e-10)
    positive = spd(4)
    np.testing.assert_allclose(run(tf.linalg.logdet(positive)), np.log(np.linalg.det(positive)), rtol=1e-12)


def test_eigh_and_eigvalsh():
    a = spd(4, (2,))
    values, vectors = run(tf.self_adjoint_eig(a))
    np.testing.assert_allclose(values, np.linalg.eigvalsh(a), rtol=1e-12)
    np.testing.assert_allclose(vectors @ (values[..., None] * np.swapaxes(vectors, -1, -2)), a, rtol=1e-10)
    np.testing.assert_allclose(run(tf.linalg.eigvalsh(a)), np.linalg.eigvalsh(a), rtol=1e-12)
    assert tf.linalg.eigh(tf.ones([2, 5, 5]))[0].shape.as_list() == [2, 5]


def test_qr_and_svd_reconstruct():
    for shape in [(5, 3), (3, 5), (2, 4, 4)]:
        x = RNG.randn(*shape)
        q, r = run(tf.qr(x))
        np.testing.assert_allclose(q @ r, x, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(np.tril(r, -1) if r.ndim == 2 else np.tril(r[0], -1), 0.0, atol=1e-15)
        s, u, v = run(tf.svd(x))
        np.testing.assert_allclose((u * s[..., None, :]) @ np.swapaxes(v, -1, -2), x, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(s, np.linalg.svd(x, compute_uv=False), rtol=1e-12)
    q, r = run(tf.linalg.qr(RNG.randn(5, 3), full_matrices=True))
    assert q.shape == (5, 5) and r.shape == (5, 3)
    s, u, v = run(tf.linalg.svd(RNG.randn(5, 3), full_matrices=True))
    assert u.shape == (5, 5) and v.shape == (3, 3)
    assert run(tf.svd(RNG.randn(5, 3), compute_uv=False)).shape == (3,)


def test_pinv_rank_expm_logm_and_small_helpers():
    x = RNG.randn(4, 3)
    np.testing.assert_allclose(run(tf.linalg.pinv(x)), np.linalg.pinv(x), rtol=1e-10)
    assert run(tf.linalg.matrix_rank(np.array([[1.0, 2.0], [2.0, 4.0]]))) == 1
    # exp of a rotation generator is the rotation; exp(A) exp(-A) = I for any A.
    np.testing.assert_allclose(run(tf.linalg.expm(np.array([[0.0, -0.3], [0.3, 0.0]]))),
                               [[np.cos(0.3), -np.sin(0.3)], [np.sin(0.3), np.cos(0.3)]], rtol=1e-14)
    a = 3.0 * RNG.randn(2, 4, 4)
    product = run(tf.matmul(tf.linalg.expm(a), tf.linalg.expm(-a)))
    np.testing.assert_allclose(product, np.broadcast_to(np.eye(4), (2, 4, 4)), atol=1e-8)
    diagonal = np.diag([1.0, 2.0, 3.0])
    np.testing.assert_allclose(run(tf.linalg.expm(diagonal)), np.diag(np.exp([1.0, 2.0, 3.0])), rtol=1e-13)
    z = spd(3).astype(np.complex128)
    np.testing.assert_allclose(run(tf.linalg.expm(tf.linalg.logm(z))), z, rtol=1e-10)
    with pytest.raises(TypeError, match="MatrixLogarithm"):
        tf.linalg.logm(tf.ones([2, 2]))
    m, v = RNG.randn(2, 3, 4), RNG.randn(2, 4)
    np.testing.assert_allclose(run(tf.linalg.matvec(m, v)), np.einsum("bij,bj->bi", m, v), rtol=1e-12)
    np.testing.assert_array_equal(run(tf.linalg.adjoint(m)), np.swapaxes(m, -1, -2))
    normalized, size = run(tf.linalg.normalize(v, axis=-1))
    np.testing.assert_allclose(size[:, 0], np.linalg.norm(v, axis=-1), rtol=1e-12)
    np.testing.assert_allclose(normalized, v / size, rtol=1e-12)


def test_tridiagonal_solve_and_matmul():
    superdiag, maindiag, subdiag = RNG.randn(5), RNG.randn(5) + 4.0, RNG.randn(5)
    dense = np.diag(maindiag) + np.diag(superdiag[:-1], 1) + np.diag(subdiag[1:], -1)
    rhs = RNG.randn(5, 2)
    compact = np.stack([superdiag, maindiag, subdiag])
    np.testing.assert_allclose(run(tf.linalg.tridiagonal_solve(compact, rhs)), np.linalg.solve(dense, rhs),
                               rtol=1e-12)
    np.testing.assert_allclose(run(tf.linalg.tridiagonal_solve([superdiag, maindiag, subdiag], rhs,
                                                               diagonals_format="sequence")),
                               np.linalg.solve(dense, rhs), rtol=1e-12)
    np.testing.assert_allclose(run(tf.linalg.tridiagonal_solve(dense, rhs.T, diagonals_format="matrix",
                                                               transpose_rhs=True)),
                               np.linalg.solve(dense, rhs), rtol=1e-12)
    np.testing.assert_allclose(run(tf.linalg.tridiagonal_matmul(compact, rhs)), dense @ rhs, rtol=1e-12)
    with pytest.raises(ValueError, match="Unrecognized diagonals_format"):
        tf.linalg.tridiagonal_solve(compact, rhs, diagonals_format="banded")


LINALG_GRADIENTS = [
    ("cholesky", lambda x: tf.cholesky(spd_from(x)), [RNG.randn(3, 3)]),
    ("matrix_solve", lambda a, b: tf.matrix_solve(a, b), [RNG.randn(3, 3) + 3 * np.eye(3), RNG.randn(3, 2)]),
    ("matrix_solve_adjoint", lambda a, b: tf.matrix_solve(a, b, adjoint=True),
     [RNG.randn(3, 3) + 3 * np.eye(3), RNG.randn(3, 2)]),
    ("triangular_lower", lambda a, b: tf.matrix_triangular_solve(a, b),
     [RNG.randn(3, 3) + 3 * np.eye(3), RNG.randn(3, 2)]),
    ("triangular_upper_adjoint", lambda a, b: tf.matrix_triangular_solve(a, b, lower=False, adjoint=True),
     [RNG.randn(3, 3) + 3 * np.eye(3), RNG.randn(3, 2)]),
    ("cholesky_solve", lambda x, b: tf.linalg.cholesky_solve(tf.cholesky(spd_from(x)), b),
     [RNG.randn(3, 3), RNG.randn(3, 1)]),
    ("lstsq", lambda a, b: tf.linalg.lstsq(a, b, l2_regularizer=0.1), [RNG.randn(4, 3), RNG.randn(4, 2)]),
    ("slogdet", lambda a: tf.linalg.slogdet(a)[1], [RNG.randn(3, 3) + 2 * np.eye(3)]),
    ("logdet", lambda x: tf.linalg.logdet(spd_from(x)), [RNG.randn(3, 3)]),
    ("eigh_values", lambda x: tf.self_adjoint_eig(x + tf.matrix_transpose(x))[0], [RNG.randn(3, 3)]),
    ("eigh_vectors", lambda x: tf.square(tf.self_adjoint_eig(x + tf.matrix_transpose(x))[1]), [RNG.randn(3, 3)]),
    ("eigvalsh", lambda x: tf.linalg.eigvalsh(x + tf.matrix_transpose(x)), [RNG.randn(3, 3)]),
    ("qr_tall", lambda x: tf.square(tf.qr(x)[0]) + 0 * tf.reduce_sum(tf.qr(x)[1]), [RNG.randn(4, 3)]),
    ("qr_r", lambda x: tf.square(tf.qr(x)[1]), [RNG.randn(3, 3)]),
    ("svd_values", lambda x: tf.svd(x, compute_uv=False), [RNG.randn(4, 3)]),
    ("svd_u_v_tall", lambda x: tf.reduce_sum(tf.square(tf.svd(x)[1]) * tf.constant([[1.0, 2.0, 3.0]], tf.float64)) +
     tf.reduce_sum(tf.square(tf.svd(x)[2]) * tf.constant([[0.5, 1.5, 2.5]], tf.float64)) + tf.svd(x)[0],
     [RNG.randn(4, 3)]),
    ("svd_wide", lambda x: tf.reduce_sum(tf.square(tf.svd(x)[1]) * tf.constant([[1.0, 2.0]], tf.float64)) +
     tf.svd(x)[0], [RNG.randn(2, 4)]),
    ("expm", lambda a: tf.linalg.expm(a), [RNG.randn(3, 3)]),
    ("pinv", lambda a: tf.linalg.pinv(a), [RNG.randn(3, 2)]),
    ("tridiagonal_solve", lambda d, b: tf.linalg.tridiagonal_solve(d + tf.constant([[0.0], [4.0], [0.0]], tf.float64),
                                                                   b), [RNG.randn(3, 4), RNG.randn(4, 1)]),
]


@pytest.mark.parametrize("name,build,inputs", LINALG_GRADIENTS, ids=[c[0] for c in LINALG_GRADIENTS])
def test_linalg_gradients(name, build, inputs):
    check_gradients(build, inputs, rtol=1e-5, atol=1e-6)


def test_unsupported_gradients_raise_like_tf():
    x = tf.placeholder(tf.float64, [3, 5])
    with pytest.raises(NotImplementedError, match="QrGrad not implemented when ncols > nrows"):
        tf.gradients(tf.qr(x)[0], x)
    with pytest.raises(NotImplementedError, match="full_matrices=True"):
        tf.gradients(tf.svd(x, full_matrices=True)[1], x)
