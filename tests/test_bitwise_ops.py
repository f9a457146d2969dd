"""tf.bitwise: values against NumPy (with TF's clamping of shift amounts), dtype rules, no gradient."""
import numpy as np
import pytest

import numflow as tf

INTEGER_TYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]


def run(fetches):
    with tf.Session() as sess:
        return sess.run(fetches)


@pytest.mark.parametrize("np_type", INTEGER_TYPES)
def test_and_or_xor_invert_match_numpy(np_type):
    rng = np.random.RandomState(1)
    info = np.iinfo(np_type)
    x = rng.randint(info.min, info.max, size=(3, 4), dtype=np.int64 if info.min < 0 else np.uint64).astype(np_type)
    y = rng.randint(info.min, info.max, size=(4,), dtype=np.int64 if info.min < 0 else np.uint64).astype(np_type)
    a, b = tf.constant(x), tf.constant(y)
    got = run([tf.bitwise.bitwise_and(a, b), tf.bitwise.bitwise_or(a, b), tf.bitwise.bitwise_xor(a, b),
               tf.bitwise.invert(a)])
    for value, expected in zip(got, [x & y, x | y, x ^ y, ~x]):
        assert value.dtype == np_type and value.shape == (3, 4)
        np.testing.assert_array_equal(value, expected)


@pytest.mark.parametrize("np_type", INTEGER_TYPES)
def test_shifts_wrap_and_clamp_the_amount_like_tf(np_type):
    bits = np.dtype(np_type).itemsize * 8
    x = np.array([1, 3, 5, 7, 100, 1], np_type)
    if np.iinfo(np_type).min < 0:
        x[5] = -5
    amounts = np.array([0, 1, bits - 1, bits, bits + 5, 2], np_type)
    clamped = np.minimum(amounts.astype(np.int64), bits - 1)
    # Hand-computed expectations in Python ints, wrapped to the dtype's width.
    mask = (1 << bits) - 1
    left = [(int(v) << int(s)) & mask for v, s in zip(x, clamped)]
    left = np.array([v - (1 << bits) if np.iinfo(np_type).min < 0 and v >> (bits - 1) else v for v in left],
                    dtype=np.int64 if np.iinfo(np_type).min < 0 else np.uint64).astype(np_type)
    right = np.array([int(v) >> int(s) for v, s in zip(x, clamped)]).astype(np_type)
    got_left, got_right = run([tf.bitwise.left_shift(tf.constant(x), tf.constant(amounts)),
                               tf.bitwise.right_shift(tf.constant(x), tf.constant(amounts))])
    np.testing.assert_array_equal(got_left, left)
    np.testing.assert_array_equal(got_right, right)
    assert got_left.dtype == np_type and got_right.dtype == np_type


def test_negative_shift_amounts_shift_by_zero_and_right_shift_is_arithmetic():
    x = tf.constant(np.array([-8, 127], np.int8))
    got = run([tf.bitwise.left_shift(x, tf.constant(np.array([-1, -3], np.int8))),
               tf.bitwise.right_shift(x, tf.constant(np.array([9, -1], np.int8)))])
    np.testing.assert_array_equal(got[0], [-8, 127])
    np.testing.assert_array_equal(got[1], [-1, 127])


def test_python_operands_take_the_tensor_dtype_and_broadcast():
    x = tf.constant(np.array([[1, 2], [4, 8]], np.uint16))
    got = run(tf.bitwise.bitwise_or(x, 1))
    assert got.dtype == np.uint16
    np.testing.assert_array_equal(got, [[1, 3], [5, 9]])


@pytest.mark.parametrize("fn", [tf.bitwise.bitwise_and, tf.bitwise.bitwise_or, tf.bitwise.bitwise_xor,
                                tf.bitwise.left_shift, tf.bitwise.right_shift])
def test_float_and_bool_inputs_are_type_errors(fn):
    with pytest.raises(TypeError, match="DataType float32 not in list of allowed values: int8"):
        fn(tf.constant([1.0]), tf.constant([2.0]))
    with pytest.raises(TypeError, match="DataType bool not in list of allowed values"):
        fn(tf.constant([True]), tf.constant([False]))


def test_invert_rejects_floats_and_mixed_dtypes_are_type_errors():
    with pytest.raises(TypeError, match="DataType float64 not in list of allowed values"):
        tf.bitwise.invert(tf.constant([1.0], tf.float64))
    with pytest.raises(TypeError, match="does not match type int32"):
        tf.bitwise.bitwise_and(tf.constant([1]), tf.constant([1], tf.int64))
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.bitwise.bitwise_and(tf.constant([1, 2]), tf.constant([1, 2, 3]))


def test_bitwise_ops_have_no_gradient():
    x = tf.constant([1, 2])
    assert tf.gradients(tf.bitwise.bitwise_and(x, x), x) == [None]
    assert tf.gradients(tf.bitwise.invert(x), x) == [None]
