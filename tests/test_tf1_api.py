"""Issue 2 audit: small checks that the TF1 names behave as TF1 documents them."""
import collections

import numpy as np
import pytest

import numflow as tf


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed_dict)


# --- namespace --------------------------------------------------------------------------------------
def test_compat_v1_is_the_whole_namespace_and_v2_switches_are_no_ops():
    import numflow.compat.v1 as v1
    assert v1 is tf and tf.compat.v1 is tf
    assert tf.compat.v1.disable_v2_behavior() is None
    assert tf.compat.v1.disable_eager_execution() is None
    assert tf.disable_v2_behavior() is None and tf.executing_eagerly() is False
    assert tf.compat.v1.nn is tf.nn and tf.compat.v1.train is tf.train


def test_contrib_xavier_initializer_in_get_variable():
    w = tf.get_variable("w", [200, 100], initializer=tf.contrib.layers.xavier_initializer(seed=3))
    value = _run(w)
    limit = np.sqrt(6.0 / 300)
    assert np.abs(value).max() <= limit and value.std() > limit / 3


# --- graph, tensors, operations ---------------------------------------------------------------------
def test_tensor_eval_with_feed_dict_and_operation_run_with_session():
    x = tf.placeholder(tf.float32, name="x")
    v = tf.Variable(1.0)
    step = tf.assign_add(v, x).op
    sess = tf.Session()
    sess.run(v.initializer)
    assert (x * 2.0).eval(feed_dict={x: 3.0}, session=sess) == 6.0
    assert step.run(feed_dict={x: 2.0}, session=sess) is None
    assert v.eval(session=sess) == 3.0
    sess.close()


def test_operation_properties():
    a = tf.constant(1.0, name="a")
    with tf.control_dependencies([a]):
        b = tf.add(a, 2.0, name="b")
    op = b.op
    assert (op.name, op.type, b.name) == ("b", "Add", "b:0")
    assert op.inputs[0] is a and op.outputs == [b] and op.control_inputs == [a.op]
    assert b.graph is tf.get_default_graph() and b.op.graph is b.graph
    assert tf.get_default_graph().get_operation_by_name("b") is op


def test_get_operation_by_name_missing_is_key_error():
    with pytest.raises(KeyError, match="nope"):
        tf.get_default_graph().get_operation_by_name("nope")
    with pytest.raises(KeyError, match="nope:0"):
        tf.get_default_graph().get_tensor_by_name("nope:0")


def test_operator_overloads_values():
    i = tf.constant(7)
    f = tf.constant(7.0)
    t, fl = tf.constant(True), tf.constant(False)
    out = _run([i + 2, 2 - i, i * 2, i / 2, i // 2, i % 3, i ** 2, -i, abs(-i), i < 8, i >= 8,
                f / 2, 2.0 ** f, t & fl, t | fl, ~t, t ^ t,
                tf.constant([[1.0, 2.0]]) @ tf.constant([[3.0], [4.0]])])
    assert [np.asarray(v).tolist() for v in out] == [
        9, -5, 14, 3.5, 3, 1, 49, -7, 7, True, False, 3.5, 128.0, False, True, False, False, [[11.0]]]
    assert (i / 2).dtype is tf.float64      # TF1: int32 / int32 is float64
    assert (f / 2).dtype is tf.float32


def test_getitem_forms():
    x = tf.constant(np.arange(24).reshape(2, 3, 4).astype(np.int32))
    out = _run([x[1], x[:, ::2], x[-1, -1], x[..., 1], x[:, tf.newaxis, 0], x[0, 1, ::-1], x[tf.constant(1)]])
    ref = np.arange(24).reshape(2, 3, 4)
    expected = [ref[1], ref[:, ::2], ref[-1, -1], ref[..., 1], ref[:, None, 0], ref[0, 1, ::-1], ref[1]]
    for got, want in zip(out, expected):
        np.testing.assert_array_equal(got, want)
    p = tf.placeholder(tf.float32, [None, 3, 4])
    assert p[:, 1].shape.as_list() == [None, 4]
    assert p[..., tf.newaxis].shape.as_list() == [None, 3, 4, 1]


def test_unknown_dimensions_and_set_shape():
    p = tf.placeholder(tf.float32, [None, 3])
    assert p.shape.as_list() == [None, 3] and p.get_shape()[1].value == 3
    q = tf.placeholder(tf.float32)
    assert q.shape.ndims is None
    q.set_shape([2, 3])
    assert q.shape.as_list() == [2, 3]
    with pytest.raises(ValueError):
        q.set_shape([4, 3])


def test_python_scalars_follow_the_other_operand_and_defaults():
    assert tf.constant(1).dtype is tf.int32 and tf.constant(1.0).dtype is tf.float32
    assert tf.constant(np.float64(1.0)).dtype is tf.float64
    assert (tf.constant(1.0, tf.float64) + 1).dtype is tf.float64
    assert (tf.constant(1, tf.int64) * 2).dtype is tf.int64
    assert tf.as_dtype("float") is tf.float32 and tf.as_dtype("double") is tf.float64
    with pytest.raises(TypeError, match="int32"):
        tf.constant(1.5, dtype=tf.int32)


def test_broadcast_shape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"\[2,3\].*\[4,5\]"):
        tf.zeros([2, 3]) + tf.zeros([4, 5])


def test_reshape_error_names_the_shapes():
    with pytest.raises(ValueError, match="24"):
        tf.reshape(tf.zeros([4, 6]), [5, -1])


# --- session -----------------------------------------------------------------------------------------
def test_run_of_an_empty_group_and_initializer_without_variables():
    # regression: a NoOp without inputs was constant-folded into a crash
    with tf.Session() as sess:
        assert sess.run(tf.global_variables_initializer()) is None
        assert sess.run(tf.no_op()) is None
        assert sess.run(tf.group()) is None
        assert sess.run([tf.group(tf.constant(1)), tf.constant(2)]) == [None, 2]


def test_session_keeps_working_after_each_error_class():
    x = tf.placeholder(tf.float32, [2], name="x")
    v = tf.Variable(1.0, name="v")
    y = x * v
    other = tf.Graph()
    with other.as_default():
        foreign = tf.constant(1.0)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="x"):
            sess.run(y)
        with pytest.raises(tf.errors.FailedPreconditionError, match="v"):
            sess.run(y, {x: [1.0, 2.0]})
        with pytest.raises(ValueError, match=r"\(3,\).*x:0.*\[2\]"):
            sess.run(y, {x: [1.0, 2.0, 3.0]})
        with pytest.raises(ValueError, match="graph"):
            sess.run(foreign)
        sess.run(v.initializer)
        assert sess.run(y, {x: [1.0, 2.0]}).tolist() == [1.0, 2.0]


def test_errors_are_op_errors_with_the_op():
    p = tf.placeholder(tf.float32, name="p")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.OpError) as info:
            sess.run(p + 1.0)
    assert isinstance(info.value, tf.errors.InvalidArgumentError)
    assert info.value.op is not None and info.value.op.name == "p"


def test_fetch_names_of_ops_and_tensors_and_nested_structures():
    v = tf.Variable(2.0, name="v")
    tf.global_variables_initializer()  # named 'init'
    Pair = collections.namedtuple("Pair", "op value")
    with tf.Session() as sess:
        assert sess.run("init") is None
        out = sess.run({"a": Pair("init", "v:0"), "b": [v, ("v", )]})
    assert out["a"] == Pair(None, 2.0)
    assert out["b"][0] == 2.0 and out["b"][1] == (None,)


def test_get_default_session_outside_and_inside():
    assert tf.get_default_session() is None
    sess = tf.Session()
    with sess.as_default():
        assert tf.get_default_session() is sess
        assert tf.constant(3).eval() == 3
    assert tf.get_default_session() is None
    sess.close()


# --- variables ---------------------------------------------------------------------------------------
def test_report_uninitialized_variables_and_is_variable_initialized():
    a = tf.Variable(1.0, name="a")
    b = tf.get_variable("b", [2])
    report = tf.report_uninitialized_variables()
    with tf.Session() as sess:
        assert sess.run(report).tolist() == [b"a", b"b"]
        sess.run(a.initializer)
        assert sess.run(report).tolist() == [b"b"]
        assert sess.run(tf.is_variable_initialized(a)) and not sess.run(tf.is_variable_initialized(b))
        sess.run(tf.variables_initializer([b]))
        assert sess.run(report).size == 0


def test_variable_api():
    v = tf.Variable([1.0, 2.0], name="v")
    w = tf.Variable(v.initialized_value() * 2.0, name="w")
    assert (v.name, v.op.name, v.dtype, v.shape.as_list()) == ("v:0", "v", tf.float32, [2])
    assert v.initializer.type == "Assign" or v.initializer.name.startswith("v/")
    with tf.Session() as sess:
        sess.run(tf.initialize_all_variables())
        assert sess.run(w).tolist() == [2.0, 4.0]
        assert sess.run(v.assign([3.0, 4.0])).tolist() == [3.0, 4.0]
        assert sess.run(v.assign_add([1.0, 1.0])).tolist() == [4.0, 5.0]
        assert sess.run(v.assign_sub([2.0, 2.0])).tolist() == [2.0, 3.0]
        assert sess.run(tf.assign(v, [0.0, 1.0])).tolist() == [0.0, 1.0]
        assert sess.run(tf.assign_add(v, [1.0, 1.0])).tolist() == [1.0, 2.0]
        assert sess.run(tf.assign_sub(v, [1.0, 1.0])).tolist() == [0.0, 1.0]
        assert sess.run([v.value(), v.read_value()])[1].tolist() == [0.0, 1.0]
        assert v.eval(sess).tolist() == [0.0, 1.0]


def test_local_variables_and_trainable_listing():
    g = tf.Variable(1.0, name="g")
    n = tf.Variable(2.0, trainable=False, name="n")
    local = tf.Variable(3.0, collections=[tf.GraphKeys.LOCAL_VARIABLES], name="l")
    # TF1 adds a trainable variable to TRAINABLE_VARIABLES even when `collections` leaves it out
    assert tf.global_variables() == [g, n] and tf.trainable_variables() == [g, local]
    assert tf.local_variables() == [local]
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(local) == 3.0
        with pytest.raises(tf.errors.FailedPreconditionError):
            sess.run(g)


def test_get_variable_reuse_modes():
    with tf.variable_scope("model"):
        w = tf.get_variable("w", [2], initializer=tf.ones_initializer())
    with tf.variable_scope("model", reuse=True):
        assert tf.get_variable("w") is w
    with tf.variable_scope("model", reuse=tf.AUTO_REUSE):
        assert tf.get_variable("w", [2]) is w
        fresh = tf.get_variable("u", [1])
    assert fresh.name == "model/u:0"
    with pytest.raises(ValueError, match="already exists"):
        with tf.variable_scope("model"):
            tf.get_variable("w", [2])
    with pytest.raises(ValueError, match="does not exist"):
        with tf.variable_scope("model", reuse=True):
            tf.get_variable("missing", [2])


# --- initializers and random numbers ------------------------------------------------------------
def test_initializer_objects_fill_get_variable():
    shape = [40, 60]
    inits = {
        "zeros": tf.zeros_initializer(), "ones": tf.ones_initializer(), "const": tf.constant_initializer(3.0),
        "normal": tf.random_normal_initializer(1.0, 2.0, seed=1),
        "trunc": tf.truncated_normal_initializer(stddev=0.5, seed=1),
        "uniform": tf.random_uniform_initializer(-2.0, 2.0, seed=1),
        "gu": tf.glorot_uniform_initializer(seed=1), "gn": tf.glorot_normal_initializer(seed=1),
        "vs": tf.variance_scaling_initializer(scale=2.0, mode="fan_in", distribution="normal", seed=1),
    }
    variables = {k: tf.get_variable(k, shape, initializer=i) for k, i in inits.items()}
    values = _run(variables)
    assert np.all(values["zeros"] == 0) and np.all(values["ones"] == 1) and np.all(values["const"] == 3)
    assert abs(values["normal"].mean() - 1.0) < 0.2 and abs(values["normal"].std() - 2.0) < 0.2
    assert np.abs(values["trunc"]).max() <= 1.0
    assert values["uniform"].min() >= -2.0 and values["uniform"].max() < 2.0
    assert np.abs(values["gu"]).max() <= np.sqrt(6.0 / 100)
    assert abs(values["gn"].std() - np.sqrt(2.0 / 100)) < 0.03
    assert abs(values["vs"].std() - np.sqrt(2.0 / 40)) < 0.03


def test_random_ops_ranges_and_dtypes():
    u = tf.random_uniform([1000], 0, 10, dtype=tf.int32, seed=1)
    f = tf.random_uniform([1000], seed=2)
    t = tf.truncated_normal([10000], mean=1.0, stddev=2.0, seed=3)
    n = tf.random_normal([2, 3], dtype=tf.float64, seed=4)
    uv, fv, tv, nv = _run([u, f, t, n])
    assert uv.dtype == np.int32 and uv.min() >= 0 and uv.max() <= 9
    assert fv.dtype == np.float32 and fv.min() >= 0.0 and fv.max() < 1.0
    assert np.abs(tv - 1.0).max() <= 4.0
    assert nv.dtype == np.float64 and nv.shape == (2, 3)
    with pytest.raises(ValueError, match="maxval"):
        tf.random_uniform([3], dtype=tf.int32)


def test_graph_seed_gives_the_same_sequence_in_every_session():
    tf.set_random_seed(7)
    a = tf.random_normal([3])
    b = tf.random_normal([3])
    with tf.Session() as s1:
        first = [s1.run(a), s1.run(a), s1.run(b)]
    with tf.Session() as s2:
        second = [s2.run(a), s2.run(a), s2.run(b)]
    for x, y in zip(first, second):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(first[0], first[1]) and not np.array_equal(first[0], first[2])


def test_fill_range_linspace_constant():
    out = _run([tf.fill([2, 2], 7), tf.range(5), tf.range(1, 10, 3), tf.range(0.0, 1.0, 0.25),
                tf.linspace(0.0, 1.0, 5), tf.constant([1, 2], shape=[2, 2]), tf.zeros_like([[1, 2]]),
                tf.ones_like(tf.constant([1.0, 2.0]), dtype=tf.int32)])
    assert out[0].tolist() == [[7, 7], [7, 7]] and out[1].tolist() == [0, 1, 2, 3, 4]
    assert out[2].tolist() == [1, 4, 7] and out[3].tolist() == [0.0, 0.25, 0.5, 0.75]
    assert out[4].tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert out[5].tolist() == [[1, 2], [2, 2]]
    assert out[6].tolist() == [[0, 0]] and out[7].dtype == np.int32


# --- ops ----------------------------------------------------------------------------------------
def test_reduction_old_and_new_argument_names():
    x = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    out = _run([tf.reduce_sum(x, axis=1, keepdims=True), tf.reduce_sum(x, reduction_indices=[1], keep_dims=True),
                tf.reduce_mean(x, 0), tf.reduce_prod(x, 1), tf.argmax(x, dimension=1), tf.argmin(x, axis=0)])
    assert out[0].tolist() == out[1].tolist() == [[6.0], [15.0]]
    assert out[2].tolist() == [2.5, 3.5, 4.5] and out[3].tolist() == [6.0, 120.0]
    assert out[4].tolist() == [2, 2] and out[4].dtype == np.int64 and out[5].tolist() == [0, 0, 0]


def test_nn_cross_entropies_need_keywords_and_are_stable():
    logits = tf.constant([[1000.0, 0.0]])
    with pytest.raises(ValueError, match="named arguments"):
        tf.nn.softmax_cross_entropy_with_logits([[1.0, 0.0]], logits)
    with pytest.raises(ValueError, match="named arguments"):
        tf.nn.sparse_softmax_cross_entropy_with_logits([0], logits)
    out = _run([tf.nn.softmax_cross_entropy_with_logits(labels=[[0.0, 1.0]], logits=logits),
                tf.nn.softmax_cross_entropy_with_logits_v2(labels=[[0.0, 1.0]], logits=logits),
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1], logits=logits),
                tf.nn.sigmoid_cross_entropy_with_logits(labels=[0.0, 1.0], logits=[1000.0, -1000.0]),
                tf.nn.softmax(logits), tf.nn.log_softmax(logits)])
    assert [v.tolist() for v in out[:4]] == [[1000.0], [1000.0], [1000.0], [1000.0, 1000.0]]
    assert out[4].tolist() == [[1.0, 0.0]] and out[5].tolist() == [[0.0, -1000.0]]


def test_dropout_keep_prob_and_rate():
    x = tf.ones([10000])
    kept = _run(tf.nn.dropout(x, keep_prob=0.25, seed=1))
    assert set(np.unique(kept).tolist()) == {0.0, 4.0} and abs((kept > 0).mean() - 0.25) < 0.03
    rated = _run(tf.nn.dropout(x, rate=0.75, seed=1))
    assert set(np.unique(rated).tolist()) == {0.0, 4.0}
    with pytest.raises(ValueError, match="both"):
        tf.nn.dropout(x, keep_prob=0.5, rate=0.5)


# --- control flow --------------------------------------------------------------------------------
def test_while_loop_calls_body_with_each_loop_variable_of_a_tuple():
    i, total = tf.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + tf.cast(i, tf.float32)),
                             (tf.constant(0), tf.constant(0.0)))
    assert _run([i, total]) == [5, 10.0]


def test_while_loop_of_one_loop_variable_in_a_list_returns_a_tensor():
    out = tf.while_loop(lambda a: a < 10, lambda a: a + 3, [0])
    assert isinstance(out, tf.Tensor) and _run(out) == 12
    same = tf.while_loop(lambda a: a < 10, lambda a: [a + 3], [0], return_same_structure=True)
    assert isinstance(same, list) and _run(same) == [12]


def test_while_loop_maximum_iterations_may_be_a_tensor():
    n = tf.placeholder(tf.int32, [])
    out = tf.while_loop(lambda a: a < 100, lambda a: a + 1, [0], maximum_iterations=n)
    with tf.Session() as sess:
        assert sess.run(out, {n: 4}) == 4 and sess.run(out, {n: 200}) == 100


def test_while_loop_cond_must_be_a_boolean_scalar():
    with pytest.raises(ValueError, match="boolean scalar"):
        tf.while_loop(lambda a: a, lambda a: a + 1, [0])


def test_gradient_through_while_loop_matches_finite_differences():
    w = tf.Variable([[0.5, -0.2], [0.1, 0.3]], dtype=tf.float64)
    b = tf.placeholder(tf.float64, [2])
    h0 = tf.constant([[1.0, 2.0]], tf.float64)
    steps = tf.placeholder(tf.int32, [])
    _, h = tf.while_loop(lambda i, h: i < steps, lambda i, h: (i + 1, tf.tanh(tf.matmul(h, w) + b)), (0, h0))
    loss = tf.reduce_sum(h * h)
    grads = tf.gradients(loss, [w, b, h0])

    def f(wv, bv, hv):
        for _ in range(3):
            hv = np.tanh(hv @ wv + bv)
        return (hv * hv).sum()

    bv, hv = np.array([0.1, -0.3]), np.array([[1.0, 2.0]])
    with tf.Session() as sess:
        sess.run(w.initializer)
        wv = sess.run(w)
        got = sess.run(grads, {b: bv, steps: 3})
        zero_steps = sess.run(grads, {b: bv, steps: 0})
    eps = 1e-6
    for value, index, got_grad in ((wv, 0, got[0]), (bv, 1, got[1]), (hv, 2, got[2])):
        numeric = np.zeros_like(value)
        for k in np.ndindex(value.shape):
            delta = np.zeros_like(value)
            delta[k] = eps
            args = [wv, bv, hv]
            args[index] = value + delta
            up = f(*args)
            args[index] = value - delta
            numeric[k] = (up - f(*args)) / (2 * eps)
        np.testing.assert_allclose(got_grad, numeric, atol=1e-7)
    assert zero_steps[0].tolist() == [[0.0, 0.0], [0.0, 0.0]] and zero_steps[2].tolist() == [[2.0, 4.0]]


def test_gradient_through_nested_loops_and_conds():
    x = tf.constant(1.5)

    def body(i, a):
        return i + 1, tf.while_loop(lambda j, c: j < 2, lambda j, c: (j + 1, c * x), [0, a])[1]
    y = tf.while_loop(lambda i, a: i < 2, body, [0, tf.constant(1.0)])[1]                     # x ** 4
    z = tf.while_loop(lambda i, a: i < 4,
                      lambda i, a: (i + 1, tf.cond(i < 2, lambda: a * x, lambda: a + x)), [0, 1.0])[1]
    out = _run([y, tf.gradients(y, x)[0], z, tf.gradients(z, x)[0]])     # z = x^2 + 2x
    np.testing.assert_allclose(out, [1.5 ** 4, 4 * 1.5 ** 3, 1.5 ** 2 + 3.0, 2 * 1.5 + 2], rtol=1e-6)


def test_while_loop_back_prop_false_stops_gradients():
    x = tf.constant(2.0)
    y = tf.while_loop(lambda a: a < 10.0, lambda a: a * x, [x], back_prop=False)
    assert tf.gradients(y, x) == [None]


def test_gradient_through_cond_reaches_variables_read_in_the_branches():
    v = tf.Variable(2.0)
    p = tf.placeholder(tf.bool)
    y = tf.cond(p, lambda: v * v, lambda: v * 3.0)
    (g,) = tf.gradients(y, v)
    assert g is not None
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(g, {p: True}) == 4.0 and sess.run(g, {p: False}) == 3.0


def test_cond_errors():
    with pytest.raises(TypeError, match="callable"):
        tf.cond(tf.constant(True), lambda: 1)
    with pytest.raises(TypeError, match="int32.*float32"):
        tf.cond(tf.constant(True), lambda: tf.constant(1), lambda: tf.constant(1.0))
    with pytest.raises(ValueError, match="same number"):
        tf.cond(tf.constant(True), lambda: (1, 2), lambda: 1)


# --- autodiff ------------------------------------------------------------------------------------
def test_gradients_grad_ys_stop_gradients_and_unconnected():
    a = tf.constant(0.0)
    b = 2.0 * a
    assert _run(tf.gradients(a + b, [a, b], stop_gradients=[a, b])) == [1.0, 1.0]
    x = tf.constant([1.0, 2.0])
    assert _run(tf.gradients(x * x, x, grad_ys=tf.constant([1.0, 10.0])))[0].tolist() == [2.0, 40.0]
    assert tf.gradients(x * 2.0, [tf.constant(3.0)]) == [None]
    m = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    bias = tf.constant([1.0, 1.0])
    scale = tf.constant(2.0)
    g_bias, g_scale = _run(tf.gradients(tf.reduce_sum(m * bias + scale), [bias, scale]))
    assert g_bias.tolist() == [4.0, 6.0] and g_scale == 4.0


# --- training ------------------------------------------------------------------------------------
def test_minimize_increments_global_step_and_learning_rate_tensor():
    step = tf.train.get_or_create_global_step()
    assert tf.train.get_global_step() is step and step.dtype is tf.int64
    lr = tf.train.exponential_decay(0.5, step, 1, 0.5, staircase=True)
    v = tf.Variable(1.0)
    train = tf.train.GradientDescentOptimizer(lr).minimize(v * v, global_step=step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)      # 1 - 0.5 * 2 = 0
        sess.run(v.assign(1.0))
        sess.run(train)      # 1 - 0.25 * 2 = 0.5
        assert sess.run([v, step]) == [0.5, 2]


def test_optimizer_errors():
    with pytest.raises(ValueError, match="No variables"):
        tf.train.GradientDescentOptimizer(0.1).minimize(tf.constant(1.0) * 2.0)
    v = tf.Variable(1.0)
    u = tf.Variable(2.0)
    with pytest.raises(ValueError, match="No gradients"):
        tf.train.GradientDescentOptimizer(0.1).minimize(v * 2.0, var_list=[u])


def test_session_config_and_run_options_are_accepted():
    config = tf.ConfigProto(log_device_placement=False, allow_soft_placement=True,
                            gpu_options=tf.GPUOptions(allow_growth=True))
    assert config.allow_soft_placement and config.gpu_options.allow_growth
    c = tf.constant(2.0)
    with tf.Session(config=config) as sess:
        assert sess.run(c * 2.0, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                        run_metadata=tf.RunMetadata()) == 4.0
