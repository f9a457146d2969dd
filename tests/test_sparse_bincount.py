"""tf.sparse.bincount (ops/sparse_bincount.py): counts against numpy.bincount per row and overall."""
import numpy as np
import pytest

import numflow as tf

VALUES = np.array([[1, 3, 3], [0, 5, 1]], np.int32)


def run(fetches):
    with tf.Session() as sess:
        return sess.run(fetches)


def as_dense(result):
    out = np.zeros(result.dense_shape, result.values.dtype)
    out[tuple(result.indices.T)] = result.values
    return out


def test_counts_overall_and_per_row():
    overall = run(tf.sparse.bincount(VALUES))
    assert overall.values.dtype == np.int32 and overall.dense_shape.tolist() == [6]
    np.testing.assert_array_equal(as_dense(overall), np.bincount(VALUES.ravel()))
    assert np.all(overall.values > 0)                         # only values that occur are stored
    per_row = run(tf.sparse.bincount(VALUES, axis=-1, minlength=8))
    np.testing.assert_array_equal(as_dense(per_row), [np.bincount(r, minlength=8) for r in VALUES])
    weights = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32)
    weighted = run(tf.sparse.bincount(VALUES, weights=weights, axis=-1))
    assert weighted.values.dtype == np.float32
    np.testing.assert_allclose(as_dense(weighted), [np.bincount(r, w, minlength=6) for r, w in zip(VALUES, weights)])
    binary = run(tf.sparse.bincount(VALUES, axis=-1, binary_output=True, maxlength=4))
    np.testing.assert_array_equal(as_dense(binary), [[0, 1, 0, 1], [1, 1, 0, 0]])
    sparse = run(tf.sparse.bincount(tf.sparse.from_dense(VALUES), axis=-1))    # from_dense drops the 0
    np.testing.assert_array_equal(as_dense(sparse), [[0, 1, 0, 2, 0, 0], [0, 1, 0, 0, 0, 1]])


def test_errors():
    with pytest.raises(ValueError, match="Only 0 and -1 are currently supported"):
        tf.sparse.bincount(VALUES, axis=1)
    with pytest.raises(TypeError, match="bincount values must be integers"):
        tf.sparse.bincount(VALUES.astype(np.float32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input arr must be non-negative"):
        run(tf.sparse.bincount(np.array([1, -2], np.int32)))
