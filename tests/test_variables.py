"""tf.Variable: initialization, assignment, collections, names and sessions."""
import numpy as np
import pytest

import numflow as tf


def test_variable_names_and_collections():
    v = tf.Variable(tf.zeros([2, 3]), name="weights")
    frozen = tf.Variable(1.0, trainable=False)
    assert v.name == "weights:0" and v.op.name == "weights"
    assert v.shape.as_list() == [2, 3] and v.dtype is tf.float32
    assert v.initializer.name == "weights/Assign"
    assert tf.global_variables() == [v, frozen]
    assert tf.trainable_variables() == [v]
    assert tf.get_default_graph().get_tensor_by_name("weights:0") is v._ref


def test_variable_from_python_values_and_dtype():
    w = tf.Variable([0], dtype=tf.float32)
    i = tf.Variable(3)
    d = tf.Variable(np.ones(2))
    assert w.dtype is tf.float32 and i.dtype is tf.int32 and d.dtype is tf.float64


def test_initializers_and_values():
    a = tf.Variable(2.0)
    b = tf.Variable(tf.constant([1, 2]))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(a) == 2.0 and sess.run(b).tolist() == [1, 2]
        assert a.eval() == 2.0
        assert sess.run(a.value()) == 2.0 and sess.run(a.read_value()) == 2.0


def test_initialize_all_variables_and_variables_initializer():
    a = tf.Variable(1.0)
    b = tf.Variable(2.0)
    with tf.Session() as sess:
        sess.run(tf.variables_initializer([a]))
        assert sess.run(tf.report_uninitialized_variables()).tolist() == [b"Variable_1"]
        assert not sess.run(tf.is_variable_initialized(b))
        sess.run(tf.initialize_all_variables())
        assert sess.run(tf.report_uninitialized_variables()).tolist() == []


def test_assign_methods():
    v = tf.Variable(10.0)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(v.assign(3.0)) == 3.0
        assert sess.run(v.assign_add(2.0)) == 5.0
        assert sess.run(v.assign_sub(1.0)) == 4.0
        assert sess.run(tf.assign(v, 7.0)) == 7.0
        assert sess.run(tf.assign_add(v, 1.0)) == 8.0
        assert sess.run(tf.assign_sub(v, 8.0)) == 0.0


def test_assign_checks_shape_and_dtype():
    v = tf.Variable(tf.zeros([2]))
    with pytest.raises(ValueError, match="incompatible"):
        v.assign([1.0, 2.0, 3.0])
    with pytest.raises((TypeError, ValueError)):
        tf.assign(v, tf.constant([1, 2]))


def test_fetched_variable_values_do_not_change_after_updates():
    v = tf.Variable([1.0, 2.0])
    inc = tf.assign_add(v, [1.0, 1.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        held = sess.run(v)
        before, _ = sess.run([v, inc])
        sess.run(inc)
        assert held.tolist() == [1.0, 2.0]
        assert before.tolist() == [1.0, 2.0]
        assert sess.run(v).tolist() == [3.0, 4.0]


def test_initialized_value_and_dependent_initial_values():
    a = tf.Variable(3.0)
    b = tf.Variable(a.initialized_value() * 2.0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(b) == 6.0


def test_variable_operators():
    v = tf.Variable(2.0)
    exprs = [v + 1.0, 1.0 + v, v * v, -v, v - 1.0]
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(exprs) == [3.0, 3.0, 4.0, -2.0, 1.0]


def test_load_sets_a_value_without_new_ops():
    v = tf.Variable(tf.zeros([2]))
    with tf.Session() as sess:
        v.load([5.0, 6.0], sess)
        assert sess.run(v).tolist() == [5.0, 6.0]


def test_variable_needs_an_initial_value():
    with pytest.raises(ValueError, match="initial_value"):
        tf.Variable()
