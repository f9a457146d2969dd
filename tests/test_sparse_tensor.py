"""tf.SparseTensor, SparseTensorValue fetch/feed, sparse_placeholder, sparse_to_dense / SparseToDense."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients


def _dense(indices, values, shape, default=0):
    """The dense array a sparse triple stands for, by plain NumPy indexing."""
    out = np.full(shape, default, dtype=np.asarray(values).dtype)
    for index, value in zip(indices, values):
        out[tuple(index)] = value
    return out


def test_sparse_tensor_properties_and_static_shape():
    with tf.Graph().as_default() as graph:
        sp = tf.SparseTensor(indices=[[0, 1], [2, 3]], values=[1.5, 2.5], dense_shape=[3, 4])
        assert sp.indices.dtype == tf.int64 and sp.dense_shape.dtype == tf.int64
        assert sp.dtype == tf.float32
        assert sp.shape.as_list() == [3, 4] and sp.get_shape().as_list() == [3, 4]
        assert sp.op is sp.values.op and sp.graph is graph
        assert sp.indices.shape.as_list() == [2, 2]
        shape_in = tf.placeholder(tf.int64, [3])
        unknown = tf.SparseTensor(tf.placeholder(tf.int64, [None, 3]), tf.placeholder(tf.int32, [None]), shape_in)
        assert unknown.shape.as_list() == [None, None, None]
        assert tf.sparse.SparseTensor is tf.SparseTensor
        assert "SparseTensor(indices=" in repr(sp)


def test_sparse_tensor_shape_mismatches_are_value_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="rank"):
            tf.SparseTensor(indices=[0, 1], values=[1.0, 2.0], dense_shape=[3])
        with pytest.raises(ValueError):
            tf.SparseTensor(indices=[[0, 1], [1, 1]], values=[1.0], dense_shape=[3, 3])
        with pytest.raises(ValueError):
            tf.SparseTensor(indices=[[0, 1]], values=[1.0], dense_shape=[3, 3, 3])


def test_fetch_gives_sparse_tensor_value_and_eval():
    with tf.Graph().as_default():
        sp = tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[7, 8], dense_shape=[2, 3])
        with tf.Session() as sess:
            value = sess.run(sp)
            assert isinstance(value, tf.SparseTensorValue)
            np.testing.assert_array_equal(value.indices, [[0, 0], [1, 2]])
            np.testing.assert_array_equal(value.values, [7, 8])
            np.testing.assert_array_equal(value.dense_shape, [2, 3])
            assert value.indices.dtype == np.int64 and value.values.dtype == np.int32
            nested = sess.run({"sp": sp, "list": [sp.values]})
            assert isinstance(nested["sp"], tf.SparseTensorValue)
            np.testing.assert_array_equal(nested["list"][0], [7, 8])
            again = sp.eval()
            np.testing.assert_array_equal(again.values, [7, 8])


def test_sparse_placeholder_feeds_a_sparse_tensor_value():
    with tf.Graph().as_default():
        sp = tf.sparse_placeholder(tf.float32, name="sp")
        assert sp.values.name == "sp/values:0" and sp.indices.name == "sp/indices:0"
        dense = tf.sparse_tensor_to_dense(sp, default_value=-1.0)
        indices = np.array([[0, 1], [1, 0]], dtype=np.int64)
        values = np.array([3.0, 4.0], dtype=np.float32)
        with tf.Session() as sess:
            out = sess.run(dense, {sp: tf.SparseTensorValue(indices, values, [2, 2])})
            np.testing.assert_array_equal(out, [[-1, 3], [4, -1]])
            out = sess.run(dense, {sp: (indices, values, np.array([2, 3]))})    # a plain tuple works too
            np.testing.assert_array_equal(out, [[-1, 3, -1], [4, -1, -1]])
            # Feeding and fetching the same sparse tensor round-trips its value.
            fed = sess.run(sp, {sp: tf.SparseTensorValue(indices, values, [2, 2])})
            np.testing.assert_array_equal(fed.values, values)
            with pytest.raises(TypeError, match="must be a SparseTensorValue or an"):
                sess.run(dense, {sp: values})
        known = tf.sparse.placeholder(tf.int64, shape=[4, 5])
        assert known.shape.as_list() == [4, 5]
        ranked = tf.sparse_placeholder(tf.int64, shape=[None, 5])
        assert ranked.shape.as_list() == [None, None] and ranked.indices.shape.as_list() == [None, 2]


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.float64, np.int32])
def test_sparse_tensor_to_dense_matches_numpy(dtype):
    rng = np.random.RandomState(3)
    shape = (4, 5, 3)
    flat = np.sort(rng.choice(np.prod(shape), size=17, replace=False))
    indices = np.stack(np.unravel_index(flat, shape), axis=1)
    values = (rng.randn(17) * 10).astype(dtype)
    with tf.Graph().as_default():
        sp = tf.SparseTensor(indices, values, shape)
        dense = tf.sparse_tensor_to_dense(sp)
        dense7 = tf.sparse.to_dense(sp, default_value=7)
        assert dense.shape.as_list() == list(shape) and dense.dtype == tf.as_dtype(dtype)
        with tf.Session() as sess:
            got, got7 = sess.run([dense, dense7])
    np.testing.assert_array_equal(got, _dense(indices, values, shape))
    np.testing.assert_array_equal(got7, _dense(indices, values, shape, default=7))
    assert got.dtype == dtype


def test_string_sparse_tensor_to_dense_defaults_to_empty_bytes():
    with tf.Graph().as_default():
        sp = tf.SparseTensor([[0], [2]], [b"a", b"c"], [3])
        with tf.Session() as sess:
            assert sess.run(tf.sparse_tensor_to_dense(sp)).tolist() == [b"a", b"", b"c"]
            assert sess.run(tf.sparse_tensor_to_dense(sp, default_value=b"?")).tolist() == [b"a", b"?", b"c"]


def test_sparse_to_dense_index_forms_and_scalar_values():
    with tf.Graph().as_default():
        with tf.Session() as sess:
            # 1-D indices into a vector; a scalar value broadcasts.
            out = sess.run(tf.sparse_to_dense([1, 3], [5], 9))
            np.testing.assert_array_equal(out, [0, 9, 0, 9, 0])
            out = sess.run(tf.sparse_to_dense(2, [4], 1.5, default_value=-1.0))
            np.testing.assert_array_equal(out, [-1, -1, 1.5, -1])
            out = sess.run(tf.sparse_to_dense([[1, 0]], [2, 2], [4]))
            np.testing.assert_array_equal(out, [[0, 0], [4, 0]])
            # int32 indices with an int64 shape are reconciled.
            out = sess.run(tf.sparse_to_dense(tf.constant([[0, 1]]), tf.constant([1, 2], tf.int64), [5]))
            np.testing.assert_array_equal(out, [[0, 5]])


def test_sparse_to_dense_validation_errors():
    with tf.Graph().as_default():
        order = tf.SparseTensor([[1, 0], [0, 1]], [1.0, 2.0], [2, 2])
        repeat = tf.SparseTensor([[0, 1], [0, 1]], [1.0, 2.0], [2, 2])
        bounds = tf.SparseTensor([[0, 1], [2, 0]], [1.0, 2.0], [2, 2])
        counts = tf.sparse_to_dense(tf.placeholder(tf.int64, [None, 2]), [2, 2], tf.placeholder(tf.float32, [None]))
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[0,1\] is out of order"):
                sess.run(tf.sparse_tensor_to_dense(order))
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[0,1\] is repeated"):
                sess.run(tf.sparse_tensor_to_dense(repeat))
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match=r"indices\[1\] = \[2,0\] is out of bounds: need 0 <= index < \[2,2\]"):
                sess.run(tf.sparse_tensor_to_dense(bounds))
            # Without validation, unordered indices are accepted (bounds are always checked).
            out = sess.run(tf.sparse_tensor_to_dense(order, validate_indices=False))
            np.testing.assert_array_equal(out, [[0, 2], [1, 0]])
            with pytest.raises(tf.errors.InvalidArgumentError, match="out of bounds"):
                sess.run(tf.sparse_tensor_to_dense(bounds, validate_indices=False))
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match=r"sparse_values has incorrect shape \[3\], should be \[\] or \[1\]"):
                sess.run(counts, {"Placeholder:0": [[0, 0]], "Placeholder_1:0": [1, 2, 3]})
            # The session is still usable after the errors.
            np.testing.assert_array_equal(sess.run(tf.sparse_tensor_to_dense(order, validate_indices=False)),
                                          [[0, 2], [1, 0]])
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="requested dtype float32 for Tensor with dtype float64"):
            tf.sparse_to_dense([0], [2], tf.constant([1.0]), default_value=tf.constant(0.0, tf.float64))
        with pytest.raises(TypeError, match="Input must be a SparseTensor"):
            tf.sparse_tensor_to_dense(np.zeros(3))


def test_sparse_to_dense_gradient_wrt_values_and_default():
    indices = np.array([[0, 1], [1, 0], [2, 2]], dtype=np.int64)
    check_gradients(lambda v, d: tf.sparse_to_dense(indices, [3, 3], v, default_value=d),
                    [np.array([1.0, -2.0, 3.0]), np.array(0.5)])
    # A scalar value broadcast to every index gets the sum of their gradients.
    check_gradients(lambda v: tf.sparse_to_dense([0, 2], [4], v), [np.array(2.0)])
    with tf.Graph().as_default():
        values = tf.placeholder(tf.float64, [3])
        dense = tf.sparse_tensor_to_dense(tf.SparseTensor(indices, values, [3, 3]))
        grad = tf.gradients(dense * np.arange(9.0).reshape(3, 3), values)[0]
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(grad, {values: [1, 2, 3]}), [1.0, 3.0, 8.0])
