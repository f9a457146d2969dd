"""Known defects of round 4 (issue #12), each pinned by a test that failed before its fix: tf.gather_nd's
edge cases, tf.sparse_to_dense with a scalar index, tf.random.gamma's gradient, and TensorArray writes
in a while_loop that copied the whole array per step."""
import numpy as np
import pytest

import numflow as tf
from numflow.ops import tensor_array
from gradcheck import check_gradients, evaluate


# --- tf.gather_nd ----------------------------------------------------------------------------------

def test_gather_nd_empty_index_vectors_repeat_all_of_params():
    params = np.arange(6, dtype=np.float32).reshape(2, 3)
    # indices [2, 0]: two empty index vectors, each selecting the whole of params (TF: shape [2, 2, 3]).
    out = evaluate(lambda p: tf.gather_nd(p, np.zeros([2, 0], np.int32)), [params])
    np.testing.assert_array_equal(out, np.broadcast_to(params, (2, 2, 3)))
    out = evaluate(lambda p: tf.gather_nd(p, np.zeros([0], np.int32)), [params])
    np.testing.assert_array_equal(out, params)
    with tf.Graph().as_default():
        assert tf.gather_nd(tf.constant(params), np.zeros([3, 1, 0], np.int32)).shape.as_list() == [3, 1, 2, 3]


def test_gather_nd_empty_index_vectors_gradient():
    params = np.arange(6, dtype=np.float64).reshape(2, 3)
    check_gradients(lambda p: tf.gather_nd(p, np.zeros([2, 0], np.int32)), [params])
    check_gradients(lambda p: tf.gather_nd(p, np.zeros([0], np.int32)), [params])
    check_gradients(lambda p: tf.gather_nd(p, np.array([[1, 2], [0, 0], [1, 2]], np.int32)), [params])


def test_gather_nd_scalar_params_and_scalar_indices():
    with tf.Graph().as_default():
        scalar = tf.gather_nd(tf.constant(5.0), np.zeros([0], np.int32))
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="params must be at least a vector"):
                sess.run(scalar)
        with pytest.raises(ValueError, match="Shape must be at least rank 1 but is rank 0"):
            tf.gather_nd(tf.constant([1.0, 2.0]), 1)


# --- tf.sparse_to_dense ----------------------------------------------------------------------------

def test_sparse_to_dense_scalar_index():
    for values in (7.0, [7.0]):
        out = evaluate(lambda: tf.sparse_to_dense(2, [5], tf.constant(values), default_value=-1.0), [])
        np.testing.assert_array_equal(out, [-1, -1, 7, -1, -1])
    with tf.Graph().as_default():
        index = tf.placeholder(tf.int64, None)  # rank known only at run time
        dense = tf.sparse_to_dense(index, tf.constant([3], tf.int64), 4)
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(dense, {index: 0}), [4, 0, 0])
            np.testing.assert_array_equal(sess.run(dense, {index: [2]}), [0, 0, 4])


def test_sparse_to_dense_scalar_index_needs_a_vector_output_shape():
    with tf.Graph().as_default():
        dense = tf.sparse_to_dense(1, [2, 3], 7.0)
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match="output_shape has incorrect number of elements: 2 should be: 1"):
                sess.run(dense)


def test_sparse_to_dense_scalar_index_gradient():
    check_gradients(lambda v, d: tf.sparse_to_dense(3, [5], v, default_value=d), [2.5, -0.5])
    check_gradients(lambda v, d: tf.sparse_to_dense(3, [5], v, default_value=d), [[2.5], -0.5])


# --- tf.random.gamma's gradient ----------------------------------------------------------------------

def _gamma_cdf(alpha, x):
    return evaluate(lambda a, v: tf.igamma(a, v), [alpha, x])


def _gamma_quantile(alpha, u, high):
    """x with P(alpha, x) = u, by bisection (P increases in x)."""
    low, high = np.zeros_like(u), np.array(high, dtype=np.float64)
    for _ in range(200):
        middle = (low + high) / 2
        below = _gamma_cdf(alpha, middle) < u
        low, high = np.where(below, middle, low), np.where(below, high, middle)
    return (low + high) / 2


def test_random_gamma_gradient_is_the_implicit_reparameterisation():
    # A sample is the quantile of a fixed uniform draw u = P(alpha, sample); its derivative in alpha is
    # that quantile's, which central differences of a bisection-computed quantile give independently.
    alpha_values = np.array([0.3, 1.0, 2.5, 9.0])
    with tf.Graph().as_default():
        alpha = tf.constant(alpha_values)
        samples = tf.random.gamma([3], alpha, dtype=tf.float64, seed=7)
        weights = np.arange(1.0, 13.0).reshape(3, 4)
        gradient = tf.gradients(tf.reduce_sum(samples * weights), alpha)[0]
        with tf.Session() as sess:
            sample_values, gradient_value = sess.run([samples, gradient])
    broadcast_alpha = np.broadcast_to(alpha_values, sample_values.shape)
    u = _gamma_cdf(broadcast_alpha, sample_values)
    h = 1e-5
    upper = _gamma_quantile(broadcast_alpha + h, u, 4 * sample_values + 10)
    lower = _gamma_quantile(broadcast_alpha - h, u, 4 * sample_values + 10)
    expected = np.sum(weights * (upper - lower) / (2 * h), axis=0)
    np.testing.assert_allclose(gradient_value, expected, rtol=1e-4)


def test_random_gamma_gradients_in_alpha_and_beta():
    with tf.Graph().as_default():
        alpha = tf.constant([0.5, 4.0])
        beta = tf.constant([[2.0], [0.5]])
        samples = tf.random.gamma([20000], alpha, beta, seed=3)         # shape [20000, 2, 2]
        d_alpha, d_beta = tf.gradients(tf.reduce_mean(samples, axis=0), [alpha, beta])
        d_beta_each = tf.gradients(samples, beta)[0]
        with tf.Session() as sess:
            values, d_alpha, d_beta, d_beta_each, alpha_value = sess.run(
                [samples, d_alpha, d_beta, d_beta_each, alpha])
    assert d_alpha.shape == (2,) and d_beta.shape == (2, 1)
    # The mean of Gamma(alpha, beta) is alpha / beta: its derivatives in alpha and beta are what the
    # reparameterised gradients average to.
    np.testing.assert_allclose(d_alpha, [1 / 2.0 + 1 / 0.5, 1 / 2.0 + 1 / 0.5], rtol=0.03)
    np.testing.assert_allclose(d_beta[:, 0], -alpha_value.sum() / np.array([2.0, 0.5]) ** 2, rtol=0.03)
    # In beta the derivative of each sample is exactly -sample / beta.
    np.testing.assert_allclose(d_beta_each[:, 0], -np.sum(values / [[[2.0], [0.5]]], axis=(0, 2)), rtol=1e-5)


# --- TensorArray writes in a while_loop ------------------------------------------------------------

def _count_allocated_rows(monkeypatch):
    """Counts the elements TensorArray's kernels allocate (every copy of an array goes through _zeros)."""
    counter = {"elements": 0}
    allocate = tensor_array._zeros

    def counting(shape, dtype, like=None):
        counter["elements"] += int(np.prod(shape))
        return allocate(shape, dtype, like)
    monkeypatch.setattr(tensor_array, "_zeros", counting)
    return counter


@pytest.mark.parametrize("dynamic_size", [False, True])
def test_tensor_array_writes_in_a_loop_copy_linearly(monkeypatch, dynamic_size):
    counter = _count_allocated_rows(monkeypatch)
    steps, width = 2000, 3
    with tf.Graph().as_default():
        array = tf.TensorArray(tf.float32, size=0 if dynamic_size else steps, dynamic_size=dynamic_size,
                               element_shape=[width])

        def body(i, array, total):
            array = array.write(i, tf.fill([width], tf.cast(i, tf.float32)))
            return i + 1, array, total + array.read(i)[0]
        _, array, total = tf.while_loop(lambda i, *_: i < steps, body, [0, array, 0.0])
        stacked = array.stack()
        with tf.Session() as sess:
            stacked_value, total_value = sess.run([stacked, total])
    np.testing.assert_array_equal(stacked_value, np.repeat(np.arange(steps, dtype=np.float32)[:, None], width, 1))
    assert total_value == steps * (steps - 1) / 2
    # Copying the array at every write allocated steps * (steps + 1) / 2 rows; now a few times `steps`.
    assert counter["elements"] <= 4 * steps * width, counter


def test_tensor_array_older_versions_keep_their_own_rows():
    with tf.Graph().as_default():
        empty = tf.TensorArray(tf.float32, size=3, element_shape=[])
        first = empty.write(0, 1.0)
        second = first.write(1, 2.0)
        branch = first.write(1, 5.0)        # writes to an older version: a copy, not the shared rows
        third = second.write(2, 3.0)
        with tf.Session() as sess:
            values = sess.run([first.stack(), second.stack(), branch.stack(), third.stack(), first.read(1)])
    expected = [[1, 0, 0], [1, 2, 0], [1, 5, 0], [1, 2, 3], 0]
    for value, want in zip(values, expected):
        np.testing.assert_array_equal(value, want)


def test_tensor_array_still_refuses_a_second_write_to_an_index():
    with tf.Graph().as_default():
        array = tf.TensorArray(tf.float32, size=2).write(0, 1.0)
        twice = array.write(0, 2.0).stack()
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match="Could not write to TensorArray index 0 because it has already been written"):
                sess.run(twice)
