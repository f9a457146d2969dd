"""tf.custom_gradient, tf.RegisterGradient with Graph.gradient_override_map, tf.NotDifferentiable, and
the op-less top-level helpers of framework/graph_helpers.py."""
import itertools
import logging

import numpy as np
import pytest

import numflow as tf
from numflow.io.graph_proto import TensorProto

_names = itertools.count()


def _fresh_name(prefix):
    # The gradient registry is global and refuses a name twice, as TF's: each test registers its own.
    return "%s_%d" % (prefix, next(_names))


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


@pytest.fixture(autouse=True)
def _graph():
    with tf.Graph().as_default():
        yield


# --- custom_gradient ------------------------------------------------------------------------------
def test_custom_gradient_replaces_the_gradient_and_keeps_the_value():
    @tf.custom_gradient
    def clipped_identity(x):
        def grad(dy):
            return tf.clip_by_value(dy, -0.5, 0.5)
        return tf.identity(x * 1.0), grad

    x = tf.constant([1.0, 2.0, 3.0])
    y = clipped_identity(x)
    dy = tf.constant([-2.0, 0.25, 4.0])
    value, grad = _run([y, tf.gradients(y, x, grad_ys=dy)[0]])
    np.testing.assert_allclose(value, [1.0, 2.0, 3.0])
    np.testing.assert_allclose(grad, [-0.5, 0.25, 0.5])


def test_custom_gradient_stable_log1pexp_matches_analytic_gradient():
    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)

        def grad(dy):
            return dy * (1 - 1 / (1 + e))
        return tf.log(1 + e), grad

    x = tf.constant([0.0, 2.0, -3.0], tf.float64)
    g = tf.gradients(log1pexp(x), x)[0]
    expected = 1 / (1 + np.exp(-np.array([0.0, 2.0, -3.0])))
    np.testing.assert_allclose(_run(g), expected, rtol=1e-12)


def test_custom_gradient_with_two_inputs_and_two_outputs():
    @tf.custom_gradient
    def pair(a, b):
        def grad(da, db):
            return [da * 10.0, db * 100.0]
        return [a + b, a * b], grad

    a, b = tf.constant(2.0), tf.constant(3.0)
    s, p = pair(a, b)
    ga, gb = tf.gradients([s, p], [a, b])
    assert _run([s, p, ga, gb]) == [5.0, 6.0, 10.0, 100.0]


def test_custom_gradient_passes_variables_it_reads_to_grad_fn():
    w = tf.Variable(3.0, name="w")
    seen = []

    @tf.custom_gradient
    def scale(x):
        def grad(dy, variables=None):
            seen.extend(variables)
            return dy * 7.0, [dy * 11.0]
        return x * w, grad

    x = tf.constant(2.0)
    y = scale(x)
    gx, gw = tf.gradients(y, [x, w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run([y, gx, gw]) == [6.0, 7.0, 11.0]
    assert seen == [w]


def test_custom_gradient_reading_a_variable_needs_a_variables_argument():
    w = tf.Variable(3.0)

    @tf.custom_gradient
    def scale(x):
        return x * w, lambda dy: dy

    with pytest.raises(TypeError, match="grad_fn must accept a keyword argument 'variables'"):
        scale(tf.constant(1.0))


def test_custom_gradient_wrong_number_of_gradients_is_an_error():
    @tf.custom_gradient
    def f(a, b):
        return a + b, lambda dy: [dy]

    a, b = tf.constant(1.0), tf.constant(2.0)
    with pytest.raises(ValueError, match="returned 1 gradients for 2 inputs"):
        tf.gradients(f(a, b), [a, b])


# --- RegisterGradient / gradient_override_map / NotDifferentiable -----------------------------------
def test_gradient_override_map_uses_the_registered_gradient():
    name = _fresh_name("TripleGrad")

    @tf.RegisterGradient(name)
    def _triple(op, dy):
        return [dy * 3.0]

    x = tf.constant([1.0, -2.0])
    graph = tf.get_default_graph()
    with graph.gradient_override_map({"Square": name}):
        overridden = tf.square(x)
    plain = tf.square(x)
    g_over = tf.gradients(overridden, x)[0]
    g_plain = tf.gradients(plain, x)[0]
    over, normal = _run([g_over, g_plain])
    np.testing.assert_allclose(over, [3.0, 3.0])
    np.testing.assert_allclose(normal, [2.0, -4.0])


def test_gradient_override_straight_through_round():
    name = _fresh_name("StraightThrough")
    tf.RegisterGradient(name)(lambda op, dy: dy)
    x = tf.constant([0.2, 1.7])
    with tf.get_default_graph().gradient_override_map({"Round": name}):
        y = tf.round(x)
    np.testing.assert_allclose(_run(tf.gradients(y * 5.0, x)[0]), [5.0, 5.0])


def test_not_differentiable_name_gives_no_gradient():
    name = _fresh_name("Blocked")
    tf.NotDifferentiable(name)
    x = tf.constant(2.0)
    with tf.get_default_graph().gradient_override_map({"Mul": name}):
        y = x * x
    assert tf.gradients(y, x) == [None]
    assert tf.no_gradient is tf.NotDifferentiable and tf.NoGradient is tf.NotDifferentiable


def test_override_naming_an_unregistered_gradient_is_a_lookup_error():
    x = tf.constant(2.0)
    with tf.get_default_graph().gradient_override_map({"Square": "NeverRegistered"}):
        y = tf.square(x)
    with pytest.raises(LookupError, match="No gradient defined for operation.*NeverRegistered"):
        tf.gradients(y, x)


def test_registering_a_name_twice_or_an_op_type_is_a_key_error():
    name = _fresh_name("Twice")
    tf.RegisterGradient(name)(lambda op, dy: dy)
    with pytest.raises(KeyError, match="Registering two gradient with name '%s'" % name):
        tf.RegisterGradient(name)(lambda op, dy: dy)
    with pytest.raises(KeyError, match="Registering two gradient with name 'Square'"):
        tf.NotDifferentiable("Square")
    with pytest.raises(TypeError, match="op_type must be a string"):
        tf.RegisterGradient(3)


def test_gradient_override_map_needs_strings():
    with pytest.raises(TypeError, match="mapping strings to strings"):
        with tf.get_default_graph().gradient_override_map({"Square": 1}):
            pass
    with pytest.raises(TypeError, match="must be a dictionary"):
        with tf.get_default_graph().gradient_override_map([("Square", "x")]):
            pass


def test_unconnected_gradients_zero_and_none():
    x, unused = tf.constant([1.0, 2.0]), tf.constant([[5.0]])
    y = tf.reduce_sum(x * 2.0)
    assert tf.gradients(y, [x, unused])[1] is None
    zero = tf.gradients(y, [x, unused], unconnected_gradients=tf.UnconnectedGradients.ZERO)[1]
    also = tf.gradients(y, [unused], unconnected_gradients="zero")[0]
    np.testing.assert_array_equal(_run(zero), [[0.0]])
    np.testing.assert_array_equal(_run(also), [[0.0]])
    with pytest.raises(ValueError, match="Unknown value for unconnected_gradients"):
        tf.gradients(y, x, unconnected_gradients="maybe")


def test_aggregation_method_constants_are_accepted():
    x = tf.constant(3.0)
    y = x * x + x
    g = tf.gradients(y, x, aggregation_method=tf.AggregationMethod.EXPERIMENTAL_TREE)[0]
    assert _run(g) == 7.0
    assert tf.AggregationMethod.DEFAULT == tf.AggregationMethod.ADD_N


# --- graph_helpers ---------------------------------------------------------------------------------
def test_get_static_value():
    c = tf.constant([[1, 2]])
    np.testing.assert_array_equal(tf.get_static_value(c), [[1, 2]])
    np.testing.assert_array_equal(tf.get_static_value(tf.identity(c)), [[1, 2]])
    np.testing.assert_array_equal(tf.get_static_value(tf.shape(c)), [1, 2])
    assert tf.get_static_value(tf.rank(c)) == 2
    assert tf.get_static_value(tf.size(c)) == 2
    assert tf.get_static_value(tf.placeholder(tf.float32)) is None
    assert tf.get_static_value(tf.shape(tf.placeholder(tf.float32, [None, 2]))) is None
    assert tf.get_static_value(c + 1) is None
    np.testing.assert_array_equal(tf.get_static_value([3, 4]), [3, 4])


def test_make_tensor_proto_and_make_ndarray_round_trip():
    proto = tf.make_tensor_proto([[1.5, 2.0], [3.0, 4.0]])
    assert isinstance(proto, TensorProto)
    back = tf.make_ndarray(proto)
    assert back.dtype == np.float32
    np.testing.assert_array_equal(back, [[1.5, 2.0], [3.0, 4.0]])
    filled = tf.make_ndarray(tf.make_tensor_proto(7, dtype=tf.int64, shape=[2, 3]))
    np.testing.assert_array_equal(filled, np.full([2, 3], 7, np.int64))
    assert filled.dtype == np.int64
    strings = tf.make_ndarray(tf.make_tensor_proto(["a", "bc"]))
    assert list(strings) == [b"a", b"bc"]
    reshaped = tf.make_ndarray(tf.make_tensor_proto([1, 2, 3, 4], shape=[2, 2]))
    np.testing.assert_array_equal(reshaped, [[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="Expected 6 elements"):
        tf.make_tensor_proto([1, 2], shape=[2, 3])
    with pytest.raises(TypeError, match="Expected Tensor's shape"):
        tf.make_tensor_proto([1, 2], shape=[1, 2], verify_shape=True)


def test_is_tensor():
    assert tf.is_tensor(tf.constant(1.0))
    assert tf.is_tensor(tf.Variable(1.0))
    assert tf.is_tensor(tf.SparseTensor([[0]], [1.0], [2]))
    assert not tf.is_tensor(np.ones(2))
    assert not tf.is_tensor(3.0)


def test_broadcast_static_shape_and_dimension_helpers():
    shape = tf.broadcast_static_shape(tf.TensorShape([2, 1, None]), tf.TensorShape([3, 1]))
    assert shape.as_list() == [2, 3, None]
    with pytest.raises(ValueError, match="Incompatible shapes for broadcasting"):
        tf.broadcast_static_shape(tf.TensorShape([2]), tf.TensorShape([3]))
    dims = tf.TensorShape([4, None])
    assert tf.dimension_value(dims[0]) == 4
    assert tf.dimension_value(dims[1]) is None
    assert tf.dimension_value(5) == 5
    assert tf.dimension_at_index(dims, 0).value == 4
    assert tf.dimension_at_index(tf.TensorShape(None), 3).value is None


def test_init_scope_lifts_out_of_control_dependencies():
    a = tf.constant(1.0)
    with tf.control_dependencies([a]):
        with tf.init_scope():
            lifted = tf.constant(2.0)
        inside = tf.constant(3.0)
    assert lifted.op.control_inputs == []
    assert inside.op.control_inputs == [a.op]


def test_container_colocate_with_op_scope():
    with tf.container("experiment") as name:
        assert name == "experiment"
    with pytest.raises(TypeError, match="container_name must be a string"):
        with tf.container(3):
            pass
    a = tf.constant(1.0)
    with tf.colocate_with(a):
        b = a + 1.0
    with tf.colocate_with(a.op, ignore_existing=True):
        pass
    with pytest.raises(TypeError, match="colocate_with expects a Tensor or Operation"):
        with tf.colocate_with("a"):
            pass
    with tf.op_scope([a, b], None, "my_op") as scope:
        assert scope == "my_op/"
        assert tf.constant(0.0, name="c").name == "my_op/c:0"


def test_get_logger_and_enums():
    assert isinstance(tf.get_logger(), logging.Logger)
    assert tf.get_logger() is tf.get_logger()
    assert tf.VariableAggregation.MEAN.value == 2
    assert tf.VariableSynchronization.ON_READ.value == 3
    assert tf.VariableAggregation.ONLY_FIRST_TOWER is tf.VariableAggregation.ONLY_FIRST_REPLICA


def test_v2_switches():
    tf.enable_control_flow_v2()
    assert tf.control_flow_v2_enabled()
    tf.disable_control_flow_v2()
    assert not tf.control_flow_v2_enabled()
    tf.enable_resource_variables()
    assert tf.resource_variables_enabled()
    tf.disable_resource_variables()
    assert not tf.resource_variables_enabled()
    tf.disable_tensor_equality()
    tf.disable_v2_tensorshape()
    with pytest.raises(NotImplementedError, match="enable_tensor_equality"):
        tf.enable_tensor_equality()
    with pytest.raises(NotImplementedError, match="enable_v2_tensorshape"):
        tf.enable_v2_tensorshape()
    with pytest.raises(NotImplementedError, match="enable_v2_behavior"):
        tf.enable_v2_behavior()


def test_tensor_spec_is_exported():
    spec = tf.TensorSpec([None, 3], tf.float32, name="x")
    assert spec.dtype is tf.float32
    assert spec.shape.as_list() == [None, 3]


def test_py_function_passes_eager_like_values_and_converts_results():
    seen = []

    def func(x, y):
        seen.append(type(x.numpy()))
        return x.numpy() * 2, float(np.sum(y))

    a, b = tf.py_function(func, [tf.constant([1, 2]), tf.constant([0.5, 0.25])], [tf.int32, tf.float32])
    va, vb = _run([a, b])
    np.testing.assert_array_equal(va, [2, 4])
    assert vb == 0.75 and vb.dtype == np.float32
    assert seen == [np.ndarray]
    single = tf.py_function(lambda x: x + 1, [tf.constant(1.5)], tf.float64)
    assert _run(single) == 2.5


def test_py_function_errors():
    with pytest.raises(TypeError, match="func must be callable"):
        tf.py_function(3, [], tf.int32)
    bad = tf.py_function(lambda: [1, 2], [], [tf.int32])
    with pytest.raises(Exception, match="returned 2 values for 1 outputs"):
        _run(bad)
    truncating = tf.py_function(lambda: 1.5, [], tf.int32)
    with pytest.raises(Exception, match="returned float64 values for a int32 output"):
        _run(truncating)


def test_make_template_shares_variables_across_calls():
    def linear(x, scale):
        w = tf.get_variable("w", [2], initializer=tf.ones_initializer())
        return w * x * scale

    template = tf.make_template("linear", linear, scale=3.0)
    first, second = template(1.0), template(2.0)
    other = tf.make_template("linear", linear, scale=1.0)
    third = other(1.0)
    assert template.variable_scope_name == "linear"
    assert other.variable_scope_name == "linear_1"
    assert [v.name for v in template.trainable_variables] == ["linear/w:0"]
    assert [v.name for v in tf.trainable_variables()] == ["linear/w:0", "linear_1/w:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run([first, second, third]), [[3, 3], [6, 6], [1, 1]])


def test_make_template_create_scope_now_and_unique_name():
    def f():
        return tf.get_variable("v", [], initializer=tf.zeros_initializer())

    early = tf.make_template("early", f, create_scope_now_=True)
    with tf.variable_scope("outer"):
        v = early()
    assert v.name == "early/v:0"
    named = tf.make_template("ignored", f, unique_name_="exact")
    assert named().name == "exact/v:0"
    assert named() is not None and len(tf.global_variables()) == 2


def test_make_template_rejects_new_variables_on_later_calls():
    def f():
        return tf.Variable(1.0)   # a tf.Variable is new on every call: TF refuses it after the first

    template = tf.make_template("bad", f)
    template()
    with pytest.raises(ValueError, match="Trainable variable created when calling a template after the first"):
        template()


def test_tables_initializer_groups_the_table_initializers():
    counter = tf.Variable(0, name="counter")
    tf.add_to_collection(tf.GraphKeys.TABLE_INITIALIZERS, tf.assign_add(counter, 1).op)
    tf.add_to_collection(tf.GraphKeys.TABLE_INITIALIZERS, tf.assign_add(counter, 10).op)
    init = tf.tables_initializer()
    assert init.name == "init_all_tables"
    assert tf.initialize_all_tables(name="again").type == init.type
    with tf.Session() as sess:
        sess.run(counter.initializer)
        sess.run(init)
        assert sess.run(counter) == 11


def test_static_assertions():
    assert tf.assert_integer(tf.constant([1])).type == "NoOp"
    with pytest.raises(TypeError, match="Expected \"x\" to be integer type"):
        tf.assert_integer(tf.constant([1.0]))
    assert tf.assert_type(tf.constant(1.0), tf.float32).type == "NoOp"
    with pytest.raises(TypeError, match="must be of type int64; got float32"):
        tf.assert_type(tf.constant(1.0), tf.int64, message="custom")
    scalar = tf.constant(2.0)
    assert tf.assert_scalar(scalar) is scalar
    with pytest.raises(ValueError, match="Expected scalar shape"):
        tf.assert_scalar(tf.constant([2.0]))
    with pytest.raises(ValueError, match=r"must have rank in \(0, 2\).  Received rank 1"):
        tf.assert_rank_in(tf.constant([1.0]), [0, 2])
    assert tf.assert_rank_in(tf.constant([1.0]), [1, 2]).type == "NoOp"
    assert tf.assert_same_float_dtype([tf.constant(1.0), tf.constant([2.0])]) is tf.float32
    assert tf.assert_same_float_dtype(None) is tf.float32
    assert tf.assert_same_float_dtype([], tf.float64) is tf.float64
    with pytest.raises(ValueError, match="expected type float32"):
        tf.assert_same_float_dtype([tf.constant(1.0), tf.constant(1.0, tf.float64)])
    with pytest.raises(ValueError, match="Expected floating point type, got int32"):
        tf.assert_same_float_dtype([tf.constant(1)])
    tf.assert_proper_iterable([1, 2])
    tf.assert_proper_iterable((tf.constant(1),))
    for improper in ("abc", b"abc", np.ones(2), tf.constant([1])):
        with pytest.raises(TypeError, match="\"proper\" iterable"):
            tf.assert_proper_iterable(improper)
    with pytest.raises(TypeError, match="to be iterable"):
        tf.assert_proper_iterable(3)


def test_run_time_assertions():
    x = tf.placeholder(tf.float32)
    rank_check = tf.assert_rank_in(x, [0, 2])
    near = tf.placeholder(tf.float32, [2])
    near_check = tf.assert_near(near, [1.0, 2.0], atol=1e-3, rtol=0.0)
    with tf.Session() as sess:
        sess.run(rank_check, {x: np.ones((2, 2))})
        with pytest.raises(tf.errors.InvalidArgumentError, match="must have rank in"):
            sess.run(rank_check, {x: np.ones(3)})
        sess.run(near_check, {near: [1.0005, 2.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="x and y not equal to tolerance"):
            sess.run(near_check, {near: [1.01, 2.0]})
    default = tf.assert_near(tf.constant(1.0, tf.float64), tf.constant(1.0 + 1e-15, tf.float64))
    strict = tf.assert_near(tf.constant(1.0, tf.float64), tf.constant(1.0 + 1e-13, tf.float64))
    with tf.Session() as sess:
        sess.run(default)
        with pytest.raises(tf.errors.InvalidArgumentError, match="not equal to tolerance"):
            sess.run(strict)
