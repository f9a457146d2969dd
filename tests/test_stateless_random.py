"""tf.random's remaining stateless samplers and seed helpers (ops/stateless_random.py): the same seed gives
the same values in any Session, and large samples have the distribution's moments and support."""
import math

import numpy as np
import pytest

import numflow as tf


def run(fetches):
    with tf.Session() as sess:
        return sess.run(fetches)


def test_same_seed_same_values_and_new_seed_new_values():
    build = [lambda seed: tf.random.stateless_gamma([50], seed, 2.0),
             lambda seed: tf.random.stateless_poisson([50], seed, 4.0),
             lambda seed: tf.random.stateless_binomial([50], seed, 10, 0.3),
             lambda seed: tf.random.stateless_categorical([[0.0, 1.0, 2.0]], 50, seed),
             lambda seed: tf.random.stateless_parameterized_truncated_normal([50], seed)]
    for make in build:
        first, again, other = run([make([1, 2]), make([1, 2]), make([1, 3])])
        np.testing.assert_array_equal(first, again)
        assert not np.array_equal(first, other)
        np.testing.assert_array_equal(run(make(tf.constant([1, 2], tf.int32))), first)


def test_moments_and_supports():
    n = 200000
    gamma, poisson, binomial, truncated, categorical = run([
        tf.random.stateless_gamma([n, 2], [5, 6], [2.0, 0.5], beta=[1.0, 4.0], dtype=tf.float64),
        tf.random.stateless_poisson([n], [5, 6], 3.5, dtype=tf.int64),
        tf.random.stateless_binomial([n, 2], [5, 6], [20.0, 5.0], [0.25, 0.9]),
        tf.random.stateless_parameterized_truncated_normal([n], [5, 6], means=1.0, stddevs=2.0, minvals=0.0,
                                                           maxvals=3.0),
        tf.random.stateless_multinomial(np.log([[0.2, 0.3, 0.5]]), n, [5, 6], output_dtype=tf.int32)])
    # Gamma(alpha, rate beta): mean alpha / beta, variance alpha / beta^2.
    np.testing.assert_allclose(gamma.mean(axis=0), [2.0, 0.125], rtol=0.02)
    np.testing.assert_allclose(gamma.var(axis=0), [2.0, 0.5 / 16], rtol=0.05)
    assert poisson.dtype == np.int64 and abs(poisson.mean() - 3.5) < 0.03 and abs(poisson.var() - 3.5) < 0.1
    assert binomial.dtype == np.int32
    np.testing.assert_allclose(binomial.mean(axis=0), [5.0, 4.5], rtol=0.01)
    assert truncated.dtype == np.float32 and truncated.min() >= 0.0 and truncated.max() <= 3.0
    # N(1, 2) truncated to [0, 3] (standardized bounds a = -0.5, b = 1): mean 1 + 2 (phi(a) - phi(b)) / Z.
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: 0.5 * math.erfc(-z / math.sqrt(2))  # noqa: E731
    expected_mean = 1 + 2 * (phi(-0.5) - phi(1.0)) / (cdf(1.0) - cdf(-0.5))
    assert abs(truncated.mean() - expected_mean) < 0.01
    assert categorical.dtype == np.int32
    np.testing.assert_allclose(np.bincount(categorical[0], minlength=3) / n, [0.2, 0.3, 0.5], atol=0.005)


def test_split_and_fold_in():
    seeds, folded, folded_again, other = run([tf.random.split([7, 8], 3), tf.random.fold_in([7, 8], 1),
                                              tf.random.fold_in([7, 8], 1), tf.random.fold_in([7, 8], 2)])
    assert seeds.shape == (3, 2) and seeds.dtype == np.int64 and len({tuple(s) for s in seeds}) == 3
    assert folded.shape == (2,) and folded.tolist() == folded_again.tolist() != other.tolist()
    values = run([tf.random.stateless_normal([4], seeds[0]), tf.random.stateless_normal([4], seeds[1])])
    assert not np.array_equal(values[0], values[1])
    with pytest.raises(ValueError, match="num must be positive"):
        tf.random.split([1, 2], 0)


def test_errors():
    with pytest.raises(ValueError, match=r"seed must have shape \[2\]"):
        tf.random.stateless_gamma([3], [1, 2, 3], 1.0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="alpha must be positive"):
        run(tf.random.stateless_gamma([3], [1, 2], -1.0))
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be compatible with the parameters' shape"):
        run(tf.random.stateless_gamma(tf.placeholder_with_default([3], [1]), [1, 2], [1.0, 2.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="probs in \\[0, 1\\]"):
        run(tf.random.stateless_binomial([3], [1, 2], 5.0, 1.5))
    with pytest.raises(tf.errors.InvalidArgumentError, match="minvals < maxvals"):
        run(tf.random.stateless_parameterized_truncated_normal([3], [1, 2], minvals=1.0, maxvals=0.0))
    with pytest.raises(ValueError, match="dtype must be float16, float32 or float64"):
        tf.random.stateless_gamma([3], [1, 2], 1.0, dtype=tf.int32)
    with pytest.raises(TypeError, match="seed must be an int32 or int64 tensor"):
        tf.random.stateless_poisson([3], tf.constant([1.0, 2.0]), 1.0)
