"""tf.random.Generator in graph mode: state in a variable, each run a new draw, the stream reproducible from
a seed and restorable from a saved state."""
import numpy as np
import pytest

import numflow as tf


def _run(fetches, init=True):
    with tf.Session() as sess:
        if init:
            sess.run(tf.global_variables_initializer())
        return sess.run(fetches)


def test_algorithm_and_create_rng_state():
    assert [a.value for a in tf.random.Algorithm] == [1, 2, 3]
    np.testing.assert_array_equal(tf.random.create_rng_state(5, "philox"), [5, 0, 0])
    np.testing.assert_array_equal(tf.random.create_rng_state(5, tf.random.Algorithm.THREEFRY), [5, 0])
    np.testing.assert_array_equal(tf.random.create_rng_state(2 ** 64 + 3, 1), [3, 1, 0])
    np.testing.assert_array_equal(tf.random.create_rng_state(-1, 1), [-1, -1, -1])
    np.testing.assert_array_equal(tf.random.create_rng_state([1, 2, 3, 4], 2), [1, 2])
    assert tf.random.create_rng_state(1, 1).dtype == np.int64
    with pytest.raises(ValueError, match="unsupported value foo"):
        tf.random.create_rng_state(1, "foo")
    with pytest.raises(ValueError, match="seed should only have one dimension"):
        tf.random.create_rng_state([[1]], 1)


def test_same_seed_same_stream_and_each_run_draws_anew():
    results = []
    for _ in range(2):
        with tf.Graph().as_default():
            g = tf.random.Generator.from_seed(42)
            assert g.algorithm == 1 and g.state.shape.as_list() == [3] and g.state.dtype == tf.int64
            x = g.normal([1000], mean=3.0, stddev=2.0)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                results.append([sess.run(x), sess.run(x)])
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    assert not np.array_equal(results[0][0], results[0][1])
    both = np.concatenate(results[0])
    assert abs(both.mean() - 3.0) < 0.2 and abs(both.std() - 2.0) < 0.15
    assert results[0][0].dtype == np.float32


def test_two_draws_in_one_run_differ_and_state_advances():
    with tf.Graph().as_default():
        g = tf.random.Generator.from_seed(7)
        a, b = g.uniform([50]), g.uniform([50])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            va, vb = sess.run([a, b])
            state = sess.run(g.state)
    assert not np.array_equal(va, vb)
    assert ((va >= 0) & (va < 1)).all()
    assert state[0] > 7 and state[2] == 0      # the counter moved, the key stayed


def test_reset_replays_the_stream_and_algorithms_differ():
    with tf.Graph().as_default():
        g = tf.random.Generator.from_seed(3)
        t = tf.random.Generator.from_seed(3, alg="threefry")
        assert t.state.shape.as_list() == [2]
        x, y = g.truncated_normal([500], dtype=tf.float64), t.truncated_normal([500], dtype=tf.float64)
        reset = g.reset_from_seed(3)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            first = sess.run(x)
            sess.run(x)
            sess.run(reset)
            np.testing.assert_array_equal(sess.run(x), first)
            sess.run(g.reset([3, 0, 0]))
            np.testing.assert_array_equal(sess.run(x), first)
            sess.run(g.reset_from_key_counter(0, [3, 0]))
            np.testing.assert_array_equal(sess.run(x), first)
            other = sess.run(y)
    assert np.abs(first).max() <= 2.0 and first.dtype == np.float64
    assert not np.array_equal(first, other)


def test_integer_uniform_full_int_binomial():
    with tf.Graph().as_default():
        g = tf.random.Generator.from_seed(11)
        ints = g.uniform([2000], minval=-3, maxval=4, dtype=tf.int32)
        full = g.uniform([2000], minval=None, maxval=None, dtype=tf.int64)
        unsigned = g.uniform_full_int([10])
        counts = g.binomial([2000], counts=10.0, probs=[[0.2], [0.7]])
        vi, vf, vu = _run([ints, full, unsigned])
        with pytest.raises(tf.errors.InvalidArgumentError, match="must broadcast to the shape"):
            _run(counts)
    assert vi.dtype == np.int32 and set(np.unique(vi)) == set(range(-3, 4))
    assert vf.dtype == np.int64 and vf.min() < -2 ** 60 and vf.max() > 2 ** 60
    assert vu.dtype == np.uint64
    with tf.Graph().as_default():
        g = tf.random.Generator.from_seed(11)
        counts = g.binomial([2, 3000], counts=10.0, probs=[[0.2], [0.7]])
        vc = _run(counts)
    assert vc.dtype == np.int32 and vc.min() >= 0 and vc.max() <= 10
    np.testing.assert_allclose(vc.mean(axis=1), [2.0, 7.0], atol=0.15)


def test_make_seeds_split_and_copy():
    with tf.Graph().as_default():
        g = tf.random.Generator.from_seed(5)
        seeds = g.make_seeds(4)
        assert seeds.shape.as_list() == [2, 4] and seeds.dtype == tf.int64
        children = g.split(2)
        copy = tf.random.Generator(copy_from=g)
        draws = [c.normal([20]) for c in children] + [g.normal([20])]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            vs, states, values = sess.run([seeds, [c.state for c in children], draws])
    assert (vs[1] == 0).all() and len(set(vs[0])) == 4
    assert all(s[0] == 0 and s[1] == 0 and s[2] != 0 for s in states) and states[0][2] != states[1][2]
    assert not np.array_equal(values[0], values[1]) and not np.array_equal(values[0], values[2])
    assert copy.algorithm == g.algorithm


def test_from_key_counter_state_and_non_deterministic():
    with tf.Graph().as_default():
        a = tf.random.Generator.from_key_counter(9, [1, 2], "philox")
        b = tf.random.Generator.from_state([1, 2, 9], tf.random.Algorithm.PHILOX)
        c = tf.random.Generator.from_non_deterministic_state()
        d = tf.random.Generator.from_non_deterministic_state()
        va, vb, sc, sd = _run([a.normal([5]), b.normal([5]), c.state, d.state])
    np.testing.assert_array_equal(va, vb)
    assert not np.array_equal(sc, sd)


def test_global_generator_is_per_graph_and_settable():
    with tf.Graph().as_default():
        first = tf.random.get_global_generator()
        assert tf.random.get_global_generator() is first
        mine = tf.random.Generator.from_seed(1)
        tf.random.set_global_generator(mine)
        assert tf.random.get_global_generator() is mine
        with pytest.raises(TypeError, match="expects a tf.random.Generator"):
            tf.random.set_global_generator(3)
    with tf.Graph().as_default():
        assert tf.random.get_global_generator() is not mine


def test_generator_errors():
    with tf.Graph().as_default():
        g = tf.random.Generator.from_seed(1)
        with pytest.raises(ValueError, match="minval and maxval must be both `None` or both non-`None`"):
            g.uniform([2], dtype=tf.int32)
        with pytest.raises(TypeError, match="must be a floating dtype, not int32"):
            g.normal([2], dtype=tf.int32)
        with pytest.raises(ValueError, match="When `state` is given, `alg` must be given too"):
            tf.random.Generator(state=[1, 2, 3])
        with pytest.raises(ValueError, match="The size of the state must be 2 for algorithm 2"):
            tf.random.Generator(state=[1, 2, 3], alg="threefry")
        bad = g.uniform([2], minval=5, maxval=3, dtype=tf.int32)
        with tf.Session() as sess:
            with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value StateVar"):
                sess.run(bad)
            sess.run(tf.global_variables_initializer())
            with pytest.raises(tf.errors.InvalidArgumentError, match="Need minval < maxval, got 5 >= 3"):
                sess.run(bad)
            sess.run(tf.assign(g.state, [1, 2, 3, 4], validate_shape=False))
            with pytest.raises(tf.errors.InvalidArgumentError, match="The size of the state must be 3"):
                sess.run(g.normal([1]))
