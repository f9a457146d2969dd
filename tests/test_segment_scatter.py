"""Segment reductions, dynamic partition/stitch, reverse_sequence, band_part, histograms, bincount and the
scatters (in place on variables, scatter_nd, tensor_scatter_nd_*): values against NumPy loops, errors,
finite-difference gradients."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients, evaluate

RNG = np.random.RandomState(3)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def loop_segments(data, ids, count, combine, empty):
    out = np.full((count,) + data.shape[np.ndim(ids):], empty, dtype=np.float64)
    seen = np.zeros(count, bool)
    for position in np.ndindex(*np.shape(ids)):
        segment = ids[position]
        if segment < 0:
            continue
        out[segment] = data[position] if not seen[segment] else combine(out[segment], data[position])
        seen[segment] = True
    return out, seen


SORTED = [(tf.segment_sum, np.add, 0.0), (tf.segment_prod, np.multiply, 1.0), (tf.segment_max, np.maximum, 0.0),
          (tf.segment_min, np.minimum, 0.0)]


@pytest.mark.parametrize("fn,combine,empty", SORTED, ids=[s[0].__name__ for s in SORTED])
def test_sorted_segment_reductions(fn, combine, empty):
    data = RNG.randn(6, 3)
    ids = np.array([0, 0, 2, 2, 2, 5])
    expected, _ = loop_segments(data, ids, 6, combine, empty)
    out = run(fn(tf.constant(data), tf.constant(ids)))
    np.testing.assert_allclose(out, expected, rtol=1e-14)
    assert fn(tf.constant(data), tf.constant(ids)).shape.as_list() == [None, 3]


def test_segment_mean_and_integer_data():
    data = np.arange(12).reshape(6, 2)
    ids = np.array([0, 0, 1, 3, 3, 3])
    out = run(tf.segment_mean(tf.constant(data.astype(np.float64)), ids))
    np.testing.assert_allclose(out, [[1, 2], [4, 5], [0, 0], [8, 9]])
    np.testing.assert_array_equal(run(tf.math.segment_sum(tf.constant(data), ids)), [[2, 4], [4, 5], [0, 0], [24, 27]])
    assert run(tf.segment_mean(tf.constant(data), ids)).dtype == np.int64


def test_sorted_segment_errors():
    data = tf.constant(np.ones((3, 2)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="segment ids are not increasing"):
        run(tf.segment_sum(data, [0, 2, 1]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="segment ids must be >= 0"):
        run(tf.segment_sum(data, tf.constant([-1, 0, 0])))
    with pytest.raises(ValueError, match="segment_ids should be the same size as dimension 0"):
        tf.segment_sum(data, [0, 0])
    with pytest.raises(TypeError, match="segment_ids"):
        tf.segment_sum(data, tf.constant([0.0, 1.0, 1.0]))


UNSORTED = [(tf.unsorted_segment_sum, np.add, 0.0), (tf.unsorted_segment_prod, np.multiply, 1.0),
            # TF fills an empty max/min segment with the dtype's lowest/highest finite value, not -inf/+inf.
            (tf.unsorted_segment_max, np.maximum, np.finfo(np.float64).min),
            (tf.unsorted_segment_min, np.minimum, np.finfo(np.float64).max)]


@pytest.mark.parametrize("fn,combine,empty", UNSORTED, ids=[s[0].__name__ for s in UNSORTED])
def test_unsorted_segment_reductions(fn, combine, empty):
    data = RNG.randn(2, 3, 4)
    ids = np.array([[3, -1, 0], [3, 0, 1]])     # a prefix of data's shape; -1 is dropped
    expected, _ = loop_segments(data, ids, 5, combine, empty)
    out = run(fn(tf.constant(data), tf.constant(ids), 5))
    np.testing.assert_allclose(out, expected, rtol=1e-14)
    assert out.shape == (5, 4)


def test_unsorted_segment_mean_sqrt_n_and_int_extremes():
    data = RNG.randn(5, 2)
    ids = np.array([1, 1, 0, 1, -1])
    total, _ = loop_segments(data, ids, 3, np.add, 0.0)
    counts = np.array([1, 3, 0])[:, None]
    mean, sqrt_n = run([tf.unsorted_segment_mean(data, ids, 3), tf.unsorted_segment_sqrt_n(data, ids, 3)])
    np.testing.assert_allclose(mean, total / np.maximum(counts, 1), rtol=1e-14)
    np.testing.assert_allclose(sqrt_n, total / np.sqrt(np.maximum(counts, 1)), rtol=1e-14)
    lowest = run(tf.unsorted_segment_max(tf.constant([1, 2], tf.int32), [0, 0], 2))
    assert lowest[1] == np.iinfo(np.int32).min


def test_unsorted_segment_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"segment_ids\[1\] = 4 is out of range \[0, 3\)"):
        run(tf.unsorted_segment_sum(tf.ones([2]), [0, 4], 3))
    with pytest.raises(ValueError, match="must be a prefix of data.shape"):
        tf.unsorted_segment_sum(tf.ones([2, 3]), tf.zeros([3], tf.int32), 3)


SEGMENT_GRADIENTS = [
    ("segment_sum", lambda x: tf.segment_sum(x, [0, 0, 1, 3])),
    ("segment_mean", lambda x: tf.segment_mean(x, [0, 0, 1, 3])),
    ("segment_max", lambda x: tf.segment_max(x, [0, 0, 1, 3])),
    ("segment_min", lambda x: tf.segment_min(x, [0, 0, 1, 3])),
    ("segment_prod", lambda x: tf.segment_prod(x, [0, 0, 1, 3])),
    ("unsorted_sum", lambda x: tf.unsorted_segment_sum(x, [2, -1, 0, 2], 3)),
    ("unsorted_max", lambda x: tf.unsorted_segment_max(x, [2, 1, 0, 2], 3)),
    ("unsorted_min", lambda x: tf.unsorted_segment_min(x, [2, 1, 0, 2], 3)),
    ("unsorted_prod", lambda x: tf.unsorted_segment_prod(x, [2, -1, 0, 2], 3)),
    ("unsorted_mean", lambda x: tf.unsorted_segment_mean(x, [2, -1, 0, 2], 3)),
    ("unsorted_sqrt_n", lambda x: tf.unsorted_segment_sqrt_n(x, [2, -1, 0, 2], 3)),
]


@pytest.mark.parametrize("name,build", SEGMENT_GRADIENTS, ids=[c[0] for c in SEGMENT_GRADIENTS])
def test_segment_gradients(name, build):
    # Max/min need distinct values; prod is checked with no zeros here and with zeros below.
    check_gradients(build, [RNG.uniform(0.5, 2.0, (4, 2)) * np.array([1.0, -1.0])])


def test_segment_prod_gradient_with_zeros():
    x = np.array([[0.0, 2.0], [3.0, 0.0], [0.0, 5.0], [4.0, 1.5]])
    check_gradients(lambda v: tf.segment_prod(v, [0, 0, 0, 1]), [x])
    check_gradients(lambda v: tf.unsorted_segment_prod(v, [0, 1, 0, 1], 2), [x])


def test_segment_gather_second_order():
    # The gradient of unsorted_segment_sum is itself differentiable.
    def build(x):
        y = tf.unsorted_segment_sum(x, [1, 0, 1], 2)
        return tf.gradients(tf.reduce_sum(tf.square(y)), x)[0]
    check_gradients(build, [RNG.randn(3, 2)])


def test_dynamic_partition_and_stitch():
    data = np.arange(12.0).reshape(6, 2)
    partitions = np.array([1, 0, 2, 1, 1, 0], np.int32)
    parts = run(tf.dynamic_partition(tf.constant(data), partitions, 3))
    for index in range(3):
        np.testing.assert_array_equal(parts[index], data[partitions == index])
    indices = [tf.constant([0, 4]), tf.constant([[1, 2], [3, 4]])]   # 4 twice: the later data wins
    merged = run(tf.dynamic_stitch(indices, [tf.constant([1.0, 2.0]), tf.constant([[3.0, 4.0], [5.0, 6.0]])]))
    np.testing.assert_array_equal(merged, [1.0, 3.0, 4.0, 5.0, 6.0])
    # Stitching a partition's positions back restores the data, the TF idiom.
    positions = tf.dynamic_partition(tf.range(6), partitions, 3)
    restored = run(tf.dynamic_stitch(positions, tf.dynamic_partition(tf.constant(data), partitions, 3)))
    np.testing.assert_array_equal(restored, data)


def test_dynamic_partition_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"partitions\[1\] = 3 is not in \[0, 2\)"):
        run(tf.dynamic_partition(tf.ones([2]), tf.constant([0, 3]), 2))
    with pytest.raises(ValueError, match="num_partitions must be a positive int"):
        tf.dynamic_partition(tf.ones([2]), tf.constant([0, 0]), 0)
    with pytest.raises(ValueError, match="must be a prefix of data.shape"):
        tf.dynamic_partition(tf.ones([2]), tf.constant([0, 0, 0]), 2)
    with pytest.raises(ValueError, match="as many data tensors as indices"):
        tf.dynamic_stitch([tf.constant([0])], [])


def test_dynamic_partition_and_stitch_gradients():
    partitions = np.array([1, 0, 1, 1], np.int32)
    check_gradients(lambda x: tf.dynamic_partition(x, partitions, 3)[1] * 2.0 +
                    tf.reduce_sum(tf.dynamic_partition(x, partitions, 3)[0]), [RNG.randn(4, 2)])
    check_gradients(lambda a, b: tf.dynamic_stitch([tf.constant([2, 0]), tf.constant([1])], [a, b]),
                    [RNG.randn(2, 3), RNG.randn(1, 3)])


def test_reverse_sequence_values_and_gradient():
    x = np.arange(24.0).reshape(2, 4, 3)
    lengths = np.array([3, 1])
    out = run(tf.reverse_sequence(x, lengths, seq_axis=1, batch_axis=0))
    expected = x.copy()
    for b, n in enumerate(lengths):
        expected[b, :n] = x[b, :n][::-1]
    np.testing.assert_array_equal(out, expected)
    swapped = run(tf.reverse_sequence(np.transpose(x, (1, 0, 2)), lengths, seq_dim=0, batch_dim=1))
    np.testing.assert_array_equal(swapped, np.transpose(expected, (1, 0, 2)))
    check_gradients(lambda v: tf.reverse_sequence(v, [2, 4], seq_axis=1, batch_axis=0), [RNG.randn(2, 4)])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"seq_lens\(1\) > input.dims\(1\)"):
        run(tf.reverse_sequence(tf.ones([2, 3]), [1, 5], seq_axis=1))
    with pytest.raises(ValueError, match=r"len\(seq_lens\) != input.dims\(0\)"):
        tf.reverse_sequence(tf.ones([2, 3]), [1, 2, 3], seq_axis=1)


def test_matrix_band_part():
    x = RNG.randn(2, 4, 5)
    for lower, upper in [(0, -1), (-1, 0), (0, 0), (1, 2), (-1, -1)]:
        rows, cols = np.indices((4, 5))
        keep = ((lower < 0) | (rows - cols <= lower)) & ((upper < 0) | (cols - rows <= upper))
        np.testing.assert_array_equal(run(tf.matrix_band_part(x, lower, upper)), x * keep)
    np.testing.assert_array_equal(run(tf.linalg.band_part(x, 0, -1)), np.triu(x))
    check_gradients(lambda v: tf.linalg.band_part(v, 1, 0), [RNG.randn(3, 3)])
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_lower must be negative or less or equal"):
        run(tf.matrix_band_part(x, 7, 0))
    with pytest.raises(ValueError, match="at least rank 2"):
        tf.matrix_band_part(tf.ones([3]), 0, 0)


def test_histograms_and_bincount():
    values = np.array([-1.0, 0.0, 1.5, 2.0, 4.99, 5.0, 6.0, 3.2])
    counts = run(tf.histogram_fixed_width(values, [0.0, 5.0], nbins=5))
    np.testing.assert_array_equal(counts, [2, 1, 1, 1, 3])
    bins = run(tf.histogram_fixed_width_bins(values, [0.0, 5.0], nbins=5))
    np.testing.assert_array_equal(bins, [0, 0, 1, 2, 4, 4, 4, 3])
    assert np.sum(counts) == values.size and counts.dtype == np.int32
    assert run(tf.histogram_fixed_width(values, [0.0, 5.0], nbins=2, dtype=tf.int64)).dtype == np.int64
    with pytest.raises(tf.errors.InvalidArgumentError, match="nbins should be a positive number"):
        run(tf.histogram_fixed_width(values, [0.0, 5.0], nbins=0))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"value_range\[0\] < value_range\[1\]"):
        run(tf.histogram_fixed_width(values, [5.0, 5.0]))
    arr = np.array([1, 1, 3, 0, 7], np.int32)
    np.testing.assert_array_equal(run(tf.bincount(arr)), np.bincount(arr))
    weighted = run(tf.math.bincount(arr, weights=[0.5, 1.0, 2.0, 1.0, 4.0], minlength=10, maxlength=5))
    np.testing.assert_allclose(weighted, [1.0, 1.5, 0.0, 2.0, 0.0])
    assert weighted.dtype == np.float32
    assert run(tf.bincount(tf.zeros([0], tf.int32), minlength=3)).tolist() == [0, 0, 0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input arr must be non-negative"):
        run(tf.bincount([1, -2]))


def test_arg_max_and_arg_min_old_names():
    x = RNG.randn(3, 4)
    np.testing.assert_array_equal(run(tf.arg_max(x, 1)), np.argmax(x, 1))
    np.testing.assert_array_equal(run(tf.arg_min(x, 0, output_type=tf.int32)), np.argmin(x, 0))


# --- scatters ------------------------------------------------------------------------------------
ROW_SCATTERS = [(tf.scatter_update, None), (tf.scatter_add, np.add), (tf.scatter_sub, np.subtract),
                (tf.scatter_mul, np.multiply), (tf.scatter_div, np.divide), (tf.scatter_min, np.minimum),
                (tf.scatter_max, np.maximum)]


@pytest.mark.parametrize("fn,combine", ROW_SCATTERS, ids=[s[0].__name__ for s in ROW_SCATTERS])
def test_row_scatters_update_the_variable_in_place(fn, combine):
    initial = RNG.uniform(1, 2, (4, 3))
    indices = np.array([[2, 0], [2, 3]])
    updates = RNG.uniform(1, 2, (2, 2, 3))
    expected = initial.copy()
    for position in np.ndindex(*indices.shape):
        row = indices[position]
        expected[row] = updates[position] if combine is None else combine(expected[row], updates[position])
    variable = tf.Variable(initial)
    op = fn(variable, indices, updates)
    read = variable.read_value() if hasattr(variable, "read_value") else tf.identity(variable)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(op), expected, rtol=1e-14)
        np.testing.assert_allclose(sess.run(read), expected, rtol=1e-14)


def test_scatter_int_division_truncates_and_scalar_updates():
    variable = tf.Variable(np.array([7, -7, 9], np.int32))
    divide = tf.scatter_div(variable, [0, 1], [2, 2])
    fill = tf.scatter_update(variable, [2], 5)
    with tf.Session() as sess:
        sess.run(variable.initializer)
        np.testing.assert_array_equal(sess.run(divide), [3, -3, 9])
        np.testing.assert_array_equal(sess.run(fill), [3, -3, 5])
        with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
            sess.run(tf.scatter_div(variable, [0], [0]))


def test_scatter_errors():
    variable = tf.Variable(np.zeros((3, 2)))
    with tf.Session() as sess:
        sess.run(variable.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = 3 is not in \[0, 3\)"):
            sess.run(tf.scatter_add(variable, [0, 3], np.ones((2, 2))))
        np.testing.assert_array_equal(sess.run(variable), np.zeros((3, 2)))   # unchanged
    with pytest.raises(ValueError, match="Shapes of updates and target disagree"):
        tf.scatter_add(variable, [0, 1], np.ones((2, 3)))
    with pytest.raises(TypeError, match="not a variable"):
        tf.scatter_add(tf.zeros([3]), [0], [1.0])
    fresh = tf.Variable(np.zeros(2))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized"):
            sess.run(tf.scatter_update(fresh, [0], [1.0]))


def test_nd_scatters_on_variables():
    initial = np.arange(12.0).reshape(3, 4)
    variable = tf.Variable(initial)
    update = tf.scatter_nd_update(variable, [[0, 1], [2, 3]], [-1.0, -2.0])
    add = tf.scatter_nd_add(variable, [[1], [1]], np.ones((2, 4)))
    sub = tf.scatter_nd_sub(variable, [[0, 0]], [10.0])
    batch = tf.batch_scatter_update(variable, [[0], [3], [1]], [[7.0], [8.0], [9.0]])
    expected = initial.copy()
    with tf.Session() as sess:
        sess.run(variable.initializer)
        expected[0, 1], expected[2, 3] = -1, -2
        np.testing.assert_array_equal(sess.run(update), expected)
        expected[1] += 2
        np.testing.assert_array_equal(sess.run(add), expected)
        expected[0, 0] -= 10
        np.testing.assert_array_equal(sess.run(sub), expected)
        expected[0, 0], expected[1, 3], expected[2, 1] = 7, 8, 9
        np.testing.assert_array_equal(sess.run(batch), expected)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = \[3, 0\] does not index"):
            sess.run(tf.scatter_nd_add(variable, [[3, 0]], [1.0]))


def test_scatter_nd_values_and_gradient():
    indices = np.array([[1], [3], [1]])
    out = run(tf.scatter_nd(indices, tf.constant([1.0, 2.0, 3.0]), [5]))
    np.testing.assert_array_equal(out, [0, 4, 0, 2, 0])
    slices = run(tf.scatter_nd([[0, 1]], tf.constant([[1, 2, 3]]), tf.constant([2, 2, 3])))
    expected = np.zeros((2, 2, 3), np.int32)
    expected[0, 1] = [1, 2, 3]
    np.testing.assert_array_equal(slices, expected)
    check_gradients(lambda u: tf.scatter_nd(indices, u, [5]), [RNG.randn(3)])
    with pytest.raises(ValueError, match="Shapes of updates and target disagree"):
        tf.scatter_nd([[0]], tf.ones([2, 2]), [3, 3])


TENSOR_SCATTERS = [(tf.tensor_scatter_nd_update, None), (tf.tensor_scatter_nd_add, np.add),
                   (tf.tensor_scatter_nd_sub, np.subtract), (tf.tensor_scatter_nd_max, np.maximum),
                   (tf.tensor_scatter_nd_min, np.minimum)]


@pytest.mark.parametrize("fn,combine", TENSOR_SCATTERS, ids=[s[0].__name__ for s in TENSOR_SCATTERS])
def test_tensor_scatters_values_and_gradients(fn, combine):
    tensor, updates = RNG.randn(3, 4), RNG.randn(2, 4)
    indices = np.array([[2], [0]])
    expected = tensor.copy()
    for position, row in enumerate(indices[:, 0]):
        expected[row] = updates[position] if combine is None else combine(expected[row], updates[position])
    np.testing.assert_allclose(evaluate(lambda t, u: fn(t, indices, u), [tensor, updates]), expected)
    check_gradients(lambda t, u: fn(t, indices, u), [tensor, updates])


def test_tensor_scatter_old_names_and_errors():
    assert tf.tensor_scatter_update is tf.tensor_scatter_nd_update
    assert tf.tensor_scatter_add is tf.tensor_scatter_nd_add and tf.tensor_scatter_sub is tf.tensor_scatter_nd_sub
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not index into shape"):
        run(tf.tensor_scatter_nd_add(tf.zeros([2]), [[5]], [1.0]))
    with pytest.raises(ValueError, match="must be <= the rank of the target"):
        tf.tensor_scatter_nd_add(tf.zeros([2]), [[0, 0]], [1.0])
