"""tf.train.ExponentialMovingAverage, tf.train.Coordinator and tf.train.start_queue_runners."""
import threading

import numpy as np
import pytest

import numflow as tf


def test_ema_shadow_variables_and_updates():
    v = tf.Variable([1.0, 2.0], name="v")
    w = tf.Variable(5.0, name="w")
    ema = tf.train.ExponentialMovingAverage(0.9)
    update = ema.apply([v, w])
    shadow = ema.average(v)
    assert shadow.name == "v/ExponentialMovingAverage:0"
    assert ema.average_name(v) == "v/ExponentialMovingAverage"
    assert shadow not in tf.trainable_variables() and shadow in tf.global_variables()
    assert tf.moving_average_variables() == [v, w]
    assert ema.average(tf.Variable(0.0)) is None
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(shadow), [1.0, 2.0])
        sess.run(v.assign([3.0, 4.0]))
        sess.run(w.assign(15.0))
        sess.run(update)
        np.testing.assert_allclose(sess.run(shadow), [1.2, 2.2], rtol=1e-6)
        np.testing.assert_allclose(sess.run(ema.average(w)), 6.0, rtol=1e-6)
        sess.run(update)
        np.testing.assert_allclose(sess.run(shadow), [1.2 + 0.1 * 1.8, 2.2 + 0.1 * 1.8], rtol=1e-6)


def test_ema_num_updates_caps_decay():
    v = tf.Variable(0.0)
    step = tf.Variable(0, trainable=False)
    ema = tf.train.ExponentialMovingAverage(0.999, num_updates=step)
    update = ema.apply([v])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(v.assign(10.0))
        sess.run(update)   # decay = min(0.999, 1 / 10) = 0.1
        np.testing.assert_allclose(sess.run(ema.average(v)), 9.0, rtol=1e-6)


def test_ema_of_tensor_with_zero_debias():
    x = tf.placeholder(tf.float32, [])
    value = tf.identity(x, name="value")
    ema = tf.train.ExponentialMovingAverage(0.5, zero_debias=True)
    update = ema.apply([value])
    avg = ema.average(value)
    assert avg.op.name == "value/ExponentialMovingAverage"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(update, {x: 4.0})
        np.testing.assert_allclose(sess.run(avg), 4.0, rtol=1e-6)   # debiased: exactly the first value
        sess.run(update, {x: 8.0})
        # biased = 0.5 * 2 + 0.5 * 8 = 5 (from 0 -> 2 -> 5); unbiased = 5 / (1 - 0.25)
        np.testing.assert_allclose(sess.run(avg), 5.0 / 0.75, rtol=1e-6)


def test_ema_variables_to_restore_and_saver(tmp_path):
    v = tf.Variable([1.0, 2.0], name="v")
    other = tf.Variable(3.0, name="other", trainable=False)
    ema = tf.train.ExponentialMovingAverage(0.5)
    update = ema.apply([v])
    mapping = ema.variables_to_restore()
    assert mapping["v/ExponentialMovingAverage"] is v
    assert mapping["other"] is other
    assert "v" not in mapping
    saver = tf.train.Saver()
    path = str(tmp_path / "model.ckpt")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(v.assign([5.0, 6.0]))
        sess.run(update)   # shadow = 0.5 * [1, 2] + 0.5 * [5, 6] = [3, 4]
        saver.save(sess, path, write_meta_graph=False)
    tf.reset_default_graph()
    v = tf.Variable([0.0, 0.0], name="v")
    tf.Variable(0.0, name="other", trainable=False)
    restorer = tf.train.Saver(tf.train.ExponentialMovingAverage(0.5).variables_to_restore())
    with tf.Session() as sess:
        restorer.restore(sess, path)
        np.testing.assert_allclose(sess.run(v), [3.0, 4.0])


def test_ema_errors():
    ema = tf.train.ExponentialMovingAverage(0.9)
    with pytest.raises(TypeError, match="must be half, float, or double"):
        ema.apply([tf.Variable(1, name="i")])
    v = tf.Variable(1.0)
    ema.apply([v])
    with pytest.raises(ValueError, match="Moving average already computed for"):
        ema.apply([v])


def test_ema_default_var_list_is_trainable_variables():
    a = tf.Variable(1.0, name="a")
    tf.Variable(2.0, name="b", trainable=False)
    ema = tf.train.ExponentialMovingAverage(0.9, name="avg")
    ema.apply()
    assert ema.average(a).op.name == "a/avg"
    assert len(tf.moving_average_variables()) == 1


# --- Coordinator ----------------------------------------------------------------------------------
def test_coordinator_stops_threads_and_joins():
    coord = tf.train.Coordinator()
    seen = []

    def worker():
        while not coord.should_stop():
            seen.append(1)
            coord.wait_for_stop(0.001)
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    assert not coord.should_stop()
    coord.request_stop()
    coord.join(threads)
    assert coord.should_stop() and coord.joined
    assert all(not t.is_alive() for t in threads)


def test_coordinator_reraises_first_exception():
    coord = tf.train.Coordinator()

    def failing():
        with coord.stop_on_exception():
            raise RuntimeError("worker failed")
    thread = threading.Thread(target=failing)
    thread.start()
    with pytest.raises(RuntimeError, match="worker failed"):
        coord.join([thread])


def test_coordinator_clean_stop_exceptions_and_clear():
    coord = tf.train.Coordinator()
    with coord.stop_on_exception():
        raise tf.errors.OutOfRangeError(None, None, "input exhausted")
    assert coord.should_stop()
    coord.join([])   # OutOfRangeError stops cleanly: nothing to re-raise
    coord.clear_stop()
    assert not coord.should_stop()
    coord.request_stop(ValueError("boom"))
    with pytest.raises(ValueError, match="boom"):
        coord.raise_requested_exception()


def test_coordinator_straggler_threads():
    coord = tf.train.Coordinator()
    release = threading.Event()
    thread = threading.Thread(target=release.wait, name="straggler")
    thread.start()
    coord.request_stop()
    try:
        with pytest.raises(RuntimeError, match="threads still running: straggler"):
            coord.join([thread], stop_grace_period_secs=0.01)
    finally:
        release.set()
        thread.join()


def test_start_queue_runners_returns_no_threads():
    coord = tf.train.Coordinator()
    with tf.Session() as sess:
        assert tf.train.start_queue_runners(sess=sess, coord=coord) == []
        with sess.as_default():
            assert tf.train.start_queue_runners(coord=coord) == []
    with pytest.raises(ValueError, match="No default session is registered"):
        tf.train.start_queue_runners()
