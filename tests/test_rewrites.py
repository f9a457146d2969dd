"""Plan rewrites (constant folding, CSE, identity removal): same results bit for bit with them on or off."""
import numpy as np
import pytest

import numflow as tf
from numflow.client import rewrites

MODES = ["all", "none", "constant_folding", "cse", "identity_removal", "fuse_bias_relu", "dead_code"]


def run_training(mode, steps=20):
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(3)
        x = tf.placeholder(tf.float32, [None, 4])
        y_ = tf.placeholder(tf.float32, [None, 3])
        W1 = tf.Variable(tf.truncated_normal([4, 8], stddev=0.5))
        b1 = tf.Variable(tf.zeros([8]) + 0.1)
        W2 = tf.Variable(tf.random_normal([8, 3], stddev=0.5))
        scale = tf.constant(2.0) * tf.constant(0.5)          # folded
        h = tf.nn.relu(tf.matmul(x, W1) + b1) * scale
        h_again = tf.nn.relu(tf.matmul(x, W1) + b1) * scale   # merged by CSE
        logits = tf.matmul(tf.identity(h + h_again), W2)
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=logits))
        train = tf.train.AdamOptimizer(0.01).minimize(loss)
        rng = np.random.RandomState(0)
        data = rng.rand(16, 4).astype(np.float32)
        labels = np.eye(3, dtype=np.float32)[rng.randint(3, size=16)]
        with tf.Session(config={"rewrites": mode}) as sess:
            sess.run(tf.global_variables_initializer())
            losses = [sess.run([train, loss], {x: data, y_: labels})[1] for _ in range(steps)]
            return np.array(losses), sess.run([W1, b1, W2])


@pytest.mark.parametrize("mode", MODES[1:])
def test_training_is_identical_with_rewrites_on_and_off(mode):
    reference_losses, reference_params = run_training("all")
    losses, params = run_training(mode)
    assert np.array_equal(losses, reference_losses)
    for a, b in zip(params, reference_params):
        assert np.array_equal(a, b)


def test_rewrites_shrink_the_plan():
    x = tf.placeholder(tf.float32, [3])
    folded = tf.constant(2.0) * tf.constant(3.0)
    y = tf.identity(x * folded) + tf.identity(x * folded)
    full = tf.Session(config={"rewrites": "all"})
    bare = tf.Session(config={"rewrites": "none"})
    assert full.run(y, {x: [1.0, 2.0, 3.0]}).tolist() == bare.run(y, {x: [1.0, 2.0, 3.0]}).tolist()
    steps_full = len(next(iter(full._plans.values())).program.order)
    steps_bare = len(next(iter(bare._plans.values())).program.order)
    assert steps_full < steps_bare
    assert steps_full == 2   # one Mul (CSE) and the Add; the constant product and identities are gone


def test_unknown_rewrite_name_is_rejected():
    with pytest.raises(ValueError, match="Unknown rewrite"):
        rewrites.enabled_passes("constant_folding,bogus")


def test_environment_variable_selects_passes(monkeypatch):
    monkeypatch.setenv("NUMFLOW_REWRITES", "none")
    assert rewrites.enabled_passes() == ()
    monkeypatch.setenv("NUMFLOW_REWRITES", "cse")
    assert rewrites.enabled_passes() == ("cse",)


def test_initializer_of_a_graph_without_variables_runs():
    with tf.Session() as sess:
        assert sess.run(tf.global_variables_initializer()) is None
        assert sess.run(tf.group()) is None


def _plan_types(sess):
    """The op types of the plan compiled last."""
    return [op.type for op in list(sess._plans.values())[-1].program.order]


def test_control_dependent_identity_of_a_pure_value_is_dropped_and_its_controls_still_run():
    counter = tf.Variable(0.0)
    x = tf.placeholder(tf.float32, [2])
    bump = tf.assign_add(counter, 1.0)
    doubled = x * 2.0
    with tf.control_dependencies([bump]):
        y = tf.identity(doubled)
    sess = tf.Session(config={"rewrites": "all"})
    sess.run(counter.initializer)
    assert sess.run(y, {x: [1.0, 3.0]}).tolist() == [2.0, 6.0]
    assert "Identity" not in _plan_types(sess)
    assert sess.run(counter) == 1.0      # the assign in the control inputs still ran


@pytest.mark.parametrize("mode", ["all", "none"])
def test_control_dependent_identity_of_a_variable_reads_after_its_controls(mode):
    # Reading a variable after an assign is the whole point of this Identity: it must not be aliased to
    # the variable's value before the assign.
    v = tf.Variable(1.0)
    assign = tf.assign(v, 5.0)
    with tf.control_dependencies([assign]):
        after = tf.identity(v)
    sess = tf.Session(config={"rewrites": mode})
    sess.run(v.initializer)
    assert sess.run(after) == 5.0
    assert "Identity" in _plan_types(sess)


def test_gradient_tuples_leave_no_identity_steps_in_a_training_plan():
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.Variable(tf.ones([3, 2]))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(tf.matmul(x, w)))
    sess = tf.Session(config={"rewrites": "all"})
    sess.run(w.initializer)
    sess.run(train, {x: np.ones((4, 3), np.float32)})
    assert "Identity" not in _plan_types(sess)
    np.testing.assert_allclose(sess.run(w), np.full((3, 2), 0.6, np.float32))
