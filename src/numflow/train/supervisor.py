"""`tf.train.Supervisor` (TF1's older training-loop helper) and `tf.train.LooperThread`.

A Supervisor prepares a session (restoring the newest checkpoint of `logdir`, else initializing the
model) and runs the standard services as background threads on its Coordinator:
  a summary thread        every `save_summaries_secs`: runs `summary_op`, adds it at the global step
  a step-counter thread   every `save_summaries_secs`: writes '<global step op>/sec'
  a checkpoint thread     every `save_model_secs`: saves '<logdir>/<checkpoint_basename>-<global step>'
Each thread runs once right away, then at its period; `stop()` (or leaving `managed_session`) stops and
joins them and re-raises the first error any of them reported.
"""
import contextlib
import os
import threading
import time

from .. import summary as _summary
from ..framework.graph import GraphKeys, get_default_graph
from ..platform import tf_logging as logging
from . import training_util
from .coordinator import Coordinator
from .monitored_session import SessionManager, _READY_FOR_LOCAL_INIT_OP, _SUMMARY_OP
from .saver import Saver

__all__ = ["Supervisor", "LooperThread"]


class LooperThread(threading.Thread):
    """`tf.train.LooperThread(coord, timer_interval_secs, target=None, args=None, kwargs=None)`: a daemon
    thread that calls `target(*args, **kwargs)` (or `run_loop()`) every `timer_interval_secs` seconds —
    back to back when None — until `coord` stops; an exception stops `coord` and is re-raised by
    `coord.join()`. The thread registers itself with `coord`."""

    def __init__(self, coord, timer_interval_secs, target=None, args=None, kwargs=None):
        if not isinstance(coord, Coordinator):
            raise ValueError("'coord' argument must be a Coordinator: %s" % (coord,))
        super().__init__()
        self.daemon = True
        self._coord = coord
        self._timer_interval_secs = timer_interval_secs
        self._target = target
        if self._target:
            self._args = tuple(args or ())
            self._kwargs = dict(kwargs or {})
        elif args or kwargs:
            raise ValueError("'args' and 'kwargs' argument require that you also pass 'target'")
        self._coord.register_thread(self)

    @staticmethod
    def loop(coord, timer_interval_secs, target, args=None, kwargs=None):
        """Starts and returns a LooperThread calling `target` every `timer_interval_secs`."""
        looper = LooperThread(coord, timer_interval_secs, target=target, args=args, kwargs=kwargs)
        looper.start()
        return looper

    def run(self):
        with self._coord.stop_on_exception():
            self.start_loop()
            if self._timer_interval_secs is None:
                while not self._coord.should_stop():
                    self.run_loop()
            else:
                next_timer_time = time.time()
                while not self._coord.wait_for_stop(max(next_timer_time - time.time(), 0.0)):
                    next_timer_time += self._timer_interval_secs
                    self.run_loop()
            self.stop_loop()

    def start_loop(self):
        """Called once in the thread before the loop."""

    def stop_loop(self):
        """Called once in the thread after the loop."""

    def run_loop(self):
        """One iteration: calls the target."""
        if self._target:
            self._target(*self._args, **self._kwargs)


# --- the standard services -----------------------------------------------------------------------
class _SummaryThread(LooperThread):
    """Runs the Supervisor's summary op every save_summaries_secs and writes the result."""

    def __init__(self, sv, sess):
        super().__init__(sv.coord, sv.save_summaries_secs)
        self._sv = sv
        self._sess = sess

    def run_loop(self):
        if self._sv.global_step is not None:
            summary_strs, global_step = self._sess.run([self._sv.summary_op, self._sv.global_step])
        else:
            summary_strs = self._sess.run(self._sv.summary_op)
            global_step = None
        if self._sv.summary_writer:
            logging.info("Recording summary at step %s.", global_step)
            self._sv.summary_writer.add_summary(summary_strs, global_step)


class _StepCounterThread(LooperThread):
    """Writes the global steps per second every save_summaries_secs."""

    def __init__(self, sv, sess, step_counter=None):
        super().__init__(sv.coord, sv.save_summaries_secs)
        self._sv = sv
        self._sess = sess
        self._step_counter = step_counter if step_counter is not None else sv.global_step
        self._summary_tag = "%s/sec" % self._step_counter.op.name

    def start_loop(self):
        self._last_time = time.time()
        self._last_step = training_util.global_step(self._sess, self._step_counter)

    def run_loop(self):
        current_step = training_util.global_step(self._sess, self._step_counter)
        added_steps = current_step - self._last_step
        self._last_step = current_step
        now = time.time()
        elapsed_time = now - self._last_time
        self._last_time = now
        steps_per_sec = added_steps / elapsed_time if elapsed_time > 0.0 else float("inf")
        if self._sv.summary_writer:
            self._sv.summary_writer.add_summary(_summary.Summary(value=[_summary.Summary.Value(
                tag=self._summary_tag, simple_value=steps_per_sec)]), current_step)
        logging.log_first_n(logging.INFO, "%s: %g", 10, self._summary_tag, steps_per_sec)


class _CheckpointThread(LooperThread):
    """Saves a checkpoint every save_model_secs."""

    def __init__(self, sv, sess):
        super().__init__(sv.coord, sv.save_model_secs)
        self._sv = sv
        self._sess = sess

    def run_loop(self):
        logging.info("Saving checkpoint to path %s", self._sv.save_path)
        self._sv.saver.save(self._sess, self._sv.save_path, global_step=self._sv.global_step)
        if self._sv.summary_writer and self._sv.global_step is not None:
            current_step = training_util.global_step(self._sess, self._sv.global_step)
            self._sv.summary_writer.add_session_log(
                _summary.SessionLog(status=_summary.SessionLog.CHECKPOINT, checkpoint_path=self._sv.save_path),
                current_step)


def _is_use_default(value):
    # TF's Supervisor.USE_DEFAULT is the integer 0 (while None means "none").
    return type(value) is int and value == 0


class Supervisor:
    """`tf.train.Supervisor(graph=None, ready_op=USE_DEFAULT, ready_for_local_init_op=USE_DEFAULT,
    is_chief=True, init_op=USE_DEFAULT, init_feed_dict=None, local_init_op=USE_DEFAULT, logdir=None,
    summary_op=USE_DEFAULT, saver=USE_DEFAULT, global_step=USE_DEFAULT, save_summaries_secs=120,
    save_model_secs=600, recovery_wait_secs=30, stop_grace_secs=120, checkpoint_basename='model.ckpt',
    session_manager=None, summary_writer=USE_DEFAULT, init_fn=None, local_init_run_options=None)`.

    Each op left as USE_DEFAULT comes from its graph collection or a default (global variables'
    initializer, report_uninitialized_variables, merge_all, a Saver when there are variables, the
    'global_step' tensor); None switches it off. The graph is finalized by the constructor.

        sv = tf.train.Supervisor(logdir=logdir)
        with sv.managed_session() as sess:
            while not sv.should_stop():
                sess.run(train_op)
    """

    USE_DEFAULT = 0

    def __init__(self, graph=None, ready_op=USE_DEFAULT, ready_for_local_init_op=USE_DEFAULT, is_chief=True,
                 init_op=USE_DEFAULT, init_feed_dict=None, local_init_op=USE_DEFAULT, logdir=None,
                 summary_op=USE_DEFAULT, saver=USE_DEFAULT, global_step=USE_DEFAULT, save_summaries_secs=120,
                 save_model_secs=600, recovery_wait_secs=30, stop_grace_secs=120, checkpoint_basename="model.ckpt",
                 session_manager=None, summary_writer=USE_DEFAULT, init_fn=None, local_init_run_options=None):
        if graph is None:
            graph = get_default_graph()
        with graph.as_default():
            self._init_ready_op(ready_op, ready_for_local_init_op)
            self._init_init_op(init_op, init_feed_dict)
            self._init_local_init_op(local_init_op)
            self._init_saver(saver)
            self._init_summary_op(summary_op)
            self._init_global_step(global_step)
        self._graph = graph
        self._is_chief = is_chief
        self._coord = Coordinator()
        self._recovery_wait_secs = recovery_wait_secs
        self._stop_grace_secs = stop_grace_secs
        self._init_fn = init_fn
        self._local_init_run_options = local_init_run_options
        self._logdir = logdir
        self._save_summaries_secs = save_summaries_secs
        self._save_model_secs = save_model_secs
        # Only the chief writes checkpoints and events.
        self._save_path = None
        self._summary_writer = None
        if self._is_chief:
            if logdir:
                self._save_path = os.path.join(logdir, checkpoint_basename)
            if not _is_use_default(summary_writer):
                self._summary_writer = summary_writer
            elif logdir:
                self._summary_writer = _summary.FileWriter(logdir)
        self._graph_added_to_summary = False
        self._init_session_manager(session_manager)
        self._verify_setup()
        graph.finalize()

    # --- setup ---------------------------------------------------------------------------------
    def _first_of_collection(self, key):
        items = get_default_graph().get_collection(key)
        if items:
            if len(items) > 1:
                logging.warning("Found %d items in collection %s; using the first.", len(items), key)
            return items[0]
        return None

    def _init_session_manager(self, session_manager=None):
        if session_manager is None:
            self._session_manager = SessionManager(
                local_init_op=self._local_init_op, ready_op=self._ready_op,
                ready_for_local_init_op=self._ready_for_local_init_op, graph=self._graph,
                recovery_wait_secs=self._recovery_wait_secs, local_init_run_options=self._local_init_run_options)
        else:
            self._session_manager = session_manager

    def _init_ready_op(self, ready_op=USE_DEFAULT, ready_for_local_init_op=USE_DEFAULT):
        from ..variables import global_variables, report_uninitialized_variables
        graph = get_default_graph()
        if _is_use_default(ready_op):
            ready_op = self._first_of_collection(GraphKeys.READY_OP)
            if ready_op is None:
                ready_op = report_uninitialized_variables()
                graph.add_to_collection(GraphKeys.READY_OP, ready_op)
        self._ready_op = ready_op
        if _is_use_default(ready_for_local_init_op):
            ready_for_local_init_op = self._first_of_collection(_READY_FOR_LOCAL_INIT_OP)
            if ready_for_local_init_op is None:
                ready_for_local_init_op = report_uninitialized_variables(
                    global_variables(), name="report_uninitialized_global_variables")
                graph.add_to_collection(_READY_FOR_LOCAL_INIT_OP, ready_for_local_init_op)
        self._ready_for_local_init_op = ready_for_local_init_op

    def _init_init_op(self, init_op=USE_DEFAULT, init_feed_dict=None):
        from ..variables import global_variables_initializer
        if _is_use_default(init_op):
            init_op = self._first_of_collection(GraphKeys.INIT_OP)
            if init_op is None:
                init_op = global_variables_initializer()
                get_default_graph().add_to_collection(GraphKeys.INIT_OP, init_op)
        self._init_op = init_op
        self._init_feed_dict = init_feed_dict

    def _init_local_init_op(self, local_init_op=USE_DEFAULT):
        from .monitored_session import Scaffold
        if _is_use_default(local_init_op):
            local_init_op = self._first_of_collection(GraphKeys.LOCAL_INIT_OP)
            if local_init_op is None:
                local_init_op = Scaffold.default_local_init_op()
                get_default_graph().add_to_collection(GraphKeys.LOCAL_INIT_OP, local_init_op)
        self._local_init_op = local_init_op

    def _init_saver(self, saver=USE_DEFAULT):
        from ..variables import global_variables
        if _is_use_default(saver):
            saver = self._first_of_collection(GraphKeys.SAVERS)
            if saver is None and global_variables():
                saver = Saver()
                get_default_graph().add_to_collection(GraphKeys.SAVERS, saver)
        self._saver = saver

    def _init_summary_op(self, summary_op=USE_DEFAULT):
        if _is_use_default(summary_op):
            summary_op = self._first_of_collection(_SUMMARY_OP)
            if summary_op is None:
                summary_op = _summary.merge_all()
                if summary_op is not None:
                    get_default_graph().add_to_collection(_SUMMARY_OP, summary_op)
        self._summary_op = summary_op

    def _init_global_step(self, global_step=USE_DEFAULT):
        if _is_use_default(global_step):
            global_step = self._first_of_collection(GraphKeys.GLOBAL_STEP)
            if global_step is None:
                global_step = self._default_global_step_tensor()
        self._global_step = global_step

    @staticmethod
    def _default_global_step_tensor():
        """The tensor 'global_step:0' when it is an int32/int64 scalar, else None."""
        try:
            tensor = get_default_graph().get_tensor_by_name("global_step:0")
        except (KeyError, ValueError):
            return None
        if tensor.dtype.base_dtype.name in ("int32", "int64"):
            return tensor
        logging.warning("Found 'global_step' is not an int type: %s", tensor.dtype)
        return None

    def _verify_setup(self):
        if not self._is_chief:
            for op in self._graph.get_operations():
                if op.type in ("Variable", "VariableV2") and not op.device:
                    raise ValueError("When using replicas, all Variables must have their device set: %s" % (op,))

    # --- properties ----------------------------------------------------------------------------
    @property
    def session_manager(self):
        return self._session_manager

    @property
    def coord(self):
        """The Coordinator of the Supervisor's threads."""
        return self._coord

    @property
    def init_op(self):
        return self._init_op

    @property
    def init_feed_dict(self):
        return self._init_feed_dict

    @property
    def ready_op(self):
        return self._ready_op

    @property
    def ready_for_local_init_op(self):
        return self._ready_for_local_init_op

    @property
    def summary_writer(self):
        return self._summary_writer

    @property
    def summary_op(self):
        return self._summary_op

    @property
    def save_summaries_secs(self):
        return self._save_summaries_secs

    @property
    def global_step(self):
        return self._global_step

    @property
    def saver(self):
        return self._saver

    @property
    def save_model_secs(self):
        return self._save_model_secs

    @property
    def save_path(self):
        return self._save_path

    @property
    def is_chief(self):
        return self._is_chief

    # --- sessions and services ----------------------------------------------------------------
    def _write_graph(self):
        """Adds the graph to the event file once per summary writer opening (chief only)."""
        if self._is_chief and self._summary_writer and not self._graph_added_to_summary:
            self._summary_writer.add_graph(self._graph)
            self._graph_added_to_summary = True

    def start_standard_services(self, sess):
        """Starts the summary, step-counter and checkpoint threads the settings call for; returns them.
        RuntimeError on a non-chief; nothing (with a warning) without a logdir."""
        if not self._is_chief:
            raise RuntimeError("Only chief supervisor can start standard services. Because only chief "
                               "supervisors can write events.")
        if not self._logdir:
            logging.warning("Standard services need a 'logdir' passed to the SessionManager")
            return []
        if self._global_step is not None and self._summary_writer:
            current_step = training_util.global_step(sess, self._global_step)
            self._summary_writer.add_session_log(_summary.SessionLog(status=_summary.SessionLog.START),
                                                 current_step)
        threads = []
        if self._save_summaries_secs and self._summary_writer:
            if self._summary_op is not None:
                threads.append(_SummaryThread(self, sess))
            if self._global_step is not None:
                threads.append(_StepCounterThread(self, sess))
        if self.saver and self._save_model_secs:
            threads.append(_CheckpointThread(self, sess))
        for thread in threads:
            thread.start()
        return threads

    def prepare_or_wait_for_session(self, master="", config=None, wait_for_checkpoint=False, max_wait_secs=7200,
                                    start_standard_services=True):
        """The chief: a session restored from logdir's newest checkpoint or initialized (init_op, then
        init_fn), with the standard services and queue runners started. A non-chief: a session once
        the model is ready, with queue runners started."""
        self._coord.clear_stop()
        if self._summary_writer:
            self._summary_writer.reopen()
        if self._is_chief:
            sess = self._session_manager.prepare_session(
                master, init_op=self.init_op, saver=self.saver, checkpoint_dir=self._logdir,
                wait_for_checkpoint=wait_for_checkpoint, max_wait_secs=max_wait_secs, config=config,
                init_feed_dict=self._init_feed_dict, init_fn=self._init_fn)
            self._write_graph()
            if start_standard_services:
                logging.info("Starting standard services.")
                self.start_standard_services(sess)
        else:
            sess = self._session_manager.wait_for_session(master, config=config, max_wait_secs=max_wait_secs)
        if start_standard_services:
            logging.info("Starting queue runners.")
            self.start_queue_runners(sess)
        return sess

    def start_queue_runners(self, sess, queue_runners=None):
        """Starts the queue runners (those of the QUEUE_RUNNERS collection by default) on the
        Supervisor's Coordinator; returns their threads."""
        if queue_runners is None:
            from .. import train
            if not self._graph.get_collection(GraphKeys.QUEUE_RUNNERS):
                return []
            return train.start_queue_runners(sess=sess, coord=self._coord, daemon=True, start=True)
        threads = []
        for runner in queue_runners:
            threads.extend(runner.create_threads(sess, coord=self._coord, daemon=True, start=True))
        return threads

    def loop(self, timer_interval_secs, target, args=None, kwargs=None):
        """Starts a LooperThread on the Supervisor's Coordinator calling `target(*args, **kwargs)` every
        `timer_interval_secs` seconds; returns it (stop() joins it)."""
        return LooperThread.loop(self._coord, timer_interval_secs, target=target, args=args, kwargs=kwargs)

    def stop(self, threads=None, close_summary_writer=True, ignore_live_threads=False):
        """Stops the services and threads, waits up to stop_grace_secs for them, and re-raises an
        exception one of them reported; then (by default) writes a STOP SessionLog and closes the
        summary writer."""
        self._coord.request_stop()
        try:
            self._coord.join(threads, stop_grace_period_secs=self._stop_grace_secs,
                             ignore_live_threads=ignore_live_threads)
        finally:
            if close_summary_writer and self._summary_writer:
                self._summary_writer.add_session_log(_summary.SessionLog(status=_summary.SessionLog.STOP))
                self._summary_writer.close()
                self._graph_added_to_summary = False

    def request_stop(self, ex=None):
        """Asks the threads and the training loop to stop; `ex` is re-raised by stop()."""
        self._coord.request_stop(ex=ex)

    def should_stop(self):
        """Whether a stop was requested."""
        return self._coord.should_stop()

    def stop_on_exception(self):
        """A context manager that requests a stop when its body raises."""
        return self._coord.stop_on_exception()

    def wait_for_stop(self):
        """Blocks until a stop is requested."""
        self._coord.wait_for_stop()

    def summary_computed(self, sess, summary, global_step=None):
        """Writes a summary computed by the caller at `global_step` (the current global step by default);
        RuntimeError without a summary writer."""
        if not self._summary_writer:
            raise RuntimeError("Writing a summary requires a summary writer.")
        if global_step is None and self.global_step is not None:
            global_step = training_util.global_step(sess, self.global_step)
        self._summary_writer.add_summary(summary, global_step)

    @contextlib.contextmanager
    def managed_session(self, master="", config=None, start_standard_services=True, close_summary_writer=True):
        """A context manager yielding a prepared session; on exit it stops the services (re-raising an
        exception from the body or a thread, except OutOfRangeError, which ends the loop cleanly) and
        closes the session."""
        sess = None
        try:
            sess = self.prepare_or_wait_for_session(master=master, config=config,
                                                    start_standard_services=start_standard_services)
            yield sess
        except Exception as exc:  # noqa: BLE001 - recorded, then re-raised by stop()
            self.request_stop(exc)
        finally:
            try:
                self.stop(close_summary_writer=close_summary_writer)
            finally:
                if sess is not None:
                    try:
                        sess.close()
                    except Exception:  # noqa: BLE001 - nothing more to save from a session being discarded
                        pass
