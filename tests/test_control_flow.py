"""tf.cond, tf.while_loop, tf.group, tf.tuple, tf.identity and control dependencies at run time."""
import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients


def test_cond_runs_only_the_taken_branch():
    flag = tf.placeholder(tf.bool)
    v = tf.Variable(0.0)
    out = tf.cond(flag, lambda: tf.assign_add(v, 1.0), lambda: tf.assign_add(v, 100.0))
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(out, {flag: True}) == 1.0
        assert sess.run(out, {flag: True}) == 2.0
        assert sess.run(out, {flag: False}) == 102.0


def test_cond_with_several_outputs_and_outside_tensors():
    x = tf.placeholder(tf.float32, [2])
    pred = tf.placeholder(tf.bool, [])
    a, b = tf.cond(pred, lambda: (x * 2.0, x + 1.0), lambda: (x, x))
    with tf.Session() as sess:
        va, vb = sess.run([a, b], {x: [1.0, 2.0], pred: True})
        assert va.tolist() == [2.0, 4.0] and vb.tolist() == [2.0, 3.0]
        va, vb = sess.run([a, b], {x: [1.0, 2.0], pred: False})
        assert va.tolist() == [1.0, 2.0]
    assert a.shape.as_list() == [2]


def test_cond_branches_must_agree():
    pred = tf.constant(True)
    with pytest.raises(TypeError, match="same type"):
        tf.cond(pred, lambda: tf.constant(1), lambda: tf.constant(1.0))
    with pytest.raises(TypeError, match="callable"):
        tf.cond(pred, 1, 2)


def test_cond_gradient_follows_the_taken_branch():
    x = tf.placeholder(tf.float64, [3])
    pred = tf.placeholder(tf.bool, [])
    y = tf.cond(pred, lambda: x * x, lambda: x * 3.0)
    grad = tf.gradients(y, x)[0]
    data = np.array([1.0, 2.0, 3.0])
    with tf.Session() as sess:
        assert sess.run(grad, {x: data, pred: True}).tolist() == [2.0, 4.0, 6.0]
        assert sess.run(grad, {x: data, pred: False}).tolist() == [3.0, 3.0, 3.0]


def test_cond_gradient_against_finite_differences():
    check_gradients(lambda x: tf.cond(tf.constant(True), lambda: x * x * 2.0, lambda: x), [np.array([0.5, -1.5])])


def test_nested_cond():
    x = tf.placeholder(tf.float32, [])
    y = tf.cond(x > 0.0, lambda: tf.cond(x > 10.0, lambda: x * 100.0, lambda: x * 10.0), lambda: -x)
    with tf.Session() as sess:
        assert sess.run(y, {x: 20.0}) == 2000.0
        assert sess.run(y, {x: 2.0}) == 20.0
        assert sess.run(y, {x: -3.0}) == 3.0


def test_while_loop_sums():
    i0 = tf.constant(0)
    total0 = tf.constant(0)
    limit = tf.placeholder(tf.int32, [])
    i, total = tf.while_loop(lambda i, t: i < limit, lambda i, t: (i + 1, t + i), [i0, total0])
    with tf.Session() as sess:
        assert sess.run([i, total], {limit: 5}) == [5, 10]
        assert sess.run(total, {limit: 0}) == 0


def test_while_loop_single_variable_and_maximum_iterations():
    x = tf.while_loop(lambda x: x < 1000.0, lambda x: x * 2.0, tf.constant(1.0), maximum_iterations=3)
    with tf.Session() as sess:
        assert sess.run(x) == 8.0


def test_while_loop_shape_change_needs_invariants():
    with pytest.raises(ValueError, match="shape invariants"):
        tf.while_loop(lambda x: tf.size(x) < 10, lambda x: tf.concat([x, x], 0), [tf.constant([1])])


def test_while_loop_gradient_flows_through_the_iterations():
    x = tf.placeholder(tf.float32, [])
    y = tf.while_loop(lambda v: v < 10.0, lambda v: v * 2.0, [x])
    (g,) = tf.gradients(y, x)
    with tf.Session() as sess:
        assert sess.run([y, g], {x: 3.0}) == [12.0, 4.0]
        assert sess.run([y, g], {x: 20.0}) == [20.0, 1.0]


def test_group_runs_all_its_inputs():
    a = tf.Variable(0.0)
    b = tf.Variable(0.0)
    step = tf.group(tf.assign_add(a, 1.0), tf.assign_add(b, 2.0))
    assert step.type == "NoOp"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        sess.run(step)
        assert sess.run([a, b]) == [2.0, 4.0]


def test_control_dependencies_order_reads_after_updates():
    v = tf.Variable(1.0)
    update = tf.assign(v, 5.0)
    with tf.control_dependencies([update]):
        after = tf.identity(v)
    before = v * 1.0
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(after) == 5.0
        sess.run(v.initializer)
        b, a = sess.run([before, after])
        assert (b, a) == (1.0, 5.0)


def test_tuple_gates_outputs():
    v = tf.Variable(0.0)
    inc = tf.assign_add(v, 1.0)
    x, y = tf.tuple([tf.constant(1.0), tf.constant(2.0)], control_inputs=[inc])
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run([x, y]) == [1.0, 2.0]
        assert sess.run(v) == 1.0


def test_stop_gradient_blocks_gradients():
    x = tf.placeholder(tf.float32, [])
    y = x * x + tf.stop_gradient(x * x)
    grad = tf.gradients(y, x)[0]
    with tf.Session() as sess:
        assert sess.run(grad, {x: 3.0}) == 6.0
