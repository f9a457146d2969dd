"""map_fn / scan / foldl / foldr / case, the debugging ops (Print, print, Assert, assert_*,
check_numerics) and py_func: values, gradients, errors."""
import sys

import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients, evaluate

RNG = np.random.RandomState(0)


def rand(*shape):
    return RNG.uniform(-2.0, 2.0, size=shape)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


# --- map_fn ---------------------------------------------------------------------------------------
def test_map_fn_values_and_static_shape():
    x = rand(4, 3)
    out = evaluate(lambda t: tf.map_fn(lambda r: tf.reduce_sum(r * r), t), [x])
    np.testing.assert_allclose(out, np.sum(x * x, axis=1))
    with tf.Graph().as_default():
        m = tf.map_fn(lambda r: r * 2.0, tf.zeros([5, 2]))
        assert m.shape.as_list() == [5, 2]
        p = tf.placeholder(tf.float32, [None, 2])
        assert tf.map_fn(lambda r: r[0], p).shape.as_list() == [None]


def test_map_fn_nested_elems_dtype_and_empty():
    a, b = rand(3, 2), np.arange(3, dtype=np.int32)
    with tf.Graph().as_default():
        out = tf.map_fn(lambda ab: (ab[0] * 2.0, ab[1] + 1), (tf.constant(a), tf.constant(b)),
                        dtype=(tf.float64, tf.int32))
        x2, b1 = run(out)
        np.testing.assert_allclose(x2, a * 2)
        np.testing.assert_array_equal(b1, b + 1)
        assert b1.dtype == np.int32
        p = tf.placeholder(tf.float32, [None, 2])
        empty = run(tf.map_fn(lambda r: r + 1.0, p), {p: np.zeros((0, 2), np.float32)})
        assert empty.shape == (0, 2) and empty.dtype == np.float32


def test_map_fn_gradients_for_elems_captured_and_variables():
    check_gradients(lambda x, w: tf.map_fn(lambda r: tf.reduce_sum(tf.sin(r) * w), x), [rand(4, 3), rand(3)])
    check_gradients(lambda x: tf.map_fn(lambda r: tf.matmul(tf.expand_dims(r, 0), tf.expand_dims(r, 1)), x),
                    [rand(3, 2)])
    with tf.Graph().as_default():
        v = tf.Variable(np.array([1.0, 2.0]))
        x = tf.constant(rand(3, 2))
        loss = tf.reduce_sum(tf.map_fn(lambda r: tf.reduce_sum(r * v), x))
        gv = tf.gradients(loss, v)[0]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_allclose(sess.run(gv), sess.run(tf.reduce_sum(x, 0)))


def test_map_fn_errors():
    with pytest.raises(ValueError, match="not scalars"):
        tf.map_fn(lambda r: r, tf.constant(1.0))
    with pytest.raises(ValueError, match="same first dimension"):
        tf.map_fn(lambda ab: ab[0], (tf.zeros([2]), tf.zeros([3])))
    with pytest.raises(TypeError, match="dtype says int32"):
        tf.map_fn(lambda r: r, tf.zeros([2]), dtype=tf.int32)
    with pytest.raises(TypeError, match="callable"):
        tf.map_fn(None, tf.zeros([2]))
    a, b = tf.placeholder(tf.float32, [None]), tf.placeholder(tf.float32, [None])
    m = tf.map_fn(lambda ab: ab[0] + ab[1], (a, b))
    with pytest.raises(tf.errors.InvalidArgumentError, match="same first dimension, got 2 and 3"):
        run(m, {a: np.zeros(2), b: np.zeros(3)})


# --- scan, foldl, foldr ---------------------------------------------------------------------------
def test_scan_values():
    x = rand(4, 3)
    np.testing.assert_allclose(evaluate(lambda t: tf.scan(lambda a, e: a + e, t), [x]), np.cumsum(x, axis=0))
    out = evaluate(lambda t: tf.scan(lambda a, e: a * e, t, initializer=tf.ones([3], tf.float64), reverse=True),
                   [x])
    np.testing.assert_allclose(out, np.cumprod(x[::-1], axis=0)[::-1])
    with tf.Graph().as_default():
        s = tf.scan(lambda a, e: a + e, tf.zeros([5, 2]))
        assert s.shape.as_list() == [5, 2]
        # A structured accumulator: (running sum, running count).
        total, count = tf.scan(lambda acc, e: (acc[0] + e, acc[1] + 1), tf.constant([1.0, 2.0, 3.0]),
                               initializer=(tf.constant(0.0), tf.constant(0)))
        t, c = run([total, count])
        np.testing.assert_allclose(t, [1, 3, 6])
        np.testing.assert_array_equal(c, [1, 2, 3])


def test_scan_gradients():
    check_gradients(lambda t: tf.scan(lambda a, e: a * tf.sin(e) + e, t), [rand(4, 2)])
    check_gradients(lambda t, w: tf.scan(lambda a, e: a * w + e, t, initializer=tf.zeros([2], tf.float64)),
                    [rand(3, 2), rand(2)])


def test_foldl_foldr_values_and_gradients():
    x = rand(5)
    np.testing.assert_allclose(evaluate(lambda t: tf.foldl(lambda a, e: a + e, t), [x]), np.sum(x))
    np.testing.assert_allclose(
        evaluate(lambda t: tf.foldl(lambda a, e: a * 2.0 - e, t, initializer=tf.constant(1.0, tf.float64)), [x]),
        _fold(lambda a, e: a * 2.0 - e, x, 1.0))
    np.testing.assert_allclose(
        evaluate(lambda t: tf.foldr(lambda a, e: a * 2.0 - e, t, initializer=tf.constant(1.0, tf.float64)), [x]),
        _fold(lambda a, e: a * 2.0 - e, x[::-1], 1.0))
    check_gradients(lambda t: tf.foldl(lambda a, e: a * e, t), [rand(4)])
    check_gradients(lambda t: tf.foldr(lambda a, e: tf.sin(a) + e, t, initializer=tf.zeros([2], tf.float64)),
                    [rand(3, 2)])


def _fold(fn, xs, acc):
    for x in xs:
        acc = fn(acc, x)
    return acc


# --- case -----------------------------------------------------------------------------------------
def test_case_with_default_takes_first_true():
    p = tf.placeholder(tf.int32, [])
    c = tf.case([(tf.less(p, 2), lambda: tf.constant(10)), (tf.less(p, 4), lambda: tf.constant(20))],
                default=lambda: tf.constant(-1))
    with tf.Session() as sess:
        assert [sess.run(c, {p: v}) for v in (1, 3, 5)] == [10, 20, -1]


def test_case_without_default_and_exclusive():
    p = tf.placeholder(tf.int32, [])
    c = tf.case([(tf.equal(p, 1), lambda: tf.constant(1.0)), (tf.equal(p, 2), lambda: tf.constant(2.0))])
    with tf.Session() as sess:
        assert sess.run(c, {p: 1}) == 1.0 and sess.run(c, {p: 2}) == 2.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="None of conditions evaluated as True"):
            sess.run(c, {p: 3})
    e = tf.case([(tf.less(p, 5), lambda: tf.constant(1)), (tf.less(p, 3), lambda: tf.constant(2))],
                default=lambda: tf.constant(0), exclusive=True)
    with tf.Session() as sess:
        assert sess.run(e, {p: 4}) == 1
        with pytest.raises(tf.errors.InvalidArgumentError, match="more than 1 conditions"):
            sess.run(e, {p: 1})


def test_case_errors():
    with pytest.raises(TypeError, match="list, tuple, or dict"):
        tf.case(lambda: 1)
    with pytest.raises(TypeError, match="must be Tensor of type bool"):
        tf.case([(True, lambda: tf.constant(1))])
    with pytest.raises(TypeError, match="callable"):
        tf.case([(tf.constant(True), 3)])


# --- Print and print ------------------------------------------------------------------------------
def test_print_is_identity_and_prints(capsys):
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    y = tf.Print(x, [x, tf.constant("tag")], message="x is: ", summarize=3)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y), [[1, 2], [3, 4]])
    assert "x is: [[1 2][3...]...][tag]" in capsys.readouterr().err


def test_print_first_n_and_gradient(capsys):
    x = tf.placeholder(tf.float64, [2])
    y = tf.Print(x, [x], message="once", first_n=1)
    with tf.Session() as sess:
        for _ in range(3):
            sess.run(y, {x: [1.0, 2.0]})
    assert capsys.readouterr().err.count("once") == 1
    check_gradients(lambda t: tf.Print(t * t, [t]), [rand(3)])


def test_tf_print_op(capsys):
    x = tf.constant([1, 2, 3])
    op = tf.print("values:", x, output_stream=sys.stdout)
    with tf.Session() as sess:
        sess.run(op)
    assert capsys.readouterr().out == "values: [1 2 3]\n"
    with pytest.raises(ValueError, match="Unsupported output stream"):
        tf.print(x, output_stream="nowhere")


# --- Assert and assert_* ----------------------------------------------------------------------------
def test_assert_in_control_dependencies():
    x = tf.placeholder(tf.float32, [3])
    check = tf.Assert(tf.reduce_all(x > 0), ["x must be positive:", x])
    assert isinstance(check, tf.Operation)
    with tf.control_dependencies([check]):
        y = tf.identity(x) * 2.0
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(y, {x: [1, 2, 3]}), [2, 4, 6])
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"assertion failed: \[x must be positive:\] \[1 -2 3\]"):
            sess.run(y, {x: [1, -2, 3]})


def test_assert_is_not_removed_by_rewrites():
    check = tf.Assert(tf.constant(False), ["always fails"])
    with tf.control_dependencies([check]):
        y = tf.constant(1.0) + 1.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="always fails"):
            sess.run(y)


def test_assert_errors():
    with pytest.raises(TypeError, match="bool"):
        tf.Assert(tf.constant(1), ["x"])
    with pytest.raises(ValueError, match="rank 0"):
        tf.Assert(tf.constant([True, False]), ["x"])


@pytest.mark.parametrize("fn,ok,bad,text", [
    (tf.assert_equal, ([1, 2], [1, 2]), ([1, 2], [1, 3]), "x == y"),
    (tf.assert_none_equal, ([1, 2], [3, 4]), ([1, 2], [1, 4]), "x != y"),
    (tf.assert_greater, ([2, 3], [1, 2]), ([2, 3], [2, 2]), "x > y"),
    (tf.assert_greater_equal, ([2, 3], [2, 2]), ([1, 3], [2, 2]), "x >= y"),
    (tf.assert_less, ([1, 2], [2, 3]), ([1, 3], [2, 3]), "x < y"),
    (tf.assert_less_equal, ([1, 2], [1, 3]), ([1, 4], [2, 3]), "x <= y"),
])
def test_binary_asserts_at_run_time(fn, ok, bad, text):
    x, y = tf.placeholder(tf.int32, [2]), tf.placeholder(tf.int32, [2])
    check = fn(x, y, message="custom")
    with tf.control_dependencies([check]):
        out = tf.identity(x)
    with tf.Session() as sess:
        sess.run(out, {x: ok[0], y: ok[1]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="custom.*Condition %s" % text):
            sess.run(out, {x: bad[0], y: bad[1]})


def test_binary_assert_on_constants_fails_at_graph_construction():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x == y did not hold"):
        tf.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]))
    assert isinstance(tf.assert_equal(tf.constant(1), 1), tf.Operation)


@pytest.mark.parametrize("fn,ok,bad,text", [
    (tf.assert_positive, [1.0, 2.0], [0.0, 1.0], "x > 0"),
    (tf.assert_negative, [-1.0], [0.0], "x < 0"),
    (tf.assert_non_negative, [0.0, 1.0], [-1.0, 1.0], "x >= 0"),
    (tf.assert_non_positive, [0.0, -1.0], [1.0], "x <= 0"),
])
def test_sign_asserts(fn, ok, bad, text):
    x = tf.placeholder(tf.float32, [None])
    check = fn(x)
    with tf.Session() as sess:
        sess.run(check, {x: ok})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Condition %s did not hold" % text):
            sess.run(check, {x: bad})


def test_assert_rank():
    assert isinstance(tf.assert_rank(tf.zeros([2, 3]), 2), tf.Operation)
    with pytest.raises(ValueError, match="must have rank 3.  Received rank 2"):
        tf.assert_rank(tf.zeros([2, 3]), 3)
    with pytest.raises(ValueError, match="must have at least rank 3"):
        tf.assert_rank_at_least(tf.zeros([2, 3]), 3)
    p = tf.placeholder(tf.float32)
    check = tf.assert_rank(p, 2)
    with tf.Session() as sess:
        sess.run(check, {p: np.zeros((2, 2))})
        with pytest.raises(tf.errors.InvalidArgumentError, match="must have rank"):
            sess.run(check, {p: np.zeros(2)})


# --- check_numerics ---------------------------------------------------------------------------------
@pytest.mark.parametrize("value,what", [([1.0, np.nan], "NaN"), ([np.inf, 1.0], "Inf"),
                                        ([np.inf, np.nan], "Inf and NaN")])
def test_check_numerics_errors(value, what):
    x = tf.placeholder(tf.float32, [2])
    y = tf.check_numerics(x, "bad x")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="bad x : Tensor had %s values" % what):
            sess.run(y, {x: value})


def test_check_numerics_passes_values_and_gradients():
    np.testing.assert_array_equal(evaluate(lambda t: tf.verify_tensor_all_finite(t, "msg"), [np.ones(3)]),
                                  np.ones(3))
    check_gradients(lambda t: tf.check_numerics(t * t, "m"), [rand(3)])
    with pytest.raises(TypeError, match="DataType int32"):
        tf.check_numerics(tf.constant([1]), "m")


# --- py_func --------------------------------------------------------------------------------------
def test_py_func_values():
    x = tf.placeholder(tf.float32, [3])
    y = tf.py_func(lambda a: (a * 2).astype(np.float32), [x], tf.float32)
    assert y.dtype is tf.float32 and y.shape.ndims is None
    a, b = tf.py_func(lambda a: (a + 1, np.int64(a.size)), [x], [tf.float32, tf.int64])
    s = tf.numpy_function(lambda a: str(a.shape), [x], tf.string)
    z = tf.py_func(lambda a: a.sum(), [x], tf.float32, stateful=False)
    assert z.op.type == "PyFuncStateless" and y.op.type == "PyFunc"
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(y, {x: [1, 2, 3]}), [2, 4, 6])
        assert sess.run(z, {x: [1, 2, 3]}) == 6.0
        av, bv, sv = sess.run([a, b, s], {x: [1, 2, 3]})
    np.testing.assert_allclose(av, [2, 3, 4])
    assert bv == 3 and sv == b"(3,)"


def test_py_func_stateful_calls_each_run_and_no_gradient():
    calls = []

    def record(a):
        calls.append(1)
        return a
    x = tf.constant([1.0, 2.0])
    y = tf.py_func(record, [x], tf.float32)
    with tf.Session() as sess:
        sess.run(y)
        sess.run(y)
    assert len(calls) == 2
    assert tf.gradients(y, x) == [None]


def test_py_func_errors():
    x = tf.constant([1.0])
    wrong_dtype = tf.py_func(lambda a: 1.0, [x], tf.float32)
    wrong_count = tf.py_func(lambda a: a, [x], [tf.float32, tf.float32])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="0-th value returned by pyfunc_.* is "
                                                               "float64, but expects float32"):
            sess.run(wrong_dtype)
        with pytest.raises(tf.errors.InvalidArgumentError, match="returns 1 values, but expects 2"):
            sess.run(wrong_count)
    with pytest.raises(TypeError, match="callable"):
        tf.py_func(3, [x], tf.float32)


def test_check_pinned_is_a_failed_precondition_without_cuda():
    x = tf.constant([1.0, 2.0])
    checked = tf.check_pinned(x)
    assert checked.dtype == tf.float32 and checked.shape.as_list() == [2] and checked.op.type == "CheckPinned"
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="check_pinned needs TensorFlow built with CUDA"):
            sess.run(checked)
    graph_def = tf.get_default_graph().as_graph_def()
    assert [n.op for n in graph_def.node if n.name == checked.op.name] == ["CheckPinned"]
