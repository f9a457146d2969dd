"""tf.train.Supervisor and LooperThread: managed sessions, the standard services and their threads."""
import os
import threading
import time

import numpy as np
import pytest

import numflow as tf
from numflow.framework import errors
from training_loop_helpers import (checkpoint_steps, events_in, feed_for_step, linear_regression, session_log_steps,
                                   summary_steps)

SHORT = 0.02     # seconds: the period of the services in these tests


def wait_until(predicate, timeout=5.0):
    """Polls `predicate` until it holds (a background service did its first round), at most `timeout` s."""
    deadline = time.time() + timeout
    while not predicate():
        assert time.time() < deadline, "timed out waiting for a background service"
        time.sleep(0.005)


def supervisor_threads():
    return [t for t in threading.enumerate() if isinstance(t, tf.train.LooperThread)]


@pytest.fixture(autouse=True)
def no_thread_left_behind():
    yield
    assert supervisor_threads() == []


def test_managed_session_trains_and_runs_the_standard_services(tmp_path):
    model = linear_regression(summaries=False)
    tf.summary.scalar("bias", model.b)
    logdir = str(tmp_path)
    sv = tf.train.Supervisor(logdir=logdir, save_summaries_secs=SHORT, save_model_secs=SHORT)
    assert tf.get_default_graph().finalized
    assert sv.is_chief and sv.global_step is model.global_step and sv.saver is not None
    assert sv.summary_op is not None and sv.save_path == os.path.join(logdir, "model.ckpt")
    with sv.managed_session() as sess:
        assert len(supervisor_threads()) == 3                  # summaries, steps/sec, checkpoints
        for step in range(20):
            if sv.should_stop():
                break
            sess.run(model.train_op, feed_dict=feed_for_step(model, step))
        # the services run once at the start, then every SHORT seconds: wait for a later round
        wait_until(lambda: 20 in checkpoint_steps(logdir))
    assert sv.should_stop()
    assert set(checkpoint_steps(logdir)) <= set(range(21))
    events = events_in(logdir)
    assert session_log_steps(events, tf.SessionLog.START) == [0]
    assert session_log_steps(events, tf.SessionLog.STOP) == [0]
    assert any(e.HasField("graph_def") for e in events)
    assert summary_steps(events, "global_step/sec") and summary_steps(events, "bias")
    assert session_log_steps(events, tf.SessionLog.CHECKPOINT)


def test_the_summary_thread_writes_the_summary_op(tmp_path):
    global_step = tf.train.get_or_create_global_step()
    counter = tf.Variable(3.0, name="counter")
    tf.summary.scalar("counter_value", counter)
    sv = tf.train.Supervisor(logdir=str(tmp_path), save_summaries_secs=SHORT, save_model_secs=0)
    with sv.managed_session() as sess:
        def summary_written():
            sv.summary_writer.flush()
            return summary_steps(events_in(str(tmp_path)), "counter_value")
        wait_until(summary_written)
        assert sess.run(global_step) == 0
    events = events_in(str(tmp_path))
    assert summary_steps(events, "counter_value")[0] == 0
    values = [v.simple_value for e in events if e.HasField("summary") for v in e.summary.value
              if v.tag == "counter_value"]
    assert values[0] == 3.0
    assert checkpoint_steps(str(tmp_path)) == []               # save_model_secs=0: no checkpoint thread


def test_restores_from_the_logdir_and_skips_init_fn(tmp_path):
    logdir = str(tmp_path)
    calls = []

    def run_once():
        tf.reset_default_graph()
        model = linear_regression()
        sv = tf.train.Supervisor(logdir=logdir, save_model_secs=0, save_summaries_secs=0,
                                 init_fn=lambda sess: calls.append(sess))
        with sv.managed_session() as sess:
            start = sess.run(model.global_step)
            for step in range(start, start + 5):
                sess.run(model.train_op, feed_dict=feed_for_step(model, step))
            sv.saver.save(sess, sv.save_path, global_step=model.global_step)
            return start, sess.run(model.w)

    start, w = run_once()
    assert start == 0 and len(calls) == 1
    start, _ = run_once()
    assert start == 5 and len(calls) == 1                  # restored: init_fn is not called again
    assert tf.train.latest_checkpoint(logdir).endswith("model.ckpt-10")


def test_an_exception_in_the_body_is_reraised_after_stopping_everything(tmp_path):
    linear_regression(summaries=False)
    sv = tf.train.Supervisor(logdir=str(tmp_path), save_summaries_secs=SHORT, save_model_secs=SHORT)
    with pytest.raises(ZeroDivisionError):
        with sv.managed_session() as sess:
            1 / 0
    assert sv.should_stop()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session"):
        sess.run(sv.global_step)


def test_a_service_thread_error_is_reraised_when_the_session_ends(tmp_path):
    model = linear_regression()      # its loss summary needs a feed: the summary thread cannot run it
    sv = tf.train.Supervisor(logdir=str(tmp_path), save_summaries_secs=SHORT, save_model_secs=0)
    with pytest.raises(errors.InvalidArgumentError, match="You must feed a value for placeholder tensor 'x'"):
        with sv.managed_session() as sess:
            sv.wait_for_stop()
            assert sv.should_stop()
            sess.run(model.train_op, feed_dict=feed_for_step(model, 0))     # the session itself still works
    assert tf.train.latest_checkpoint(str(tmp_path)) is None


def test_out_of_range_in_the_body_is_a_clean_stop(tmp_path):
    linear_regression()
    sv = tf.train.Supervisor(logdir=str(tmp_path), save_summaries_secs=0, save_model_secs=0)
    with sv.managed_session():
        raise errors.OutOfRangeError(None, None, "End of sequence")
    assert sv.should_stop()


def test_loop_calls_its_target_until_stop_and_reports_its_errors(tmp_path):
    linear_regression()
    sv = tf.train.Supervisor(logdir=str(tmp_path), save_summaries_secs=0, save_model_secs=0)
    ticks = []
    with sv.managed_session():
        looper = sv.loop(SHORT / 4, ticks.append, args=("tick",))
        assert isinstance(looper, tf.train.LooperThread)
        wait_until(lambda: len(ticks) >= 2)
    assert not looper.is_alive() and len(ticks) >= 2 and set(ticks) == {"tick"}

    def fail():
        raise ValueError("target failed")
    with pytest.raises(ValueError, match="target failed"):
        with sv.managed_session():
            sv.loop(None, fail)
            sv.wait_for_stop()


def test_looper_thread_runs_back_to_back_without_interval():
    coord = tf.train.Coordinator()
    calls = []

    def target():
        calls.append(1)
        if len(calls) == 5:
            coord.request_stop()
    looper = tf.train.LooperThread.loop(coord, None, target)
    coord.join([looper])
    assert len(calls) == 5


def test_looper_thread_errors():
    with pytest.raises(ValueError, match="'coord' argument must be a Coordinator"):
        tf.train.LooperThread("coord", 1.0)
    with pytest.raises(ValueError, match="'args' and 'kwargs' argument require that you also pass 'target'"):
        tf.train.LooperThread(tf.train.Coordinator(), 1.0, args=(1,))


def test_summary_computed(tmp_path):
    model = linear_regression()
    sv = tf.train.Supervisor(logdir=str(tmp_path), save_summaries_secs=0, save_model_secs=0)
    with sv.managed_session() as sess:
        for step in range(3):
            sess.run(model.train_op, feed_dict=feed_for_step(model, step))
        summary = sess.run(tf.get_collection(tf.GraphKeys.SUMMARIES)[0], feed_dict=feed_for_step(model, 3))
        sv.summary_computed(sess, summary)
        sv.summary_computed(sess, summary, global_step=42)
    assert summary_steps(events_in(str(tmp_path)), "loss") == [3, 42]
    tf.reset_default_graph()
    tf.Variable(1.0)
    quiet = tf.train.Supervisor(logdir=None)
    with quiet.managed_session() as sess:
        assert quiet.summary_writer is None
        with pytest.raises(RuntimeError, match="Writing a summary requires a summary writer"):
            quiet.summary_computed(sess, b"")


def test_without_logdir_no_services_and_no_checkpoints(caplog):
    model = linear_regression()
    sv = tf.train.Supervisor(save_summaries_secs=SHORT, save_model_secs=SHORT)
    with sv.managed_session() as sess:
        assert supervisor_threads() == []
        np.testing.assert_array_equal(sess.run(model.w), np.zeros(3, np.float32))
    assert "Standard services need a 'logdir'" in caplog.text


def test_prepare_or_wait_for_session_without_services_and_explicit_ops(tmp_path):
    global_step = tf.train.get_or_create_global_step()
    value = tf.Variable(1.0, name="value")
    start = tf.placeholder(tf.float32, [])
    init_op = tf.group(tf.global_variables_initializer(), tf.assign(value, start))
    sv = tf.train.Supervisor(logdir=str(tmp_path), init_op=init_op, init_feed_dict={start: 4.0}, summary_op=None,
                             global_step=global_step, save_model_secs=SHORT)
    sess = sv.prepare_or_wait_for_session(start_standard_services=False)
    assert supervisor_threads() == [] and sess.run(value) == 4.0
    assert sv.init_op is init_op and sv.init_feed_dict == {start: 4.0} and sv.summary_op is None
    threads = sv.start_standard_services(sess)
    assert len(threads) == 2                                # step counter and checkpoints, no summaries
    wait_until(lambda: checkpoint_steps(str(tmp_path)))
    sv.stop()
    sess.close()
    assert all(not t.is_alive() for t in threads) and checkpoint_steps(str(tmp_path)) == [0]


def test_queue_runners_are_started_through_tf_train(tmp_path, monkeypatch):
    tf.Variable(1.0)
    started = []
    monkeypatch.setattr(tf.train, "start_queue_runners",
                        lambda sess=None, coord=None, daemon=True, start=True, collection=None:
                        started.append((sess, coord)) or [])

    class FakeRunner:
        def create_threads(self, sess, coord=None, daemon=False, start=False):
            started.append(("runner", coord, daemon, start))
            return []
    tf.add_to_collection(tf.GraphKeys.QUEUE_RUNNERS, FakeRunner())
    sv = tf.train.Supervisor(logdir=str(tmp_path), save_summaries_secs=0, save_model_secs=0)
    with sv.managed_session() as sess:
        assert started == [(sess, sv.coord)]
        assert sv.start_queue_runners(sess, [FakeRunner()]) == []
        assert started[1] == ("runner", sv.coord, True, True)


def test_non_chief_restrictions(tmp_path):
    with tf.device("/job:ps/task:0"):
        tf.Variable(1.0)
    sv = tf.train.Supervisor(is_chief=False, logdir=str(tmp_path), recovery_wait_secs=0)
    assert sv.summary_writer is None and sv.save_path is None and not sv.is_chief
    with pytest.raises(RuntimeError, match="Only chief supervisor can start standard services"):
        sv.start_standard_services(None)
    with pytest.raises(errors.DeadlineExceededError, match="Session was not ready after waiting 0 secs"):
        sv.prepare_or_wait_for_session(max_wait_secs=0)
    tf.reset_default_graph()
    tf.Variable(1.0, name="undevised")
    with pytest.raises(ValueError, match="When using replicas, all Variables must have their device set"):
        tf.train.Supervisor(is_chief=False)
