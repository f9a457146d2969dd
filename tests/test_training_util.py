"""tf.train global-step helpers and learning-rate schedules."""
import math

import numpy as np
import pytest

import numflow as tf


# --- the global step -------------------------------------------------------------------------------
def test_get_or_create_global_step():
    assert tf.train.get_global_step() is None
    step = tf.train.get_or_create_global_step()
    assert step.name == "global_step:0"
    assert step.dtype == tf.int64 and step.shape.ndims == 0
    assert step not in tf.trainable_variables()
    assert step in tf.global_variables()
    assert tf.get_collection(tf.GraphKeys.GLOBAL_STEP) == [step]
    assert tf.train.get_or_create_global_step() is step
    assert tf.train.get_global_step() is step
    with pytest.raises(ValueError, match='"global_step" already exists.'):
        tf.train.create_global_step()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        value = tf.train.global_step(sess, step)
        assert value == 0 and type(value) is int


def test_create_global_step_ignores_name_scope_and_uses_given_graph():
    graph = tf.Graph()
    with tf.name_scope("outer"):
        step = tf.train.create_global_step(graph)
    assert step.graph is graph and step.name == "global_step:0"
    assert tf.train.get_global_step() is None
    assert tf.train.get_global_step(graph) is step


def test_get_global_step_finds_a_tensor_named_global_step():
    step = tf.Variable(np.int64(5), trainable=False, name="global_step")
    found = tf.train.get_global_step()
    assert found is step._as_graph_element()
    with tf.Session() as sess:
        sess.run(step.initializer)
        assert tf.train.global_step(sess, found) == 5


def test_assert_global_step_errors():
    with pytest.raises(TypeError, match='Existing "global_step" does not have integer type'):
        tf.train.assert_global_step(tf.Variable(0.0))
    with pytest.raises(TypeError, match='Existing "global_step" is not scalar'):
        tf.train.assert_global_step(tf.Variable([0, 1]))
    with pytest.raises(TypeError, match='Existing "global_step" must be a Variable or Tensor'):
        tf.train.assert_global_step(3)
    tf.train.assert_global_step(tf.constant(3, tf.int64))


def test_global_step_drives_a_decayed_learning_rate():
    step = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(1.0, step, decay_steps=1, decay_rate=0.5)
    v = tf.Variable(0.0, name="v")
    train = tf.train.GradientDescentOptimizer(lr).minimize(-v, global_step=step)   # gradient of -v: -1
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(4):
            sess.run(train)
        assert sess.run(v) == 1.0 + 0.5 + 0.25 + 0.125
        assert sess.run(step) == 4


# --- learning-rate schedules -----------------------------------------------------------------------
def _values(schedule, steps):
    step = tf.placeholder(tf.int64, [])
    lr = schedule(step)
    with tf.Session() as sess:
        return lr, np.array([sess.run(lr, {step: s}) for s in steps])


STEPS = [0, 1, 5, 9, 10, 11, 19, 20, 25, 40]


def test_exponential_decay():
    lr, values = _values(lambda s: tf.train.exponential_decay(0.1, s, 10, 0.5), STEPS)
    assert lr.dtype == tf.float32 and lr.name == "ExponentialDecay:0"
    np.testing.assert_allclose(values, [0.1 * 0.5 ** (s / 10) for s in STEPS], rtol=1e-6)


def test_exponential_decay_staircase():
    lr, values = _values(lambda s: tf.train.exponential_decay(0.1, s, 10, 0.5, staircase=True, name="lr"),
                         STEPS)
    assert lr.name == "lr:0"
    np.testing.assert_allclose(values, [0.1 * 0.5 ** (s // 10) for s in STEPS], rtol=1e-6)


def test_exponential_decay_keeps_the_learning_rate_dtype():
    step = tf.placeholder(tf.int32, [])
    lr = tf.train.exponential_decay(tf.constant(0.1, tf.float64), step, 3, 0.9)
    with tf.Session() as sess:
        value = sess.run(lr, {step: 4})
    assert lr.dtype == tf.float64 and value.dtype == np.float64
    np.testing.assert_allclose(value, 0.1 * 0.9 ** (4 / 3), rtol=1e-12)


def test_inverse_time_and_natural_exp_decay():
    _, values = _values(lambda s: tf.train.inverse_time_decay(0.1, s, 10, 0.5), STEPS)
    np.testing.assert_allclose(values, [0.1 / (1 + 0.5 * s / 10) for s in STEPS], rtol=1e-6)
    _, values = _values(lambda s: tf.train.inverse_time_decay(0.1, s, 10, 0.5, staircase=True), STEPS)
    np.testing.assert_allclose(values, [0.1 / (1 + 0.5 * (s // 10)) for s in STEPS], rtol=1e-6)
    _, values = _values(lambda s: tf.train.natural_exp_decay(0.1, s, 10, 0.5), STEPS)
    np.testing.assert_allclose(values, [0.1 * math.exp(-0.5 * s / 10) for s in STEPS], rtol=1e-6)
    _, values = _values(lambda s: tf.train.natural_exp_decay(0.1, s, 10, 0.5, staircase=True), STEPS)
    np.testing.assert_allclose(values, [0.1 * math.exp(-0.5 * (s // 10)) for s in STEPS], rtol=1e-6)


def test_polynomial_decay():
    _, values = _values(lambda s: tf.train.polynomial_decay(0.1, s, 10, end_learning_rate=0.01, power=2.0), STEPS)
    np.testing.assert_allclose(values, [0.09 * (1 - min(s, 10) / 10) ** 2 + 0.01 for s in STEPS], rtol=1e-5)
    _, values = _values(lambda s: tf.train.polynomial_decay(0.1, s, 10, end_learning_rate=0.01, cycle=True), STEPS)
    expected = []
    for s in STEPS:
        decay_steps = 10 * max(math.ceil(s / 10), 1)
        expected.append(0.09 * (1 - s / decay_steps) + 0.01)
    np.testing.assert_allclose(values, expected, rtol=1e-5)


def test_piecewise_constant():
    lr, values = _values(lambda s: tf.train.piecewise_constant(s, [10, 20], [1.0, 0.5, 0.1]), STEPS)
    assert lr.dtype == tf.float32
    np.testing.assert_array_equal(values, np.array([1.0 if s <= 10 else 0.5 if s <= 20 else 0.1 for s in STEPS],
                                                   np.float32))
    with pytest.raises(ValueError, match="The length of boundaries should be 1 less than the length of values"):
        tf.train.piecewise_constant(tf.constant(1), [1, 2], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"Boundaries \(float32\) must have the same dtype as x \(int32\)"):
        tf.train.piecewise_constant(tf.constant(1), [1.5], [1.0, 2.0])


def test_cosine_schedules():
    _, values = _values(lambda s: tf.train.cosine_decay(0.1, s, 20, alpha=0.1), STEPS)
    expected = [0.1 * (0.9 * 0.5 * (1 + math.cos(math.pi * min(s, 20) / 20)) + 0.1) for s in STEPS]
    np.testing.assert_allclose(values, expected, rtol=1e-5)
    _, values = _values(lambda s: tf.train.linear_cosine_decay(0.1, s, 20), STEPS)
    expected = []
    for s in STEPS:
        s = min(s, 20)
        expected.append(0.1 * (((20 - s) / 20) * 0.5 * (1 + math.cos(2 * math.pi * 0.5 * s / 20)) + 0.001))
    np.testing.assert_allclose(values, expected, rtol=1e-5, atol=1e-8)
    _, values = _values(lambda s: tf.train.cosine_decay_restarts(0.1, s, 10, t_mul=1.0, m_mul=0.5), STEPS)
    expected = [0.1 * 0.5 ** (s // 10) * 0.5 * (1 + math.cos(math.pi * (s % 10) / 10)) for s in STEPS]
    np.testing.assert_allclose(values, expected, rtol=1e-5, atol=1e-8)
    # t_mul=2: periods of 10, 20, 40 steps starting at 0, 10, 30.
    _, values = _values(lambda s: tf.train.cosine_decay_restarts(0.1, s, 10), [0, 5, 10, 20, 30])
    np.testing.assert_allclose(values, [0.1, 0.05, 0.1, 0.05, 0.1], rtol=1e-5, atol=1e-7)


def test_schedules_need_a_global_step():
    with pytest.raises(ValueError, match="global_step is required for exponential_decay."):
        tf.train.exponential_decay(0.1, None, 10, 0.5)
    with pytest.raises(ValueError, match="global_step is required for polynomial_decay."):
        tf.train.polynomial_decay(0.1, None, 10)
