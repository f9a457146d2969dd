"""Tensor.__getitem__ (NumPy basic indexing through strided_slice): values, static shapes, gradients."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients, evaluate

X = np.arange(60, dtype=np.float64).reshape(3, 4, 5)

KEYS = [
    0, -1, 2, (1, 2), (-1, -2, -3), slice(1, None), slice(None, 2), slice(None, None, -1),
    slice(None, None, 2), slice(-2, None), slice(2, 0, -1), slice(-1, -4, -2), slice(5, 10), slice(-10, 2),
    (slice(None), 1), (slice(None), slice(1, 3)), (Ellipsis, 0), (Ellipsis, slice(None, None, -2)),
    (0, Ellipsis, 1), (None,), (slice(None), None, 1), (Ellipsis, None), (1, None, slice(None, None, -1), None),
    (None, Ellipsis, None), (slice(None), slice(None), slice(None)), Ellipsis, (0, 1, 2, Ellipsis),
    (slice(0, 3, 2), slice(None), slice(4, None, -3)), (np.int32(1), np.int64(-1)),
]


@pytest.mark.parametrize("key", KEYS, ids=[repr(k) for k in KEYS])
def test_indexing_matches_numpy_values_and_static_shape(key):
    t = tf.constant(X)
    out = t[key]
    expected = X[key]
    assert out.shape.as_list() == list(np.shape(expected))
    value = tf.Session().run(out)
    np.testing.assert_array_equal(value, expected)
    assert np.shape(value) == np.shape(expected)


def test_static_shapes_with_unknown_dimensions():
    x = tf.placeholder(tf.float32, [None, 784])
    assert x[:, 1:].shape.as_list() == [None, 783]
    assert x[0].shape.as_list() == [784]
    assert x[:, 0].shape.as_list() == [None]
    assert x[..., None].shape.as_list() == [None, 784, 1]
    assert x[1:3].shape.as_list() == [None, 784]
    assert x[:, ::-1].shape.as_list() == [None, 784]
    assert x[:, 10:2:-3].shape.as_list() == [None, 3]
    column = tf.placeholder(tf.float32, [3, 1])
    assert column[0][0].shape.as_list() == []
    assert column[0][0].shape.ndims == 0
    unknown = tf.placeholder(tf.float32)
    assert unknown[0].shape.ndims is None


def test_scalar_results_are_numpy_scalars_and_strings_work():
    t = tf.constant([[1, 2], [3, 4]])
    s = tf.constant(["ab", "cd"])
    with tf.Session() as sess:
        v, w = sess.run([t[1, 0], s[-1]])
    assert v == 3 and v.dtype == np.int32
    assert w == b"cd"


def test_indexing_fed_placeholder():
    x = tf.placeholder(tf.float32, [None, 4])
    y = x[1:, ::2]
    value = np.arange(12, dtype=np.float32).reshape(3, 4)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: value}), value[1:, ::2])


def test_tensor_indices():
    t = tf.constant(X)
    i = tf.placeholder(tf.int32, [])
    j = tf.placeholder(tf.int64, [])
    a = t[i]
    b = t[:, i:i + 2, j]
    c = t[i, ..., -1]
    d = t[::i]
    assert a.shape.as_list() == [4, 5]
    assert b.shape.as_list() == [3, None]
    assert c.shape.as_list() == [4]
    with tf.Session() as sess:
        av, bv, cv, dv = sess.run([a, b, c, d], {i: 2, j: 3})
    np.testing.assert_array_equal(av, X[2])
    np.testing.assert_array_equal(bv, X[:, 2:4, 3])
    np.testing.assert_array_equal(cv, X[2, ..., -1])
    np.testing.assert_array_equal(dv, X[::2])
    const_index = tf.constant(1)
    assert t[const_index].shape.as_list() == [4, 5]


def test_indexing_shape_tensors_keeps_values_static():
    x = tf.placeholder(tf.float32, [None, 28, 28])
    s = tf.shape(x)
    assert s[0].shape.as_list() == []
    assert tf.reshape(x, [s[0], -1]).shape.as_list() == [None, 784]
    assert tf.zeros([s[1], s[2]]).shape.as_list() == [28, 28]
    assert tf.reshape(x, [-1, s[1], s[2], 1]).shape.as_list() == [None, 28, 28, 1]


def test_indexing_gradients():
    check_gradients(lambda t: t[1:, ::-2], [np.random.RandomState(0).randn(4, 5)])
    check_gradients(lambda t: t[1, ..., None, 2], [np.random.RandomState(1).randn(3, 4, 5)])
    check_gradients(lambda t: t[-1] * t[0], [np.random.RandomState(2).randn(3, 2)])
    check_gradients(lambda t: t[:, 3:0:-2], [np.random.RandomState(3).randn(2, 5)])


def test_gradient_with_tensor_index():
    x = tf.placeholder(tf.float64, [3, 2])
    i = tf.placeholder(tf.int32, [])
    g = tf.gradients(x[i] * 3.0, x)[0]
    with tf.Session() as sess:
        value = sess.run(g, {x: np.ones([3, 2]), i: 1})
    np.testing.assert_array_equal(value, [[0, 0], [3, 3], [0, 0]])


def test_variable_indexing():
    v = tf.Variable(np.arange(6.0).reshape(2, 3))
    out = v[1, 1:]
    assert out.shape.as_list() == [2]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(out), [4.0, 5.0])


def test_invalid_indices_are_type_errors():
    t = tf.constant(X)
    for key in ([0, 1], 1.5, "a", True, tf.constant([0, 1]), tf.constant(1.0)):
        with pytest.raises(TypeError, match="Only integers, slices"):
            t[key]
    with pytest.raises(TypeError, match="Only integers, slices"):
        t[0:1.5]


def test_out_of_range_indices():
    t = tf.constant(X)
    with pytest.raises(ValueError, match="slice index 3 of dimension 0 out of bounds"):
        t[3]
    with pytest.raises(ValueError, match="slice index -6 of dimension 2 out of bounds"):
        t[0, 0, -6]
    with pytest.raises(ValueError, match="Index out of range using input dim 3; input has only 3 dims"):
        t[0, 0, 0, 0]
    with pytest.raises(ValueError, match="strides\\[0\\] must be non-zero"):
        t[::0]
    with pytest.raises(ValueError, match="Multiple ellipses"):
        t[..., ...]
    i = tf.placeholder(tf.int32, [])
    out = t[i]
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="out of bounds"):
            sess.run(out, {i: 7})
        step = tf.placeholder(tf.int32, [])
        with pytest.raises(tf.errors.InvalidArgumentError, match="non-zero"):
            sess.run(t[::step], {step: 0})


def test_evaluate_helper_roundtrip():
    np.testing.assert_array_equal(evaluate(lambda t: t[::-1, 1], [X[0]]), X[0][::-1, 1])
