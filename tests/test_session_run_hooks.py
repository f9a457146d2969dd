"""SessionRunHook protocol and the stock hooks: each fires at exactly the documented steps."""
import json
import logging
import os
import threading
import time

import numpy as np
import pytest

import numflow as tf
from numflow.client.session import BaseSession
from numflow.framework import errors
from numflow.train import basic_session_run_hooks as hooks_module
from training_loop_helpers import (RecordingHook, checkpoint_steps, events_in, feed_for_step, linear_regression,
                                   session_log_steps, summary_steps)


@pytest.fixture(autouse=True)
def close_cached_writers():
    yield
    tf.summary.FileWriterCache.clear()


def train(sess, model, max_steps=1000):
    """Runs the training op with the step's batch until the session says stop; returns the runs made."""
    runs = 0
    while not sess.should_stop() and runs < max_steps:
        step = runs
        sess.run(model.train_op, feed_dict=feed_for_step(model, step))
        runs += 1
    return runs


class FakeClock:
    """Stands in for the `time` module of the hooks: time moves only when told."""

    def __init__(self):
        self.now = 1000.0

    def time(self):
        return self.now

    def sleep(self, secs):
        self.now += secs


# --- the value classes ---------------------------------------------------------------------------
def test_session_run_args_context_and_values():
    args = tf.train.SessionRunArgs("fetch")
    assert (args.fetches, args.feed_dict, args.options) == ("fetch", None, None)
    assert tf.train.SessionRunArgs(fetches=None, feed_dict={"a": 1}).feed_dict == {"a": 1}
    context = tf.train.SessionRunContext(original_args=args, session="sess")
    assert context.original_args is args and context.session == "sess" and not context.stop_requested
    context.request_stop()
    assert context.stop_requested
    values = tf.train.SessionRunValues(results=3, options=None, run_metadata=None)
    assert values.results == 3 and values._fields == ("results", "options", "run_metadata")
    base = tf.train.SessionRunHook()
    assert base.before_run(context) is None
    assert base.begin() is None and base.end(None) is None


# --- the protocol --------------------------------------------------------------------------------
def test_hook_methods_are_called_in_order_with_the_graph_finalized_after_begin():
    model = linear_regression()
    hook = RecordingHook(fetches={"step": model.global_step, "loss": model.loss})
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        train(sess, model, max_steps=3)
    assert hook.calls == ["begin", "after_create_session"] + ["before_run", "after_run"] * 3 + ["end"]
    assert hook.graph_finalized_at == {"begin": False, "after_create_session": True}
    # the results keep the fetch structure; the global step is read before this run's increment
    assert [r["step"] for r in hook.results] == [0, 1, 2]
    assert all(set(r) == {"step", "loss"} and np.isfinite(r["loss"]) for r in hook.results)
    assert not tf.get_default_graph().finalized     # released for the caller after close


def test_hooks_fetches_run_in_the_callers_single_session_run(monkeypatch):
    model = linear_regression()
    hooks = [RecordingHook(fetches=model.loss), RecordingHook(fetches=[model.w, model.global_step])]
    with tf.train.MonitoredSession(hooks=hooks) as sess:
        calls = []
        original = BaseSession.run

        def counting_run(self, fetches, *args, **kwargs):
            calls.append(fetches)
            return original(self, fetches, *args, **kwargs)
        monkeypatch.setattr(BaseSession, "run", counting_run)
        result = sess.run([model.train_op, model.loss], feed_dict=feed_for_step(model, 0))
    assert len(calls) == 1
    assert result[0] is None and result[1] == hooks[0].results[0]
    np.testing.assert_array_equal(hooks[1].results[0][0], np.zeros(3, np.float32))
    assert hooks[1].results[0][1] == 0


def test_run_context_holds_the_original_args_and_the_raw_session():
    model = linear_regression()
    seen = []

    class Inspect(tf.train.SessionRunHook):
        def before_run(self, run_context):
            seen.append((run_context.original_args, run_context.session))

    with tf.train.SingularMonitoredSession(hooks=[Inspect()]) as sess:
        feed = feed_for_step(model, 0)
        sess.run(model.loss, feed_dict=feed)
        raw = sess.raw_session()
    (args, session), = seen
    assert args.fetches is model.loss and args.feed_dict is feed and session is raw


def test_hook_feeds_are_merged_and_conflicts_are_errors():
    model = linear_regression()
    x, y = feed_for_step(model, 0).values()
    fed = tf.train.FeedFnHook(lambda: {model.x: x})
    with tf.train.MonitoredSession(hooks=[fed]) as sess:
        value = sess.run(model.loss, feed_dict={model.y: y})
        expected = sess.run(model.loss, feed_dict={model.y: y})
        assert value == expected
        with pytest.raises(RuntimeError, match=r"Same tensor is fed by a SessionRunHook and user\. Conflict"):
            sess.run(model.loss, feed_dict={model.x: x, model.y: y})
    second = tf.train.FeedFnHook(lambda: {model.x: x})
    with tf.train.MonitoredSession(hooks=[tf.train.FeedFnHook(lambda: {model.x: x}), second]) as sess:
        with pytest.raises(RuntimeError, match=r"Same tensor is fed by two hooks\. Conflict"):
            sess.run(model.loss, feed_dict={model.y: y})


def test_before_run_must_return_session_run_args():
    class Bad(tf.train.SessionRunHook):
        def before_run(self, run_context):
            return {"not": "args"}
    model = linear_regression()
    with tf.train.MonitoredSession(hooks=[Bad()]) as sess:
        with pytest.raises(TypeError, match=r"before_run\(\) of the session-run hook Bad must return a "
                                            r"SessionRunArgs or None"):
            sess.run(model.global_step)


def test_non_hooks_are_rejected():
    linear_regression()
    with pytest.raises(TypeError, match=r"hooks must be SessionRunHook instances, given: 'oops'"):
        tf.train.MonitoredSession(hooks=["oops"])
    with pytest.raises(TypeError, match=r"chief_only_hooks must be SessionRunHook instances"):
        tf.train.MonitoredTrainingSession(chief_only_hooks=[object()])
    with pytest.raises(TypeError, match=r"CheckpointSaverListener"):
        tf.train.CheckpointSaverHook("/tmp", save_steps=1, listeners=[object()])


# --- a failing hook ------------------------------------------------------------------------------
class FailAt(tf.train.SessionRunHook):
    """Raises ValueError in after_run once the global step reaches `step`."""

    def __init__(self, step):
        self.step = step

    def begin(self):
        self.global_step = tf.train.get_global_step()

    def before_run(self, run_context):
        return tf.train.SessionRunArgs(self.global_step)

    def after_run(self, run_context, run_values):
        if run_values.results + 1 >= self.step:
            raise ValueError("boom at %d" % (run_values.results + 1))


def test_a_failing_hook_propagates_named_and_leaves_written_checkpoints_intact(tmp_path):
    model = linear_regression()
    saver_hook = tf.train.CheckpointSaverHook(str(tmp_path), save_steps=2)
    ended = RecordingHook()
    with pytest.raises(ValueError, match="boom at 5") as info:
        with tf.train.MonitoredSession(hooks=[saver_hook, FailAt(5), ended]) as sess:
            train(sess, model)
    assert "raised in after_run() of the session-run hook FailAt" in info.value.__notes__
    assert ended.count("end") == 0                     # hooks' end() runs only after a clean finish
    assert checkpoint_steps(str(tmp_path)) == [0, 2, 4]
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-4")
    assert tf.train.load_variable(str(tmp_path), "global_step") == 4
    assert sess.should_stop()
    with pytest.raises(RuntimeError, match="Session is already closed"):
        sess.close()


def test_a_hook_failing_in_begin_or_end_is_named():
    class FailsInBegin(tf.train.SessionRunHook):
        def begin(self):
            raise KeyError("missing")
    linear_regression()
    with pytest.raises(KeyError) as info:
        tf.train.MonitoredSession(hooks=[FailsInBegin()])
    assert info.value.__notes__ == ["raised in begin() of the session-run hook FailsInBegin"]

    class FailsInEnd(tf.train.SessionRunHook):
        def end(self, session):
            raise OSError("disk full")
    sess = tf.train.MonitoredSession(hooks=[FailsInEnd()])
    with pytest.raises(OSError, match="disk full") as info:
        sess.close()
    assert "raised in end() of the session-run hook FailsInEnd" in info.value.__notes__
    assert sess.should_stop() and not tf.get_default_graph().finalized   # closed all the same


# --- StopAtStepHook ------------------------------------------------------------------------------
def test_stop_at_step_hook_last_step_and_num_steps(tmp_path):
    model = linear_regression()
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path),
                                           hooks=[tf.train.StopAtStepHook(last_step=7)]) as sess:
        assert train(sess, model) == 7
    # num_steps counts from the step the session starts at (here restored: 7)
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path),
                                           hooks=[tf.train.StopAtStepHook(num_steps=4)]) as sess:
        assert train(sess, model) == 4
    assert tf.train.load_variable(str(tmp_path), "global_step") == 11
    # last_step already reached: the first run is the last
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path),
                                           hooks=[tf.train.StopAtStepHook(last_step=5)]) as sess:
        assert train(sess, model) == 1


def test_stop_at_step_hook_errors():
    with pytest.raises(ValueError, match="One of num_steps or last_step must be specified"):
        tf.train.StopAtStepHook()
    with pytest.raises(ValueError, match="Only one of num_steps or last_step can be specified"):
        tf.train.StopAtStepHook(num_steps=1, last_step=2)
    tf.Variable(1.0)
    with pytest.raises(RuntimeError, match="Global step should be created to use StopAtStepHook"):
        tf.train.MonitoredSession(hooks=[tf.train.StopAtStepHook(num_steps=1)])


# --- SecondOrStepTimer ---------------------------------------------------------------------------
def test_second_or_step_timer_by_steps():
    timer = tf.train.SecondOrStepTimer(every_steps=3)
    assert timer.should_trigger_for_step(5)                 # the first step asked about
    assert timer.update_last_triggered_step(5) == (None, None)
    assert [s for s in range(5, 12) if timer.should_trigger_for_step(s)] == [8, 9, 10, 11]
    assert timer.last_triggered_step() == 5
    elapsed_secs, elapsed_steps = timer.update_last_triggered_step(8)
    assert elapsed_steps == 3 and elapsed_secs >= 0
    timer.reset()
    assert timer.last_triggered_step() is None and timer.should_trigger_for_step(8)


def test_second_or_step_timer_by_seconds(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(hooks_module, "time", clock)
    timer = tf.train.SecondOrStepTimer(every_secs=10)
    timer.update_last_triggered_step(0)
    clock.now += 9.5
    assert not timer.should_trigger_for_step(50)
    clock.now += 0.5
    assert timer.should_trigger_for_step(50) and not timer.should_trigger_for_step(0)
    assert timer.update_last_triggered_step(50) == (10.0, 50)


def test_second_or_step_timer_errors():
    with pytest.raises(ValueError, match="Either every_secs or every_steps should be provided"):
        tf.train.SecondOrStepTimer()
    with pytest.raises(ValueError, match="Can not provide both every_secs and every_steps"):
        tf.train.SecondOrStepTimer(every_secs=1, every_steps=1)


# --- CheckpointSaverHook -------------------------------------------------------------------------
class CountingListener(tf.train.CheckpointSaverListener):
    def __init__(self, stop_after=None):
        self.events = []
        self.stop_after = stop_after

    def begin(self):
        self.events.append(("begin",))

    def before_save(self, session, global_step_value):
        self.events.append(("before_save", global_step_value))

    def after_save(self, session, global_step_value):
        self.events.append(("after_save", global_step_value))
        return self.stop_after is not None and global_step_value >= self.stop_after

    def end(self, session, global_step_value):
        self.events.append(("end", global_step_value))


def test_checkpoint_saver_hook_saves_at_creation_every_n_steps_and_at_the_end(tmp_path):
    model = linear_regression()
    listener = CountingListener()
    hook = tf.train.CheckpointSaverHook(str(tmp_path), save_steps=3, listeners=[listener])
    with tf.train.MonitoredSession(hooks=[hook, tf.train.StopAtStepHook(last_step=10)]) as sess:
        train(sess, model)
    saved = [0, 3, 6, 9, 10]
    assert listener.events == [("begin",)] + [(kind, s) for s in saved for kind in ("before_save", "after_save")] \
        + [("end", 10)]
    assert checkpoint_steps(str(tmp_path)) == saved[-5:]
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path.endswith("model.ckpt-10")
    events = events_in(str(tmp_path))
    assert session_log_steps(events, tf.SessionLog.CHECKPOINT) == saved
    checkpoint_paths = {e.session_log.checkpoint_path for e in events if e.HasField("session_log")}
    assert checkpoint_paths == {os.path.join(str(tmp_path), "model.ckpt")}
    # no extra save at the end when the last step was just saved
    listener = CountingListener()
    hook = tf.train.CheckpointSaverHook(str(tmp_path / "b"), save_steps=2, listeners=[listener],
                                        checkpoint_basename="weights")
    with tf.train.MonitoredSession(hooks=[hook, tf.train.StopAtStepHook(num_steps=4)]) as sess:
        train(sess, model)
    assert [e[1] for e in listener.events if e[0] == "before_save"] == [0, 2, 4]
    assert sorted(f for f in os.listdir(str(tmp_path / "b")) if f.endswith(".index")) == \
        ["weights-0.index", "weights-2.index", "weights-4.index"]


def test_checkpoint_listener_returning_true_stops_training(tmp_path):
    model = linear_regression()
    listener = CountingListener(stop_after=4)
    hook = tf.train.CheckpointSaverHook(str(tmp_path), save_steps=2, listeners=[listener])
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        assert train(sess, model) == 4


def test_checkpoint_saver_hook_by_seconds(tmp_path, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(hooks_module, "time", clock)
    model = linear_regression()
    hook = tf.train.CheckpointSaverHook(str(tmp_path), save_secs=60)
    with tf.train.MonitoredSession(hooks=[hook, tf.train.StopAtStepHook(last_step=6)]) as sess:
        for step in range(6):
            clock.now += 25.0       # 25 s per step: due after steps 3 (75 s) and 6 (150 s)
            sess.run(model.train_op, feed_dict=feed_for_step(model, step))
    assert checkpoint_steps(str(tmp_path)) == [0, 3, 6]


def test_checkpoint_saver_hook_errors(tmp_path):
    saver_hook_args = dict(checkpoint_dir=str(tmp_path), save_steps=1)
    with pytest.raises(ValueError, match="You cannot provide both saver and scaffold"):
        tf.train.CheckpointSaverHook(saver=object(), scaffold=tf.train.Scaffold(), **saver_hook_args)
    with pytest.raises(ValueError, match="Either every_secs or every_steps"):
        tf.train.CheckpointSaverHook(str(tmp_path))
    tf.Variable(1.0)
    with pytest.raises(RuntimeError, match="Global step should be created to use CheckpointSaverHook"):
        tf.train.MonitoredSession(hooks=[tf.train.CheckpointSaverHook(**saver_hook_args)])
    tf.reset_default_graph()
    linear_regression()
    # a scaffold with its own saver leaves the SAVERS collection empty: the hook has no saver to use
    creator = tf.train.ChiefSessionCreator(scaffold=tf.train.Scaffold(saver=tf.train.Saver()))
    with pytest.raises(RuntimeError, match="No items in collection savers. Please add a saver"):
        tf.train.MonitoredSession(creator, hooks=[tf.train.CheckpointSaverHook(**saver_hook_args)])
    assert not tf.get_default_graph().finalized
    for _ in range(2):
        tf.add_to_collection(tf.GraphKeys.SAVERS, tf.train.Saver())
    with pytest.raises(RuntimeError, match="More than one item in collection savers"):
        tf.train.MonitoredSession(hooks=[tf.train.CheckpointSaverHook(**saver_hook_args)])


def test_checkpoint_saver_hook_with_an_explicit_saver(tmp_path):
    model = linear_regression()
    saver = tf.train.Saver(var_list=[model.w, model.global_step], max_to_keep=2)
    hook = tf.train.CheckpointSaverHook(str(tmp_path), save_steps=1, saver=saver)
    with tf.train.MonitoredSession(hooks=[hook, tf.train.StopAtStepHook(last_step=4)]) as sess:
        train(sess, model)
    assert checkpoint_steps(str(tmp_path)) == [3, 4]
    assert sorted(name for name, _ in tf.train.list_variables(str(tmp_path))) == ["global_step", "w"]


# --- LoggingTensorHook ---------------------------------------------------------------------------
def logged(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "numflow" and r.levelno == logging.INFO]


def test_logging_tensor_hook_every_n_iter(caplog):
    model = linear_regression()
    hook = tf.train.LoggingTensorHook({"step": model.global_step, "b": model.b}, every_n_iter=3)
    caplog.set_level(logging.INFO, logger="numflow")
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        train(sess, model, max_steps=8)
    lines = [line for line in logged(caplog) if line.startswith("b = ")]
    assert [line.split("step = ")[1].split(" ")[0] for line in lines] == ["0", "3", "6"]
    assert lines[0] == "b = 0.0, step = 0" and lines[1].endswith(" sec)")


def test_logging_tensor_hook_list_names_formatter_and_at_end(caplog):
    model = linear_regression()
    caplog.set_level(logging.INFO, logger="numflow")
    by_name = tf.train.LoggingTensorHook(["global_step", model.b.name], every_n_iter=2, at_end=True)
    formatted = tf.train.LoggingTensorHook({"gs": model.global_step}, at_end=True,
                                           formatter=lambda values: "FORMATTED gs=%d" % values["gs"])
    with tf.train.MonitoredSession(hooks=[by_name, formatted]) as sess:
        train(sess, model, max_steps=3)
    lines = logged(caplog)
    assert "global_step = 0, b:0 = 0.0" in lines        # list order kept; the first log has no timing
    step_lines = [line.split(",")[0] for line in lines if line.startswith("global_step = ")]
    assert step_lines == ["global_step = 0", "global_step = 2", "global_step = 3"]   # every 2 + at end
    assert [line for line in lines if line.startswith("FORMATTED")] == ["FORMATTED gs=3"]   # only at end


def test_logging_tensor_hook_errors():
    with pytest.raises(ValueError, match="exactly one of every_n_iter and every_n_secs must be provided"):
        tf.train.LoggingTensorHook({"a": "a"})
    with pytest.raises(ValueError, match="exactly one of every_n_iter and every_n_secs"):
        tf.train.LoggingTensorHook({"a": "a"}, every_n_iter=1, every_n_secs=1)
    with pytest.raises(ValueError, match="invalid every_n_iter=0"):
        tf.train.LoggingTensorHook({"a": "a"}, every_n_iter=0)
    with pytest.raises(TypeError, match="tensors must be a dict or a list"):
        tf.train.LoggingTensorHook("loss", every_n_iter=1)


# --- SummarySaverHook and StepCounterHook --------------------------------------------------------
def test_summary_saver_hook_every_n_steps(tmp_path):
    model = linear_regression()
    summary_op = tf.summary.merge_all()
    hook = tf.train.SummarySaverHook(save_steps=4, output_dir=str(tmp_path), summary_op=summary_op)
    with tf.train.MonitoredSession(hooks=[hook, tf.train.StopAtStepHook(last_step=10)]) as sess:
        train(sess, model)
    events = events_in(str(tmp_path))
    # recorded at the global step after the run that computed them: the first run, then every 4
    assert summary_steps(events, "loss") == [1, 5, 9]
    assert session_log_steps(events, tf.SessionLog.START) == [1]
    first_loss = [v.simple_value for e in events if e.HasField("summary") for v in e.summary.value][0]
    x, y = feed_for_step(model, 0).values()
    assert first_loss == pytest.approx(float(np.mean(y ** 2)), rel=1e-5)      # w = 0, b = 0 before step 1


def test_summary_saver_hook_with_a_writer_and_a_list_of_ops(tmp_path):
    model = linear_regression(summaries=False)
    writer = tf.summary.FileWriter(str(tmp_path))
    ops = [tf.summary.scalar("w0", model.w[0]), tf.summary.scalar("bias", model.b)]
    hook = tf.train.SummarySaverHook(save_steps=2, summary_writer=writer, summary_op=ops)
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        train(sess, model, max_steps=4)
    events = events_in(str(tmp_path))
    assert summary_steps(events, "w0") == summary_steps(events, "bias") == [1, 3]


def test_summary_saver_hook_errors():
    with pytest.raises(ValueError, match="Exactly one of scaffold or summary_op must be provided"):
        tf.train.SummarySaverHook(save_steps=1)
    with pytest.raises(ValueError, match="Exactly one of scaffold or summary_op must be provided"):
        tf.train.SummarySaverHook(save_steps=1, scaffold=tf.train.Scaffold(), summary_op="op")


def test_step_counter_hook_writes_global_step_per_sec(tmp_path, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(hooks_module, "time", clock)
    model = linear_regression()
    hook = tf.train.StepCounterHook(every_n_steps=5, output_dir=str(tmp_path))
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        for step in range(12):
            clock.now += 0.5
            sess.run(model.train_op, feed_dict=feed_for_step(model, step))
    events = events_in(str(tmp_path))
    assert summary_steps(events, "global_step/sec") == [6, 11]
    rates = [v.simple_value for e in events if e.HasField("summary") for v in e.summary.value]
    assert rates == [2.0, 2.0]          # 5 steps per 2.5 s


def test_step_counter_hook_errors():
    with pytest.raises(ValueError, match="exactly one of every_n_steps and every_n_secs should be provided"):
        tf.train.StepCounterHook(every_n_steps=None)
    with pytest.raises(ValueError, match="exactly one of every_n_steps and every_n_secs"):
        tf.train.StepCounterHook(every_n_steps=1, every_n_secs=1)


# --- NanTensorHook -------------------------------------------------------------------------------
def nan_model():
    global_step = tf.train.get_or_create_global_step()
    scale = tf.placeholder(tf.float32, [], name="scale")
    w = tf.Variable(1.0)
    loss = scale * w
    train_op = tf.train.GradientDescentOptimizer(0.0).minimize(loss, global_step=global_step)
    return scale, loss, train_op


def test_nan_tensor_hook_raises_and_names_itself():
    scale, loss, train_op = nan_model()
    with pytest.raises(tf.train.NanLossDuringTrainingError, match=r"NaN loss during training\.") as info:
        with tf.train.MonitoredSession(hooks=[tf.train.NanTensorHook(loss)]) as sess:
            sess.run(train_op, feed_dict={scale: 2.0})
            sess.run(train_op, feed_dict={scale: np.nan})
    assert isinstance(info.value, RuntimeError) and str(info.value) == "NaN loss during training."
    assert info.value.__notes__ == ["raised in after_run() of the session-run hook NanTensorHook"]


def test_nan_tensor_hook_can_just_stop(caplog):
    scale, loss, train_op = nan_model()
    with tf.train.MonitoredSession(hooks=[tf.train.NanTensorHook(loss, fail_on_nan_loss=False)]) as sess:
        sess.run(train_op, feed_dict={scale: 2.0})
        assert not sess.should_stop()
        sess.run(train_op, feed_dict={scale: np.nan})
        assert sess.should_stop()
    assert "Model diverged with loss = NaN." in caplog.text


# --- FinalOpsHook, FeedFnHook, GlobalStepWaiterHook, ProfilerHook --------------------------------
def test_final_ops_hook_runs_once_at_the_end():
    model = linear_regression()
    feed = feed_for_step(model, 0)
    hook = tf.train.FinalOpsHook({"b": model.b, "loss": model.loss}, final_ops_feed_dict=feed)
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        assert hook.final_ops_values is None
        train(sess, model, max_steps=3)
        b_now = sess.run(model.b)
        loss_now = sess.run(model.loss, feed_dict=feed)
        assert hook.final_ops_values is None
    assert hook.final_ops_values == {"b": b_now, "loss": loss_now}


def test_final_ops_hook_reaching_the_end_of_input_is_reported(caplog):
    def exhausted():
        raise errors.OutOfRangeError(None, None, "End of sequence")
    final = tf.train.FinalOpsHook(tf.py_func(exhausted, [], tf.float32))
    linear_regression()
    sess = tf.train.MonitoredSession(hooks=[final])
    with pytest.raises(errors.OutOfRangeError, match="End of sequence"):
        sess.close()
    assert "should only read variables" in caplog.text


def test_feed_fn_hook_feeds_every_run():
    model = linear_regression()
    calls = []

    def feed_fn():
        calls.append(1)
        return feed_for_step(model, len(calls) - 1)
    with tf.train.MonitoredSession(hooks=[tf.train.FeedFnHook(feed_fn)]) as sess:
        for _ in range(3):
            sess.run(model.train_op)
        assert sess.run(model.global_step) == 3
    assert len(calls) == 4


def test_global_step_waiter_hook_waits_for_the_step(monkeypatch):
    monkeypatch.setattr(tf.train.GlobalStepWaiterHook, "_POLL_SECS", 0.005)
    model = linear_regression()
    increment = tf.assign_add(model.global_step, 1)
    started = []

    class BumpInBackground(tf.train.SessionRunHook):
        """Another 'worker' advancing the global step while the waiter holds the first run back."""

        def after_create_session(self, session, coord):
            def bump():
                for _ in range(3):
                    time.sleep(0.01)
                    session.run(increment)
            self.thread = threading.Thread(target=bump)
            self.thread.start()

    bumper = BumpInBackground()
    waiter = tf.train.GlobalStepWaiterHook(wait_until_step=3)
    with tf.train.MonitoredSession(hooks=[bumper, waiter, RecordingHook()]) as sess:
        first = sess.run(model.global_step)
        started.append(first)
        bumper.thread.join()
    assert started == [3]
    no_wait = tf.train.GlobalStepWaiterHook(wait_until_step=0)
    with tf.train.MonitoredSession(hooks=[no_wait]) as sess:
        assert sess.run(model.global_step) == 0


def test_profiler_hook_writes_chrome_traces(tmp_path):
    model = linear_regression()
    hook = tf.train.ProfilerHook(save_steps=2, output_dir=str(tmp_path))
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        train(sess, model, max_steps=6)
    names = sorted(os.listdir(str(tmp_path)))
    # the first run only starts the timer; then every 2 steps, named by the step after the traced run
    assert names == ["timeline-2.json", "timeline-4.json", "timeline-6.json"]
    with open(os.path.join(str(tmp_path), names[0])) as handle:
        trace = json.load(handle)
    run_event = [e for e in trace["traceEvents"] if e["ph"] == "X"][0]
    assert run_event["name"] == "Session.run" and run_event["dur"] >= 0 and run_event["args"]["global_step"] == 2
    with pytest.raises(ValueError, match="Either every_secs or every_steps"):
        tf.train.ProfilerHook()


def test_run_options_are_merged_and_run_metadata_is_the_callers():
    model = linear_regression()
    seen = []

    class Tracing(tf.train.SessionRunHook):
        def before_run(self, run_context):
            return tf.train.SessionRunArgs(None, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE))

        def after_run(self, run_context, run_values):
            seen.append((run_values.options, run_values.run_metadata))

    metadata = tf.RunMetadata()
    with tf.train.MonitoredSession(hooks=[Tracing()]) as sess:
        sess.run(model.global_step, options=tf.RunOptions(trace_level=tf.RunOptions.SOFTWARE_TRACE,
                                                          timeout_in_ms=50), run_metadata=metadata)
        sess.run(model.global_step)
    (options, run_metadata), (_, default_metadata) = seen
    assert options.trace_level == tf.RunOptions.FULL_TRACE and options.timeout_in_ms == 50
    assert run_metadata is metadata and isinstance(default_metadata, tf.RunMetadata)
