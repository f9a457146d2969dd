"""tf.linalg.sqrtm / tf.matrix_square_root (ops/matrix_sqrt.py): X @ X = A with X's eigenvalues in the right
half plane, NaN without a principal root (as TF), gradients by finite differences."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients

R = np.random.RandomState(0)
SPD = [m @ m.T + np.eye(3) for m in R.randn(2, 3, 3)]


def run(fetches):
    with tf.Session() as sess:
        return sess.run(fetches)


def test_square_roots():
    batch = np.stack(SPD)
    roots = run(tf.linalg.sqrtm(batch))
    for root, matrix in zip(roots, batch):
        np.testing.assert_allclose(root @ root, matrix, atol=1e-10)
        np.testing.assert_allclose(root, root.T, atol=1e-10)              # SPD: the root is SPD too
        assert np.all(np.linalg.eigvalsh(root) > 0)
    triangular = np.array([[4.0, 1.0], [0.0, 9.0]])
    np.testing.assert_allclose(run(tf.matrix_square_root(triangular)), [[2.0, 0.2], [0.0, 3.0]], atol=1e-12)
    rotation = np.array([[0.0, -1.0], [1.0, 0.0]]) + 0j           # eigenvalues +-i: a complex principal root
    root = run(tf.linalg.sqrtm(rotation))
    np.testing.assert_allclose(root @ root, rotation, atol=1e-10)
    assert np.all(np.linalg.eigvals(root).real > 0)
    assert np.all(np.isnan(run(tf.linalg.sqrtm(-np.eye(2)))))
    assert run(tf.linalg.sqrtm(np.eye(2, dtype=np.float32))).dtype == np.float32


def test_gradient():
    check_gradients(tf.linalg.sqrtm, [SPD[0]], rtol=1e-5, atol=1e-7)
    check_gradients(tf.linalg.sqrtm, [np.array([[4.0, 1.0, 0.5], [0.2, 9.0, 0.1], [0.0, 0.3, 2.0]])])


def test_errors():
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        tf.linalg.sqrtm(np.ones((2, 3)))
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.linalg.sqrtm(np.ones((2, 2), np.int32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input matrix must be square"):
        run(tf.linalg.sqrtm(tf.placeholder_with_default(np.ones((2, 3)), [None, None])))
