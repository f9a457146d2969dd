"""tf.linalg.eigh_tridiagonal (ops/eigh_tridiagonal.py) against numpy.linalg.eigh of the dense matrix."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients

ALPHA = np.array([1.0, 2.0, 3.0, 4.0, -1.0])
BETA = np.array([0.5, 0.3, 0.2, 1.1])
DENSE = np.diag(ALPHA) + np.diag(BETA, 1) + np.diag(BETA, -1)


def run(fetches):
    with tf.Session() as sess:
        return sess.run(fetches)


def test_eigenvalues_selection_and_vectors():
    expected = np.linalg.eigvalsh(DENSE)
    everything, by_index, by_value = run([tf.linalg.eigh_tridiagonal(ALPHA, BETA),
                                          tf.linalg.eigh_tridiagonal(ALPHA, BETA, select="i", select_range=(1, 3)),
                                          tf.linalg.eigh_tridiagonal(ALPHA, BETA, select="v", select_range=(0.0, 3.0))])
    np.testing.assert_allclose(everything, expected, atol=1e-12)
    np.testing.assert_allclose(by_index, expected[1:4], atol=1e-12)
    np.testing.assert_allclose(by_value, expected[(expected > 0.0) & (expected <= 3.0)], atol=1e-12)
    values, vectors = run(tf.linalg.eigh_tridiagonal(ALPHA, BETA, eigvals_only=False, select="i", select_range=(0, 1)))
    np.testing.assert_allclose(DENSE @ vectors, vectors * values, atol=1e-10)
    hermitian_beta = BETA + 1j * np.array([0.1, -0.2, 0.0, 0.3])
    dense = np.diag(ALPHA + 0j) + np.diag(hermitian_beta, 1) + np.diag(hermitian_beta.conj(), -1)
    np.testing.assert_allclose(run(tf.linalg.eigh_tridiagonal(ALPHA + 0j, hermitian_beta)).real,
                               np.linalg.eigvalsh(dense), atol=1e-10)


def test_gradient_and_errors():
    check_gradients(lambda a, b: tf.linalg.eigh_tridiagonal(a, b), [ALPHA, BETA])
    with pytest.raises(ValueError, match="select must be 'a', 'i' or 'v'"):
        tf.linalg.eigh_tridiagonal(ALPHA, BETA, select="x")
    with pytest.raises(ValueError, match="select_range must be a pair"):
        tf.linalg.eigh_tridiagonal(ALPHA, BETA, select="i")
    with pytest.raises(ValueError, match="one element fewer than alpha"):
        tf.linalg.eigh_tridiagonal(ALPHA, ALPHA)
