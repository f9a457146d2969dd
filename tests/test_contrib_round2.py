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


# --- HParams --------------------------------------------------------------------------------------
from numflow.contrib.training import HParams  # noqa: E402


def _hparams():
    return HParams(learning_rate=0.1, num_layers=2, use_bias=True, name="net", sizes=[64, 32])


def test_hparams_attributes_set_and_parse():
    hp = _hparams()
    assert (hp.learning_rate, hp.num_layers, hp.use_bias, hp.name, hp.sizes) == (0.1, 2, True, "net", [64, 32])
    hp.set_hparam("learning_rate", 3)  # an int is a fine float
    assert hp.learning_rate == 3.0 and isinstance(hp.learning_rate, float)
    assert hp.parse("num_layers=5, use_bias=false,sizes=[1,2,3],name=big,learning_rate=1e-3") is hp
    assert hp.values() == {"learning_rate": 1e-3, "num_layers": 5, "use_bias": False, "name": "big",
                           "sizes": [1, 2, 3]}
    hp.parse("sizes[1]=7,use_bias=1")
    assert hp.sizes == [1, 7, 3] and hp.use_bias is True
    hp.add_hparam("dropout", 0.5)
    assert "dropout" in hp and "nothing" not in hp
    hp.del_hparam("dropout")
    assert "dropout" not in hp and not hasattr(hp, "dropout")


def test_hparams_json_dict_get_and_str():
    hp = _hparams()
    text = hp.to_json(sort_keys=True)
    assert text == ('{"learning_rate": 0.1, "name": "net", "num_layers": 2, "sizes": [64, 32], '
                    '"use_bias": true}')
    other = HParams(learning_rate=0.0, num_layers=0, use_bias=False, name="", sizes=[0])
    assert other.parse_json(text).values() == hp.values()
    hp.override_from_dict({"num_layers": 9, "sizes": [4]})
    assert hp.num_layers == 9 and hp.sizes == [4]
    assert hp.get("num_layers") == 9 and hp.get("missing", 3) == 3 and hp.get("sizes", [1]) == [4]
    assert str(hp) == str(sorted(hp.values().items()))
    assert repr(hp).startswith("HParams([('learning_rate', 0.1)")


def test_hparams_errors():
    hp = _hparams()
    with pytest.raises(ValueError, match="Hyperparameter name is reserved: values"):
        HParams(values=1)
    with pytest.raises(ValueError, match="Multi-valued hyperparameters cannot be empty: x"):
        hp.add_hparam("x", [])
    with pytest.raises(ValueError, match="Could not cast hparam 'num_layers'"):
        hp.set_hparam("num_layers", 1.5)
    with pytest.raises(ValueError, match="Could not cast hparam 'use_bias'"):
        hp.set_hparam("use_bias", 1)
    with pytest.raises(ValueError, match="Could not cast hparam 'name'"):
        hp.set_hparam("name", 3)
    with pytest.raises(ValueError, match="Must not pass a list for single-valued parameter: num_layers"):
        hp.set_hparam("num_layers", [1])
    with pytest.raises(ValueError, match="Must pass a list for multi-valued parameter: sizes"):
        hp.set_hparam("sizes", 1)
    with pytest.raises(KeyError):
        hp.set_hparam("unknown", 1)
    with pytest.raises(ValueError, match="Unknown hyperparameter type for unknown"):
        hp.parse("unknown=1")
    with pytest.raises(ValueError, match="Malformed hyperparameter value: =3"):
        hp.parse("=3")
    with pytest.raises(ValueError, match="Could not parse hparam 'num_layers' of type 'int' with value '1.5'"):
        hp.parse("num_layers=1.5")
    with pytest.raises(ValueError, match="Could not parse hparam 'use_bias' of type 'bool' with value 'maybe'"):
        hp.parse("use_bias=maybe")
    with pytest.raises(ValueError, match="Could not parse hparam 'sizes' of type 'int' with value '1,x'"):
        hp.parse("sizes=[1,x]")
    with pytest.raises(ValueError, match="Multiple assignments to variable 'num_layers'"):
        hp.parse("num_layers=1,num_layers=2")
    with pytest.raises(ValueError, match="Assignment of a list to a list index"):
        hp.parse("sizes[0]=[1]")
    with pytest.raises(ValueError, match="Index 5 is out of range for hparam 'sizes'"):
        hp.parse("sizes[5]=1")
    with pytest.raises(ValueError, match="Hparam 'num_layers' of type .* is incompatible with default=x"):
        hp.get("num_layers", "x")
    with pytest.raises(ValueError, match="is incompatible with default=3"):
        hp.get("sizes", 3)
    assert hp.num_layers == 2  # a failed parse leaves the earlier value


def test_parse_values_ignore_unknown_and_indexed():
    from numflow.contrib.training import parse_values
    assert parse_values("a=1,zz=3,b[2]=x", {"a": int, "b": str}, ignore_unknown=True) == {"a": 1, "b": {2: "x"}}
