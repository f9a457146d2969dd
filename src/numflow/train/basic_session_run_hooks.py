"""TF1's stock session-run hooks (`tf.train.StopAtStepHook`, `CheckpointSaverHook`, ...) and
`SecondOrStepTimer`.

Hooks that count steps fetch the global step in the same `Session.run` as the training op. numflow, like
TensorFlow, reads variables before it applies updates that do not feed the read, so the fetched value is
the step *before* this run's increment ("stale"); hooks add one to it as an estimate and read the exact
value with an extra `session.run` only when the estimate says something is due.
"""
import json
import os
import time

import numpy as np

from .. import summary as _summary
from ..framework import errors
from ..framework.graph import Operation, Tensor, get_default_graph
from ..platform import tf_logging as logging
from . import training_util
from .session_run_hook import SessionRunArgs, SessionRunHook

__all__ = ["SecondOrStepTimer", "LoggingTensorHook", "StopAtStepHook", "CheckpointSaverListener",
           "CheckpointSaverHook", "StepCounterHook", "NanLossDuringTrainingError", "NanTensorHook",
           "SummarySaverHook", "GlobalStepWaiterHook", "FinalOpsHook", "FeedFnHook", "ProfilerHook"]


# --- timers --------------------------------------------------------------------------------------
class _HookTimer:
    """Decides when a periodic hook is due, given the step it is at."""

    def reset(self):
        """Forgets the last trigger, so the next step triggers."""

    def should_trigger_for_step(self, step):
        raise NotImplementedError

    def update_last_triggered_step(self, step):
        """Records a trigger at `step`; returns (seconds, steps) since the previous one, or (None, None)."""
        raise NotImplementedError

    def last_triggered_step(self):
        raise NotImplementedError


class SecondOrStepTimer(_HookTimer):
    """`tf.train.SecondOrStepTimer(every_secs=None, every_steps=None)`: triggers once every `every_secs`
    seconds or once every `every_steps` steps (exactly one of them), and always on the first step asked
    about."""

    def __init__(self, every_secs=None, every_steps=None):
        if every_secs is None and every_steps is None:
            raise ValueError("Either every_secs or every_steps should be provided.")
        if every_secs is not None and every_steps is not None:
            raise ValueError("Can not provide both every_secs and every_steps.")
        self._every_secs = every_secs
        self._every_steps = every_steps
        self.reset()

    def reset(self):
        self._last_triggered_step = None
        self._last_triggered_time = None

    def should_trigger_for_step(self, step):
        """Whether `step` is due: the first step ever, or `every_steps` steps / `every_secs` seconds after
        the last trigger (never the very step that triggered last)."""
        if self._last_triggered_step is None:
            return True
        if self._last_triggered_step == step:
            return False
        if self._every_secs is not None and time.time() >= self._last_triggered_time + self._every_secs:
            return True
        if self._every_steps is not None and step >= self._last_triggered_step + self._every_steps:
            return True
        return False

    def update_last_triggered_step(self, step):
        now = time.time()
        if self._last_triggered_time is None:
            elapsed = (None, None)
        else:
            elapsed = (now - self._last_triggered_time, step - self._last_triggered_step)
        self._last_triggered_time = now
        self._last_triggered_step = step
        return elapsed

    def last_triggered_step(self):
        return self._last_triggered_step


class NeverTriggerTimer(_HookTimer):
    """A timer that never triggers (LoggingTensorHook with only at_end=True)."""

    def should_trigger_for_step(self, step):
        return False

    def update_last_triggered_step(self, step):
        return (None, None)

    def last_triggered_step(self):
        return None


# --- helpers shared by the hooks ---------------------------------------------------------------
def _require_global_step(hook_name):
    """The graph's global step; RuntimeError naming the hook when there is none (TF's message)."""
    step = training_util.get_global_step()
    if step is None:
        raise RuntimeError("Global step should be created to use %s." % hook_name)
    return step


def _as_graph_element(obj):
    """A Tensor or Operation of the default graph for `obj` (a Tensor, an op, a Variable or a name)."""
    graph = get_default_graph()
    if isinstance(obj, str) and ":" not in obj:
        try:
            return graph.as_graph_element(obj + ":0", allow_tensor=True, allow_operation=False)
        except (KeyError, ValueError):
            pass
    element = graph.as_graph_element(obj, allow_tensor=True, allow_operation=True)
    if isinstance(element, (Tensor, Operation)) and element.graph is not graph:
        raise ValueError("%r must be from the default graph." % (obj,))
    return element


def _writer_for(output_dir, summary_writer):
    """The summary writer a hook uses: the given one, else the cached writer of `output_dir`, else None."""
    if summary_writer is None and output_dir:
        summary_writer = _summary.FileWriterCache.get(output_dir)
    return summary_writer


# --- LoggingTensorHook ---------------------------------------------------------------------------
class LoggingTensorHook(SessionRunHook):
    """`tf.train.LoggingTensorHook(tensors, every_n_iter=None, every_n_secs=None, at_end=False,
    formatter=None)`: logs (tf.logging.info) the values of `tensors` every N local steps or seconds,
    and/or once at the end.

    `tensors` is a dict {tag: tensor or name} (logged in sorted tag order) or a list of tensors or names
    (logged in that order). `formatter(values_dict)` returns the whole message instead of
    'tag = value, ...'."""

    def __init__(self, tensors, every_n_iter=None, every_n_secs=None, at_end=False, formatter=None):
        only_log_at_end = at_end and every_n_iter is None and every_n_secs is None
        if not at_end and (every_n_iter is None) == (every_n_secs is None):
            raise ValueError("either at_end and/or exactly one of every_n_iter and every_n_secs must be "
                             "provided.")
        if every_n_iter is not None and every_n_iter <= 0:
            raise ValueError("invalid every_n_iter=%s." % every_n_iter)
        if not isinstance(tensors, dict):
            if isinstance(tensors, (str, Tensor)) or not hasattr(tensors, "__iter__"):
                raise TypeError("LoggingTensorHook: tensors must be a dict or a list of tensors/names, got %r"
                                % (tensors,))
            self._tag_order = list(tensors)
            tensors = {item: item for item in tensors}
        else:
            self._tag_order = sorted(tensors)
        self._tensors = tensors
        self._timer = NeverTriggerTimer() if only_log_at_end else \
            SecondOrStepTimer(every_secs=every_n_secs, every_steps=every_n_iter)
        self._log_at_end = at_end
        self._formatter = formatter

    def begin(self):
        self._timer.reset()
        self._iter_count = 0
        self._current_tensors = {tag: _as_graph_element(tensor) for tag, tensor in self._tensors.items()}

    def before_run(self, run_context):
        self._should_trigger = self._timer.should_trigger_for_step(self._iter_count)
        if self._should_trigger:
            return SessionRunArgs(self._current_tensors)
        return None

    def _log_tensors(self, tensor_values):
        elapsed_secs, _ = self._timer.update_last_triggered_step(self._iter_count)
        if self._formatter:
            logging.info(self._formatter(tensor_values))
            return
        with np.printoptions(suppress=True):
            stats = ", ".join("%s = %s" % (tag, tensor_values[tag]) for tag in self._tag_order)
        if elapsed_secs is not None:
            logging.info("%s (%.3f sec)", stats, elapsed_secs)
        else:
            logging.info("%s", stats)

    def after_run(self, run_context, run_values):
        if self._should_trigger:
            self._log_tensors(run_values.results)
        self._iter_count += 1

    def end(self, session):
        if self._log_at_end:
            self._log_tensors(session.run(self._current_tensors))


# --- StopAtStepHook ------------------------------------------------------------------------------
class StopAtStepHook(SessionRunHook):
    """`tf.train.StopAtStepHook(num_steps=None, last_step=None)`: requests a stop once the global step
    reaches `last_step`, or `num_steps` steps after the global step found when the session started."""

    def __init__(self, num_steps=None, last_step=None):
        if num_steps is None and last_step is None:
            raise ValueError("One of num_steps or last_step must be specified.")
        if num_steps is not None and last_step is not None:
            raise ValueError("Only one of num_steps or last_step can be specified.")
        self._num_steps = num_steps
        self._last_step = last_step

    def begin(self):
        self._global_step_tensor = _require_global_step("StopAtStepHook")

    def after_create_session(self, session, coord):
        if self._last_step is None:
            self._last_step = int(session.run(self._global_step_tensor)) + self._num_steps

    def before_run(self, run_context):
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context, run_values):
        if int(run_values.results) + 1 >= self._last_step:
            # The fetched step predates this run's increment; confirm with the current value.
            if int(run_context.session.run(self._global_step_tensor)) >= self._last_step:
                run_context.request_stop()


# --- checkpoints ---------------------------------------------------------------------------------
class CheckpointSaverListener:
    """`tf.train.CheckpointSaverListener`: called around the saves of a CheckpointSaverHook.

    begin(); before_save(session, global_step_value); after_save(session, global_step_value) — returning
    True there requests a stop of the training loop; end(session, global_step_value)."""

    def begin(self):
        pass

    def before_save(self, session, global_step_value):
        pass

    def after_save(self, session, global_step_value):
        pass

    def end(self, session, global_step_value):
        pass


class CheckpointSaverHook(SessionRunHook):
    """`tf.train.CheckpointSaverHook(checkpoint_dir, save_secs=None, save_steps=None, saver=None,
    checkpoint_basename='model.ckpt', scaffold=None, listeners=None)`.

    Saves '<checkpoint_dir>/<checkpoint_basename>-<global step>' right after the session is created, then
    every `save_secs` seconds or `save_steps` steps (exactly one of them), and once more at the end
    unless the last step was just saved. Each save adds a CHECKPOINT SessionLog to the event file of
    `checkpoint_dir`. The saver is `saver`, else `scaffold.saver`, else the single Saver in the SAVERS
    collection."""

    def __init__(self, checkpoint_dir, save_secs=None, save_steps=None, saver=None,
                 checkpoint_basename="model.ckpt", scaffold=None, listeners=None):
        logging.info("Create CheckpointSaverHook.")
        if saver is not None and scaffold is not None:
            raise ValueError("You cannot provide both saver and scaffold.")
        self._saver = saver
        self._checkpoint_dir = checkpoint_dir
        self._save_path = os.path.join(checkpoint_dir, checkpoint_basename)
        self._scaffold = scaffold
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)
        self._listeners = list(listeners or [])
        for listener in self._listeners:
            if not isinstance(listener, CheckpointSaverListener):
                raise TypeError("listeners must be CheckpointSaverListener instances, given: %r" % (listener,))
        self._steps_per_run = 1

    def _set_steps_per_run(self, steps_per_run):
        self._steps_per_run = steps_per_run

    def begin(self):
        self._summary_writer = _summary.FileWriterCache.get(self._checkpoint_dir)
        self._global_step_tensor = _require_global_step("CheckpointSaverHook")
        for listener in self._listeners:
            listener.begin()

    def after_create_session(self, session, coord):
        # The state right after creation (initialized or restored) is the checkpoint of this step.
        global_step = int(session.run(self._global_step_tensor))
        self._save(session, global_step)
        self._timer.update_last_triggered_step(global_step)

    def before_run(self, run_context):
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context, run_values):
        stale_global_step = int(run_values.results)
        if self._timer.should_trigger_for_step(stale_global_step + self._steps_per_run):
            global_step = int(run_context.session.run(self._global_step_tensor))
            if self._timer.should_trigger_for_step(global_step):
                self._timer.update_last_triggered_step(global_step)
                if self._save(run_context.session, global_step):
                    run_context.request_stop()

    def end(self, session):
        last_step = int(session.run(self._global_step_tensor))
        if last_step != self._timer.last_triggered_step():
            self._save(session, last_step)
        for listener in self._listeners:
            listener.end(session, last_step)
        self._summary_writer.flush()

    def _save(self, session, step):
        """Saves a checkpoint of `step`; returns whether a listener asked to stop."""
        logging.info("Calling checkpoint listeners before saving checkpoint %d...", step)
        for listener in self._listeners:
            listener.before_save(session, step)
        logging.info("Saving checkpoints for %d into %s.", step, self._save_path)
        self._get_saver().save(session, self._save_path, global_step=step)
        self._summary_writer.add_session_log(
            _summary.SessionLog(status=_summary.SessionLog.CHECKPOINT, checkpoint_path=self._save_path), step)
        logging.info("Calling checkpoint listeners after saving checkpoint %d...", step)
        should_stop = False
        for listener in self._listeners:
            if listener.after_save(session, step):
                logging.info("A CheckpointSaverListener requested that training be stopped. listener: %s",
                             listener)
                should_stop = True
        return should_stop

    def _get_saver(self):
        if self._saver is not None:
            return self._saver
        if self._scaffold is not None:
            return self._scaffold.saver
        from ..framework.graph import GraphKeys
        savers = get_default_graph().get_collection(GraphKeys.SAVERS)
        if not savers:
            raise RuntimeError("No items in collection %s. Please add a saver to the collection or provide a "
                               "saver or scaffold." % GraphKeys.SAVERS)
        if len(savers) > 1:
            raise RuntimeError("More than one item in collection %s. Please indicate which one to use by "
                               "passing it to the constructor." % GraphKeys.SAVERS)
        self._saver = savers[0]
        return self._saver


# --- StepCounterHook -----------------------------------------------------------------------------
class StepCounterHook(SessionRunHook):
    """`tf.train.StepCounterHook(every_n_steps=100, every_n_secs=None, output_dir=None,
    summary_writer=None)`: every N steps or seconds, logs and writes the '<global step op>/sec' summary
    (global steps per second) to `summary_writer` or the event file of `output_dir`."""

    def __init__(self, every_n_steps=100, every_n_secs=None, output_dir=None, summary_writer=None):
        if (every_n_steps is None) == (every_n_secs is None):
            raise ValueError("exactly one of every_n_steps and every_n_secs should be provided.")
        self._timer = SecondOrStepTimer(every_steps=every_n_steps, every_secs=every_n_secs)
        self._summary_writer = summary_writer
        self._output_dir = output_dir
        self._last_global_step = None
        self._steps_per_run = 1

    def _set_steps_per_run(self, steps_per_run):
        self._steps_per_run = steps_per_run

    def begin(self):
        self._summary_writer = _writer_for(self._output_dir, self._summary_writer)
        self._global_step_tensor = _require_global_step("StepCounterHook")
        self._summary_tag = self._global_step_tensor.op.name + "/sec"

    def after_create_session(self, session, coord):
        # Rates are measured from the first step of this session, not from a restored step's past.
        self._timer.reset()

    def before_run(self, run_context):
        return SessionRunArgs(self._global_step_tensor)

    def _log_and_record(self, elapsed_steps, elapsed_time, global_step):
        steps_per_sec = elapsed_steps / elapsed_time if elapsed_time > 0 else float("inf")
        if self._summary_writer is not None:
            self._summary_writer.add_summary(_summary.Summary(value=[_summary.Summary.Value(
                tag=self._summary_tag, simple_value=steps_per_sec)]), global_step)
        logging.info("%s: %g", self._summary_tag, steps_per_sec)

    def after_run(self, run_context, run_values):
        stale_global_step = int(run_values.results)
        if self._timer.should_trigger_for_step(stale_global_step + self._steps_per_run):
            global_step = int(run_context.session.run(self._global_step_tensor))
            if self._timer.should_trigger_for_step(global_step):
                elapsed_time, elapsed_steps = self._timer.update_last_triggered_step(global_step)
                if elapsed_time is not None:
                    self._log_and_record(elapsed_steps, elapsed_time, global_step)
        if stale_global_step == self._last_global_step:
            logging.log_first_n(logging.WARN, "It seems that global step (tf.train.get_global_step) has not "
                                "been increased. Current value (could be stable): %s vs previous value: %s. "
                                "You could increase the global step by passing tf.train.get_global_step() "
                                "to Optimizer.apply_gradients or Optimizer.minimize.", 5,
                                stale_global_step, self._last_global_step)
        self._last_global_step = stale_global_step

    def end(self, session):
        if self._summary_writer is not None:
            self._summary_writer.flush()


# --- NanTensorHook -------------------------------------------------------------------------------
class NanLossDuringTrainingError(RuntimeError):
    """Raised by NanTensorHook when the loss is NaN."""

    def __str__(self):
        return "NaN loss during training."


class NanTensorHook(SessionRunHook):
    """`tf.train.NanTensorHook(loss_tensor, fail_on_nan_loss=True)`: checks the loss after every step;
    a NaN raises NanLossDuringTrainingError (or, with fail_on_nan_loss=False, logs a warning and requests
    a stop)."""

    def __init__(self, loss_tensor, fail_on_nan_loss=True):
        self._loss_tensor = loss_tensor
        self._fail_on_nan_loss = fail_on_nan_loss

    def before_run(self, run_context):
        return SessionRunArgs(self._loss_tensor)

    def after_run(self, run_context, run_values):
        if np.any(np.isnan(run_values.results)):
            failure_message = "Model diverged with loss = NaN."
            if self._fail_on_nan_loss:
                logging.error(failure_message)
                raise NanLossDuringTrainingError
            logging.warning(failure_message)
            run_context.request_stop()


# --- SummarySaverHook ----------------------------------------------------------------------------
class SummarySaverHook(SessionRunHook):
    """`tf.train.SummarySaverHook(save_steps=None, save_secs=None, output_dir=None, summary_writer=None,
    scaffold=None, summary_op=None)`: runs the summary op every N steps or seconds, in the same run as
    the training op, and adds its result at the global step after that run (plus a START SessionLog on
    the first step). Exactly one of `scaffold` (its summary_op) and `summary_op` (a tensor or a list of
    them) is given."""

    def __init__(self, save_steps=None, save_secs=None, output_dir=None, summary_writer=None, scaffold=None,
                 summary_op=None):
        if (scaffold is None) == (summary_op is None):
            raise ValueError("Exactly one of scaffold or summary_op must be provided.")
        self._summary_op = summary_op
        self._summary_writer = summary_writer
        self._output_dir = output_dir
        self._scaffold = scaffold
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)

    def begin(self):
        self._summary_writer = _writer_for(self._output_dir, self._summary_writer)
        self._next_step = None
        self._global_step_tensor = _require_global_step("SummarySaverHook")

    def before_run(self, run_context):
        self._request_summary = self._next_step is None or \
            self._timer.should_trigger_for_step(self._next_step)
        summary_ops = self._get_summary_op() if self._request_summary else None
        if summary_ops is None:
            # A lone tensor (not a dict) keeps the run's fetch structure cacheable by the Session.
            return SessionRunArgs(self._global_step_tensor)
        return SessionRunArgs({"global_step": self._global_step_tensor, "summary": summary_ops})

    def after_run(self, run_context, run_values):
        if not self._summary_writer:
            return
        results = run_values.results if isinstance(run_values.results, dict) else \
            {"global_step": run_values.results}
        global_step = int(results["global_step"]) + 1
        if self._next_step is None or self._request_summary:
            global_step = int(run_context.session.run(self._global_step_tensor))
        if self._next_step is None:
            self._summary_writer.add_session_log(_summary.SessionLog(status=_summary.SessionLog.START),
                                                 global_step)
        if self._request_summary:
            self._timer.update_last_triggered_step(global_step)
            for summary in results.get("summary", ()):
                self._summary_writer.add_summary(summary, global_step)
        self._next_step = global_step + 1

    def end(self, session=None):
        if self._summary_writer:
            self._summary_writer.flush()

    def _get_summary_op(self):
        """The summary tensors to fetch, as a list, or None when there are none."""
        summary_op = self._summary_op if self._summary_op is not None else self._scaffold.summary_op
        if summary_op is None:
            return None
        if not isinstance(summary_op, list):
            return [summary_op]
        return summary_op


# --- GlobalStepWaiterHook ------------------------------------------------------------------------
class GlobalStepWaiterHook(SessionRunHook):
    """`tf.train.GlobalStepWaiterHook(wait_until_step)`: holds the first run back until the global step
    reaches `wait_until_step` (workers that start late in TF's asynchronous training); it polls every
    half second."""

    _POLL_SECS = 0.5

    def __init__(self, wait_until_step):
        self._wait_until_step = wait_until_step

    def begin(self):
        self._worker_is_started = False
        self._global_step_tensor = _require_global_step("_GlobalStepWaiterHook")

    def before_run(self, run_context):
        if self._worker_is_started:
            return None
        if self._wait_until_step <= 0:
            self._worker_is_started = True
            return None
        logging.info("Waiting for global step %d before starting training.", self._wait_until_step)
        last_logged_step = 0
        while True:
            current_step = training_util.global_step(run_context.session, self._global_step_tensor)
            if current_step >= self._wait_until_step:
                self._worker_is_started = True
                return None
            if current_step - last_logged_step > 1000:
                logging.info("Waiting for global step %d before starting training. Current step is %d.",
                             self._wait_until_step, current_step)
                last_logged_step = current_step
            time.sleep(self._POLL_SECS)


# --- FinalOpsHook / FeedFnHook -------------------------------------------------------------------
class FinalOpsHook(SessionRunHook):
    """`tf.train.FinalOpsHook(final_ops, final_ops_feed_dict=None)`: runs `final_ops` (any fetch
    structure) once in `end()`; their values are then in `final_ops_values`."""

    def __init__(self, final_ops, final_ops_feed_dict=None):
        self._final_ops = final_ops
        self._final_ops_feed_dict = final_ops_feed_dict
        self._final_ops_values = None

    @property
    def final_ops_values(self):
        """The values of final_ops from the end of the session (None before that)."""
        return self._final_ops_values

    def end(self, session):
        if self._final_ops is None:
            return
        try:
            self._final_ops_values = session.run(self._final_ops, feed_dict=self._final_ops_feed_dict)
        except (errors.OutOfRangeError, StopIteration):
            logging.warning("FinalOpsHook: running the final ops reached the end of an input (OutOfRangeError "
                            "or StopIteration). Final ops (a metric's value tensor, say) should only read "
                            "variables, not pull another batch from an input pipeline.")
            raise


class FeedFnHook(SessionRunHook):
    """`tf.train.FeedFnHook(feed_fn)`: feeds the dict `feed_fn()` returns into every run."""

    def __init__(self, feed_fn):
        self.feed_fn = feed_fn

    def before_run(self, run_context):
        return SessionRunArgs(fetches=None, feed_dict=self.feed_fn())


# --- ProfilerHook --------------------------------------------------------------------------------
class ProfilerHook(SessionRunHook):
    """`tf.train.ProfilerHook(save_steps=None, save_secs=None, output_dir='', show_dataflow=True,
    show_memory=False)`: every N steps or seconds writes '<output_dir>/timeline-<global step>.json', a
    Chrome trace (chrome://tracing) of the profiled run.

    numflow records no per-op statistics in RunMetadata, so the trace holds one event: the whole
    Session.run call with its wall time. `show_dataflow` and `show_memory` are accepted and ignored."""

    def __init__(self, save_steps=None, save_secs=None, output_dir="", show_dataflow=True, show_memory=False):
        self._output_file = os.path.join(output_dir, "timeline-{}.json")
        self._output_dir = output_dir
        self._show_dataflow = show_dataflow
        self._show_memory = show_memory
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)

    def begin(self):
        self._next_step = None
        self._global_step_tensor = _require_global_step("ProfilerHook")

    def before_run(self, run_context):
        self._request_summary = self._next_step is not None and \
            self._timer.should_trigger_for_step(self._next_step)
        options = None
        if self._request_summary:
            import numflow
            options = numflow.RunOptions(trace_level=numflow.RunOptions.FULL_TRACE)
        self._run_started = time.time()
        return SessionRunArgs({"global_step": self._global_step_tensor}, options=options)

    def after_run(self, run_context, run_values):
        finished = time.time()
        stale_global_step = int(run_values.results["global_step"])
        if self._next_step is None:
            self._timer.update_last_triggered_step(stale_global_step)
        global_step = stale_global_step + 1
        if self._request_summary:
            global_step = int(run_context.session.run(self._global_step_tensor))
            self._timer.update_last_triggered_step(global_step)
            self._save(self._output_file.format(global_step), self._run_started, finished, global_step)
        self._next_step = global_step + 1

    @staticmethod
    def _save(path, started, finished, global_step):
        logging.info("Saving timeline for %d into '%s'.", global_step, path)
        if os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
        trace = {"traceEvents": [
            {"name": "process_name", "ph": "M", "pid": 0, "args": {"name": "numflow Session.run"}},
            {"name": "Session.run", "cat": "Op", "ph": "X", "pid": 0, "tid": 0, "ts": started * 1e6,
             "dur": max(finished - started, 0.0) * 1e6, "args": {"global_step": global_step}}]}
        with open(path, "w") as handle:
            json.dump(trace, handle)
