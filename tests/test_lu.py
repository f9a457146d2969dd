"""tf.linalg.lu and lu_solve / lu_reconstruct / lu_matrix_inverse (ops/lu.py): factors that rebuild the
input, pivots as partial pivoting chooses them, solves and inverses against NumPy, gradients by finite
differences."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients

A = np.array([[1.0, 2, 3], [4, 5, 6], [7, 8, 10]])
BATCH = np.random.RandomState(0).randn(2, 4, 4)


def run(fetches):
    with tf.Session() as sess:
        return sess.run(fetches)


def unpack(lower_upper):
    n = lower_upper.shape[-1]
    return np.tril(lower_upper, -1) + np.eye(n), np.triu(lower_upper)


def test_lu_factors_with_partial_pivoting():
    lower_upper, perm = run(tf.linalg.lu(A))
    assert perm.dtype == np.int32 and perm.tolist() == [2, 0, 1]      # the largest pivot of each column
    lower, upper = unpack(lower_upper)
    np.testing.assert_allclose(lower @ upper, A[perm])
    assert np.all(np.abs(np.tril(lower_upper, -1)) <= 1.0)
    batch_lu, batch_perm = run(tf.linalg.lu(BATCH, output_idx_type=tf.int64))
    assert batch_perm.dtype == np.int64 and batch_perm.shape == (2, 4)
    for i in range(2):
        lower, upper = unpack(batch_lu[i])
        np.testing.assert_allclose(lower @ upper, BATCH[i][batch_perm[i]], atol=1e-12)
    complex_matrix = A + 1j * np.eye(3)
    lower_upper, perm = run(tf.linalg.lu(complex_matrix))
    lower, upper = unpack(lower_upper)
    np.testing.assert_allclose(lower @ upper, complex_matrix[perm])


def test_lu_companions():
    rhs = np.random.RandomState(1).randn(2, 4, 3)
    lower_upper, perm = tf.linalg.lu(BATCH)
    rebuilt, solved, inverse = run([tf.linalg.lu_reconstruct(lower_upper, perm),
                                    tf.linalg.lu_solve(lower_upper, perm, rhs),
                                    tf.linalg.lu_matrix_inverse(lower_upper, perm)])
    np.testing.assert_allclose(rebuilt, BATCH, atol=1e-12)
    np.testing.assert_allclose(solved, np.linalg.solve(BATCH, rhs), atol=1e-10)
    np.testing.assert_allclose(inverse, np.linalg.inv(BATCH), atol=1e-10)
    single = tf.linalg.lu(A)
    np.testing.assert_allclose(run(tf.linalg.lu_matrix_inverse(*single)), np.linalg.inv(A), atol=1e-12)


def test_lu_gradients():
    matrix = BATCH[0] + 3 * np.eye(4)
    check_gradients(lambda x: tf.linalg.lu(x)[0], [matrix])
    check_gradients(lambda x: tf.linalg.lu_solve(*tf.linalg.lu(x), tf.constant(np.ones((4, 2)))), [matrix])
    check_gradients(lambda x: tf.linalg.lu_reconstruct(*tf.linalg.lu(x)), [BATCH])


def test_lu_errors():
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        tf.linalg.lu(np.ones((2, 3)))
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.linalg.lu(np.ones((2, 2), np.int32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input matrix must be square"):
        run(tf.linalg.lu(tf.placeholder_with_default(np.ones((2, 3)), [None, None])))
