"""tf.RaggedTensor and tf.ragged in graph mode; expected values are the TF 2.21 (eager disabled) results,
re-derived by hand from the row partition."""
import numpy as np
import pytest

import numflow as tf
from numflow.framework import errors


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def _rows(values, splits):
    return [list(values[a:b]) for a, b in zip(splits[:-1], splits[1:])]


VALUES = [1.0, 2.0, 3.0, 4.0, 5.0]
SPLITS = [0, 2, 2, 5]
ROWS = _rows(VALUES, SPLITS)


def test_factories_agree():
    built = [tf.RaggedTensor.from_row_splits(VALUES, SPLITS),
             tf.RaggedTensor.from_row_lengths(VALUES, [2, 0, 3]),
             tf.RaggedTensor.from_value_rowids(VALUES, [0, 0, 2, 2, 2]),
             tf.RaggedTensor.from_value_rowids(VALUES, [0, 0, 2, 2, 2], nrows=3),
             tf.RaggedTensor.from_row_starts(VALUES, [0, 2, 2]),
             tf.RaggedTensor.from_row_limits(VALUES, [2, 2, 5]),
             tf.ragged.constant(ROWS)]
    for value in _run(built):
        assert isinstance(value, tf.ragged.RaggedTensorValue)
        assert value.to_list() == ROWS
    trailing_empty = tf.RaggedTensor.from_value_rowids([1, 2, 3], [0, 0, 2], nrows=4)
    assert _run(trailing_empty).to_list() == [[1, 2], [], [3], []]


def test_properties_and_row_partition():
    rt = tf.RaggedTensor.from_row_splits(VALUES, SPLITS)
    assert rt.shape.as_list() == [3, None] and rt.dtype is tf.float32 and rt.ragged_rank == 1
    assert rt.row_splits.dtype is tf.int64 and rt.flat_values is rt.values
    assert rt.nested_row_splits == (rt.row_splits,)
    got = _run([rt.row_lengths(), rt.value_rowids(), rt.nrows(), rt.row_starts(), rt.row_limits(),
                rt.nrows(out_type=tf.int32)])
    np.testing.assert_array_equal(got[0], [2, 0, 3])
    np.testing.assert_array_equal(got[1], [0, 0, 2, 2, 2])
    assert got[2] == 3 and got[5].dtype == np.int32
    np.testing.assert_array_equal(got[3], [0, 2, 2])
    np.testing.assert_array_equal(got[4], [2, 2, 5])
    value = _run(rt)
    assert value.shape == (3, None) and value.ragged_rank == 1 and value.dtype == np.float32
    assert str(value) == "<tf.RaggedTensorValue [[1.0, 2.0], [], [3.0, 4.0, 5.0]]>"


def test_nested_ragged():
    rt = tf.ragged.constant([[[1, 2], [3]], [], [[4, 5, 6]]])
    assert rt.ragged_rank == 2 and rt.shape.as_list() == [3, None, None] and rt.dtype is tf.int32
    same = tf.RaggedTensor.from_nested_row_splits([1, 2, 3, 4, 5, 6], [[0, 2, 2, 3], [0, 2, 3, 6]])
    by_lengths = tf.RaggedTensor.from_nested_row_lengths([1, 2, 3, 4, 5, 6], [[2, 0, 1], [2, 1, 3]])
    got = _run([rt, same, by_lengths, rt.to_tensor(), rt[0], rt.row_lengths(axis=2)])
    expected = [[[1, 2], [3]], [], [[4, 5, 6]]]
    assert got[0].to_list() == got[1].to_list() == got[2].to_list() == expected
    assert got[0].ragged_rank == 2 and len(got[0].nested_row_splits) == 2
    np.testing.assert_array_equal(got[3], [[[1, 2, 0], [3, 0, 0]], [[0, 0, 0], [0, 0, 0]],
                                           [[4, 5, 6], [0, 0, 0]]])
    assert got[4].to_list() == [[1, 2], [3]]
    assert got[5].to_list() == [[2, 1], [], [3]]


def test_uniform_inner_dims():
    rt = tf.ragged.constant([[[1, 2], [3, 4]], [[5, 6]]], ragged_rank=1)
    assert rt.shape.as_list() == [2, None, 2] and rt.flat_values.shape.as_list() == [3, 2]
    sparse = rt.to_sparse()
    got = _run([rt, rt.to_tensor(default_value=-1), sparse])
    assert got[0].to_list() == [[[1, 2], [3, 4]], [[5, 6]]]
    np.testing.assert_array_equal(got[1], [[[1, 2], [3, 4]], [[5, 6], [-1, -1]]])
    assert got[2].indices.tolist() == [[0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1], [1, 0, 0], [1, 0, 1]]
    np.testing.assert_array_equal(got[2].dense_shape, [2, 2, 2])


def test_to_tensor_and_to_sparse():
    rt = tf.RaggedTensor.from_row_splits(VALUES, SPLITS)
    words = tf.ragged.constant([["a", "bc"], []])
    dense, padded, sparse, text = _run([rt.to_tensor(), rt.to_tensor(default_value=9.0), rt.to_sparse(),
                                        words.to_tensor()])
    np.testing.assert_array_equal(dense, [[1, 2, 0], [0, 0, 0], [3, 4, 5]])
    np.testing.assert_array_equal(padded, [[1, 2, 9], [9, 9, 9], [3, 4, 5]])
    assert sparse.indices.tolist() == [[0, 0], [0, 1], [2, 0], [2, 1], [2, 2]]
    np.testing.assert_array_equal(sparse.values, VALUES)
    np.testing.assert_array_equal(sparse.dense_shape, [3, 3])
    assert text.tolist() == [[b"a", b"bc"], [b"", b""]]
    empty = tf.RaggedTensor.from_row_splits(tf.zeros([0]), [0])
    assert _run(empty.to_tensor()).shape == (0, 0)


def test_from_tensor():
    t = tf.constant([[1, 2, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]])
    got = _run([tf.RaggedTensor.from_tensor(t, padding=0), tf.RaggedTensor.from_tensor(t, lengths=[1, 3, 0]),
                tf.RaggedTensor.from_tensor(t),
                tf.RaggedTensor.from_tensor(tf.constant([[[1, 0], [0, 0]], [[0, 0], [2, 2]]]), padding=0)])
    assert got[0].to_list() == [[1, 2], [3, 0, 4], []]
    assert got[1].to_list() == [[1], [3, 0, 4], []]
    assert got[2].to_list() == [[1, 2, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]]
    assert got[3].to_list() == [[[1, 0]], [[0, 0], [2, 2]]]
    with pytest.raises(ValueError, match="Specify lengths or padding, but not both"):
        tf.RaggedTensor.from_tensor(t, lengths=[1, 1, 1], padding=0)
    with pytest.raises(ValueError, match="supports ragged_rank=1"):
        tf.RaggedTensor.from_tensor(t, ragged_rank=2)


def test_from_sparse_and_strings_split():
    st = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], [1, 2, 3], [4, 5])
    assert _run(tf.RaggedTensor.from_sparse(st)).to_list() == [[1, 2], [], [3], []]
    split = tf.strings.split(["a b", "c", ""], result_type="RaggedTensor")
    scalar = tf.strings.split("a b", result_type="RaggedTensor")
    got = _run([split, scalar])
    assert got[0].to_list() == [[b"a", b"b"], [b"c"], []]
    assert got[1].to_list() == [[b"a", b"b"]]


def test_getitem():
    rt = tf.RaggedTensor.from_row_splits(VALUES, SPLITS)
    index = tf.placeholder(tf.int32, [])
    got = _run([rt[0], rt[1], rt[-1], rt[index], rt[0:2], rt[1:], rt[-2:], rt[2, 1], rt[:]], {index: 2})
    np.testing.assert_array_equal(got[0], [1, 2])
    assert got[1].shape == (0,)
    np.testing.assert_array_equal(got[2], [3, 4, 5])
    np.testing.assert_array_equal(got[3], [3, 4, 5])
    assert got[4].to_list() == ROWS[0:2] and got[5].to_list() == ROWS[1:] and got[6].to_list() == ROWS[-2:]
    assert got[7] == 4.0 and got[8].to_list() == ROWS
    with pytest.raises(TypeError, match="RaggedTensor indices must be ints"):
        rt["a"]
    with pytest.raises(ValueError, match="need step 1"):
        rt[::2]


def test_with_values_map_flat_values_and_operators():
    rt = tf.RaggedTensor.from_row_splits(VALUES, SPLITS)
    other = tf.RaggedTensor.from_row_lengths([10.0, 20.0, 30.0, 40.0, 50.0], [2, 0, 3])
    got = _run([tf.ragged.map_flat_values(tf.multiply, rt, 2.0), rt * 2.0 + rt, 1.0 - rt, -rt,
                tf.ragged.map_flat_values(tf.add, rt, other), rt.with_flat_values(tf.constant([1, 2, 3, 4, 5])),
                tf.ragged.map_flat_values(tf.square, rt), tf.ragged.map_flat_values(tf.add, rt, y=1.0)])
    assert got[0].to_list() == [[2, 4], [], [6, 8, 10]]
    assert got[1].to_list() == [[3, 6], [], [9, 12, 15]]
    assert got[2].to_list() == [[0, -1], [], [-2, -3, -4]]
    assert got[3].to_list() == [[-1, -2], [], [-3, -4, -5]]
    assert got[4].to_list() == [[11, 22], [], [33, 44, 55]]
    assert got[5].to_list() == [[1, 2], [], [3, 4, 5]]
    assert got[6].to_list() == [[1, 4], [], [9, 16, 25]]
    assert got[7].to_list() == [[2, 3], [], [4, 5, 6]]


def test_map_flat_values_partition_mismatch():
    rt = tf.RaggedTensor.from_row_splits(VALUES, SPLITS)
    shorter = tf.RaggedTensor.from_row_lengths(VALUES, [1, 1, 3])
    fewer_rows = tf.RaggedTensor.from_row_lengths(VALUES, [2, 3])
    with pytest.raises(errors.InvalidArgumentError, match="Inputs must have identical ragged splits"):
        _run(tf.ragged.map_flat_values(tf.add, rt, shorter))
    with pytest.raises(ValueError, match="Inputs must have identical ragged splits: row splits of shapes"):
        tf.ragged.map_flat_values(tf.add, rt, fewer_rows)
    unknown = tf.RaggedTensor.from_row_splits(VALUES, tf.placeholder(tf.int64, [None]), validate=False)
    with pytest.raises(errors.InvalidArgumentError, match="Inputs must have identical ragged splits"):
        _run(tf.ragged.map_flat_values(tf.add, rt, unknown), {unknown.row_splits: [0, 5]})
    nested = tf.ragged.constant([[[1.0]]])
    with pytest.raises(ValueError, match="same ragged_rank"):
        tf.ragged.map_flat_values(tf.add, rt, nested)


def test_gradient_through_flat_values():
    x = tf.placeholder(tf.float32, [5])
    rt = tf.RaggedTensor.from_row_splits(x, SPLITS)
    squared_sum = tf.reduce_sum(tf.ragged.map_flat_values(tf.square, rt).to_tensor())
    (grad,) = tf.gradients(squared_sum, [x])
    np.testing.assert_allclose(_run(grad, {x: VALUES}), 2 * np.array(VALUES))


def test_range_and_segment_ids():
    got = _run([tf.ragged.range([0, 2], [3, 7], 2), tf.ragged.range(3), tf.ragged.range([3, 0, 5]),
                tf.ragged.range(5, 0, -2), tf.ragged.range([0.0, 1.0], 2.0, 0.5),
                tf.ragged.row_splits_to_segment_ids([0, 2, 2, 5]),
                tf.ragged.segment_ids_to_row_splits([0, 0, 2, 2, 2], num_segments=4),
                tf.ragged.segment_ids_to_row_splits([0, 0, 2, 2, 2])])
    assert got[0].to_list() == [[0, 2], [2, 4, 6]]
    assert got[1].to_list() == [[0, 1, 2]] and got[1].dtype == np.int32
    assert got[2].to_list() == [[0, 1, 2], [], [0, 1, 2, 3, 4]]
    assert got[3].to_list() == [[5, 3, 1]]
    assert got[4].to_list() == [[0.0, 0.5, 1.0, 1.5], [1.0, 1.5]]
    np.testing.assert_array_equal(got[5], [0, 0, 2, 2, 2])
    np.testing.assert_array_equal(got[6], [0, 2, 2, 5, 5])
    np.testing.assert_array_equal(got[7], [0, 2, 2, 5])
    with pytest.raises(errors.InvalidArgumentError, match="Requires delta != 0"):
        _run(tf.ragged.range(0, 3, 0))


def test_constant_options_and_errors():
    assert tf.ragged.constant([[1, 2], [3]], dtype=tf.float64).dtype is tf.float64
    empty = tf.ragged.constant([[], []])
    assert empty.dtype is tf.float32 and _run(empty).to_list() == [[], []]
    shaped = tf.ragged.constant([[[1, 2], [3, 4]], [[5, 6]]], inner_shape=(2,))
    assert shaped.ragged_rank == 1 and shaped.flat_values.shape.as_list() == [3, 2]
    assert _run(shaped).to_list() == [[[1, 2], [3, 4]], [[5, 6]]]
    int32_splits = tf.ragged.constant([[1], [2, 3]], row_splits_dtype=tf.int32)
    assert int32_splits.row_splits.dtype is tf.int32
    with pytest.raises(ValueError, match="all scalar values must have the same nesting depth"):
        tf.ragged.constant([[1], [[2]]])
    with pytest.raises(ValueError, match="incompatible with ragged_rank=3"):
        tf.ragged.constant([[1], [2]], ragged_rank=3)
    with pytest.raises(ValueError, match="not uniform below ragged_rank=1"):
        tf.ragged.constant([[[1, 2], [3]]], ragged_rank=1)
    with pytest.raises(ValueError, match="needs a list"):
        tf.ragged.constant(3)


def test_validation_and_private_constructor():
    with pytest.raises(errors.InvalidArgumentError, match="do not form a valid RaggedTensor"):
        _run(tf.RaggedTensor.from_row_splits([1.0, 2.0], [0, 3]))
    with pytest.raises(errors.InvalidArgumentError, match="do not form a valid RaggedTensor"):
        _run(tf.RaggedTensor.from_row_splits([1.0, 2.0], [0, 2, 1, 2]))
    assert _run(tf.RaggedTensor.from_row_splits([1.0, 2.0], [0, 3], validate=False).row_splits).tolist() == [0, 3]
    with pytest.raises(ValueError, match="Shape \\(1, 2\\) must have rank 1|must have rank 1"):
        tf.RaggedTensor.from_row_splits([1.0, 2.0], [[0, 1]])
    with pytest.raises(ValueError, match="row_splits must have dtype int32 or int64"):
        tf.RaggedTensor.from_row_splits([1.0], tf.constant([0.0, 1.0]))
    with pytest.raises(ValueError, match="RaggedTensor constructor is private"):
        tf.RaggedTensor(tf.constant([1.0]), tf.constant([0, 1], tf.int64))
    with pytest.raises(TypeError, match="symbolic tf.RaggedTensor as a Python bool"):
        bool(tf.ragged.constant([[1]]))


def test_feed_ragged_placeholder():
    rt = tf.ragged.placeholder(tf.float32, 2)
    total = tf.reduce_sum(rt.flat_values)
    fed = tf.ragged.RaggedTensorValue(
        tf.ragged.RaggedTensorValue(np.array([1.0, 2.0, 3.0], np.float32), np.array([0, 2, 3])),
        np.array([0, 1, 2]))
    value, summed = _run([rt, total], {rt: fed})
    assert value.to_list() == [[[1.0, 2.0]], [[3.0]]] and summed == 6.0
    with pytest.raises(TypeError, match="must be a RaggedTensorValue"):
        _run(total, {rt: [1.0]})


def test_ragged_tensor_spec():
    rt = tf.RaggedTensor.from_row_splits(VALUES, SPLITS)
    spec = tf.RaggedTensorSpec([None, None], tf.float32)
    assert spec.ragged_rank == 1 and spec.row_splits_dtype is tf.int64 and spec.value_type is tf.RaggedTensor
    assert repr(spec) == "RaggedTensorSpec(TensorShape([None, None]), tf.float32, 1, tf.int64)"
    assert repr(tf.RaggedTensorSpec.from_value(rt)) == \
        "RaggedTensorSpec(TensorShape([3, None]), tf.float32, 1, tf.int64)"
    assert spec.is_compatible_with(rt) and not spec.is_compatible_with(tf.ragged.constant([[1]]))
    assert spec == tf.RaggedTensorSpec([None, None], tf.float32, 1)
    with pytest.raises(ValueError, match="Must specify ragged_rank or a shape with a known rank"):
        tf.RaggedTensorSpec()
    with pytest.raises(ValueError, match="ragged_rank must be non-negative and less than 2"):
        tf.RaggedTensorSpec([None, None], ragged_rank=2)


def test_constant_value():
    value = tf.ragged.constant_value([[1, 2], [3]])
    assert isinstance(value, tf.ragged.RaggedTensorValue) and value.to_list() == [[1, 2], [3]]
    assert value.values.dtype == np.int64 and value.row_splits.dtype == np.int64
    nested = tf.ragged.constant_value([[[1.5], []], []])
    assert nested.ragged_rank == 2 and nested.to_list() == [[[1.5], []], []]
    assert nested.flat_values.dtype == np.float64
    assert tf.ragged.constant_value([[1, 2]], dtype=tf.float32).values.dtype == np.float32
    with pytest.raises(ValueError, match="tf.ragged.constant_value needs a list"):
        tf.ragged.constant_value(1)


def test_stack():
    a = tf.ragged.constant([[1, 2], [3]])
    b = tf.ragged.constant([[4]])
    nested = tf.ragged.constant([[[1], [2, 3]]])
    got = _run([tf.ragged.stack([a, b]), tf.ragged.stack([a, tf.constant([[7, 8]])]),
                tf.ragged.stack([tf.constant([1, 2]), tf.constant([3])]), tf.ragged.stack([nested, nested])])
    assert got[0].to_list() == [[[1, 2], [3]], [[4]]]
    assert got[1].to_list() == [[[1, 2], [3]], [[7, 8]]]
    assert got[2].to_list() == [[1, 2], [3]]
    assert got[3].to_list() == [[[[1], [2, 3]]], [[[1], [2, 3]]]]
    with pytest.raises(ValueError, match="supports axis=0"):
        tf.ragged.stack([a, b], axis=1)
    with pytest.raises(ValueError, match="same ragged_rank, got 1 and 2"):
        tf.ragged.stack([nested, a])
    with pytest.raises(ValueError, match="converts Tensors to ragged_rank 1 only"):
        tf.ragged.stack([nested, tf.constant([[1]])])


@pytest.mark.skipif(not __import__("os").environ.get("NUMFLOW_TF_PYTHON"),
                    reason="set NUMFLOW_TF_PYTHON to a Python with real TensorFlow")
@pytest.mark.parametrize("family", ["tape_recorded_ops_only", "tape_variables_and_stop_recording",
                                    "tape_jacobians", "function_calls", "ragged_conversions",
                                    "ragged_factories_and_ops"])
def test_agrees_with_real_tensorflow(family, tmp_path):
    """The programs of tf_parity_tape_function_ragged.py (tape, tf.function, ragged) give the same values,
    shapes and dtypes in numflow and in real TensorFlow."""
    import tf_parity_tape_function_ragged
    from tf_parity import assert_same, run_both
    ours, theirs = run_both(tf_parity_tape_function_ragged, family, tmp_path)
    assert_same(ours, theirs, lambda dtype: (1e-5, 1e-5))
