"""tf.contrib.framework, tf.contrib.training.HParams and tf.contrib.crf."""
import os

import numpy as np
import pytest

import numflow as tf
from numflow.contrib import framework as cf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


# --- arg_scope ------------------------------------------------------------------------------------
@cf.add_arg_scope
def _scoped(a, b=1, c=2):
    return (a, b, c)


@cf.add_arg_scope
def _other(x=0):
    return x


def _plain(x=0):
    return x


def test_arg_scope_defaults_explicit_wins_and_nesting_merges():
    assert _scoped(0) == (0, 1, 2)
    with cf.arg_scope([_scoped], b=10):
        assert _scoped(0) == (0, 10, 2)
        assert _scoped(0, b=5) == (0, 5, 2)
        with cf.arg_scope([_scoped], c=30), cf.arg_scope([_other], x=7) as inner:
            assert _scoped(0) == (0, 10, 30)
            assert _other() == 7
            assert cf.current_arg_scope() is inner
        with cf.arg_scope([_scoped, _other], x=7):
            # Like TF, every listed function receives every default.
            with pytest.raises(TypeError, match="unexpected keyword argument 'x'"):
                _scoped(0)
        with cf.arg_scope([_scoped], b=11):
            assert _scoped(0) == (0, 11, 2)
        assert _other() == 0
    assert _scoped(0) == (0, 1, 2)
    assert cf.current_arg_scope() == {}


def test_arg_scope_reuse_dict_and_errors():
    with cf.arg_scope([_scoped], b=4) as saved:
        pass
    with cf.arg_scope(saved):
        assert _scoped(0) == (0, 4, 2)
    with pytest.raises(ValueError, match="kwargs must be empty"):
        with cf.arg_scope(saved, b=3):
            pass
    with pytest.raises(TypeError, match="list/tuple or reused scope"):
        with cf.arg_scope(_scoped, b=3):
            pass
    with pytest.raises(ValueError, match="not decorated with @add_arg_scope"):
        with cf.arg_scope([_plain], x=3):
            pass
    assert cf.has_arg_scope(_scoped) and not cf.has_arg_scope(_plain)
    assert cf.arg_scoped_arguments(_scoped) == ["a", "b", "c"]


def test_arg_scope_reaches_model_variable():
    with cf.arg_scope([cf.model_variable], initializer=tf.constant_initializer(3.0)):
        v = cf.model_variable("w", shape=[2])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(v), [3.0, 3.0])


# --- variables ------------------------------------------------------------------------------------
def _build_vars():
    with tf.variable_scope("net"):
        w = cf.model_variable("weights", shape=[2, 2], initializer=tf.zeros_initializer())
        b = cf.variable("biases", shape=[2], initializer=tf.zeros_initializer())
    with tf.variable_scope("head"):
        hw = cf.model_variable("weights", shape=[2], trainable=False, initializer=tf.zeros_initializer())
    return w, b, hw


def test_variable_lookups():
    w, b, hw = _build_vars()
    assert cf.get_variables() == [w, b, hw]
    assert cf.get_variables("net") == [w, b]
    assert cf.get_variables(suffix="weights") == [w, hw]
    assert cf.get_model_variables() == [w, hw]
    assert tf.get_collection(tf.GraphKeys.MODEL_VARIABLES) == [w, hw]
    assert cf.get_trainable_variables() == [w, b]
    assert cf.get_variables_by_name("weights") == [w, hw]
    assert cf.get_variables_by_name("weights", scope="head") == [hw]
    assert cf.get_variables_by_suffix("ases") == [b]
    assert cf.get_variables_to_restore() == [w, b, hw]
    assert cf.get_variables_to_restore(include=["net"]) == [w, b]
    assert cf.get_variables_to_restore(exclude=["net/biases"]) == [w, hw]
    assert cf.get_unique_variable("net/weights") is w
    with tf.variable_scope("net") as scope:
        pass
    assert cf.get_variables(scope) == [w, b]


def test_variable_lookup_errors():
    _build_vars()
    with pytest.raises(TypeError, match="include is provided but is not a list or a tuple"):
        cf.get_variables_to_restore(include="net")
    with pytest.raises(TypeError, match="exclude is provided but is not a list or a tuple"):
        cf.get_variables_to_restore(exclude="net")
    with pytest.raises(ValueError, match="Couldn't find variable nope"):
        cf.get_unique_variable("nope")
    with pytest.raises(ValueError, match="does not uniquely identify"):
        cf.get_unique_variable("net/weig")


def test_global_step_and_local_variable():
    assert cf.get_global_step() is None
    step = cf.get_or_create_global_step()
    assert cf.get_global_step() is step and cf.get_or_create_global_step() is step
    loc = cf.local_variable(np.float32(1.5), name="loc")
    assert loc in tf.local_variables() and loc not in tf.global_variables()
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        assert sess.run(step) == 0 and sess.run(loc) == 1.5


def test_assign_from_values_fn_and_errors():
    w, b, _ = _build_vars()
    fn = cf.assign_from_values_fn({"net/weights": [[1, 2], [3, 4]], "net/biases": [5, 6]})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        fn(sess)
        np.testing.assert_array_equal(sess.run(w), [[1, 2], [3, 4]])
        np.testing.assert_array_equal(sess.run(b), [5, 6])
    with pytest.raises(ValueError, match="Variable missing wasn't found"):
        cf.assign_from_values({"missing": 1.0})
    with pytest.raises(ValueError, match="Ambiguous variable name net"):
        cf.assign_from_values({"net": 1.0})


def test_assign_from_checkpoint_fn(tmp_path):
    w, b, hw = _build_vars()
    path = os.path.join(str(tmp_path), "model.ckpt")
    with tf.Session() as sess:
        sess.run([w.assign([[1.0, 2.0], [3.0, 4.0]]), b.assign([7.0, 8.0])])
        tf.train.Saver([w, b]).save(sess, path)
    assert dict(cf.list_variables(path)) == {"net/weights": [2, 2], "net/biases": [2]}
    np.testing.assert_array_equal(cf.load_variable(path, "net/biases"), [7.0, 8.0])
    with pytest.raises(tf.errors.NotFoundError):
        with tf.Session() as sess:
            cf.assign_from_checkpoint_fn(path, [w, b, hw])(sess)
    restore = cf.assign_from_checkpoint_fn(path, [w, b, hw], ignore_missing_vars=True)
    op, feed = cf.assign_from_checkpoint(path, [w, b, hw], ignore_missing_vars=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        restore(sess)
        np.testing.assert_array_equal(sess.run(w), [[1, 2], [3, 4]])
        sess.run(tf.global_variables_initializer())
        sess.run(op, feed)
        np.testing.assert_array_equal(sess.run(b), [7, 8])
    assert cf.assign_from_checkpoint_fn(path, [hw], ignore_missing_vars=True) is None
    with pytest.raises(ValueError, match=r"Checkpoint is missing variable \[head/weights\]"):
        cf.assign_from_checkpoint(path, [hw])
    with pytest.raises(ValueError, match="var_list cannot be empty"):
        cf.assign_from_checkpoint_fn(path, [])
