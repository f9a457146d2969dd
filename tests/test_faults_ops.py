"""Faults of issue 15 in ops and feeds: integer division by zero, out-of-range and float feeds to integer
placeholders, and NaN in argmax/argmin/reduce_max/reduce_min/top_k.

The NaN expectations are what real TensorFlow (2.21, tf.compat.v1 graph mode, CPU) returned for the same
inputs, recorded with a scratch script; see each test.
"""
import inspect
import os

import numpy as np
import pytest

import numflow as tf

THIS_FILE = os.path.basename(__file__)
NAN, INF = np.nan, np.inf


def run(fetches, feed_dict=None, rewrites="all"):
    with tf.Session(config={"rewrites": rewrites}) as sess:
        return sess.run(fetches, feed_dict)


# --- integer division and modulo by zero ---------------------------------------------------------
INTEGER_DIVISIONS = {
    "floordiv": tf.floordiv,
    "floor_div": tf.floor_div,
    "operator //": lambda x, y: x // y,
    "div": tf.div,
    "truncatediv": tf.truncatediv,
    "realdiv": tf.realdiv,
    "mod": tf.mod,
    "floormod": tf.floormod,
    "operator %": lambda x, y: x % y,
    "truncatemod": tf.truncatemod,
}


@pytest.mark.parametrize("rewrites", ["all", "none"])
@pytest.mark.parametrize("dtype", [tf.int32, tf.int64, tf.uint8])
@pytest.mark.parametrize("name", sorted(INTEGER_DIVISIONS))
def test_integer_division_by_zero_is_invalid_argument(name, dtype, rewrites):
    x = tf.placeholder(dtype, [3], name="x")
    y = tf.placeholder(dtype, [3], name="y")
    line = inspect.currentframe().f_lineno + 1
    result = INTEGER_DIVISIONS[name](x, y)
    with pytest.raises(tf.errors.InvalidArgumentError, match="^Integer division by zero") as info:
        run(result, {x: [7, 8, 9], y: [2, 0, 3]}, rewrites)
    assert "Caused by op '%s', defined at:" % result.op.name in str(info.value)
    assert 'File "%s", line %d' % (__file__, line) in str(info.value)
    assert info.value.op is result.op


@pytest.mark.parametrize("name", sorted(INTEGER_DIVISIONS))
def test_integer_division_by_constant_zero_fails_at_run_time_not_folding(name):
    # Constant folding tries the kernel at compile time; the error must still come from the run.
    result = INTEGER_DIVISIONS[name](tf.constant([4, 5]), tf.constant(0))
    with pytest.raises(tf.errors.InvalidArgumentError, match="^Integer division by zero"):
        run(result)


@pytest.mark.parametrize("name", sorted(INTEGER_DIVISIONS))
def test_integer_division_without_zero_still_computes(name):
    x = np.array([7, -7, 9, -9], np.int32)
    y = np.array([2, 2, -4, -4], np.int32)
    got = run(INTEGER_DIVISIONS[name](tf.constant(x), tf.constant(y)))
    expected = {
        "floordiv": x // y, "floor_div": x // y, "operator //": x // y, "div": x // y,
        "truncatediv": np.trunc(x / y).astype(np.int32), "realdiv": np.trunc(x / y).astype(np.int32),
        "mod": x % y, "floormod": x % y, "operator %": x % y, "truncatemod": np.fmod(x, y),
    }[name]
    assert got.dtype == np.int32 and got.tolist() == expected.tolist()


def test_float_division_by_zero_keeps_ieee_results():
    x = tf.constant([1.0, -1.0, 0.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        quotient, floored, remainder = run([x / 0.0, x // 0.0, tf.floormod(x, 0.0)])
    assert quotient[:2].tolist() == [INF, -INF] and np.isnan(quotient[2])
    assert floored[:2].tolist() == [INF, -INF] and np.isnan(floored[2])
    assert np.isnan(remainder).all()


def test_truncatediv_values_shapes_and_dtypes():
    x = np.array([[7, -7], [1, -1]], np.int64)
    y = np.array([2, -3], np.int64)
    got = run(tf.truncatediv(x, y))
    assert got.dtype == np.int64 and got.tolist() == np.trunc(x / y).astype(np.int64).tolist()
    assert tf.truncatediv(tf.placeholder(tf.int32, [None, 3]), 2).shape.as_list() == [None, 3]
    assert tf.math.truncatediv is tf.truncatediv


def test_truncatediv_rejects_floats_and_has_no_gradient():
    with pytest.raises(TypeError, match="'TruncateDiv'.*float32"):
        tf.truncatediv(tf.constant([1.0]), tf.constant([2.0]))
    x = tf.placeholder(tf.int32, [2])
    assert tf.gradients(tf.truncatediv(x, 2), x) == [None]


# --- feeds to integer placeholders ---------------------------------------------------------------
def test_float_feed_to_int_placeholder_truncates_toward_zero_like_tf():
    x = tf.placeholder(tf.int32, [None], name="ints")
    got = run(x, {x: [1.5, 2.5, -1.7, -0.2]})
    assert got.dtype == np.int32 and got.tolist() == [1, 2, -1, 0]
    got = run(x, {x: np.array([3.9], np.float64)})
    assert got.tolist() == [3]


@pytest.mark.parametrize("value, dtype, pattern", [
    (2 ** 40, tf.int32, r"Cannot feed value 1099511627776 for Tensor 'wanted:0' with dtype int32: "
                        r"1099511627776 is out of range for int32 \[-2147483648, 2147483647\]"),
    ([2 ** 70], tf.int64, r"Tensor 'wanted:0' with dtype int64: out of range for int64"),
    (np.array([1, 2 ** 33]), tf.int32, r"Tensor 'wanted:0' with dtype int32: values from 1 to 8589934592 "
                                       r"are out of range for int32"),
    (-1, tf.uint8, r"Tensor 'wanted:0' with dtype uint8: -1 is out of range for uint8 \[0, 255\]"),
    ([1.0, NAN], tf.int32, r"Tensor 'wanted:0' with dtype int32: NaN and infinity have no integer value"),
    (1e20, tf.int64, r"Tensor 'wanted:0' with dtype int64: 1e\+20 is out of range for int64"),
])
def test_out_of_range_feed_names_the_placeholder_and_dtype(value, dtype, pattern):
    x = tf.placeholder(dtype, name="wanted")
    with pytest.raises(ValueError, match=pattern):
        run(x, {x: value})


def test_unconvertible_feed_names_the_placeholder():
    x = tf.placeholder(tf.int32, name="wanted")
    with pytest.raises(ValueError, match=r"Cannot feed value 'abc' for Tensor 'wanted:0' with dtype int32"):
        run(x, {x: "abc"})


def test_in_range_integer_feeds_convert_exactly():
    x = tf.placeholder(tf.int8, [3])
    got = run(x, {x: np.array([-128, 0, 127], np.int64)})
    assert got.dtype == np.int8 and got.tolist() == [-128, 0, 127]


# --- NaN in argmax / argmin / reduce_max / reduce_min / top_k --------------------------------------
# (input, TF's argmax, TF's argmin): TF skips NaN; a slice with no number above the lowest gives 0.
ARG_CASES = [
    ([1.0, NAN, 3.0], 2, 0),
    ([NAN, 5.0, 1.0], 1, 2),
    ([3.0, 1.0, NAN], 0, 1),
    ([NAN, NAN, 1.0], 2, 2),
    ([1.0, INF, NAN, -INF], 1, 3),
    ([NAN, -INF], 0, 1),
    ([-INF, NAN], 0, 0),
    ([NAN, INF], 1, 0),
    ([INF, NAN], 0, 0),
    ([NAN, NAN], 0, 0),
    ([2.0, NAN, 2.0], 0, 0),
]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("values, tf_argmax, tf_argmin", ARG_CASES)
def test_argmax_argmin_skip_nan_like_tf(values, tf_argmax, tf_argmin, dtype):
    x = tf.placeholder(dtype, [None])
    got = run([tf.argmax(x, 0), tf.argmin(x, 0, output_type=tf.int32)], {x: np.array(values, dtype)})
    assert got == [tf_argmax, tf_argmin]


def test_argmax_argmin_with_nan_along_each_axis():
    x = np.array([[1.0, NAN, 3.0], [NAN, 2.0, 7.0]], np.float32)
    # TF: argmax(axis=-1) [2, 2], argmin(axis=-1) [0, 1].
    assert run(tf.argmax(x, -1)).tolist() == [2, 2]
    assert run(tf.argmin(x, -1)).tolist() == [0, 1]
    assert run(tf.argmax(x, 0)).tolist() == [0, 1, 1]
    assert run(tf.argmin(x, 0)).tolist() == [0, 1, 0]


def test_reduce_max_min_and_maximum_propagate_nan_like_tf():
    x = np.array([[1.0, NAN, 3.0], [4.0, 2.0, 7.0]], np.float32)
    row_max, row_min, everything, maximum = run(
        [tf.reduce_max(x, 1), tf.reduce_min(x, 1), tf.reduce_max(x), tf.maximum(x, 2.0)])
    assert np.isnan(row_max[0]) and row_max[1] == 7.0
    assert np.isnan(row_min[0]) and row_min[1] == 2.0
    assert np.isnan(everything)
    assert np.isnan(maximum[0, 1]) and maximum[0].tolist()[::2] == [2.0, 3.0]


def test_top_k_ranks_nan_first_and_agrees_with_reduce_max():
    x = np.array([[1.0, NAN, 3.0, 2.0], [NAN, 1.0, NAN, 5.0], [3.0, 1.0, 2.0, 0.0]], np.float32)
    values, indices = run(tf.nn.top_k(x, 3))
    assert indices.tolist() == [[1, 2, 3], [0, 2, 3], [0, 2, 1]]
    assert np.isnan(values[0, 0]) and values[0, 1:].tolist() == [3.0, 2.0]
    assert np.isnan(values[1, :2]).all() and values[1, 2] == 5.0
    # values[:, 0] is NaN exactly where the row's maximum is.
    np.testing.assert_array_equal(np.isnan(values[:, 0]), np.isnan(run(tf.reduce_max(x, 1))))
