"""tf.GradientTape in graph mode: values checked against hand-computed derivatives (and, by hand, against
TensorFlow 2.21 with eager execution disabled)."""
import numpy as np
import pytest

import numflow as tf

X = np.array([1.0, 2.0, 3.0], np.float32)


def _run(fetches, feed=None, init=()):
    with tf.Session() as sess:
        for variable in init:
            sess.run(variable.initializer)
        return sess.run(fetches, feed)


def test_watched_placeholder_gradient_and_outside_tensor_is_constant():
    x = tf.placeholder(tf.float32, [3])
    computed_before = x * 2.0
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x * x) + tf.reduce_sum(computed_before)
    grad = tape.gradient(y, x)
    # computed_before depends on x but was built before the tape: no 2.0 contribution.
    np.testing.assert_allclose(_run(grad, {x: X}), 2 * X)


def test_unwatched_source_is_none_or_zero():
    x = tf.placeholder(tf.float32, [3])
    p = tf.placeholder(tf.float32, [3])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.reduce_sum(x * p)
    assert tape.gradient(y, p) is None
    zero = tape.gradient(y, p, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    zero_by_name = tape.gradient(y, p, unconnected_gradients="zero")
    np.testing.assert_array_equal(_run([zero, zero_by_name], {p: X, x: X}), [np.zeros(3)] * 2)


def test_watched_tensor_built_outside_cuts_the_path_to_its_inputs():
    x = tf.placeholder(tf.float32, [3])
    w = x * 5.0
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(w)
        q = tf.reduce_sum(w * w)
    assert tape.gradient(q, x) is None
    np.testing.assert_allclose(_run(tape.gradient(q, w), {x: X}), 2 * (5 * X))


def test_stop_recording_and_nested_sources_and_output_gradients():
    x = tf.placeholder(tf.float32, [3])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        a = x * 3.0
        with tape.stop_recording():
            b = a * a
        c = tf.reduce_sum(b) + tf.reduce_sum(a)
    through_a_only = tape.gradient(c, x)
    weighted = tape.gradient(a, x, output_gradients=tf.ones([3]) * 2.0)
    nested = tape.gradient({"c": c}, {"p": [x], "q": (a,)})
    both = tape.gradient([c, a], [x, a])
    assert set(nested) == {"p", "q"} and isinstance(nested["p"], list) and isinstance(nested["q"], tuple)
    got = _run([through_a_only, weighted, nested["p"][0], nested["q"][0], both], {x: X})
    np.testing.assert_allclose(got[0], [3, 3, 3])
    np.testing.assert_allclose(got[1], [6, 6, 6])
    np.testing.assert_allclose(got[2], [3, 3, 3])
    np.testing.assert_allclose(got[3], [1, 1, 1])
    np.testing.assert_allclose(got[4], [[6, 6, 6], [2, 2, 2]])


def test_accessed_trainable_variables_are_watched():
    v = tf.Variable([1.0, 2.0, 3.0])
    frozen = tf.Variable([4.0, 5.0, 6.0], trainable=False)
    read_before = v * 1.0
    with tf.GradientTape() as tape:
        s = tf.reduce_sum(read_before * v * frozen)
    assert tape.watched_variables() == (v,)
    grads = tape.gradient(s, [v, frozen])
    assert grads[1] is None
    np.testing.assert_allclose(_run(grads[0], init=[v, frozen]), [4.0, 10.0, 18.0])


def test_watch_accessed_variables_false_and_explicit_variable_watch():
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape(watch_accessed_variables=False, persistent=True) as tape:
        s = tf.reduce_sum(v * v)
    assert tape.watched_variables() == ()
    assert tape.gradient(s, v) is None
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(v)
        s = tf.reduce_sum(v * v)
    assert tape.watched_variables() == (v,)
    np.testing.assert_allclose(_run(tape.gradient(s, v), init=[v]), [2.0, 4.0])


def test_tape_gradient_trains_a_variable():
    w = tf.Variable(0.0)
    with tf.GradientTape() as tape:
        loss = tf.square(w - 3.0)
    (grad,) = tape.gradient(loss, [w])
    step = tf.train.GradientDescentOptimizer(0.25).apply_gradients([(grad, w)])
    with tf.Session() as sess:
        sess.run(w.initializer)
        for _ in range(20):
            sess.run(step)
        assert abs(sess.run(w) - 3.0) < 1e-4


def test_non_persistent_tape_allows_one_gradient():
    x = tf.placeholder(tf.float32, [3])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent GradientTape can only be used to compute one set"):
        tape.gradient(y, x)


def test_second_order_with_nested_tapes():
    x = tf.placeholder(tf.float32, [3])
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(x * x * x)
        first = inner.gradient(y, x)
    second = outer.gradient(first, x)
    got = _run([first, second], {x: X})
    np.testing.assert_allclose(got[0], 3 * X ** 2)
    np.testing.assert_allclose(got[1], 6 * X)


def test_reset_forgets_recorded_ops():
    x = tf.placeholder(tf.float32, [3])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        p = x * x
        tape.reset()
        tape.watch(x)
        q = x * 4.0
        total = p + q
    np.testing.assert_allclose(_run(tape.gradient(total, x), {x: X}), [4, 4, 4])
    assert tape.gradient(p, x) is None


def test_integer_watch_is_ignored():
    xi = tf.constant([1, 2])
    with tf.GradientTape() as tape:
        tape.watch(xi)
        yi = xi * 2
    assert tape.gradient(yi, xi) is None


def test_jacobian_and_batch_jacobian():
    x = tf.placeholder(tf.float32, [3])
    xb = tf.placeholder(tf.float32, [2, 3])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, xb])
        j = x * x
        jb = xb * xb
    jac = tape.jacobian(j, x)
    batch_jac = tape.batch_jacobian(jb, xb)
    assert jac.shape.as_list() == [3, 3]
    rows = np.array([[1, 2, 3], [4, 5, 6]], np.float32)
    got = _run([jac, batch_jac], {x: X, xb: rows})
    np.testing.assert_allclose(got[0], np.diag(2 * X))
    np.testing.assert_allclose(got[1], np.stack([np.diag(2 * r) for r in rows]))


def test_jacobian_needs_static_target_shape():
    x = tf.placeholder(tf.float32, [None])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    with pytest.raises(ValueError, match="needs the target's shape known"):
        tape.jacobian(y, x)


def test_error_messages():
    x = tf.placeholder(tf.float32, [3])
    with tf.GradientTape() as tape:
        with pytest.raises(ValueError, match="Passed in object 5.0 of type 'float', not tf.Tensor"):
            tape.watch(5.0)
        tape.watch(x)
        y = x * x
    with pytest.raises(ValueError, match="Unknown value for unconnected_gradients: 'bogus'"):
        tape.gradient(y, x, unconnected_gradients="bogus")
    idle = tf.GradientTape()
    with pytest.raises(RuntimeError, match="Trying to stop recording a tape which is not recording"):
        with idle.stop_recording():
            pass
    with tf.GradientTape() as active:
        with pytest.raises(ValueError, match="re-enter an already-active tape"):
            active.__enter__()
