"""tf.variable_scope / tf.get_variable: naming, reuse, defaults, regularizers, custom getters, errors."""
import math

import numpy as np
import pytest

import numflow as tf


def initialized_values(*variables):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(list(variables))


# --- naming --------------------------------------------------------------------------------------
def test_get_variable_names_and_initializer_ops():
    with tf.variable_scope("scope") as scope:
        v = tf.get_variable("v", [2, 3])
    assert isinstance(v, tf.Variable)
    assert v.name == "scope/v:0" and v.op.name == "scope/v"
    assert v.shape.as_list() == [2, 3] and v.dtype == tf.float32
    assert scope.name == "scope" and scope.original_name_scope == "scope/"
    assert v.initial_value.op.name.startswith("scope/v/Initializer/")
    assert v in tf.global_variables() and v in tf.trainable_variables()


def test_nested_scopes_and_ops_inside():
    with tf.variable_scope("outer"):
        with tf.variable_scope("inner") as inner:
            v = tf.get_variable("v", [1])
            c = tf.constant(1.0, name="c")
    assert v.name == "outer/inner/v:0"
    assert c.name == "outer/inner/c:0"
    assert inner.name == "outer/inner"
    assert tf.get_variable_scope().name == ""
    assert tf.get_default_graph().get_name_scope() == ""


def test_reentering_a_scope_opens_a_new_name_scope_but_keeps_variable_names():
    with tf.variable_scope("scope"):
        v = tf.get_variable("v", [1])
    with tf.variable_scope("scope", reuse=True) as again:
        c = tf.constant(1, name="c")
        same = tf.get_variable("v", [1])
    assert same is v
    assert c.name == "scope_1/c:0"
    assert again.original_name_scope == "scope_1/"


def test_scope_object_reentry_keeps_original_name_scope():
    with tf.variable_scope("scope") as scope:
        pass
    with tf.variable_scope(scope) as entered:
        c = tf.constant(1, name="c")
        v = tf.get_variable("v", [1])
        assert tf.get_variable_scope().original_name_scope == "scope/"
    assert entered.name == "scope"
    assert v.name == "scope/v:0"
    assert c.name == "scope_1/c:0"


def test_tf_variable_inside_variable_scope_gets_name_scope_prefix():
    with tf.variable_scope("layer"):
        w = tf.Variable(1.0, name="w")
    with tf.variable_scope("layer"):
        w2 = tf.Variable(1.0, name="w")
    assert w.name == "layer/w:0"
    assert w2.name == "layer_1/w:0"


def test_default_name_is_made_unique():
    names = []
    for _ in range(3):
        with tf.variable_scope(None, default_name="dense"):
            names.append(tf.get_variable("w", [1]).name)
    assert names == ["dense/w:0", "dense_1/w:0", "dense_2/w:0"]


def test_default_name_counts_reset_inside_each_parent():
    names = []
    for outer in ("a", "b"):
        with tf.variable_scope(outer):
            for _ in range(2):
                with tf.variable_scope(None, default_name="layer"):
                    names.append(tf.get_variable("w", [1]).name)
    assert names == ["a/layer/w:0", "a/layer_1/w:0", "b/layer/w:0", "b/layer_1/w:0"]


def test_auxiliary_name_scope_false_keeps_current_name_scope():
    with tf.variable_scope("s", auxiliary_name_scope=False) as scope:
        c = tf.constant(1, name="c")
        v = tf.get_variable("v", [1])
    assert c.name == "c:0" and v.name == "s/v:0"
    assert scope.original_name_scope == ""   # the (root) name scope it re-entered


def test_values_select_the_graph():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant(1.0)
    with tf.variable_scope("s", values=[x]):
        v = tf.get_variable("v", [1])
    assert v.graph is graph
    assert tf.global_variables() == []


# --- reuse ---------------------------------------------------------------------------------------
def test_reuse_true_returns_the_same_variable():
    with tf.variable_scope("s"):
        v = tf.get_variable("v", [2])
    with tf.variable_scope("s", reuse=True):
        assert tf.get_variable("v", [2]) is v
        assert tf.get_variable("v") is v        # shape may be omitted when reusing
        assert tf.get_variable_scope().reuse is True


def test_reuse_variables_and_inheritance():
    with tf.variable_scope("s") as scope:
        v = tf.get_variable("v", [1])
        scope.reuse_variables()
        assert tf.get_variable("v", [1]) is v
        with tf.variable_scope("inner", reuse=False):     # False means inherit
            assert tf.get_variable_scope().reuse is True


def test_auto_reuse_creates_then_reuses():
    def layer():
        with tf.variable_scope("shared", reuse=tf.AUTO_REUSE):
            return tf.get_variable("w", [3])
    assert layer() is layer()
    assert len(tf.global_variables()) == 1


def test_missing_variable_with_reuse_is_an_error():
    with tf.variable_scope("scope", reuse=True):
        with pytest.raises(ValueError, match=r"Variable scope/v does not exist, or was not created with "
                                             r"tf.get_variable\(\)"):
            tf.get_variable("v", [1])


def test_existing_variable_without_reuse_is_an_error():
    with tf.variable_scope("scope"):
        tf.get_variable("v", [1])
    with tf.variable_scope("scope"):
        with pytest.raises(ValueError, match=r"Variable scope/v already exists, disallowed. Did you mean to set "
                                             r"reuse=True or reuse=tf.AUTO_REUSE in VarScope\?"):
            tf.get_variable("v", [1])


def test_shape_and_dtype_mismatch_on_reuse():
    with tf.variable_scope("s"):
        tf.get_variable("v", [2, 3])
    with tf.variable_scope("s", reuse=True):
        with pytest.raises(ValueError, match=r"Trying to share variable s/v, but specified shape \(3, 2\) and "
                                             r"found shape \(2, 3\)"):
            tf.get_variable("v", [3, 2])
        with pytest.raises(ValueError, match="Trying to share variable s/v, but specified dtype float64 and "
                                             "found dtype float32"):
            tf.get_variable("v", [2, 3], dtype=tf.float64)


def test_scope_argument_errors():
    with pytest.raises(TypeError, match="If default_name is None then name_or_scope is required"):
        tf.variable_scope(None)
    with pytest.raises(ValueError, match="The reuse parameter must be True or False or None."):
        tf.variable_scope("s", reuse="yes")
    with pytest.raises(TypeError, match="name_or_scope must be a string or VariableScope"):
        tf.variable_scope(3)
    with pytest.raises(ValueError, match="reuse=True cannot be used without a name_or_scope"):
        with tf.variable_scope(None, default_name="d", reuse=True):
            pass
    with pytest.raises(ValueError, match="custom_getter must be callable"):
        tf.variable_scope("s", custom_getter=3)
    assert tf.get_variable_scope().name == ""
    assert tf.get_default_graph().get_name_scope() == ""


def test_store_is_per_graph():
    v = tf.get_variable("v", [1])
    graph = tf.Graph()
    with graph.as_default():
        other = tf.get_variable("v", [1])
    assert other is not v and other.graph is graph


# --- initializers and dtypes ---------------------------------------------------------------------
def test_default_initializer_is_glorot_uniform_for_floats():
    v = tf.get_variable("w", [100, 200])
    value, = initialized_values(v)
    limit = math.sqrt(6.0 / 300)
    assert np.abs(value).max() <= limit and np.abs(value).max() > 0.9 * limit


def test_default_initializer_is_zeros_for_ints_and_bools():
    i = tf.get_variable("i", [3], dtype=tf.int32)
    b = tf.get_variable("b", [2], dtype=tf.bool)
    vi, vb = initialized_values(i, b)
    assert vi.dtype == np.int32 and not vi.any()
    assert vb.dtype == np.bool_ and not vb.any()


def test_initializer_may_be_a_value_or_tensor():
    a = tf.get_variable("a", initializer=tf.constant([1.0, 2.0]))
    b = tf.get_variable("b", initializer=np.array([[1, 2]], dtype=np.int64))
    c = tf.get_variable("c", initializer=3.0)
    assert a.shape.as_list() == [2] and b.dtype == tf.int64 and c.shape.as_list() == []
    va, vb, vc = initialized_values(a, b, c)
    np.testing.assert_array_equal(va, [1.0, 2.0])
    np.testing.assert_array_equal(vb, [[1, 2]])
    assert vc == 3.0


def test_constant_initializer_with_shape_is_an_error():
    with pytest.raises(ValueError, match="If initializer is a constant, do not specify shape."):
        tf.get_variable("a", [2], initializer=tf.constant([1.0, 2.0]))


def test_constant_initializer_dtype_mismatch():
    with pytest.raises(ValueError, match="Initializer type 'int32' and explicit dtype 'float32' don't match."):
        tf.get_variable("a", dtype=tf.float32, initializer=tf.constant([1, 2]))


def test_initializer_objects_classes_and_dtype():
    a = tf.get_variable("a", [2], initializer=tf.ones_initializer())
    b = tf.get_variable("b", [2], initializer=tf.zeros_initializer)         # a class: instantiated
    c = tf.get_variable("c", [2], dtype=tf.float64, initializer=tf.constant_initializer(4))
    va, vb, vc = initialized_values(a, b, c)
    np.testing.assert_array_equal(va, [1, 1])
    np.testing.assert_array_equal(vb, [0, 0])
    assert vc.dtype == np.float64 and (vc == 4).all()


def test_callable_initializer_needs_a_shape():
    with pytest.raises(ValueError, match="The initializer passed is not valid"):
        tf.get_variable("a", initializer=tf.ones_initializer())
    no_args = tf.get_variable("b", initializer=lambda: tf.constant([5.0]))
    np.testing.assert_array_equal(initialized_values(no_args)[0], [5.0])


def test_scope_initializer_and_dtype_defaults_are_inherited():
    with tf.variable_scope("s", initializer=tf.constant_initializer(2.0), dtype=tf.float64):
        with tf.variable_scope("inner"):
            v = tf.get_variable("v", [2])
            override = tf.get_variable("o", [1], initializer=tf.zeros_initializer())
    assert v.dtype == tf.float64
    vv, vo = initialized_values(v, override)
    np.testing.assert_array_equal(vv, [2.0, 2.0])
    np.testing.assert_array_equal(vo, [0.0])


def test_graph_seed_makes_get_variable_reproducible():
    values = []
    for _ in range(2):
        graph = tf.Graph()
        with graph.as_default():
            tf.set_random_seed(12)
            with tf.variable_scope("s"):
                v = tf.get_variable("v", [3, 3])
            with tf.Session(graph=graph) as sess:
                sess.run(v.initializer)
                values.append(sess.run(v))
    np.testing.assert_array_equal(values[0], values[1])


# --- collections, trainable, regularizers --------------------------------------------------------
def test_trainable_and_collections():
    frozen = tf.get_variable("frozen", [1], trainable=False)
    custom = tf.get_variable("custom", [1], collections=["mine"])
    local = tf.get_local_variable("local", [1])
    assert frozen in tf.global_variables() and frozen not in tf.trainable_variables()
    assert tf.get_collection("mine") == [custom] and custom not in tf.global_variables()
    assert local in tf.local_variables() and local not in tf.trainable_variables()


def test_regularizer_loss_goes_to_collection():
    with tf.variable_scope("s"):
        v = tf.get_variable("v", [2], initializer=tf.ones_initializer(),
                            regularizer=lambda w: tf.multiply(w, 0.5))
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 1
    assert losses[0].op.name.startswith("s/v/Regularizer/")
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(losses[0]), [0.5, 0.5])


def test_scope_regularizer_and_no_regularizer():
    with tf.variable_scope("s", regularizer=lambda w: tf.multiply(w, 2.0)):
        tf.get_variable("a", [1])
        tf.get_variable("b", [1], regularizer=tf.no_regularizer)
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 1


def test_scope_variable_listings():
    with tf.variable_scope("s") as scope:
        a = tf.get_variable("a", [1])
        b = tf.get_variable("b", [1], trainable=False)
    tf.get_variable("other", [1])
    assert scope.global_variables() == [a, b]
    assert scope.trainable_variables() == [a]


# --- custom getters ------------------------------------------------------------------------------
def test_custom_getter_wraps_creation_and_nests():
    calls = []

    def outer_getter(getter, name, *args, **kwargs):
        calls.append(("outer", name))
        return getter(name, *args, **kwargs)

    def inner_getter(getter, name, *args, **kwargs):
        calls.append(("inner", name))
        kwargs["trainable"] = False
        return getter(name, *args, **kwargs)

    with tf.variable_scope("a", custom_getter=outer_getter):
        with tf.variable_scope("b", custom_getter=inner_getter):
            v = tf.get_variable("v", [1])
    assert calls == [("inner", "a/b/v"), ("outer", "a/b/v")]
    assert v not in tf.trainable_variables()


def test_custom_getter_argument_of_get_variable():
    def double_getter(getter, *args, **kwargs):
        return getter(*args, **kwargs)
    v = tf.get_variable("v", [1], custom_getter=double_getter)
    assert v.name == "v:0"
    with pytest.raises(ValueError, match="Passed a custom_getter which is not callable"):
        tf.get_variable("w", [1], custom_getter=5)


def test_partitioner_makes_a_partitioned_variable():
    # Details in test_round2_framework.py.
    v = tf.get_variable("v", [4], partitioner=lambda shape, dtype: [2])
    assert [part.name for part in v] == ["v/part_0:0", "v/part_1:0"]


def test_top_level_names():
    assert tf.AUTO_REUSE is not None
    assert isinstance(tf.get_variable_scope(), tf.VariableScope)
    assert tf.get_variable_scope().reuse is False


def test_name_scope_does_not_prefix_get_variable():
    with tf.name_scope("ns"):
        v = tf.get_variable("v", [1])
        c = tf.constant(1, name="c")
    assert v.name == "v:0" and c.name == "ns/c:0"
    with tf.variable_scope("outer"):
        with tf.name_scope("ns2"):
            w = tf.get_variable("w", [1])
    assert w.name == "outer/w:0"
