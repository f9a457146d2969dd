"""tf.sets: intersection/union/difference/size on the last dimension, dense and sparse inputs, checked
against Python sets; TF's ordering, shapes and errors."""
import numpy as np
import pytest

import numflow as tf


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


def python_sets_of_dense(array):
    array = np.asarray(array)
    return {index: set(array[index].tolist()) for index in np.ndindex(*array.shape[:-1])}


def python_sets_of_sparse(indices, values):
    groups = {}
    for index, value in zip(map(tuple, np.asarray(indices)[:, :-1].tolist()), np.asarray(values).tolist()):
        groups.setdefault(index, set()).add(value)
    return groups


def expected_sparse(groups_a, groups_b, combine, group_shape):
    """The SparseTensorValue TF returns: groups in row-major order, each result set sorted."""
    indices, values, widest = [], [], 0
    for group in sorted(set(groups_a) | set(groups_b)):
        result = sorted(combine(groups_a.get(group, set()), groups_b.get(group, set())))
        indices += [group + (i,) for i in range(len(result))]
        values += result
        widest = max(widest, len(result))
    return np.array(indices, np.int64).reshape(-1, len(group_shape) + 1), values, list(group_shape) + [widest]


OPERATIONS = [
    (tf.sets.intersection, lambda a, b: a & b, {}),
    (tf.sets.union, lambda a, b: a | b, {}),
    (tf.sets.difference, lambda a, b: a - b, {}),
    (tf.sets.difference, lambda a, b: b - a, {"aminusb": False}),
]


def assert_sparse_equal(value, expected):
    indices, values, dense_shape = expected
    np.testing.assert_array_equal(value.indices, indices)
    assert value.values.tolist() == list(values)
    np.testing.assert_array_equal(value.dense_shape, dense_shape)
    assert value.indices.dtype == np.int64 and value.dense_shape.dtype == np.int64


@pytest.mark.parametrize("function,combine,kwargs", OPERATIONS)
def test_dense_dense_operations_match_python_sets(function, combine, kwargs):
    rng = np.random.RandomState(3)
    a = rng.randint(0, 6, size=(3, 2, 4)).astype(np.int64)
    b = rng.randint(0, 6, size=(3, 2, 5)).astype(np.int64)
    value = run(function(tf.constant(a), tf.constant(b), **kwargs))
    assert value.values.dtype == np.int64
    assert_sparse_equal(value, expected_sparse(python_sets_of_dense(a), python_sets_of_dense(b), combine, (3, 2)))


@pytest.mark.parametrize("function,combine,kwargs", OPERATIONS)
def test_dense_sparse_and_sparse_dense_operations_match_python_sets(function, combine, kwargs):
    a = np.array([[[1, 2, 2], [3, 4, 5]], [[5, 6, 7], [8, 8, 8]]], np.int32)
    indices = [[0, 0, 0], [0, 0, 2], [0, 1, 0], [1, 1, 1]]
    values = [3, 1, 4, 8]
    sparse = tf.SparseTensor(indices, tf.constant(values), [2, 2, 5])
    dense_sets, sparse_sets = python_sets_of_dense(a), python_sets_of_sparse(indices, values)
    forward, backward = run([function(tf.constant(a), sparse, **kwargs), function(sparse, tf.constant(a), **kwargs)])
    assert_sparse_equal(forward, expected_sparse(dense_sets, sparse_sets, combine, (2, 2)))
    assert_sparse_equal(backward, expected_sparse(sparse_sets, dense_sets, combine, (2, 2)))


@pytest.mark.parametrize("function,combine,kwargs", OPERATIONS)
def test_sparse_sparse_operations_and_fed_sparse_values(function, combine, kwargs):
    a = tf.sparse_placeholder(tf.int32)
    b = tf.sparse_placeholder(tf.int32)
    a_value = tf.SparseTensorValue(np.array([[0, 0], [0, 1], [2, 0], [2, 3]], np.int64),
                                   np.array([5, 1, 2, 2], np.int32), np.array([3, 4], np.int64))
    b_value = tf.SparseTensorValue(np.array([[0, 0], [1, 0], [2, 1]], np.int64), np.array([1, 9, 2], np.int32),
                                   np.array([3, 4], np.int64))
    value = run(function(a, b, **kwargs), {a: a_value, b: b_value})
    assert_sparse_equal(value, expected_sparse(python_sets_of_sparse(a_value.indices, a_value.values),
                                               python_sets_of_sparse(b_value.indices, b_value.values),
                                               combine, (3,)))


def test_string_sets_sort_by_bytes_and_empty_results_have_width_zero():
    union = run(tf.sets.union(tf.constant([["b", "a"], ["c", "c"]]), tf.constant([["a", "Z"], ["d", "a"]])))
    assert union.values.tolist() == [b"Z", b"a", b"b", b"a", b"c", b"d"]
    np.testing.assert_array_equal(union.dense_shape, [2, 3])
    empty = run(tf.sets.intersection(tf.constant([[1], [2]]), tf.constant([[3], [4]])))
    assert empty.indices.shape == (0, 2) and empty.values.shape == (0,)
    np.testing.assert_array_equal(empty.dense_shape, [2, 0])


def test_set_size_counts_distinct_values_per_group():
    sparse = tf.SparseTensor([[0, 0, 0], [0, 0, 2], [0, 1, 0], [1, 1, 1], [1, 1, 3]], [3, 1, 4, 8, 8], [2, 2, 5])
    size = tf.sets.size(sparse)
    assert size.dtype == tf.int32 and size.shape.ndims == 2
    np.testing.assert_array_equal(run(size), [[2, 1], [0, 1]])
    assert tf.sets.set_size is tf.sets.size


def test_validate_indices_errors_and_opt_out():
    unsorted = tf.SparseTensor([[0, 2], [0, 0]], [3, 1], [2, 5])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[0,0\] is out of order"):
        run(tf.sets.size(unsorted))
    np.testing.assert_array_equal(run(tf.sets.size(unsorted, validate_indices=False)), [2, 0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = \[0,7\] is out of bounds: need 0 <= "
                                                             r"index < \[2,5\]"):
        run(tf.sets.size(tf.SparseTensor([[0, 7]], [3], [2, 5])))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[0,1\] is repeated"):
        run(tf.sets.union(tf.SparseTensor([[0, 1], [0, 1]], [3, 3], [2, 5]), tf.constant([[1], [2]])))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid rank 1"):
        run(tf.sets.size(tf.SparseTensor([[1]], [3], [5])))


def test_shape_and_dtype_errors():
    with pytest.raises(TypeError, match="Expected `SparseTensor`"):
        tf.sets.size(tf.constant([[1, 2]]))
    with pytest.raises(TypeError, match="'a' has invalid dtype `float32`"):
        tf.sets.union(tf.constant([[1.0]]), tf.constant([[1.0]]))
    with pytest.raises(TypeError, match="Types don't match, int32 vs int64"):
        tf.sets.union(tf.constant([[1]]), tf.constant([[1]], tf.int64))
    with pytest.raises(ValueError, match="Shape must be at least rank 2 but is rank 1"):
        tf.sets.union(tf.constant([1, 3]), tf.constant([2]))
    with pytest.raises(ValueError, match="Dimension 1 in both shapes must be equal, but are 2 and 1"):
        tf.sets.intersection(tf.zeros([2, 2, 3], tf.int32), tf.zeros([2, 1, 3], tf.int32))
    x = tf.placeholder(tf.int32, [None, None])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Mismatched shapes \[3\] vs \[2\]"):
        run(tf.sets.union(x, tf.constant([[1], [2]])), {x: [[1], [2], [3]]})
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Mismatched shapes \[2\] vs \[3\]"):
        run(tf.sets.union(tf.constant([[1, 2], [3, 4]]), tf.SparseTensor([[0, 1]], [3], [3, 7])))


def test_static_shapes_and_no_gradient():
    x = tf.placeholder(tf.int32, [None, None])
    result = tf.sets.union(x, x)
    assert result.indices.shape.as_list() == [None, 2] and result.dense_shape.shape.as_list() == [2]
    assert tf.gradients(tf.cast(result.values, tf.float32), x) == [None]
