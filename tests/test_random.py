"""Random ops: values' statistics, static shapes and dtypes, seeding rules and reproducibility."""
import os
import subprocess
import sys

import numpy as np
import pytest

import numflow as tf
from numflow.ops.random import DEFAULT_GRAPH_SEED, get_seed


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


# --- values --------------------------------------------------------------------------------------
def test_random_normal_statistics_and_dtype():
    x = tf.random_normal([200, 100], mean=3.0, stddev=2.0, seed=1)
    assert x.dtype == tf.float32 and x.shape.as_list() == [200, 100]
    assert x.op.name == "random_normal"
    value = run(x)
    assert value.dtype == np.float32 and value.shape == (200, 100)
    assert abs(value.mean() - 3.0) < 0.05
    assert abs(value.std() - 2.0) < 0.05


def test_random_normal_float64_and_float16():
    a = tf.random_normal([1000], dtype=tf.float64, seed=2)
    b = tf.random_normal([10], dtype=tf.float16, seed=2)
    va, vb = run([a, b])
    assert va.dtype == np.float64 and vb.dtype == np.float16
    assert abs(va.std() - 1.0) < 0.1


def test_truncated_normal_bounds_and_std():
    x = tf.truncated_normal([20000], mean=1.0, stddev=0.5, seed=3)
    value = run(x)
    assert x.op.name == "truncated_normal"
    assert value.min() >= 1.0 - 2 * 0.5 - 1e-6 and value.max() <= 1.0 + 2 * 0.5 + 1e-6
    # the standard deviation of a standard normal truncated to [-2, 2] is 0.8796
    assert abs(value.std() - 0.5 * 0.87962566) < 0.01
    assert abs(value.mean() - 1.0) < 0.01


def test_random_uniform_float_bounds():
    x = tf.random_uniform([10000], minval=-2.0, maxval=3.0, seed=4)
    value = run(x)
    assert value.dtype == np.float32
    assert value.min() >= -2.0 and value.max() < 3.0
    assert abs(value.mean() - 0.5) < 0.05
    default = run(tf.random_uniform([1000], seed=5))
    assert default.min() >= 0.0 and default.max() < 1.0


def test_random_uniform_float16_stays_below_maxval():
    value = run(tf.random_uniform([5000], dtype=tf.float16, seed=6))
    assert value.dtype == np.float16 and value.max() < 1.0


def test_random_uniform_int():
    x = tf.random_uniform([5000], minval=3, maxval=7, dtype=tf.int32, seed=7)
    assert x.dtype == tf.int32
    value = run(x)
    assert value.dtype == np.int32
    assert set(np.unique(value)) == {3, 4, 5, 6}
    y = run(tf.random_uniform([3], maxval=10, dtype=tf.int64, seed=7))
    assert y.dtype == np.int64


def test_random_uniform_int_needs_maxval():
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype"):
        tf.random_uniform([2], dtype=tf.int32)


def test_random_uniform_invalid_dtype():
    with pytest.raises(ValueError, match="Invalid dtype"):
        tf.random_uniform([2], maxval=3, dtype=tf.uint8)


def test_random_uniform_int_empty_range_is_invalid_argument():
    x = tf.random_uniform([2], minval=5, maxval=5, dtype=tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need minval < maxval: 5 >= 5"):
        run(x)


def test_random_normal_rejects_integer_dtype():
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.random_normal([2], dtype=tf.int32)


def test_mean_and_stddev_may_be_tensors_with_gradients():
    mean = tf.placeholder(tf.float32, [])
    stddev = tf.placeholder(tf.float32, [])
    x = tf.random_normal([3], mean=mean, stddev=stddev, seed=8)
    grads = tf.gradients(x, [mean, stddev])
    with tf.Session() as sess:
        value, g_mean, g_std = sess.run([x, grads[0], grads[1]], {mean: 10.0, stddev: 0.0})
    np.testing.assert_allclose(value, [10.0] * 3)
    assert g_mean == pytest.approx(3.0)
    assert np.isfinite(g_std)


# --- shapes --------------------------------------------------------------------------------------
def test_shape_from_tensor_is_inferred_when_constant():
    x = tf.random_normal(tf.constant([2, 5]))
    assert x.shape.as_list() == [2, 5]
    assert run(x).shape == (2, 5)


def test_shape_from_placeholder_is_dynamic():
    shape = tf.placeholder(tf.int32, [2])
    x = tf.random_uniform(shape)
    assert x.shape.as_list() == [None, None]
    assert run(x, {shape: [3, 4]}).shape == (3, 4)


def test_shape_from_tf_shape_of_a_known_tensor():
    t = tf.zeros([4, 2])
    x = tf.random_normal(tf.shape(t))
    assert x.shape.as_list() == [4, 2]


def test_scalar_shape_list():
    x = tf.random_normal([], seed=1)
    assert x.shape.as_list() == []
    assert np.shape(run(x)) == ()


def test_shape_must_be_a_vector():
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 0"):
        tf.random_normal(5)


def test_negative_dimension_is_rejected():
    with pytest.raises(ValueError, match="must be >= 0"):
        tf.random_normal([-1, 2])


def test_shape_tensor_dtype_is_checked():
    with pytest.raises(TypeError, match="DataType float32 not in list of allowed values"):
        tf.random_normal(tf.constant([2.0]))


# --- seeds ---------------------------------------------------------------------------------------
def test_get_seed_rules():
    assert get_seed(None) == (None, None)
    assert get_seed(5) == (DEFAULT_GRAPH_SEED, 5)
    tf.set_random_seed(3)
    graph_seed, op_seed = get_seed(None)
    assert graph_seed == 3 and op_seed == len(tf.get_default_graph().get_operations())
    assert get_seed(9) == (3, 9)
    tf.set_random_seed(0)
    assert get_seed(0) == (0, 2 ** 31 - 1)


def test_set_seed_alias_sets_graph_seed():
    tf.random.set_seed(42)
    assert tf.get_default_graph().seed == 42
    tf.set_random_seed(None)
    assert tf.get_default_graph().seed is None


def _seeded_program(graph_seed, op_seed=None):
    graph = tf.Graph()
    with graph.as_default():
        if graph_seed is not None:
            tf.set_random_seed(graph_seed)
        a = tf.random_normal([5], seed=op_seed)
        b = tf.random_uniform([5], seed=op_seed)
    return graph, a, b


def test_graph_seed_makes_runs_reproducible_across_sessions_and_graphs():
    values = []
    for _ in range(2):
        graph, a, b = _seeded_program(7)
        with tf.Session(graph=graph) as sess:
            values.append(sess.run([a, b]))
    np.testing.assert_array_equal(values[0][0], values[1][0])
    np.testing.assert_array_equal(values[0][1], values[1][1])


def test_op_seed_without_graph_seed_is_reproducible():
    first = run(tf.random_normal([4], seed=11))
    second = run(tf.random_normal([4], seed=11))
    np.testing.assert_array_equal(first, second)


def test_two_ops_under_one_graph_seed_differ():
    tf.set_random_seed(1)
    a = tf.random_normal([5])
    b = tf.random_normal([5])
    va, vb = run([a, b])
    assert not np.array_equal(va, vb)


def test_rerunning_an_op_in_one_session_gives_new_values():
    x = tf.random_normal([5], seed=3)
    with tf.Session() as sess:
        first, second = sess.run(x), sess.run(x)
    assert not np.array_equal(first, second)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(x), first)


def test_unseeded_ops_are_nondeterministic():
    x = tf.random_normal([8])
    assert not np.array_equal(run(x), run(x))


def test_same_values_in_a_new_process():
    code = ("import numflow as tf\n"
            "tf.set_random_seed(5)\n"
            "x = tf.random_normal([4])\n"
            "y = tf.random_uniform([3], maxval=100, dtype=tf.int32)\n"
            "with tf.Session() as s: a, b = s.run([x, y])\n"
            "print(repr(a.tolist()), repr(b.tolist()))\n")
    outputs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env=dict(os.environ)).stdout for _ in range(2)]
    assert outputs[0] == outputs[1] and outputs[0].strip()


def test_random_ops_are_not_constant_folded_or_merged():
    a = tf.random_normal([3], seed=1)
    b = tf.random_normal([3], seed=1)   # same seeds, so the same sequence, but two distinct ops
    with tf.Session() as sess:
        va1, vb1 = sess.run([a, b])
        va2 = sess.run(a)
    np.testing.assert_array_equal(va1, vb1)
    assert not np.array_equal(va1, va2)


# --- shuffle, crop, multinomial, gamma, poisson --------------------------------------------------
def test_random_shuffle_permutes_first_dimension():
    data = np.arange(20).reshape(10, 2)
    x = tf.random_shuffle(tf.constant(data), seed=1)
    assert x.shape.as_list() == [10, 2]
    value = run(x)
    assert sorted(value[:, 0].tolist()) == list(range(0, 20, 2))
    np.testing.assert_array_equal(value[:, 1], value[:, 0] + 1)
    assert tf.random.shuffle is tf.random_shuffle


def test_random_shuffle_scalar_and_reproducible():
    assert run(tf.random_shuffle(tf.constant(3))) == 3
    tf.set_random_seed(2)
    a = run(tf.random_shuffle(tf.range(10) if hasattr(tf, "range") else tf.constant(np.arange(10)), seed=4))
    tf.reset_default_graph()
    tf.set_random_seed(2)
    b = run(tf.random_shuffle(tf.range(10) if hasattr(tf, "range") else tf.constant(np.arange(10)), seed=4))
    np.testing.assert_array_equal(a, b)


def test_random_crop():
    data = np.arange(30).reshape(5, 6)
    x = tf.random_crop(tf.constant(data), [2, 3], seed=1)
    assert x.shape.as_list() == [2, 3]
    value = run(x)
    r, c = divmod(int(value[0, 0]), 6)
    np.testing.assert_array_equal(value, data[r:r + 2, c:c + 3])
    too_big = tf.random_crop(tf.constant(data), [6, 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need value.shape >= size"):
        run(too_big)


def test_multinomial_frequencies():
    logits = np.log(np.array([[0.1, 0.6, 0.3], [1.0, 0.0, 0.0]], dtype=np.float32) + 1e-30)
    x = tf.multinomial(tf.constant(logits), 4000, seed=3)
    assert x.dtype == tf.int64 and x.shape.as_list() == [2, 4000]
    value = run(x)
    freq = np.bincount(value[0], minlength=3) / 4000.0
    np.testing.assert_allclose(freq, [0.1, 0.6, 0.3], atol=0.03)
    assert (value[1] == 0).all()


def test_categorical_dtype_and_bad_dtype():
    x = tf.random.categorical(tf.constant([[0.0, 0.0]]), 3, dtype=tf.int32, seed=1)
    assert x.dtype == tf.int32 and run(x).dtype == np.int32
    with pytest.raises(TypeError, match="output_dtype"):
        tf.multinomial(tf.constant([[0.0]]), 1, output_dtype=tf.float32)


def test_multinomial_needs_matrix_logits():
    with pytest.raises(ValueError, match="logits should be a matrix"):
        tf.multinomial(tf.constant([0.0, 1.0]), 2)


def test_random_gamma_shape_and_mean():
    x = tf.random_gamma([4000], alpha=tf.constant([1.0, 4.0]), beta=2.0, seed=1)
    assert x.shape.as_list() == [4000, 2]
    value = run(x)
    np.testing.assert_allclose(value.mean(axis=0), [0.5, 2.0], rtol=0.08)
    assert (value > 0).all()


def test_random_poisson_shape_and_mean():
    x = tf.random_poisson(tf.constant([2.0, 10.0]), [3000], seed=1)
    assert x.shape.as_list() == [3000, 2] and x.dtype == tf.float32
    np.testing.assert_allclose(run(x).mean(axis=0), [2.0, 10.0], rtol=0.08)
    y = tf.random.poisson(3.0, [5], dtype=tf.int64, seed=1)
    assert run(y).dtype == np.int64


def test_stateless_ops_depend_only_on_seed():
    a = tf.random.stateless_normal([3], seed=[1, 2])
    b = tf.random.stateless_normal([3], seed=[1, 2])
    c = tf.random.stateless_uniform([1000], seed=[3, 4], minval=1.0, maxval=2.0)
    d = tf.random.stateless_truncated_normal([1000], seed=[3, 4])
    with tf.Session() as sess:
        va, vb, vc, vd = sess.run([a, b, c, d])
        np.testing.assert_array_equal(sess.run(a), va)
    np.testing.assert_array_equal(va, vb)
    assert vc.min() >= 1.0 and vc.max() < 2.0
    assert np.abs(vd).max() <= 2.0


def test_random_namespace_names():
    assert tf.random.normal is tf.random_normal
    assert tf.random.uniform is tf.random_uniform
    assert tf.random.truncated_normal is tf.truncated_normal
    assert tf.random.get_seed is get_seed
    assert tf.random.multinomial is tf.multinomial
