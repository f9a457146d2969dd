"""Session.run: fetch structures, feeds, pruning, errors, default sessions and threads."""
import collections
import threading

import numpy as np
import pytest

import numflow as tf


def test_fetch_structures_keep_their_shape():
    a = tf.constant(1.0, name="a")
    b = tf.constant([2, 3], name="b")
    Pair = collections.namedtuple("Pair", "first second")
    with tf.Session() as sess:
        out = sess.run({"x": [a, (b, a)], "pair": Pair(a, b), "name": "a:0"})
    assert out["x"][0] == 1.0 and isinstance(out["x"][1], tuple)
    assert out["x"][1][0].tolist() == [2, 3]
    assert isinstance(out["pair"], Pair) and out["pair"].first == 1.0
    assert out["name"] == 1.0


def test_scalar_fetches_are_numpy_scalars_and_strings_bytes():
    with tf.Session() as sess:
        value = sess.run(tf.constant(2.5))
        text = sess.run(tf.constant("Hello World"))
    assert isinstance(value, np.float32)
    assert text == b"Hello World"


def test_operation_fetches_as_none():
    v = tf.Variable(1.0)
    with tf.Session() as sess:
        assert sess.run(v.initializer) is None
        assert sess.run([v.initializer, v])[0] is None
        assert sess.run("Variable/Assign") is None


def test_duplicate_fetches_are_computed_once():
    x = tf.placeholder(tf.float32)
    y = x * 2.0
    with tf.Session() as sess:
        a, b = sess.run([y, y], {x: 3.0})
    assert a == b == 6.0


def test_fetched_values_are_independent_copies():
    c = tf.constant([1.0, 2.0])
    with tf.Session() as sess:
        first = sess.run(c)
        first[0] = 100.0
        assert sess.run(c)[0] == 1.0


def test_feed_by_name_and_feed_any_tensor():
    x = tf.placeholder(tf.float32, name="x")
    y = tf.multiply(x, 2.0, name="y")
    z = y + 1.0
    with tf.Session() as sess:
        assert sess.run(z, {"x:0": 1.0}) == 3.0
        assert sess.run(z, {y: 10.0}) == 11.0   # y is fed: x need not be


def test_only_what_the_fetches_need_is_computed():
    x = tf.placeholder(tf.float32, name="unused_input")
    _ = x * 2.0
    c = tf.constant(3.0) + 1.0
    with tf.Session() as sess:
        assert sess.run(c) == 4.0      # x is not fed and not needed


def test_missing_placeholder_is_invalid_argument_naming_it():
    x = tf.placeholder(tf.float32, [None, 3], name="images")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="images") as info:
            sess.run(x + 1.0)
        assert "float32" in str(info.value)
        # the session keeps working
        assert sess.run(x + 1.0, {x: np.zeros((1, 3))}).shape == (1, 3)


def test_feed_shape_mismatch_is_value_error_naming_both_shapes():
    x = tf.placeholder(tf.float32, [None, 3], name="inputs")
    with tf.Session() as sess:
        with pytest.raises(ValueError, match=r"\(2, 4\).*inputs:0.*\[\?,3\]"):
            sess.run(x, {x: np.zeros((2, 4))})
        assert sess.run(x, {x: np.ones((2, 3))}).sum() == 6.0


def test_feed_dtype_is_converted_and_checked():
    x = tf.placeholder(tf.int32, name="count")
    with tf.Session() as sess:
        assert sess.run(x, {x: 3.0}) == 3
        assert sess.run(x, {x: 2.5}) == 2     # TF1 truncates floats fed to an integer tensor
        with pytest.raises(ValueError, match="count.*out of range for int32"):
            sess.run(x, {x: 2 ** 40})
        with pytest.raises(ValueError, match="count"):
            sess.run(x, {x: "text"})


def test_feeding_a_tensor_is_a_type_error():
    x = tf.placeholder(tf.float32)
    with tf.Session() as sess:
        with pytest.raises(TypeError, match="cannot be a tf.Tensor"):
            sess.run(x, {x: tf.constant(1.0)})


def test_uninitialized_variable_is_failed_precondition_naming_it():
    v = tf.Variable(1.0, name="weights")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="weights"):
            sess.run(v * 2.0)
        sess.run(v.initializer)
        assert sess.run(v * 2.0) == 2.0


def test_tensor_from_another_graph_is_value_error():
    other = tf.Graph()
    with other.as_default():
        x = tf.constant(1.0)
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="not an element of this graph"):
            sess.run(x)
        with pytest.raises(ValueError):
            sess.run(tf.constant(1.0), {x: 2.0})


def test_closed_session_is_runtime_error():
    sess = tf.Session()
    c = tf.constant(1.0)
    sess.close()
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(c)


def test_invalid_fetch_types():
    with tf.Session() as sess:
        with pytest.raises(TypeError, match="Fetch argument"):
            sess.run(3)
        with pytest.raises(TypeError, match="None"):
            sess.run(None)
        with pytest.raises(ValueError, match="nope"):
            sess.run("nope:0")


def test_kernel_failure_is_invalid_argument_naming_the_op():
    x = tf.placeholder(tf.float32, name="x")
    y = tf.placeholder(tf.float32, name="y")
    z = tf.add(x, y, name="bad_add")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="bad_add"):
            sess.run(z, {x: np.zeros(3), y: np.zeros(4)})
        assert sess.run(z, {x: 1.0, y: 2.0}) == 3.0


def test_session_context_sets_default_session_and_graph():
    graph = tf.Graph()
    with graph.as_default():
        c = tf.constant(5.0)
    with tf.Session(graph=graph) as sess:
        assert tf.get_default_session() is sess
        assert tf.get_default_graph() is graph
        assert c.eval() == 5.0
    assert tf.get_default_session() is None


def test_eval_and_run_need_a_session():
    c = tf.constant(1.0)
    with pytest.raises(ValueError, match="No default session"):
        c.eval()
    sess = tf.Session()
    assert c.eval(session=sess) == 1.0
    with sess.as_default():
        assert c.eval() == 1.0


def test_operation_run_and_eval_with_feed():
    v = tf.Variable(0.0)
    x = tf.placeholder(tf.float32)
    step = tf.assign_add(v, x).op
    with tf.Session() as sess:
        v.initializer.run()
        step.run(feed_dict={x: 2.0})
        step.run({x: 3.0})
        assert v.eval() == 5.0
        assert (v * x).eval({x: 2.0}) == 10.0


def test_eval_with_a_session_of_another_graph_fails():
    c = tf.constant(1.0)
    other = tf.Session(graph=tf.Graph())
    with pytest.raises(ValueError, match="graph is different"):
        c.eval(session=other)


def test_interactive_session_installs_itself():
    sess = tf.InteractiveSession()
    try:
        assert tf.get_default_session() is sess
        assert (tf.constant(2.0) * 3.0).eval() == 6.0
    finally:
        sess.close()
    assert tf.get_default_session() is not sess


def test_sessions_hold_separate_variable_values():
    v = tf.Variable(1.0)
    add = tf.assign_add(v, 1.0)
    one, two = tf.Session(), tf.Session()
    one.run(v.initializer)
    two.run(v.initializer)
    one.run(add)
    assert one.run(v) == 2.0 and two.run(v) == 1.0


def test_plans_are_cached_per_signature():
    x = tf.placeholder(tf.float32)
    y = x + 1.0
    sess = tf.Session()
    sess.run(y, {x: 1.0})
    sess.run(y, {x: 2.0})
    sess.run([y], {x: 2.0})
    assert len(sess._plans) == 1       # y alone and [y] need the same computation: one plan
    assert len(sess._signatures) == 2  # ...poured into two fetch structures
    z = y * 2.0    # growing the graph keeps the old plans valid
    assert sess.run(z, {x: 1.0}) == 4.0
    assert sess.run(y, {x: 1.0}) == 2.0


def test_many_threads_can_run_one_session():
    x = tf.placeholder(tf.float32, [None])
    y = tf.reduce_sum(x * 2.0) if hasattr(tf, "reduce_sum") else x * 2.0
    sess = tf.Session()
    errors = []

    def work(seed):
        data = np.random.RandomState(seed).rand(100).astype(np.float32)
        for _ in range(200):
            out = sess.run(y, {x: data})
            if not np.allclose(out, (data * 2.0).sum() if np.ndim(out) == 0 else data * 2.0, rtol=1e-5):
                errors.append(seed)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_make_callable():
    x = tf.placeholder(tf.float32)
    y = x * 3.0
    with tf.Session() as sess:
        fn = sess.make_callable(y, [x])
        assert fn(2.0) == 6.0


def test_control_dependency_on_a_fed_placeholder_is_satisfied_by_the_feed():
    x = tf.placeholder(tf.float32, [None])
    v = tf.Variable(0.0)
    with tf.control_dependencies([x]):
        total = tf.assign_add(v, tf.cast(tf.size(x), tf.float32))
    with tf.Session() as session:
        session.run(v.initializer)
        assert session.run(total, {x: [1.0, 2.0]}) == 2.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="must feed a value for placeholder"):
            session.run(total)
