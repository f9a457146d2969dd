"""tf.sparse and the sparse top-level functions, against dense NumPy references."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients

RNG = np.random.RandomState(7)


def _random_sparse(shape, density=0.4, dtype=np.float32, shuffle=True):
    """A dense NumPy array with about `density` nonzeros and its (possibly unordered) sparse parts."""
    dense = (RNG.uniform(-2, 2, size=shape) * (RNG.uniform(size=shape) < density)).astype(dtype)
    indices = np.argwhere(dense != 0).astype(np.int64)
    if shuffle:
        indices = indices[RNG.permutation(len(indices))]
    values = dense[tuple(indices.T)] if len(indices) else np.zeros([0], dtype)
    return dense, tf.SparseTensorValue(indices, values, np.array(shape, np.int64))


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


def _dense_of(sp):
    return tf.sparse.to_dense(sp, validate_indices=True)


def _rebuild(value):
    """The dense NumPy array a fetched SparseTensorValue stands for (any rank, 0-D included)."""
    dense = np.zeros(tuple(value.dense_shape), value.values.dtype)
    for index, item in zip(value.indices, value.values):
        dense[tuple(index)] = item
    return dense


def _is_row_major(indices, shape):
    keys = np.ravel_multi_index(tuple(np.asarray(indices).T), tuple(shape))
    return np.all(np.diff(keys) > 0)


def test_reorder_sorts_indices_and_keeps_values():
    dense, value = _random_sparse([4, 3, 5])
    with tf.Graph().as_default():
        out = _run(tf.sparse.reorder(tf.SparseTensor(*value)))
    assert _is_row_major(out.indices, [4, 3, 5])
    rebuilt = np.zeros_like(dense)
    rebuilt[tuple(out.indices.T)] = out.values
    np.testing.assert_array_equal(rebuilt, dense)


def test_reorder_gradient_follows_the_permutation():
    indices = np.array([[1, 0], [0, 2], [0, 0]], np.int64)

    def build(values):
        sp = tf.sparse.reorder(tf.SparseTensor(indices, values, [2, 3]))
        return sp.values * tf.constant([1.0, 2.0, 3.0], tf.float64)
    check_gradients(build, [np.array([0.5, -1.0, 2.0])])


def test_sparse_tensor_dense_matmul_all_adjoints_match_numpy():
    dense, value = _random_sparse([4, 5], shuffle=False)
    b = RNG.randn(5, 3).astype(np.float32)
    with tf.Graph().as_default():
        sp = tf.SparseTensor(*value)
        outs = _run([tf.sparse_tensor_dense_matmul(sp, b),
                     tf.sparse.sparse_dense_matmul(sp, b.T, adjoint_b=True),
                     tf.sparse.matmul(sp, RNG.randn(4, 2).astype(np.float32), adjoint_a=True)])
    np.testing.assert_allclose(outs[0], dense @ b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(outs[1], dense @ b, rtol=1e-5, atol=1e-6)
    assert outs[2].shape == (5, 2)


def test_sparse_tensor_dense_matmul_gradients_wrt_values_and_dense():
    indices = np.array([[0, 1], [1, 0], [1, 2], [2, 2]], np.int64)

    def build(values, b):
        return tf.sparse_tensor_dense_matmul(tf.SparseTensor(indices, values, [3, 3]), b)

    def build_adjoint(values, b):
        return tf.sparse_tensor_dense_matmul(tf.SparseTensor(indices, values, [3, 3]), b,
                                             adjoint_a=True, adjoint_b=True)
    check_gradients(build, [RNG.randn(4), RNG.randn(3, 2)])
    check_gradients(build_adjoint, [RNG.randn(4), RNG.randn(2, 3)])


def test_sparse_tensor_dense_matmul_errors():
    with tf.Graph().as_default():
        sp = tf.SparseTensor([[0, 0]], [1.0], [2, 2])
        with pytest.raises(TypeError, match="Input 'b' of 'SparseTensorDenseMatMul' Op has type float64"):
            tf.sparse_tensor_dense_matmul(sp, np.ones((2, 2)))
        with pytest.raises(ValueError, match="must have rank 2|rank"):
            tf.sparse_tensor_dense_matmul(sp, np.ones(2, np.float32))
        with pytest.raises(TypeError, match="sp_a must be a SparseTensor"):
            tf.sparse_tensor_dense_matmul(np.ones((2, 2), np.float32), np.ones((2, 2), np.float32))


@pytest.mark.parametrize("axis,keepdims", [(None, False), (0, False), (1, True), ([0, 2], False)])
def test_reduce_sum_matches_dense_sum(axis, keepdims):
    dense, value = _random_sparse([3, 4, 2])
    with tf.Graph().as_default():
        out = _run(tf.sparse.reduce_sum(tf.sparse.reorder(tf.SparseTensor(*value)), axis, keepdims))
        sparse_out = _rebuild(_run(tf.sparse_reduce_sum_sparse(tf.sparse.reorder(tf.SparseTensor(*value)),
                                                               axis, keepdims)))
    expected = np.sum(dense, axis=None if axis is None else tuple(np.atleast_1d(axis)), keepdims=keepdims)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sparse_out, expected, rtol=1e-5, atol=1e-6)


def test_reduce_sum_gradient_wrt_values():
    indices = np.array([[0, 0], [0, 2], [1, 1]], np.int64)
    check_gradients(lambda v: tf.sparse_reduce_sum(tf.SparseTensor(indices, v, [2, 3]), 1), [RNG.randn(3)])


def test_add_sparse_sparse_sparse_dense_and_threshold():
    a_dense, a = _random_sparse([3, 4], shuffle=False)
    b_dense, b = _random_sparse([3, 4], shuffle=False)
    dense = RNG.randn(3, 4).astype(np.float32)
    with tf.Graph().as_default():
        total = tf.sparse.add(tf.SparseTensor(*a), tf.SparseTensor(*b))
        outs = _run([total, _dense_of(total), tf.sparse_add(tf.SparseTensor(*a), dense),
                     tf.sparse.add(dense, tf.SparseTensor(*a)),
                     _dense_of(tf.sparse.add(tf.SparseTensor(*a), tf.SparseTensor(*b), threshold=0.5))])
    assert _is_row_major(outs[0].indices, [3, 4])
    np.testing.assert_allclose(outs[1], a_dense + b_dense, rtol=1e-6)
    np.testing.assert_allclose(outs[2], a_dense + dense, rtol=1e-6)
    np.testing.assert_allclose(outs[3], a_dense + dense, rtol=1e-6)
    expected = a_dense + b_dense
    np.testing.assert_allclose(outs[4], np.where(np.abs(expected) >= 0.5, expected, 0), rtol=1e-6)


def test_add_gradient_and_errors():
    a_idx = np.array([[0, 0], [1, 1]], np.int64)
    b_idx = np.array([[0, 0], [0, 1]], np.int64)

    def build(a, b):
        return tf.sparse.add(tf.SparseTensor(a_idx, a, [2, 2]), tf.SparseTensor(b_idx, b, [2, 2])).values
    check_gradients(build, [RNG.randn(2), RNG.randn(2)])
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="At least one input should be SparseTensor"):
            tf.sparse.add(np.ones(2), np.ones(2))
        with pytest.raises(ValueError, match=r"Shapes \(2, 3\) and \(3, 3\) are incompatible"):
            tf.sparse.add(tf.SparseTensor([[0, 0]], [1.0], [2, 3]), tf.SparseTensor([[0, 0]], [1.0], [3, 3]))
        shape = tf.placeholder(tf.int64, [2])
        fed = tf.sparse.add(tf.SparseTensor([[0, 0]], [1.0], shape), tf.SparseTensor([[0, 0]], [1.0], [3, 3]))
        with pytest.raises(tf.errors.InvalidArgumentError, match="Operands' shapes do not match"):
            _run(fed.values, {shape: [2, 3]})


def test_maximum_minimum_treat_missing_as_zero():
    a_dense, a = _random_sparse([3, 5], shuffle=False)
    b_dense, b = _random_sparse([3, 5], shuffle=False)
    with tf.Graph().as_default():
        outs = _run([_dense_of(tf.sparse.maximum(tf.SparseTensor(*a), tf.SparseTensor(*b))),
                     _dense_of(tf.sparse_minimum(tf.SparseTensor(*a), tf.SparseTensor(*b)))])
    np.testing.assert_allclose(outs[0], np.maximum(a_dense, b_dense))
    np.testing.assert_allclose(outs[1], np.minimum(a_dense, b_dense))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat_matches_numpy_concatenate(axis):
    parts = [_random_sparse([3, n]) for n in (2, 4, 1)] if axis != 0 else \
        [_random_sparse([n, 3]) for n in (2, 4, 1)]
    with tf.Graph().as_default():
        out = _run(tf.sparse.concat(axis, [tf.SparseTensor(*v) for _, v in parts]))
        dense_out = _run(_dense_of(tf.sparse_concat(axis, [tf.SparseTensor(*v) for _, v in parts])))
    expected = np.concatenate([d for d, _ in parts], axis=axis)
    np.testing.assert_array_equal(out.dense_shape, expected.shape)
    np.testing.assert_allclose(dense_out, expected)


def test_concat_expand_nonconcat_dim_and_mismatch_error():
    a_dense, a = _random_sparse([2, 3])
    b_dense, b = _random_sparse([4, 2])
    with tf.Graph().as_default():
        out = _run(_dense_of(tf.sparse.concat(1, [tf.SparseTensor(*a), tf.SparseTensor(*b)],
                                              expand_nonconcat_dim=True)))
        expected = np.zeros([4, 5], np.float32)
        expected[:2, :3] = a_dense
        expected[:, 3:] = b_dense
        np.testing.assert_allclose(out, expected)
        bad = tf.sparse.concat(1, [tf.SparseTensor(*a), tf.SparseTensor(*b)])
        with pytest.raises(tf.errors.InvalidArgumentError, match="Input shapes must match"):
            _run(bad.dense_shape)
        with pytest.raises(ValueError, match="sp_inputs must not be empty"):
            tf.sparse.concat(0, [])


def test_retain_keeps_the_marked_values():
    _, value = _random_sparse([3, 4], density=0.7, shuffle=False)
    keep = np.arange(len(value.values)) % 2 == 0
    with tf.Graph().as_default():
        out = _run(tf.sparse.retain(tf.SparseTensor(*value), keep))
        np.testing.assert_array_equal(out.indices, value.indices[keep])
        np.testing.assert_array_equal(out.values, value.values[keep])
        with pytest.raises(ValueError, match="to_retain has length 1 but sp_input has 2 values"):
            tf.sparse_retain(tf.SparseTensor([[0], [1]], [1.0, 2.0], [3]), [True])


@pytest.mark.parametrize("perm", [None, [1, 0, 2], [2, 0, 1]])
def test_transpose_matches_numpy(perm):
    dense, value = _random_sparse([2, 3, 4])
    with tf.Graph().as_default():
        out = _run(tf.sparse.transpose(tf.SparseTensor(*value), perm))
    expected = np.transpose(dense, perm)
    assert _is_row_major(out.indices, expected.shape)
    rebuilt = np.zeros(out.dense_shape, np.float32)
    rebuilt[tuple(out.indices.T)] = out.values
    np.testing.assert_array_equal(rebuilt, expected)


def test_reshape_matches_numpy_and_errors():
    dense, value = _random_sparse([4, 6], shuffle=False)
    with tf.Graph().as_default():
        sp = tf.SparseTensor(*value)
        outs = _run([_dense_of(tf.sparse.reshape(sp, [3, -1, 2])), _dense_of(tf.sparse_reshape(sp, [24]))])
        np.testing.assert_array_equal(outs[0], dense.reshape(3, -1, 2))
        np.testing.assert_array_equal(outs[1], dense.reshape(24))
        with pytest.raises(tf.errors.InvalidArgumentError, match="requires a multiple of 5"):
            _run(tf.sparse.reshape(sp, [5, -1]).indices)
        with pytest.raises(tf.errors.InvalidArgumentError, match="only one output dimension may be -1"):
            _run(tf.sparse.reshape(sp, [-1, -1]).indices)
        with pytest.raises(tf.errors.InvalidArgumentError, match="24 dense values, but the requested shape has 25"):
            _run(tf.sparse.reshape(sp, [5, 5]).indices)


def test_slice_and_split_match_numpy():
    dense, value = _random_sparse([5, 7], density=0.6, shuffle=False)
    with tf.Graph().as_default():
        sp = tf.SparseTensor(*value)
        sliced = _run(_dense_of(tf.sparse.slice(sp, [1, 2], [3, 10])))
        pieces = _run([_dense_of(p) for p in tf.sparse.split(sp_input=sp, num_split=3, axis=1)])
        rows = _run([_dense_of(p) for p in tf.sparse_split(sp_input=sp, num_split=2, axis=0)])
    np.testing.assert_array_equal(sliced, dense[1:4, 2:])
    np.testing.assert_array_equal(pieces[0], dense[:, :3])
    np.testing.assert_array_equal(pieces[1], dense[:, 3:5])
    np.testing.assert_array_equal(pieces[2], dense[:, 5:])
    np.testing.assert_array_equal(rows[0], dense[:3])
    np.testing.assert_array_equal(rows[1], dense[3:])


def test_slice_gradient_and_split_errors():
    indices = np.array([[0, 0], [1, 2], [2, 1]], np.int64)
    check_gradients(lambda v: tf.sparse.slice(tf.SparseTensor(indices, v, [3, 3]), [1, 0], [2, 3]).values,
                    [RNG.randn(3)])
    with tf.Graph().as_default():
        sp = tf.SparseTensor(indices, [1.0, 2.0, 3.0], [3, 3])
        with pytest.raises(ValueError, match="Keyword arguments are required"):
            tf.sparse.split(sp, 2, 1)
        with pytest.raises(ValueError, match="num_split is required"):
            tf.sparse.split(sp_input=sp, axis=1)
        with pytest.raises(tf.errors.InvalidArgumentError, match="Expected start and size to have the rank"):
            _run(tf.sparse.slice(sp, [0], [1]).indices)


def test_softmax_over_stored_values_of_each_row():
    dense, value = _random_sparse([3, 2, 5], density=0.6, shuffle=False)
    with tf.Graph().as_default():
        out = _run(_dense_of(tf.sparse.softmax(tf.SparseTensor(*value))))
    present = dense != 0
    exps = np.where(present, np.exp(dense - np.max(np.where(present, dense, -np.inf), -1, keepdims=True)), 0)
    totals = exps.sum(-1, keepdims=True)
    np.testing.assert_allclose(out, np.divide(exps, totals, out=np.zeros_like(exps), where=totals > 0),
                               rtol=1e-5, atol=1e-7)


def test_softmax_gradient_and_dtype_error():
    indices = np.array([[0, 0], [0, 2], [1, 1], [1, 2]], np.int64)
    check_gradients(lambda v: tf.sparse_softmax(tf.SparseTensor(indices, v, [2, 3])).values, [RNG.randn(4)])
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="has DataType int32 not in list of allowed values"):
            tf.sparse.softmax(tf.SparseTensor([[0]], [1], [2]))


def test_fill_empty_rows_values_indicator_and_gradient():
    indices = np.array([[1, 0], [1, 3], [3, 1]], np.int64)
    with tf.Graph().as_default():
        filled, empty = tf.sparse.fill_empty_rows(tf.SparseTensor(indices, [1.0, 2.0, 3.0], [5, 4]), -7.0)
        out, empty_rows = _run([filled, empty])
    np.testing.assert_array_equal(out.indices, [[0, 0], [1, 0], [1, 3], [2, 0], [3, 1], [4, 0]])
    np.testing.assert_array_equal(out.values, [-7, 1, 2, -7, 3, -7])
    np.testing.assert_array_equal(empty_rows, [True, False, True, False, True])
    check_gradients(lambda v, d: tf.sparse_fill_empty_rows(tf.SparseTensor(indices, v, [5, 4]), d)[0].values,
                    [RNG.randn(3), np.array(0.5)])
    with tf.Graph().as_default():
        bad, _ = tf.sparse.fill_empty_rows(tf.SparseTensor([[6, 0]], [1.0], [5, 4]), 0.0)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\(0, 0\) is invalid: 6 not in \[0, 5\)"):
            _run(bad.values)


def _segment_reference(data, indices, segment_ids, num_segments, normalize):
    out = np.zeros((num_segments,) + data.shape[1:])
    counts = np.zeros(num_segments)
    for index, segment in zip(indices, segment_ids):
        out[segment] += data[index]
        counts[segment] += 1
    scale = np.maximum(counts, 1) if normalize == "mean" else \
        np.sqrt(np.maximum(counts, 1)) if normalize == "sqrt" else np.ones_like(counts)
    return out / scale.reshape((-1,) + (1,) * (data.ndim - 1))


@pytest.mark.parametrize("kind", ["sum", "mean", "sqrt"])
def test_sparse_segment_reductions_values_and_gradients(kind):
    fn = {"sum": tf.sparse.segment_sum, "mean": tf.sparse_segment_mean, "sqrt": tf.sparse_segment_sqrt_n}[kind]
    data = RNG.randn(5, 3)
    indices, segment_ids = np.array([0, 3, 3, 4, 1]), np.array([0, 0, 1, 3, 3])
    with tf.Graph().as_default():
        outs = _run([fn(data, indices, segment_ids), fn(data, indices, segment_ids, num_segments=6)])
    np.testing.assert_allclose(outs[0], _segment_reference(data, indices, segment_ids, 4, kind), rtol=1e-10)
    np.testing.assert_allclose(outs[1], _segment_reference(data, indices, segment_ids, 6, kind), rtol=1e-10)
    check_gradients(lambda d: fn(d, indices, segment_ids), [data])


def test_to_indicator_and_from_dense():
    ids = tf.SparseTensorValue(np.array([[0, 0], [0, 1], [2, 0]], np.int64), np.array([3, 1, 2], np.int64),
                               np.array([3, 2], np.int64))
    dense = np.array([[0, 1.5, 0], [0, 0, 0], [-2, 0, 3]], np.float32)
    with tf.Graph().as_default():
        indicator, sparse = _run([tf.sparse.to_indicator(tf.SparseTensor(*ids), 5), tf.sparse.from_dense(dense)])
        with pytest.raises(TypeError, match="sp_input.values must be int32 or int64, got float32"):
            tf.sparse_to_indicator(tf.SparseTensor([[0, 0]], [1.0], [1, 1]), 3)
    expected = np.zeros([3, 5], bool)
    expected[0, [3, 1]] = True
    expected[2, 2] = True
    np.testing.assert_array_equal(indicator, expected)
    np.testing.assert_array_equal(sparse.indices, np.argwhere(dense))
    np.testing.assert_array_equal(sparse.values, dense[dense != 0])
    np.testing.assert_array_equal(sparse.dense_shape, [3, 3])


def test_eye_and_expand_dims():
    dense, value = _random_sparse([3, 4])
    with tf.Graph().as_default():
        outs = _run([_dense_of(tf.sparse.eye(3, 5, dtype=tf.float64)), _dense_of(tf.sparse.eye(2)),
                     tf.sparse.to_dense(tf.sparse.expand_dims(tf.SparseTensor(*value), -1), validate_indices=False),
                     tf.sparse.to_dense(tf.sparse.expand_dims(tf.SparseTensor(*value), 1), validate_indices=False)])
    np.testing.assert_array_equal(outs[0], np.eye(3, 5))
    assert outs[0].dtype == np.float64
    np.testing.assert_array_equal(outs[1], np.eye(2, dtype=np.float32))
    np.testing.assert_array_equal(outs[2], dense[:, :, None])
    np.testing.assert_array_equal(outs[3], dense[:, None, :])


def test_indexed_slices_converts_to_its_dense_sum_and_mask():
    with tf.Graph().as_default():
        slices = tf.IndexedSlices(tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), tf.constant([2, 0, 2]),
                                  tf.constant([4, 2]))
        dense = tf.convert_to_tensor(slices)
        masked = tf.sparse.mask(slices, [2])
        out, values, indices = _run([dense, masked.values, masked.indices])
        assert slices.dtype == tf.float32 and masked.dense_shape is slices.dense_shape
        assert tf.convert_to_tensor_or_indexed_slices(slices) is slices
        with pytest.raises(ValueError, match="IndexedSlices without dense_shape"):
            tf.convert_to_tensor(tf.IndexedSlices(tf.constant([1.0]), tf.constant([0])))
        with pytest.raises(ValueError, match="requested dtype int32 for Tensor with dtype float32"):
            tf.convert_to_tensor_or_indexed_slices(slices, dtype=tf.int32)
    np.testing.assert_array_equal(out, [[3, 4], [0, 0], [6, 8], [0, 0]])
    np.testing.assert_array_equal(values, [[3, 4]])
    np.testing.assert_array_equal(indices, [0])


def test_convert_to_tensor_or_sparse_tensor():
    with tf.Graph().as_default():
        value = tf.SparseTensorValue([[0]], [1.0], [2])
        sp = tf.convert_to_tensor_or_sparse_tensor(value)
        assert isinstance(sp, tf.SparseTensor)
        assert tf.convert_to_tensor_or_sparse_tensor(sp) is sp
        assert isinstance(tf.convert_to_tensor_or_sparse_tensor([1, 2]), tf.Tensor)
        with pytest.raises(ValueError, match="Sparse dtype: requested = int32, actual = float32"):
            tf.convert_to_tensor_or_sparse_tensor(sp, dtype=tf.int32)


@pytest.mark.parametrize("axis,keepdims", [(None, False), (1, False), (0, True)])
def test_reduce_max_takes_only_stored_values(axis, keepdims):
    dense, value = _random_sparse([4, 5], density=0.5)
    dense[1] = 0          # a row with nothing stored reduces to 0
    keep = value.indices[:, 0] != 1
    value = tf.SparseTensorValue(value.indices[keep], value.values[keep], value.dense_shape)
    stored = np.zeros(dense.shape, bool)
    stored[tuple(value.indices.T)] = True
    axes = None if axis is None else (axis,)
    present = np.any(stored, axis=axes, keepdims=keepdims)
    expected = np.where(present, np.max(np.where(stored, dense, -np.inf), axis=axes, keepdims=keepdims), 0)
    with tf.Graph().as_default():
        sp = tf.SparseTensor(*value)
        out, out_sparse = _run([tf.sparse.reduce_max(sp, axis, keepdims), tf.sparse_reduce_max_sparse(sp, axis,
                                                                                                        keepdims)])
    np.testing.assert_allclose(out, expected)
    np.testing.assert_array_equal(_rebuild(out_sparse), expected)
    np.testing.assert_array_equal(out_sparse.indices, np.argwhere(present))


def test_reset_shape_tightest_larger_and_errors():
    indices = np.array([[0, 1], [2, 0]], np.int64)
    with tf.Graph().as_default():
        sp = tf.SparseTensor(indices, [-1.0, -2.0], [3, 3])
        tight, larger = _run([tf.sparse.reset_shape(sp), tf.sparse_reset_shape(sp, [4, 5])])
        np.testing.assert_array_equal(tight.dense_shape, [3, 2])
        np.testing.assert_array_equal(larger.dense_shape, [4, 5])
        np.testing.assert_array_equal(larger.indices, indices)
        with pytest.raises(ValueError, match="Requested new_shape should have dimension sizes >= sp_input.shape"):
            tf.sparse.reset_shape(sp, [2, 2])
        fed = tf.placeholder(tf.int64, [2])
        with pytest.raises(tf.errors.InvalidArgumentError, match="Requested new_shape should have dimension"):
            _run(tf.sparse.reset_shape(sp, fed).dense_shape, {fed: [2, 5]})


def test_sparse_matmul_is_the_dense_product():
    a, b = RNG.randn(3, 4).astype(np.float32), RNG.randn(5, 4).astype(np.float32)
    with tf.Graph().as_default():
        out = _run(tf.sparse_matmul(a, b, transpose_b=True, a_is_sparse=True))
    np.testing.assert_allclose(out, a @ b.T, rtol=1e-5)


def test_merge_places_values_at_their_ids():
    ids = tf.SparseTensorValue(np.array([[0, 0], [0, 1], [2, 0]], np.int64), np.array([3, 1, 2], np.int64),
                               np.array([3, 2], np.int64))
    weights = tf.SparseTensorValue(ids.indices, np.array([0.5, 0.25, 2.0], np.float32), ids.dense_shape)
    with tf.Graph().as_default():
        merged, unsorted = _run([tf.sparse.merge(tf.SparseTensor(*ids), tf.SparseTensor(*weights), 5),
                                 tf.sparse_merge(tf.SparseTensor(*ids), tf.SparseTensor(*weights), 5,
                                                 already_sorted=True)])
        with pytest.raises(ValueError, match="sp_ids and vocab_size have to have equal lengths"):
            tf.sparse_merge([tf.SparseTensor(*ids)], tf.SparseTensor(*weights), [5, 6])
        with pytest.raises(TypeError, match="sp_ids.values.dtype=float32 is not an integer type"):
            tf.sparse_merge(tf.SparseTensor(*weights), tf.SparseTensor(*weights), 5)
    np.testing.assert_array_equal(merged.indices, [[0, 1], [0, 3], [2, 2]])
    np.testing.assert_array_equal(merged.values, [0.25, 0.5, 2.0])
    np.testing.assert_array_equal(merged.dense_shape, [3, 5])
    np.testing.assert_array_equal(unsorted.indices, [[0, 3], [0, 1], [2, 2]])


def test_sparse_tensor_spec():
    spec = tf.SparseTensorSpec([2, 3], tf.float32)
    assert spec.shape.as_list() == [2, 3] and spec.dtype == tf.float32 and spec.value_type is tf.SparseTensor
    assert repr(spec) == "SparseTensorSpec(TensorShape([2, 3]), tf.float32)"
    assert spec == tf.sparse.SparseTensorSpec([2, 3]) and spec != tf.SparseTensorSpec([2, 4])
    with tf.Graph().as_default():
        value = tf.SparseTensor([[0, 0]], [1.0], [2, 3])
        assert tf.SparseTensorSpec.from_value(value) == spec
        assert tf.SparseTensorSpec([None, 3]).is_compatible_with(value)
        assert not tf.SparseTensorSpec([None, 3], tf.int32).is_compatible_with(value)


def test_serialize_many_and_deserialize_many_round_trip():
    _, value = _random_sparse([3, 2, 4], density=0.5, shuffle=False)
    with tf.Graph().as_default():
        sp = tf.SparseTensor(*value)
        serialized = tf.serialize_many_sparse(sp)
        back = tf.deserialize_many_sparse(serialized, tf.float32, rank=3)
        single = tf.serialize_sparse(sp)
        rows, out, one = _run([serialized, back, single])
        assert back.indices.shape.as_list() == [None, 3]
        assert rows.shape == (3, 3) and one.shape == (3,)
        np.testing.assert_array_equal(out.indices, value.indices)
        np.testing.assert_array_equal(out.values, value.values)
        np.testing.assert_array_equal(out.dense_shape, value.dense_shape)
        # Stacking entries of different shapes takes the largest shape.
        small = tf.serialize_sparse(tf.SparseTensor([[1]], [5.0], [2]))
        large = tf.serialize_sparse(tf.SparseTensor([[3]], [7.0], [6]))
        stacked = _run(tf.deserialize_many_sparse(tf.stack([small, large]), tf.float32))
        np.testing.assert_array_equal(stacked.indices, [[0, 1], [1, 3]])
        np.testing.assert_array_equal(stacked.dense_shape, [2, 6])


def test_serialization_errors():
    with tf.Graph().as_default():
        sp = tf.SparseTensor([[0, 0]], [1.0], [2, 2])
        with pytest.raises(tf.errors.InvalidArgumentError, match="Requested SparseTensor of type int32"):
            _run(tf.deserialize_many_sparse(tf.expand_dims(tf.serialize_sparse(sp), 0), tf.int32).values)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"Could not parse serialized_sparse\[0, 0\]"):
            _run(tf.deserialize_many_sparse([[b"\xff\xff", b"", b""]], tf.float32).values)
        with pytest.raises(tf.errors.InvalidArgumentError, match="Serialized sparse should be a matrix with 3"):
            _run(tf.deserialize_many_sparse([[b"", b""]], tf.float32).values)
        with pytest.raises(tf.errors.InvalidArgumentError, match="Rank of input SparseTensor should be > 1"):
            _run(tf.serialize_many_sparse(tf.SparseTensor([[0]], [1.0], [2])))
        with pytest.raises(TypeError, match="out_type int32 is not supported"):
            tf.serialize_sparse(sp, out_type=tf.int32)
