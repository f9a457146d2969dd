"""ops/array_extra.py: tf.identity_n, tf.ensure_shape, tf.roll, tf.searchsorted, tf.sort, tf.argsort,
tf.unravel_index, tf.setdiff1d, tf.saturate_cast: values against NumPy, FD gradients, error paths."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients, evaluate

RNG = np.random.RandomState(7)


@pytest.fixture(autouse=True)
def _graph():
    with tf.Graph().as_default():
        yield


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def test_identity_n_values_and_gradient():
    a, b = RNG.randn(2, 3), np.arange(4, dtype=np.int32)
    out = evaluate(lambda x, y: tf.identity_n([x, y]), [a, b])
    np.testing.assert_array_equal(out[0], a)
    np.testing.assert_array_equal(out[1], b)
    assert out[1].dtype == np.int32
    check_gradients(lambda x, y: tf.add_n(tf.identity_n([x, y * 2.0])), [RNG.randn(2, 3), RNG.randn(2, 3)])


def test_ensure_shape_passes_matching_values_and_merges_the_static_shape():
    x = tf.placeholder(tf.float32, [None, None])
    y = tf.ensure_shape(x, [None, 3])
    assert y.shape.as_list() == [None, 3]
    value = RNG.randn(2, 3).astype(np.float32)
    np.testing.assert_array_equal(_run(y, {x: value}), value)
    check_gradients(lambda t: tf.ensure_shape(t, [2, None]) * 3.0, [RNG.randn(2, 4)])


def test_ensure_shape_errors():
    x = tf.placeholder(tf.float32, [None, None])
    y = tf.ensure_shape(x, [None, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[2,4\] is not compatible with expected shape \[\?,3\]"):
        _run(y, {x: np.zeros((2, 4), np.float32)})
    with pytest.raises(ValueError, match="Shape must be compatible"):
        tf.ensure_shape(tf.zeros([2, 4]), [2, 3])


@pytest.mark.parametrize("shift,axis", [(1, 0), (-2, 1), ([1, 2], [0, 1]), ([1, 1], [1, 1]), (5, -1)])
def test_roll_matches_numpy(shift, axis):
    x = RNG.randn(3, 4)
    out = evaluate(lambda t: tf.roll(t, shift, axis), [x])
    np.testing.assert_array_equal(out, np.roll(x, shift, axis))


def test_roll_gradient_and_errors():
    check_gradients(lambda t: tf.roll(t, [1, -1], [0, 1]), [RNG.randn(3, 4)])
    with pytest.raises(ValueError, match="shift and axis must have the same size"):
        tf.roll(tf.zeros([2, 2]), [1, 1], [0])
    with pytest.raises(ValueError, match="axis 2 is out of range for a tensor of rank 2"):
        tf.roll(tf.zeros([2, 2]), 1, 2)
    with pytest.raises(TypeError, match="shift must be integers"):
        tf.roll(tf.zeros([2, 2]), 1.5, 0)


@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted_matches_numpy_row_by_row(side):
    sequence = np.sort(RNG.randint(0, 10, size=(3, 6)), axis=1).astype(np.float32)
    values = RNG.randint(0, 10, size=(3, 4)).astype(np.float32)
    out = evaluate(lambda s, v: tf.searchsorted(s, v, side=side, out_type=tf.int64), [sequence, values])
    expected = np.stack([np.searchsorted(s, v, side=side) for s, v in zip(sequence, values)])
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == np.int64
    flat = _run(tf.searchsorted([1, 3, 5], [0, 3, 6], side=side))
    np.testing.assert_array_equal(flat, np.searchsorted([1, 3, 5], [0, 3, 6], side=side))


def test_searchsorted_errors():
    with pytest.raises(ValueError, match="side must be either 'right' or 'left'"):
        tf.searchsorted([1, 2], [1], side="middle")
    with pytest.raises(TypeError, match="out_type must be int32 or int64"):
        tf.searchsorted([1, 2], [1], out_type=tf.float32)
    with pytest.raises(ValueError, match="must agree in all but the last dimension"):
        tf.searchsorted(tf.zeros([2, 3]), tf.zeros([3, 3]))
    s, v = tf.placeholder(tf.float32, [None, 3]), tf.placeholder(tf.float32, [None, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Leading dims of sorted_sequence"):
        _run(tf.searchsorted(s, v), {s: np.zeros((2, 3)), v: np.zeros((3, 2))})


@pytest.mark.parametrize("axis", [-1, 0, 1])
@pytest.mark.parametrize("direction", ["ASCENDING", "DESCENDING"])
def test_sort_and_argsort_match_numpy(axis, direction):
    x = RNG.permutation(24).reshape(2, 3, 4).astype(np.float32)
    values, indices = evaluate(lambda t: [tf.sort(t, axis, direction), tf.argsort(t, axis, direction)], [x])
    expected_indices = np.argsort(x if direction == "ASCENDING" else -x, axis=axis)
    np.testing.assert_array_equal(indices, expected_indices)
    np.testing.assert_array_equal(values, np.take_along_axis(x, expected_indices, axis))
    assert indices.dtype == np.int32


def test_argsort_keeps_ties_in_order_and_sort_gradient():
    np.testing.assert_array_equal(_run(tf.argsort([3, 1, 3, 1], stable=True)), [1, 3, 0, 2])
    check_gradients(lambda t: tf.sort(t, axis=0), [RNG.randn(4, 3)])
    check_gradients(lambda t: tf.sort(t, direction="DESCENDING"), [RNG.randn(3, 5)])


def test_sort_errors():
    with pytest.raises(ValueError, match="Unknown direction: UP"):
        tf.sort([1.0], direction="UP")
    with pytest.raises(ValueError, match=r"axis must be an int in \[-1, 1\), got 1"):
        tf.sort([1.0], axis=1)
    with pytest.raises(ValueError, match="sort needs a tensor of known rank"):
        tf.sort(tf.placeholder(tf.float32))


def test_unravel_index_matches_numpy():
    out = _run(tf.unravel_index([22, 41, 37], [7, 6]))
    np.testing.assert_array_equal(out, np.array(np.unravel_index([22, 41, 37], (7, 6))))
    scalar = _run(tf.unravel_index(tf.constant(5, tf.int64), tf.constant([2, 3], tf.int64)))
    np.testing.assert_array_equal(scalar, [1, 2])
    assert scalar.dtype == np.int64


def test_unravel_index_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="index out of bounds"):
        _run(tf.unravel_index([6], [2, 3]))
    with pytest.raises(TypeError, match="indices and dims must both be int32 or both int64"):
        tf.unravel_index(tf.constant([1]), tf.constant([2, 3], tf.int64))
    with pytest.raises(ValueError, match="dims must be a vector"):
        tf.unravel_index([1], [[2, 3]])
    with pytest.raises(ValueError, match="indices must be a scalar or a vector"):
        tf.unravel_index([[1]], [2, 3])


def test_setdiff1d_keeps_order_and_duplicates():
    out, idx = _run(tf.setdiff1d([1, 2, 3, 4, 5, 6, 2], [1, 3, 5]))
    np.testing.assert_array_equal(out, [2, 4, 6, 2])
    np.testing.assert_array_equal(idx, [1, 3, 5, 6])
    words, where = _run(tf.setdiff1d(tf.constant(["a", "b", "c"]), ["b"], index_dtype=tf.int64))
    assert list(words) == [b"a", b"c"] and where.dtype == np.int64


def test_setdiff1d_errors():
    with pytest.raises(TypeError, match="index_dtype must be int32 or int64"):
        tf.setdiff1d([1], [1], index_dtype=tf.float32)
    with pytest.raises(ValueError, match="x should be a 1D vector"):
        tf.setdiff1d([[1]], [1])


def test_saturate_cast_clips_to_the_target_range():
    np.testing.assert_array_equal(_run(tf.saturate_cast([300.0, -5.0, 7.6], tf.uint8)), [255, 0, 7])
    big = _run(tf.saturate_cast(tf.constant([1e10, -1e10]), tf.int32))
    assert big.dtype == np.int32 and big[0] > 2 ** 31 - 200 and big[1] == -2 ** 31
    np.testing.assert_array_equal(_run(tf.saturate_cast(tf.constant([70000, -3], tf.int32), tf.int16)),
                                  [32767, -3])
    np.testing.assert_array_equal(_run(tf.saturate_cast(tf.constant([1, 2], tf.int8), tf.int32)), [1, 2])


@pytest.mark.parametrize("repeats,axis", [(2, None), ([1, 0, 3], 0), (2, 1), ([2, 1, 1, 0], -1)])
def test_repeat_matches_numpy(repeats, axis):
    x = RNG.randn(3, 4)
    out = evaluate(lambda t: tf.repeat(t, repeats, axis), [x])
    np.testing.assert_array_equal(out, np.repeat(x, repeats, axis))


def test_repeat_gradient_sums_the_copies():
    check_gradients(lambda t: tf.repeat(t, [1, 0, 3], axis=0), [RNG.randn(3, 2)])
    check_gradients(lambda t: tf.repeat(t, [2, 1], axis=1), [RNG.randn(3, 2)])
    check_gradients(lambda t: tf.repeat(t, 3), [RNG.randn(2, 2)])


def test_repeat_errors():
    with pytest.raises(TypeError, match="repeats must be int32 or int64"):
        tf.repeat([1.0], tf.constant(1.0))
    with pytest.raises(ValueError, match="repeats must be a scalar or a vector"):
        tf.repeat([1.0], [[1]])
    with pytest.raises(ValueError, match="axis 3 is out of range for a tensor of rank 1"):
        tf.repeat([1.0], 2, axis=3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="repeats has 2 counts for 3 slices"):
        _run(tf.repeat([1.0, 2.0, 3.0], [1, 2], axis=0))
    with pytest.raises(tf.errors.InvalidArgumentError, match="repeats must be non-negative"):
        _run(tf.repeat([1.0], [-1], axis=0))


def test_unique_with_counts_in_order_of_first_appearance():
    y, idx, count = _run(tf.unique_with_counts([4, 1, 4, 2, 1, 4], out_idx=tf.int64))
    np.testing.assert_array_equal(y, [4, 1, 2])
    np.testing.assert_array_equal(idx, [0, 1, 0, 2, 1, 0])
    np.testing.assert_array_equal(count, [3, 2, 1])
    assert idx.dtype == np.int64 and count.dtype == np.int64
    with pytest.raises(TypeError, match="out_idx must be int32 or int64"):
        tf.unique_with_counts([1], out_idx=tf.float32)
    with pytest.raises(ValueError, match="unique_with_counts expects a 1-D vector"):
        tf.unique_with_counts([[1]])


def test_where_v2_broadcasts_all_three():
    condition = np.array([[True], [False]])
    x, y = RNG.randn(2, 3), RNG.randn(3)
    out = evaluate(lambda c, a, b: tf.where_v2(c, a, b), [condition, x, y])
    np.testing.assert_array_equal(out, np.where(condition, x, y))
    coordinates = _run(tf.where_v2([[True, False], [False, True]]))
    np.testing.assert_array_equal(coordinates, [[0, 0], [1, 1]])


def test_where_v2_gradient_and_errors():
    condition = np.array([[True, False, True], [False, False, True]])
    check_gradients(lambda a, b: tf.where_v2(condition, a, b), [RNG.randn(2, 3), RNG.randn(3)])
    check_gradients(lambda a: tf.where_v2(condition, a, 0.0), [RNG.randn(2, 1)])
    with pytest.raises(ValueError, match="x and y must both be non-None or both be None"):
        tf.where_v2([True], [1.0])
    with pytest.raises(TypeError, match="condition must be bool"):
        tf.where_v2([1], [1.0], [2.0])
    with pytest.raises(ValueError, match="cannot be broadcast"):
        tf.where_v2([True, False, True], [1.0, 2.0], 0.0)


def test_parallel_stack():
    a, b = RNG.randn(2, 3), RNG.randn(2, 3)
    np.testing.assert_array_equal(_run(tf.parallel_stack([tf.constant(a), tf.constant(b)])), np.stack([a, b]))
    with pytest.raises(ValueError, match="parallel_stack needs fully defined shapes"):
        tf.parallel_stack([tf.placeholder(tf.float32, [None])])


def test_broadcast_dynamic_shape():
    np.testing.assert_array_equal(_run(tf.broadcast_dynamic_shape([2, 1, 3], [4, 1])), [2, 4, 3])
    s = tf.placeholder(tf.int64, [None])
    out = tf.broadcast_dynamic_shape(s, tf.constant([5], tf.int64))
    result = _run(out, {s: [3, 1]})
    np.testing.assert_array_equal(result, [3, 5])
    assert result.dtype == np.int64
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2\] vs. \[3\]"):
        _run(tf.broadcast_dynamic_shape([2], [3]))
    with pytest.raises(TypeError, match="shapes must both be int32 or both int64"):
        tf.broadcast_dynamic_shape(tf.constant([2]), tf.constant([3], tf.int64))


def test_bitcast_matches_numpy_views():
    x = np.array([1.0, -2.5], np.float32)
    wide_to_narrow = _run(tf.bitcast(x, tf.uint8))
    np.testing.assert_array_equal(wide_to_narrow, x.view(np.uint8).reshape(2, 4))
    back = _run(tf.bitcast(tf.constant(wide_to_narrow), tf.float32))
    np.testing.assert_array_equal(back, x)
    same = _run(tf.bitcast(x, tf.int32))
    np.testing.assert_array_equal(same, x.view(np.int32))
    with pytest.raises(ValueError, match="Cannot bitcast from uint8 to float32"):
        tf.bitcast(tf.zeros([2, 3], tf.uint8), tf.float32)
    with pytest.raises(TypeError, match="bitcast does not convert string tensors"):
        tf.bitcast(tf.constant(["a"]), tf.uint8)
    p = tf.placeholder(tf.uint8, [None, None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot bitcast: last dimension 3"):
        _run(tf.bitcast(p, tf.float32), {p: np.zeros((1, 3), np.uint8)})


def test_to_complex_and_timestamp():
    c64, c128 = _run([tf.to_complex64([1.0, 2.0]), tf.to_complex128([3.0])])
    assert c64.dtype == np.complex64 and c128.dtype == np.complex128
    np.testing.assert_array_equal(c64, [1 + 0j, 2 + 0j])
    import time
    before = time.time()
    stamp = tf.timestamp()
    with tf.Session() as sess:
        first = sess.run(stamp)
        second = sess.run(stamp)
    assert before <= first <= second <= time.time()
    assert isinstance(first, np.float64)


def test_switch_case_runs_only_the_chosen_branch():
    index = tf.placeholder(tf.int32, [])
    calls = []

    def branch(value):
        def build():
            calls.append(value)
            return tf.py_func(lambda: np.int32(value), [], tf.int32, stateful=True)
        return build

    out = tf.switch_case(index, [branch(10), branch(20), branch(30)])
    keyed = tf.switch_case(index, {1: lambda: tf.constant(1), 5: lambda: tf.constant(5)},
                           default=lambda: tf.constant(-1))
    with tf.Session() as sess:
        assert [sess.run(out, {index: i}) for i in (0, 1, 2, 7)] == [10, 20, 30, 30]
        assert [sess.run(keyed, {index: i}) for i in (1, 5, 0)] == [1, 5, -1]
    with pytest.raises(ValueError, match="branch_fns must not be empty"):
        tf.switch_case(index, [])
    with pytest.raises(TypeError, match="branch_fns must map int keys to callables"):
        tf.switch_case(index, {"a": lambda: 1})
    with pytest.raises(TypeError, match="branch_index must be an int32 scalar"):
        tf.switch_case(tf.constant(1.0), [lambda: tf.constant(1)])


def test_batch_gather_matches_take_along_axis():
    params = RNG.randn(2, 3, 4)
    indices = np.array([[2, 0], [1, 1]])
    out = evaluate(lambda p: tf.batch_gather(p, indices), [params])
    np.testing.assert_array_equal(out, np.take_along_axis(params, indices[:, :, None], 1))
    np.testing.assert_array_equal(_run(tf.batch_gather([5.0, 6.0, 7.0], [2, 0])), [7.0, 5.0])
    check_gradients(lambda p: tf.batch_gather(p, indices), [params])


def test_batch_gather_errors():
    with pytest.raises(TypeError, match="indices must be int32 or int64"):
        tf.batch_gather([1.0], [0.0])
    with pytest.raises(ValueError, match="the batch dimensions of params"):
        tf.batch_gather(tf.zeros([2, 3]), tf.zeros([3, 1], tf.int32))
    with pytest.raises(ValueError, match="need params of rank > 1"):
        tf.batch_gather(tf.zeros([2]), tf.zeros([2, 1], tf.int32))
    with pytest.raises(ValueError, match="batch_gather needs params and indices of known rank"):
        tf.batch_gather(tf.placeholder(tf.float32), [0])


def _levenshtein_by_hand():
    # hypothesis rows: [a b], [c], []      truth rows: [a], [], [x]
    return tf.SparseTensor([[0, 0], [0, 1], [1, 0]], ["a", "b", "c"], [3, 2]), \
        tf.SparseTensor([[0, 0], [2, 0]], ["a", "x"], [3, 1])


def test_edit_distance_against_hand_computed_distances():
    hypothesis, truth = _levenshtein_by_hand()
    normalized, raw = _run([tf.edit_distance(hypothesis, truth), tf.edit_distance(hypothesis, truth, False)])
    np.testing.assert_array_equal(normalized, [1.0, np.inf, 1.0])
    np.testing.assert_array_equal(raw, [1.0, 1.0, 1.0])
    kitten = tf.SparseTensor([[0, 0, i] for i in range(6)], list(b"kitten"), [1, 2, 7])
    sitting = tf.SparseTensor([[0, 0, i] for i in range(7)], list(b"sitting"), [1, 2, 7])
    out = _run(tf.edit_distance(kitten, sitting, normalize=False))
    np.testing.assert_array_equal(out, [[3.0, 0.0]])   # the classic example; both empty in [0, 1]
    assert out.dtype == np.float32


def test_edit_distance_errors():
    hypothesis, truth = _levenshtein_by_hand()
    with pytest.raises(TypeError, match="Hypothesis must be a SparseTensor"):
        tf.edit_distance(tf.constant([1]), truth)
    with pytest.raises(TypeError, match="hypothesis and truth must have one dtype"):
        tf.edit_distance(tf.SparseTensor([[0, 0]], [1], [1, 1]), truth)
    with pytest.raises(ValueError, match="must have the same rank, got 2 and 3"):
        tf.edit_distance(hypothesis, tf.SparseTensor([[0, 0, 0]], ["a"], [1, 1, 1]))
    indices = tf.placeholder(tf.int64, [None, None])
    fed = tf.SparseTensor(indices, tf.constant(["a"]), tf.constant([1, 1, 1], tf.int64))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expected truth and hypothesis to have matching ranks"):
        _run(tf.edit_distance(fed, truth), {indices: [[0, 0, 0]]})


def test_fingerprint_matches_tensorflow_values():
    # Expected bytes recorded from TensorFlow 2.21's tf.fingerprint on the same inputs.
    numbers = _run(tf.fingerprint(np.array([[1, 2, 3], [4, 5, 6]], np.int32)))
    np.testing.assert_array_equal(numbers, [[197, 243, 108, 84, 102, 77, 162, 216],
                                            [168, 91, 168, 112, 25, 85, 121, 5]])
    words = _run(tf.fingerprint(tf.constant(["ab", "c"])))
    np.testing.assert_array_equal(words, [[30, 165, 173, 66, 82, 110, 141, 170],
                                          [40, 123, 203, 224, 169, 24, 161, 158]])
    grid = _run(tf.fingerprint(tf.constant([["ab", "c"], ["d", ""]])))
    np.testing.assert_array_equal(grid[0], [65, 83, 39, 149, 164, 245, 170, 22])
    assert grid.dtype == np.uint8 and grid.shape == (2, 8)


def test_fingerprint_errors():
    with pytest.raises(ValueError, match="Unsupported fingerprint method: md5"):
        tf.fingerprint([1], method="md5")
    with pytest.raises(ValueError, match="data must have rank at least one"):
        tf.fingerprint(tf.constant(1))
    fed = tf.placeholder(tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="data must have rank at least one"):
        _run(tf.fingerprint(fed), {fed: 3})


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int32, np.int64])
def test_sort_integers_including_the_extremes(dtype):
    info = np.iinfo(dtype)
    x = np.array([3, info.min, info.max, 0, 1], dtype)
    out, order = _run([tf.sort(x), tf.argsort(x, direction="DESCENDING")])
    np.testing.assert_array_equal(out, np.sort(x))
    assert out.dtype == dtype
    np.testing.assert_array_equal(x[order], np.sort(x)[::-1])
