"""Initializers: values (statistically), fans, dtypes, reproducibility and argument errors."""
import math

import numpy as np
import pytest

import numflow as tf
from numflow import init_ops


def value_of(init, shape, dtype=None):
    graph = tf.Graph()
    with graph.as_default():
        tensor = init(shape, dtype=dtype) if dtype is not None else init(shape)
        with tf.Session(graph=graph) as sess:
            return sess.run(tensor)


def test_zeros_ones_dtypes():
    z = value_of(tf.zeros_initializer(), [2, 3])
    assert z.dtype == np.float32 and z.shape == (2, 3) and not z.any()
    o = value_of(tf.ones_initializer(dtype=tf.int32), [4])
    assert o.dtype == np.int32 and (o == 1).all()
    o64 = value_of(tf.ones_initializer(), [2], dtype=tf.float64)
    assert o64.dtype == np.float64


def test_constant_initializer_fill_pad_and_errors():
    np.testing.assert_array_equal(value_of(tf.constant_initializer(3.5), [2, 2]), np.full((2, 2), 3.5))
    np.testing.assert_array_equal(value_of(tf.constant_initializer([1, 2]), [4]), [1, 2, 2, 2])
    np.testing.assert_array_equal(value_of(tf.constant_initializer([1, 2, 3, 4]), [2, 2]), [[1, 2], [3, 4]])
    with pytest.raises(TypeError, match="Expected Tensor's shape"):
        value_of(tf.constant_initializer([1, 2], verify_shape=True), [4])
    with pytest.raises(ValueError, match="Too many elements provided"):
        value_of(tf.constant_initializer([1, 2, 3]), [2])
    with pytest.raises(TypeError, match="Invalid type for initial value"):
        tf.constant_initializer({"a": 1})


def test_random_normal_and_truncated_normal_initializers():
    v = value_of(tf.random_normal_initializer(mean=1.0, stddev=0.5, seed=1), [100, 100])
    assert abs(v.mean() - 1.0) < 0.02 and abs(v.std() - 0.5) < 0.02
    t = value_of(tf.truncated_normal_initializer(mean=0.0, stddev=2.0, seed=1), [100, 100])
    assert np.abs(t).max() <= 4.0 + 1e-5
    assert abs(t.std() - 2.0 * 0.8796) < 0.05


def test_random_uniform_initializer_float_and_int():
    u = value_of(tf.random_uniform_initializer(-0.1, 0.1, seed=2), [50, 50])
    assert u.min() >= -0.1 and u.max() < 0.1
    i = value_of(tf.random_uniform_initializer(0, 5, seed=2, dtype=tf.int32), [100])
    assert i.dtype == np.int32 and i.min() >= 0 and i.max() < 5


def test_float_only_initializers_reject_int_dtype():
    with pytest.raises(ValueError, match="Expected floating point type, got tf.int32"):
        tf.random_normal_initializer(dtype=tf.int32)
    with pytest.raises(ValueError, match="Expected floating point type"):
        tf.glorot_uniform_initializer(dtype=tf.int64)


def test_compute_fans():
    assert init_ops._compute_fans([]) == (1, 1)
    assert init_ops._compute_fans([7]) == (7, 7)
    assert init_ops._compute_fans([3, 5]) == (3, 5)
    assert init_ops._compute_fans([3, 3, 4, 8]) == (36, 72)


def test_glorot_uniform_bounds_and_variance():
    shape = [200, 300]
    v = value_of(tf.glorot_uniform_initializer(seed=3), shape)
    limit = math.sqrt(6.0 / (200 + 300))
    assert v.min() >= -limit and v.max() <= limit
    assert abs(v.var() - 2.0 / 500) < 0.1 * 2.0 / 500


def test_glorot_normal_is_truncated_and_scaled():
    v = value_of(tf.glorot_normal_initializer(seed=3), [200, 300])
    stddev = math.sqrt(2.0 / 500) / 0.87962566103423978
    assert np.abs(v).max() <= 2 * stddev + 1e-6
    assert abs(v.std() - math.sqrt(2.0 / 500)) < 0.03 * math.sqrt(2.0 / 500)


def test_variance_scaling_modes_and_distributions():
    shape = [3, 3, 40, 60]    # conv kernel: receptive field 9
    fan_in, fan_out = 9 * 40, 9 * 60
    cases = [("fan_in", fan_in), ("fan_out", fan_out), ("fan_avg", (fan_in + fan_out) / 2.0)]
    for mode, n in cases:
        for distribution in ("truncated_normal", "normal", "untruncated_normal", "uniform"):
            init = tf.variance_scaling_initializer(scale=2.0, mode=mode, distribution=distribution, seed=4)
            v = value_of(init, shape)
            expected_std = math.sqrt(2.0 / n)
            assert abs(v.std() - expected_std) < 0.04 * expected_std, (mode, distribution)
            if distribution == "uniform":
                assert np.abs(v).max() <= math.sqrt(3 * 2.0 / n)
            elif distribution != "untruncated_normal":
                assert np.abs(v).max() <= 2 * expected_std / 0.8796 + 1e-6


def test_variance_scaling_argument_errors():
    with pytest.raises(ValueError, match="`scale` must be positive float."):
        tf.variance_scaling_initializer(scale=0.0)
    with pytest.raises(ValueError, match="Invalid `mode` argument: fan_sum"):
        tf.variance_scaling_initializer(mode="fan_sum")
    with pytest.raises(ValueError, match="Invalid `distribution` argument: cauchy"):
        tf.variance_scaling_initializer(distribution="cauchy")
    assert tf.variance_scaling_initializer(distribution="Uniform").distribution == "uniform"


def test_he_and_lecun():
    shape = [400, 100]
    he = value_of(tf.initializers.he_normal(seed=1), shape)
    assert abs(he.std() - math.sqrt(2.0 / 400)) < 0.03 * math.sqrt(2.0 / 400)
    heu = value_of(tf.initializers.he_uniform(seed=1), shape)
    assert np.abs(heu).max() <= math.sqrt(6.0 / 400)
    le = value_of(tf.initializers.lecun_normal(seed=1), shape)
    assert abs(le.std() - math.sqrt(1.0 / 400)) < 0.03 * math.sqrt(1.0 / 400)
    leu = value_of(tf.initializers.lecun_uniform(seed=1), shape)
    assert np.abs(leu).max() <= math.sqrt(3.0 / 400)


def test_uniform_unit_scaling():
    v = value_of(tf.uniform_unit_scaling_initializer(factor=2.0, seed=1), [50, 20])
    limit = math.sqrt(3.0 / 50) * 2.0
    assert np.abs(v).max() <= limit and np.abs(v).max() > 0.9 * limit


def test_orthogonal_initializer():
    for shape in ([6, 4], [4, 6], [2, 3, 5]):
        v = value_of(tf.orthogonal_initializer(gain=2.0, seed=1), shape)
        assert v.shape == tuple(shape) and v.dtype == np.float32
        flat = v.reshape(-1, shape[-1])
        if flat.shape[0] >= flat.shape[1]:
            np.testing.assert_allclose(flat.T @ flat, 4.0 * np.eye(flat.shape[1]), atol=1e-4)
        else:
            np.testing.assert_allclose(flat @ flat.T, 4.0 * np.eye(flat.shape[0]), atol=1e-4)
    with pytest.raises(ValueError, match="at least two-dimensional"):
        tf.orthogonal_initializer()([3])


def test_identity_initializer():
    np.testing.assert_array_equal(value_of(tf.initializers.identity(gain=3.0), [2, 3]), 3.0 * np.eye(2, 3))
    with pytest.raises(ValueError, match="can only be used for 2D matrices"):
        tf.initializers.identity()([2, 2, 2])


def test_xavier_initializer_contrib_fans():
    shape = [5, 5, 16, 32]
    fan_in, fan_out = 25 * 16, 25 * 32
    v = value_of(init_ops.xavier_initializer(seed=1), shape)
    limit = math.sqrt(3.0 / ((fan_in + fan_out) / 2.0))
    assert np.abs(v).max() <= limit and np.abs(v).max() > 0.95 * limit
    n = value_of(init_ops.xavier_initializer(uniform=False, seed=1), shape)
    stddev = math.sqrt(1.3 / ((fan_in + fan_out) / 2.0))
    assert np.abs(n).max() <= 2 * stddev + 1e-6
    assert init_ops.xavier_initializer_conv2d is init_ops.xavier_initializer
    with pytest.raises(TypeError, match="Cannot create initializer for non-floating point type."):
        init_ops.xavier_initializer(dtype=tf.int32)
    with pytest.raises(TypeError, match="Unknown mode FAN_SUM"):
        init_ops.contrib_variance_scaling_initializer(mode="FAN_SUM")


def test_contrib_variance_scaling_default_is_he():
    v = value_of(init_ops.contrib_variance_scaling_initializer(seed=1), [500, 100])
    assert np.abs(v).max() <= 2 * math.sqrt(1.3 * 2.0 / 500) + 1e-6


def test_seeded_initializers_are_reproducible():
    for make in (lambda: tf.random_normal_initializer(seed=9), lambda: tf.glorot_uniform_initializer(seed=9),
                 lambda: tf.truncated_normal_initializer(seed=9), lambda: tf.orthogonal_initializer(seed=9),
                 lambda: tf.variance_scaling_initializer(seed=9, distribution="uniform")):
        np.testing.assert_array_equal(value_of(make(), [4, 3]), value_of(make(), [4, 3]))


def test_initializer_call_dtype_override():
    v = value_of(tf.random_normal_initializer(seed=1), [3], dtype=tf.float64)
    assert v.dtype == np.float64


def test_get_config_roundtrip():
    init = tf.variance_scaling_initializer(scale=3.0, mode="fan_out", distribution="uniform", seed=2)
    again = tf.variance_scaling_initializer.from_config(init.get_config())
    assert (again.scale, again.mode, again.distribution, again.seed) == (3.0, "fan_out", "uniform", 2)
    assert tf.random_normal_initializer.from_config({"mean": 1.0}).mean == 1.0


def test_initializers_namespace():
    assert tf.initializers.zeros is tf.zeros_initializer
    assert tf.initializers.glorot_uniform is tf.glorot_uniform_initializer
    assert tf.initializers.variance_scaling is tf.variance_scaling_initializer
    v = tf.Variable(tf.zeros([2]))
    init = tf.initializers.global_variables()
    with tf.Session() as sess:
        sess.run(init)
        np.testing.assert_array_equal(sess.run(v), [0, 0])
        sess.run(tf.initializers.variables([v]))
