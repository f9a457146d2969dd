"""MonitoredSession, MonitoredTrainingSession, SingularMonitoredSession, Scaffold, SessionManager and
the session creators: initialization, resuming, clean ends, recovery and errors."""
import os
import threading

import numpy as np
import pytest

import numflow as tf
from numflow.framework import errors
from numflow.train import basic_session_run_hooks as hooks_module
from numflow.train import monitored_session as monitored_module
from training_loop_helpers import (RecordingHook, checkpoint_steps, events_in, feed_for_step, linear_regression,
                                   session_log_steps, summary_steps)


@pytest.fixture(autouse=True)
def close_cached_writers():
    yield
    tf.summary.FileWriterCache.clear()


def train_to_the_end(sess, model):
    """Runs the training op on each step's own batch (read through a step_fn) until should_stop."""
    def step_fn(step_context):
        step = step_context.session.run(model.global_step)
        return step_context.run_with_hooks(model.train_op, feed_dict=feed_for_step(model, step))
    runs = 0
    while not sess.should_stop():
        sess.run_step_fn(step_fn)
        runs += 1
    return runs


def final_values(checkpoint_dir):
    return {name: tf.train.load_variable(checkpoint_dir, name) for name in ("w", "b", "global_step")}


# --- MonitoredTrainingSession --------------------------------------------------------------------
def test_initializes_the_model_and_stops_at_the_last_step():
    model = linear_regression()
    local = tf.Variable(np.float32(7.0), collections=[tf.GraphKeys.LOCAL_VARIABLES], name="local")
    with tf.train.MonitoredTrainingSession(hooks=[tf.train.StopAtStepHook(last_step=5)]) as sess:
        assert sess.run(local) == 7.0                              # local_init_op ran
        np.testing.assert_array_equal(sess.run(model.w), np.zeros(3, np.float32))
        assert sess.graph is tf.get_default_graph() and sess.graph.finalized
        assert train_to_the_end(sess, model) == 5
        assert sess.should_stop()
        with pytest.raises(RuntimeError, match="Run called even after should_stop requested"):
            sess.run(model.train_op, feed_dict=feed_for_step(model, 5))
    assert sess.should_stop()
    assert not tf.get_default_graph().finalized


def test_resumes_from_the_newest_checkpoint_like_an_uninterrupted_run(tmp_path):
    def run(checkpoint_dir, last_step):
        tf.reset_default_graph()
        model = linear_regression()
        with tf.train.MonitoredTrainingSession(checkpoint_dir=checkpoint_dir, save_checkpoint_steps=20,
                                               hooks=[tf.train.StopAtStepHook(last_step=last_step)]) as sess:
            start = sess.run_step_fn(read_step(model))
            runs = train_to_the_end(sess, model)
        return start, runs, final_values(checkpoint_dir)

    interrupted, uninterrupted = str(tmp_path / "interrupted"), str(tmp_path / "uninterrupted")
    assert run(interrupted, 50)[:2] == (0, 50)
    assert checkpoint_steps(interrupted) == [0, 20, 40, 50]
    start, runs, resumed = run(interrupted, 100)
    assert (start, runs) == (50, 50)
    # the restart saves its starting step, then every 20 steps; the Saver adopted the older checkpoints, so
    # max_to_keep=5 deleted 0 and 20
    assert checkpoint_steps(interrupted) == [40, 50, 70, 90, 100]
    _, runs, straight = run(uninterrupted, 100)
    assert runs == 100 and resumed["global_step"] == straight["global_step"] == 100
    np.testing.assert_array_equal(resumed["w"], straight["w"])
    assert resumed["b"] == straight["b"]
    assert not np.array_equal(resumed["w"], np.zeros(3))


def read_step(model):
    def step_fn(step_context):
        return int(step_context.session.run(model.global_step))
    return step_fn


def test_checkpoints_and_events_are_written_where_tensorflow_writes_them(tmp_path):
    model = linear_regression()
    folder = str(tmp_path)
    with tf.train.MonitoredTrainingSession(checkpoint_dir=folder, save_checkpoint_steps=10, save_summaries_steps=10,
                                           log_step_count_steps=10,
                                           hooks=[tf.train.StopAtStepHook(last_step=25)]) as sess:
        train_to_the_end(sess, model)
    assert checkpoint_steps(folder) == [0, 10, 20, 25]
    assert os.path.exists(os.path.join(folder, "model.ckpt-25.meta"))
    assert tf.train.latest_checkpoint(folder) == os.path.join(folder, "model.ckpt-25")
    events = events_in(folder)
    assert events[0].file_version == "brain.Event:2"
    assert any(e.HasField("graph_def") for e in events)
    assert summary_steps(events, "loss") == [1, 11, 21]
    assert summary_steps(events, "global_step/sec") == [11, 21]
    assert session_log_steps(events, tf.SessionLog.START) == [1]
    assert session_log_steps(events, tf.SessionLog.CHECKPOINT) == [0, 10, 20, 25]


def test_summary_dir_apart_from_checkpoints_and_switched_off_services(tmp_path):
    model = linear_regression()
    checkpoints, summaries = str(tmp_path / "ckpt"), str(tmp_path / "summaries")
    os.makedirs(checkpoints)
    with tf.train.MonitoredTrainingSession(checkpoint_dir=checkpoints, summary_dir=summaries,
                                           save_checkpoint_secs=None, save_summaries_steps=2, log_step_count_steps=0,
                                           hooks=[tf.train.StopAtStepHook(last_step=4)]) as sess:
        train_to_the_end(sess, model)
    assert os.listdir(checkpoints) == []                   # no CheckpointSaverHook
    events = events_in(summaries)
    assert summary_steps(events, "loss") == [1, 3] and summary_steps(events, "global_step/sec") == []


def hook_types(sess):
    return [type(hook).__name__ for hook in sess._hooks]


def test_default_periods_follow_tensorflow(tmp_path, monkeypatch):
    linear_regression()
    made = []

    class Recorder(hooks_module.SecondOrStepTimer):
        def __init__(self, every_secs=None, every_steps=None):
            made.append((every_secs, every_steps))
            super().__init__(every_secs, every_steps)
    monkeypatch.setattr(hooks_module, "SecondOrStepTimer", Recorder)
    chief_hook, user_hook = RecordingHook(), RecordingHook()
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), hooks=[user_hook],
                                           chief_only_hooks=[chief_hook]) as sess:
        assert hook_types(sess) == ["RecordingHook", "StepCounterHook", "SummarySaverHook", "CheckpointSaverHook",
                                    "RecordingHook"]
        assert sess._hooks[0] is chief_hook and sess._hooks[-1] is user_hook
    # step counter every 100 steps, summaries every 100 steps, checkpoints every 600 seconds
    assert made == [(None, 100), (None, 100), (600, None)]
    made.clear()
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_summaries_secs=30,
                                           save_checkpoint_steps=7) as sess:
        pass
    assert made == [(None, 100), (30, None), (None, 7)]
    with tf.train.MonitoredTrainingSession() as sess:          # no folder: no hooks at all
        assert hook_types(sess) == []
    with pytest.raises(ValueError, match="Can not provide both every_secs and every_steps"):
        tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_checkpoint_secs=5,
                                          save_checkpoint_steps=5)


def test_a_non_chief_waits_for_a_ready_model_then_gives_up(monkeypatch):
    linear_regression()
    monkeypatch.setattr(monitored_module.time, "sleep", lambda secs: None)
    chief_hook = RecordingHook()
    with pytest.raises(errors.DeadlineExceededError, match=r"Session was not ready after waiting 0 secs.*"
                                                           r"Variables not initialized: global_step, w, b"):
        tf.train.MonitoredTrainingSession(is_chief=False, max_wait_secs=0, chief_only_hooks=[chief_hook])
    assert chief_hook.calls == []
    assert not tf.get_default_graph().finalized
    tf.reset_default_graph()
    constant = tf.constant(3.0)           # nothing to initialize: a worker's session is ready at once
    with tf.train.MonitoredSession(tf.train.WorkerSessionCreator(max_wait_secs=0)) as sess:
        assert sess.run(constant) == 3.0


# --- ending the loop -----------------------------------------------------------------------------
def counting_input(limit):
    """A py_func op that returns 1, 2, ... and raises OutOfRangeError after `limit` values, as the end of
    an input pipeline does."""
    produced = [0]

    def next_value():
        if produced[0] >= limit:
            raise errors.OutOfRangeError(None, None, "End of sequence")
        produced[0] += 1
        return np.float32(produced[0])
    return tf.py_func(next_value, [], tf.float32)


@pytest.mark.filterwarnings("ignore:The .meta graph leaves out")   # a py_func has no serialized form
def test_out_of_range_ends_the_with_block_cleanly(tmp_path):
    global_step = tf.train.get_or_create_global_step()
    value = counting_input(limit=4)
    total = tf.Variable(0.0)
    train_op = tf.group(tf.assign_add(total, value), tf.assign_add(global_step, 1))
    final = tf.train.FinalOpsHook(total)
    runs = 0
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), hooks=[final]) as sess:
        while not sess.should_stop():
            sess.run(train_op)
            runs += 1
    assert runs == 4 and sess.should_stop()
    assert final.final_ops_values == 1 + 2 + 3 + 4           # hooks' end() ran after the end of input
    assert checkpoint_steps(str(tmp_path)) == [0, 4]          # and the final checkpoint was saved


def test_step_fn_request_stop_ends_the_loop():
    model = linear_regression()
    hook = RecordingHook()

    def step_fn(step_context):
        if step_context.session.run(model.global_step) >= 3:
            step_context.request_stop()
        step_context.run_with_hooks(model.train_op, feed_dict=feed_for_step(model, 0))

    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        while not sess.should_stop():
            sess.run_step_fn(step_fn)
    assert sess.should_stop() and hook.count("after_run") == 3 and hook.count("end") == 1
    sess = tf.train.MonitoredSession()
    with pytest.raises(StopIteration, match="step_fn has requested the iterations to stop"):
        sess.run_step_fn(lambda step_context: step_context.request_stop())
    assert sess.should_stop()
    sess.close()


def test_run_step_fn_session_runs_without_hooks_and_checks_its_signature():
    model = linear_regression()
    hook = RecordingHook()

    class Trainer:
        def step(self, step_context):
            return step_context.session.run(model.global_step)

    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        assert sess.run_step_fn(Trainer().step) == 0
        assert hook.count("before_run") == 0
        with pytest.raises(ValueError, match=r"`step_fn` may either have one `step_context` argument.*"
                                             r"Got \('context',\) instead"):
            sess.run_step_fn(lambda context: None)
        with pytest.raises(ValueError, match=r"Got \(\) instead"):
            sess.run_step_fn(lambda: None)


def test_close_ends_hooks_once_and_cannot_be_repeated():
    linear_regression()
    hook = RecordingHook()
    sess = tf.train.MonitoredSession(hooks=[hook])
    sess.close()
    assert hook.calls == ["begin", "after_create_session", "end"]
    with pytest.raises(RuntimeError, match="Session is already closed"):
        sess.close()
    with pytest.raises(RuntimeError, match="Attempted to use a closed MonitoredSession"):
        sess.run(tf.train.get_global_step())
    assert hook.count("end") == 1


def test_an_error_in_the_body_skips_end_and_propagates():
    linear_regression()
    hook = RecordingHook()
    with pytest.raises(ZeroDivisionError):
        with tf.train.MonitoredSession(hooks=[hook]):
            1 / 0
    assert "end" not in hook.calls and not tf.get_default_graph().finalized


def test_an_error_reported_by_an_input_thread_surfaces():
    linear_regression()

    class FailingInputThread(tf.train.SessionRunHook):
        def after_create_session(self, session, coord):
            self.thread = threading.Thread(target=lambda: coord.request_stop(ValueError("reader died")))
            coord.register_thread(self.thread)
            self.thread.start()
            self.thread.join()

    with pytest.raises(ValueError, match="reader died"):
        with tf.train.MonitoredSession(hooks=[FailingInputThread()]) as sess:
            sess.should_stop()


# --- recovery ------------------------------------------------------------------------------------
def test_an_aborted_run_recreates_the_session_from_the_newest_checkpoint(tmp_path):
    model = linear_regression()

    class AbortOnce(tf.train.SessionRunHook):
        """Simulates a lost worker: aborts the run after global step 3 once."""

        aborted = False

        def begin(self):
            self.created = 0
            self.steps = []

        def after_create_session(self, session, coord):
            self.created += 1

        def before_run(self, run_context):
            return tf.train.SessionRunArgs(model.global_step)

        def after_run(self, run_context, run_values):
            self.steps.append(int(run_values.results))
            if run_values.results + 1 == 3 and not self.aborted:
                AbortOnce.aborted = True
                raise errors.AbortedError(None, None, "worker lost")

    abort = AbortOnce()
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_checkpoint_steps=2,
                                           hooks=[abort, tf.train.StopAtStepHook(last_step=6)]) as sess:
        runs = train_to_the_end(sess, model)
    # the third step was aborted; the session was recreated from model.ckpt-2 and the step retried
    assert abort.created == 2 and runs == 6
    assert abort.steps == [0, 1, 2, 2, 3, 4, 5]
    assert tf.train.load_variable(str(tmp_path), "global_step") == 6


def test_singular_monitored_session_does_not_recover_and_has_a_raw_session(tmp_path):
    model = linear_regression()

    class Abort(tf.train.SessionRunHook):
        def after_run(self, run_context, run_values):
            raise errors.AbortedError(None, None, "worker lost")

    with tf.train.SingularMonitoredSession(checkpoint_dir=str(tmp_path)) as sess:
        raw = sess.raw_session()
        assert isinstance(raw, tf.Session) and raw.run(model.global_step) == 0
    with pytest.raises(errors.AbortedError, match="worker lost"):
        with tf.train.SingularMonitoredSession(hooks=[Abort()]) as sess:
            sess.run(model.global_step)


def test_restores_a_given_checkpoint_file(tmp_path):
    model = linear_regression()
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_checkpoint_steps=2,
                                           hooks=[tf.train.StopAtStepHook(last_step=4)]) as sess:
        train_to_the_end(sess, model)
    with tf.train.SingularMonitoredSession(
            checkpoint_filename_with_path=os.path.join(str(tmp_path), "model.ckpt-2")) as sess:
        assert sess.run(model.global_step) == 2
    with pytest.raises(ValueError, match="Can not provide both checkpoint_dir and checkpoint_filename_with_path"):
        tf.train.SingularMonitoredSession(checkpoint_dir=str(tmp_path),
                                          checkpoint_filename_with_path=os.path.join(str(tmp_path), "model.ckpt-2"))


# --- Scaffold ------------------------------------------------------------------------------------
def test_scaffold_defaults_and_init_fn_only_without_a_checkpoint(tmp_path):
    model = linear_regression()
    calls = []

    set_b = tf.assign(model.b, 5.0)

    def init_fn(scaffold, session):
        calls.append(scaffold)
        session.run(set_b)

    scaffold = tf.train.Scaffold(init_fn=init_fn)
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), scaffold=scaffold) as sess:
        assert sess.run_step_fn(lambda step_context: step_context.session.run(model.b)) == 5.0
        assert calls == [scaffold]
        sess.run(model.train_op, feed_dict=feed_for_step(model, 0))
    for op in (scaffold.init_op, scaffold.ready_op, scaffold.ready_for_local_init_op, scaffold.local_init_op,
               scaffold.summary_op, scaffold.saver):
        assert op is not None
    assert tf.get_collection(tf.GraphKeys.INIT_OP) == [scaffold.init_op]
    assert tf.get_collection(tf.GraphKeys.SAVERS) == [scaffold.saver]
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), scaffold=tf.train.Scaffold(
            init_fn=init_fn)) as sess:
        # restored, so init_fn is not called (read through the raw session: the hooks' summaries need a feed)
        global_step, b = sess.run_step_fn(lambda step_context: step_context.session.run([model.global_step,
                                                                                         model.b]))
        assert global_step == 1 and b != 5.0
    assert len(calls) == 1


def test_scaffold_custom_ops_copy_and_errors():
    model = linear_regression()
    start = tf.placeholder(tf.float32, [], name="start")
    init_op = tf.group(tf.global_variables_initializer(), tf.assign(model.b, start))
    original = tf.train.Scaffold(init_op=init_op, init_feed_dict={start: 2.5})
    copy = tf.train.Scaffold(copy_from_scaffold=original, summary_op=model.loss)
    assert copy.init_op is init_op and copy.init_feed_dict == {start: 2.5} and copy.summary_op is model.loss
    with tf.train.MonitoredSession(tf.train.ChiefSessionCreator(scaffold=copy)) as sess:
        assert sess.run(model.b) == 2.5
    with pytest.raises(TypeError, match="copy_from_scaffold is not a Scaffold instance"):
        tf.train.Scaffold(copy_from_scaffold="scaffold")
    with pytest.raises(TypeError, match="scaffold must be a tf.train.Scaffold"):
        tf.train.ChiefSessionCreator(scaffold="scaffold")
    tf.add_to_collection(tf.GraphKeys.READY_OP, tf.constant(1))
    tf.add_to_collection(tf.GraphKeys.READY_OP, tf.constant(2))
    with pytest.raises(RuntimeError, match=r'More than one item in the collection "ready_op".*'
                                           r"tf.Scaffold\(ready_op=item to use\)"):
        tf.train.Scaffold().finalize()


# --- SessionManager ------------------------------------------------------------------------------
def test_session_manager_errors(tmp_path):
    variable = tf.Variable(1.0, name="v")
    from numflow.variables import report_uninitialized_variables
    manager = tf.train.SessionManager(ready_op=report_uninitialized_variables())
    with pytest.raises(RuntimeError, match="Model is not initialized and no init_op or init_fn or local_init_op"):
        manager.prepare_session("")
    with pytest.raises(RuntimeError, match=r"Init operations did not make model ready.*Variables not "
                                           r"initialized: v"):
        manager.prepare_session("", init_op=tf.no_op(name="does_nothing"))
    with pytest.raises(ValueError, match="If you pass a ready_for_local_init_op you must also pass a local_init_op"):
        tf.train.SessionManager(ready_for_local_init_op=tf.constant(1))
    sess = manager.prepare_session("", init_op=variable.initializer)
    assert sess.run(variable) == 1.0
    sess, initialized = manager.recover_session("", saver=tf.train.Saver(), checkpoint_dir=str(tmp_path))
    assert not initialized
    tf.train.Saver().save(manager.prepare_session("", init_op=variable.initializer),
                          os.path.join(str(tmp_path), "model.ckpt"), global_step=3)
    sess, initialized = manager.recover_session("", saver=tf.train.Saver(), checkpoint_dir=str(tmp_path))
    assert initialized and sess.run(variable) == 1.0


def test_a_damaged_newest_checkpoint_is_an_error_and_releases_the_graph(tmp_path):
    model = linear_regression()
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_checkpoint_steps=2,
                                           hooks=[tf.train.StopAtStepHook(last_step=2)]) as sess:
        train_to_the_end(sess, model)
    data_file = os.path.join(str(tmp_path), "model.ckpt-2.data-00000-of-00001")
    with open(data_file, "r+b") as handle:
        handle.truncate(5)
    hook = RecordingHook()
    with pytest.raises(errors.DataLossError, match="model.ckpt-2"):
        tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), hooks=[hook])
    assert hook.calls == ["begin"] and not tf.get_default_graph().finalized
    os.remove(data_file)
    with pytest.raises(errors.NotFoundError, match="Data file .*model.ckpt-2.data-00000-of-00001 .* not found"):
        tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path))


def test_queue_runners_of_the_graph_run_until_their_input_ends():
    if not hasattr(tf.train, "string_input_producer"):
        pytest.skip("the queue-based input pipeline is not available")
    queue = tf.train.string_input_producer(["a", "b", "c"], num_epochs=2, shuffle=False)
    name = queue.dequeue()
    increment = tf.assign_add(tf.train.get_or_create_global_step(), 1)
    seen = []
    with tf.train.MonitoredTrainingSession() as sess:       # local_init_op sets up the epoch counter
        while not sess.should_stop():
            seen.append(sess.run([name, increment])[0])
    assert seen == [b"a", b"b", b"c"] * 2
