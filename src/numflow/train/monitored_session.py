"""`tf.train.MonitoredSession` and what it is made of: `Scaffold`, `SessionManager`, the session
creators, `SingularMonitoredSession` and `MonitoredTrainingSession`.

A MonitoredSession is a stack of wrappers around a plain tf.Session, outermost first:

    _RecoverableSession    recreates the session (restoring the newest checkpoint) when a run raises
                           AbortedError or UnavailableError, then retries the run
    _CoordinatedSession    owns the Coordinator of the input threads; closing it stops and joins them
    _HookedSession         merges every hook's before_run fetches/feeds into the caller's single
                           Session.run call and hands each hook its part of the results
    tf.Session

`with MonitoredSession(...) as sess:` ends quietly when the body raises OutOfRangeError or StopIteration
(an input pipeline ran out): hooks' end() run, the session closes, and `should_stop()` is True.

numflow runs every Session in one process, each with its own variable values: a `master` target names no
remote runtime, and a non-chief (WorkerSessionCreator) session only becomes ready when its model needs no
initialization by a chief, otherwise it gives up after `max_wait_secs` with DeadlineExceededError.
"""
import inspect
import time

import numpy as np

from .. import summary as _summary
from ..client.session import Session
from ..framework import errors
from ..framework.graph import GraphKeys, get_default_graph
from ..platform import tf_logging as logging
from . import basic_session_run_hooks as _hooks
from . import checkpoint_utils as _ckpt
from .coordinator import Coordinator
from .saver import Saver
from .session_run_hook import SessionRunArgs, SessionRunContext, SessionRunHook, SessionRunValues

__all__ = ["Scaffold", "SessionManager", "SessionCreator", "ChiefSessionCreator", "WorkerSessionCreator",
           "MonitoredSession", "SingularMonitoredSession", "MonitoredTrainingSession"]

# Stands for "the documented default" where None means "switched off" (MonitoredTrainingSession).
USE_DEFAULT = object()

_READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
_SUMMARY_OP = "summary_op"

# Errors after which the session is recreated rather than the loop ended (a lost worker, in TF).
_PREEMPTION_ERRORS = (errors.AbortedError, errors.UnavailableError)


# --- Scaffold ------------------------------------------------------------------------------------
def _group_or_no_op(ops, name):
    from ..ops.control import group, no_op
    ops = [op for op in ops if op is not None]
    return group(*ops, name=name) if ops else no_op(name=name)


class Scaffold:
    """`tf.train.Scaffold(init_op=None, init_feed_dict=None, init_fn=None, ready_op=None,
    ready_for_local_init_op=None, local_init_op=None, summary_op=None, saver=None,
    copy_from_scaffold=None)`: the ops a MonitoredSession needs to create, initialize and check a model.

    `finalize()` fills every one left as None from its graph collection (INIT_OP, READY_OP, ...) or a
    default, then finalizes the default graph:
      init_op                  every global variable's initializer
      ready_op                 the names of uninitialized global and local variables (empty: ready)
      ready_for_local_init_op  the names of uninitialized global variables
      local_init_op            local variables' and table initializers
      summary_op               tf.summary.merge_all() (None when the graph has no summaries)
      saver                    the Saver in the SAVERS collection, else a new Saver (allow_empty=True)
    `init_fn(scaffold, session)` runs after init_op, only when no checkpoint was restored."""

    def __init__(self, init_op=None, init_feed_dict=None, init_fn=None, ready_op=None,
                 ready_for_local_init_op=None, local_init_op=None, summary_op=None, saver=None,
                 copy_from_scaffold=None):
        if copy_from_scaffold is not None:
            if not isinstance(copy_from_scaffold, Scaffold):
                raise TypeError("copy_from_scaffold is not a Scaffold instance.")

            def coalesce(mine, theirs):
                return mine if mine is not None else theirs
            init_op = coalesce(init_op, copy_from_scaffold.init_op)
            init_feed_dict = coalesce(init_feed_dict, copy_from_scaffold.init_feed_dict)
            init_fn = coalesce(init_fn, copy_from_scaffold._user_init_fn)
            ready_op = coalesce(ready_op, copy_from_scaffold.ready_op)
            ready_for_local_init_op = coalesce(ready_for_local_init_op,
                                               copy_from_scaffold.ready_for_local_init_op)
            local_init_op = coalesce(local_init_op, copy_from_scaffold.local_init_op)
            summary_op = coalesce(summary_op, copy_from_scaffold.summary_op)
            saver = coalesce(saver, copy_from_scaffold.saver)
        if init_fn is not None and not callable(init_fn):
            raise TypeError("init_fn must be callable as init_fn(scaffold, session), got %r" % (init_fn,))
        self._user_init_fn = init_fn
        self._init_fn = (lambda sess: init_fn(self, sess)) if init_fn else None
        self._init_op = init_op
        self._init_feed_dict = init_feed_dict
        self._ready_op = ready_op
        self._ready_for_local_init_op = ready_for_local_init_op
        self._local_init_op = local_init_op
        self._summary_op = summary_op
        self._saver = saver

    def finalize(self):
        """Creates the missing ops (see the class docstring) and finalizes the default graph."""
        from ..variables import global_variables, global_variables_initializer, report_uninitialized_variables
        if self._init_op is None:
            self._init_op = Scaffold.get_or_default(
                "init_op", GraphKeys.INIT_OP, lambda: _group_or_no_op([global_variables_initializer()], "init"))
        if self._ready_op is None:
            self._ready_op = Scaffold.get_or_default("ready_op", GraphKeys.READY_OP,
                                                     report_uninitialized_variables)
        if self._ready_for_local_init_op is None:
            self._ready_for_local_init_op = Scaffold.get_or_default(
                "ready_for_local_init_op", _READY_FOR_LOCAL_INIT_OP,
                lambda: report_uninitialized_variables(global_variables(),
                                                       name="report_uninitialized_global_variables"))
        if self._local_init_op is None:
            self._local_init_op = Scaffold.get_or_default("local_init_op", GraphKeys.LOCAL_INIT_OP,
                                                          Scaffold.default_local_init_op)
        if self._summary_op is None:
            self._summary_op = Scaffold.get_or_default("summary_op", _SUMMARY_OP, _summary.merge_all)
        if self._saver is None:
            self._saver = _get_saver_or_default()
        get_default_graph().finalize()
        logging.info("Graph was finalized.")
        return self

    @property
    def init_fn(self):
        return self._init_fn

    @property
    def init_op(self):
        return self._init_op

    @property
    def ready_op(self):
        return self._ready_op

    @property
    def ready_for_local_init_op(self):
        return self._ready_for_local_init_op

    @property
    def local_init_op(self):
        return self._local_init_op

    @property
    def summary_op(self):
        return self._summary_op

    @property
    def saver(self):
        return self._saver

    @property
    def init_feed_dict(self):
        return self._init_feed_dict

    @staticmethod
    def get_or_default(arg_name, collection_key, default_constructor):
        """The single item of collection `collection_key`, else `default_constructor()` (then added to
        the collection); RuntimeError when the collection holds more than one."""
        elements = get_default_graph().get_collection(collection_key)
        if elements:
            if len(elements) > 1:
                raise RuntimeError("More than one item in the collection \"%s\". Please indicate which one to "
                                   "use by passing it to the tf.Scaffold constructor as: tf.Scaffold(%s=item "
                                   "to use)" % (collection_key, arg_name))
            return elements[0]
        op = default_constructor()
        if op is not None:
            get_default_graph().add_to_collection(collection_key, op)
        return op

    @staticmethod
    def default_local_init_op():
        """Initializes the local variables (metrics' counters, say) and the tables of the graph."""
        from ..variables import local_variables_initializer
        graph = get_default_graph()
        return _group_or_no_op([local_variables_initializer()] + graph.get_collection(
            GraphKeys.TABLE_INITIALIZERS), "local_init")


def _get_saver_or_default():
    """The Saver of the SAVERS collection, else a new one for every global variable (added there)."""
    graph = get_default_graph()
    savers = graph.get_collection(GraphKeys.SAVERS)
    if savers:
        if len(savers) > 1:
            raise RuntimeError("More than one item in collection %s. Please indicate which one to use by "
                               "passing it to the constructor." % GraphKeys.SAVERS)
        return savers[0]
    saver = Saver(sharded=True, allow_empty=True)
    graph.add_to_collection(GraphKeys.SAVERS, saver)
    return saver


# --- SessionManager ------------------------------------------------------------------------------
class SessionManager:
    """`tf.train.SessionManager(local_init_op=None, ready_op=None, ready_for_local_init_op=None,
    graph=None, recovery_wait_secs=30, local_init_run_options=None)`: creates sessions that are restored
    from a checkpoint or initialized, and checks that the model is ready.

    A ready op returns the names of what is not initialized: an empty result means ready (so does None
    as the op)."""

    def __init__(self, local_init_op=None, ready_op=None, ready_for_local_init_op=None, graph=None,
                 recovery_wait_secs=30, local_init_run_options=None, local_init_feed_dict=None):
        if ready_for_local_init_op is not None and local_init_op is None:
            raise ValueError("If you pass a ready_for_local_init_op you must also pass a local_init_op, "
                             "ready_for_local_init_op [%s]" % (ready_for_local_init_op,))
        self._local_init_op = local_init_op
        self._ready_op = ready_op
        self._ready_for_local_init_op = ready_for_local_init_op
        self._graph = graph if graph is not None else get_default_graph()
        self._recovery_wait_secs = recovery_wait_secs
        self._local_init_run_options = local_init_run_options
        self._local_init_feed_dict = local_init_feed_dict
        self._target = None

    def _restore_checkpoint(self, master, saver=None, checkpoint_dir=None, checkpoint_filename_with_path=None,
                            wait_for_checkpoint=False, max_wait_secs=7200, config=None):
        """A new Session and whether a checkpoint was restored into it."""
        self._target = master
        if checkpoint_dir and checkpoint_filename_with_path:
            raise ValueError("Can not provide both checkpoint_dir and checkpoint_filename_with_path.")
        sess = Session(self._target, graph=self._graph, config=config)
        if not saver or not (checkpoint_dir or checkpoint_filename_with_path):
            return sess, False
        try:
            if checkpoint_filename_with_path:
                saver.restore(sess, checkpoint_filename_with_path)
                return sess, True
            waited = 0.0
            state = _ckpt.get_checkpoint_state(checkpoint_dir)
            while not state or not state.model_checkpoint_path:
                if not wait_for_checkpoint or waited >= max_wait_secs:
                    return sess, False
                logging.info("Waiting for checkpoint to be available.")
                pause = min(self._recovery_wait_secs, max(max_wait_secs - waited, 0.0))
                time.sleep(pause)
                waited += pause
                state = _ckpt.get_checkpoint_state(checkpoint_dir)
            saver.restore(sess, state.model_checkpoint_path)
            saver.recover_last_checkpoints(list(state.all_model_checkpoint_paths))
        except BaseException:
            sess.close()
            raise
        logging.info("Restored checkpoint %s.", state.model_checkpoint_path)
        return sess, True

    def prepare_session(self, master, init_op=None, saver=None, checkpoint_dir=None, wait_for_checkpoint=False,
                        max_wait_secs=7200, config=None, init_feed_dict=None, init_fn=None,
                        checkpoint_filename_with_path=None):
        """A Session with the model restored from the newest checkpoint of `checkpoint_dir` (or
        `checkpoint_filename_with_path`), else initialized by `init_op` (with `init_feed_dict`) then
        `init_fn(sess)`; the local init op runs after either. RuntimeError when the model is still not
        ready."""
        sess, is_loaded_from_checkpoint = self._restore_checkpoint(
            master, saver, checkpoint_dir=checkpoint_dir, checkpoint_filename_with_path=checkpoint_filename_with_path,
            wait_for_checkpoint=wait_for_checkpoint, max_wait_secs=max_wait_secs, config=config)
        try:
            if not is_loaded_from_checkpoint:
                if init_op is None and not init_fn and self._local_init_op is None:
                    raise RuntimeError("Model is not initialized and no init_op or init_fn or local_init_op was "
                                       "given")
                if init_op is not None:
                    sess.run(init_op, feed_dict=init_feed_dict)
                if init_fn:
                    init_fn(sess)
            local_init_success, msg = self._try_run_local_init_op(sess)
            if not local_init_success:
                raise RuntimeError("Init operations did not make model ready for local_init. Init op: %s, "
                                   "init fn: %s, error: %s" % (_op_name(init_op), init_fn, msg))
            is_ready, msg = self._model_ready(sess)
            if not is_ready:
                raise RuntimeError("Init operations did not make model ready. Init op: %s, init fn: %s, "
                                   "local_init_op: %s, error: %s"
                                   % (_op_name(init_op), init_fn, _op_name(self._local_init_op), msg))
        except BaseException:
            sess.close()
            raise
        return sess

    def recover_session(self, master, saver=None, checkpoint_dir=None, wait_for_checkpoint=False,
                        max_wait_secs=7200, config=None, checkpoint_filename_with_path=None):
        """(sess, initialized): a Session restored from the newest checkpoint if there is one and that
        made the model ready; `initialized` is False otherwise (the caller initializes it)."""
        sess, is_loaded_from_checkpoint = self._restore_checkpoint(
            master, saver, checkpoint_dir=checkpoint_dir, checkpoint_filename_with_path=checkpoint_filename_with_path,
            wait_for_checkpoint=wait_for_checkpoint, max_wait_secs=max_wait_secs, config=config)
        local_init_success, msg = self._try_run_local_init_op(sess)
        if not is_loaded_from_checkpoint:
            return sess, False
        restoring_file = checkpoint_dir or checkpoint_filename_with_path
        if not local_init_success:
            logging.info("Restoring model from %s did not make model ready for local init: %s", restoring_file, msg)
            return sess, False
        is_ready, msg = self._model_ready(sess)
        if not is_ready:
            logging.info("Restoring model from %s did not make model ready: %s", restoring_file, msg)
            return sess, False
        logging.info("Restored model from %s", restoring_file)
        return sess, is_ready

    def wait_for_session(self, master, config=None, max_wait_secs=float("Inf")):
        """A Session once the model is ready (initialized by someone else), trying every
        `recovery_wait_secs`; DeadlineExceededError after `max_wait_secs`."""
        self._target = master
        if max_wait_secs is None:
            max_wait_secs = float("Inf")
        deadline = time.time() + max_wait_secs
        while True:
            sess = Session(self._target, graph=self._graph, config=config)
            not_ready_msg = None
            local_init_success, not_ready_local_msg = self._try_run_local_init_op(sess)
            if local_init_success:
                is_ready, not_ready_msg = self._model_ready(sess)
                if is_ready:
                    return sess
            sess.close()
            if deadline - time.time() - self._recovery_wait_secs < 0:
                raise errors.DeadlineExceededError(
                    None, None, "Session was not ready after waiting %s secs. Ready for local init: %s; "
                    "ready: %s" % (max_wait_secs, not_ready_local_msg, not_ready_msg))
            logging.info("Waiting for model to be ready. Ready_for_local_init_op: %s, ready: %s",
                         not_ready_local_msg, not_ready_msg)
            time.sleep(self._recovery_wait_secs)

    def _model_ready(self, sess):
        return _ready(self._ready_op, sess, "Model not ready")

    def _model_ready_for_local_init(self, sess):
        return _ready(self._ready_for_local_init_op, sess, "Model not ready for local init")

    def _try_run_local_init_op(self, sess):
        """(success, message): runs the local init op once the model is ready for it."""
        if self._local_init_op is not None:
            is_ready_for_local_init, msg = self._model_ready_for_local_init(sess)
            if not is_ready_for_local_init:
                return False, msg
            logging.info("Running local_init_op.")
            sess.run(self._local_init_op, feed_dict=self._local_init_feed_dict,
                     options=self._local_init_run_options)
            logging.info("Done running local_init_op.")
        return True, None


def _op_name(op):
    return getattr(op, "name", op)


def _ready(op, sess, msg):
    """(is_ready, message) from a ready op: ready when it is None or reports nothing uninitialized."""
    if op is None:
        return True, None
    try:
        ready_value = sess.run(op)
    except errors.FailedPreconditionError as exc:
        if "uninitialized" not in str(exc):
            logging.warning("%s : error [%s]", msg, exc)
            raise
        return False, str(exc)
    if ready_value is None or np.size(ready_value) == 0:
        return True, None
    names = [item.decode("utf-8") if isinstance(item, bytes) else str(item)
             for item in np.asarray(ready_value, dtype=object).reshape(-1)]
    return False, "Variables not initialized: " + ", ".join(names)


# --- session creators ----------------------------------------------------------------------------
class SessionCreator:
    """`tf.train.SessionCreator`: makes the tf.Session a MonitoredSession wraps."""

    def create_session(self):
        raise NotImplementedError("create_session is not implemented for %s." % type(self).__name__)


class ChiefSessionCreator(SessionCreator):
    """`tf.train.ChiefSessionCreator(scaffold=None, master='', config=None, checkpoint_dir=None,
    checkpoint_filename_with_path=None)`: finalizes the scaffold, then restores the newest checkpoint of
    `checkpoint_dir` (or the given file) or initializes the model."""

    def __init__(self, scaffold=None, master="", config=None, checkpoint_dir=None,
                 checkpoint_filename_with_path=None):
        if scaffold is not None and not isinstance(scaffold, Scaffold):
            raise TypeError("scaffold must be a tf.train.Scaffold, got %r" % (scaffold,))
        self._checkpoint_dir = checkpoint_dir
        self._checkpoint_filename_with_path = checkpoint_filename_with_path
        self._scaffold = scaffold or Scaffold()
        self._session_manager = None
        self._master = master
        self._config = config

    def _get_session_manager(self):
        if self._session_manager is None:
            self._session_manager = SessionManager(
                local_init_op=self._scaffold.local_init_op,
                ready_op=self._scaffold.ready_op,
                ready_for_local_init_op=self._scaffold.ready_for_local_init_op,
                graph=get_default_graph())
        return self._session_manager

    def create_session(self):
        self._scaffold.finalize()
        return self._get_session_manager().prepare_session(
            self._master, saver=self._scaffold.saver, checkpoint_dir=self._checkpoint_dir,
            checkpoint_filename_with_path=self._checkpoint_filename_with_path, config=self._config,
            init_op=self._scaffold.init_op, init_feed_dict=self._scaffold.init_feed_dict,
            init_fn=self._scaffold.init_fn)


class WorkerSessionCreator(SessionCreator):
    """`tf.train.WorkerSessionCreator(scaffold=None, master='', config=None, max_wait_secs=1800)`: a
    session for a non-chief worker, which waits until the model is ready (initialized by the chief)."""

    def __init__(self, scaffold=None, master="", config=None, max_wait_secs=30 * 60):
        if scaffold is not None and not isinstance(scaffold, Scaffold):
            raise TypeError("scaffold must be a tf.train.Scaffold, got %r" % (scaffold,))
        self._scaffold = scaffold or Scaffold()
        self._session_manager = None
        self._master = master
        self._config = config
        self._max_wait_secs = max_wait_secs

    def _get_session_manager(self):
        if self._session_manager is None:
            self._session_manager = SessionManager(
                local_init_op=self._scaffold.local_init_op,
                ready_op=self._scaffold.ready_op,
                ready_for_local_init_op=self._scaffold.ready_for_local_init_op,
                graph=get_default_graph())
        return self._session_manager

    def create_session(self):
        self._scaffold.finalize()
        return self._get_session_manager().wait_for_session(self._master, max_wait_secs=self._max_wait_secs,
                                                            config=self._config)


# --- hook calls ----------------------------------------------------------------------------------
def _add_note(exc, note):
    """Attaches `note` to `exc` (PEP 678: shown under the traceback; Python 3.10 keeps it in __notes__)."""
    if hasattr(exc, "add_note"):
        exc.add_note(note)
    else:
        notes = getattr(exc, "__notes__", None)
        if not isinstance(notes, list):
            notes = []
        notes.append(note)
        try:
            exc.__notes__ = notes
        except AttributeError:
            pass


def _call_hook(hook, method, *args):
    """Calls `hook.<method>(*args)`; an exception it raises propagates unchanged, with a note naming the
    hook and the method so that a failing training loop says which hook failed."""
    try:
        return getattr(hook, method)(*args)
    except Exception as exc:
        _add_note(exc, "raised in %s() of the session-run hook %s" % (method, type(hook).__name__))
        raise


def _check_hooks(hooks, argument="hooks"):
    hooks = list(hooks or [])
    for hook in hooks:
        if not isinstance(hook, SessionRunHook):
            raise TypeError("%s must be SessionRunHook instances, given: %r" % (argument, hook))
    return hooks


def _merge_run_options(caller_options, hook_options):
    """One RunOptions for the run: the caller's fields, hooks' fields where the caller set none, and the
    highest trace_level asked for."""
    if not hook_options:
        return caller_options
    import numflow
    merged = numflow.RunOptions()
    trace_levels = []
    for options in [caller_options] + hook_options:
        if options is None:
            continue
        for key, value in vars(options).items():
            if key == "trace_level":
                trace_levels.append(value)
            elif key not in vars(merged):
                setattr(merged, key, value)
    if trace_levels:
        merged.trace_level = max(trace_levels)
    return merged


def _run_metadata():
    """A fresh tf.RunMetadata (numflow's top-level proto stand-in, imported late: it is defined after
    `numflow.train` is imported)."""
    import numflow
    return numflow.RunMetadata()


def _raise_if_feeds_intersect(feeds_a, feeds_b, message):
    conflicts = [key for key in feeds_b if key in feeds_a]
    if conflicts:
        raise RuntimeError(message + " Conflict(s): " + str(conflicts))


# --- the wrapper stack ---------------------------------------------------------------------------
class _WrappedSession:
    """Forwards to a wrapped session; subclasses add stop conditions (`_check_stop`)."""

    def __init__(self, sess):
        self._sess = sess
        self._wrapped_is_stoppable = isinstance(sess, _WrappedSession)

    @property
    def graph(self):
        return self._sess.graph

    @property
    def sess_str(self):
        return self._sess.sess_str

    def should_stop(self):
        if self._check_stop():
            return True
        if self._sess:
            return self._wrapped_is_stoppable and self._sess.should_stop()
        return True

    def _check_stop(self):
        return False

    def close(self):
        if self._sess:
            try:
                self._sess.close()
            except _PREEMPTION_ERRORS as exc:
                logging.warning("An error occurred when attempting to close the session. This may be due to a "
                                "preemption in a connected worker or parameter server. Error: %s", exc)
            finally:
                self._sess = None

    def run(self, *args, **kwargs):
        return self._sess.run(*args, **kwargs)

    def run_step_fn(self, step_fn, raw_session, run_with_hooks):
        run_with_hooks = run_with_hooks or self.run
        return step_fn(_MonitoredSession.StepContext(raw_session, run_with_hooks))


class _HookedSession(_WrappedSession):
    """Calls the hooks around each run and runs their fetches and feeds in the caller's Session.run."""

    def __init__(self, sess, hooks):
        super().__init__(sess)
        self._hooks = hooks
        self._should_stop = False

    def _check_stop(self):
        return self._should_stop

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        if self.should_stop():
            raise RuntimeError("Run called even after should_stop requested.")
        run_context = SessionRunContext(original_args=SessionRunArgs(fetches, feed_dict), session=self._sess)
        hooks_with_fetches, hook_fetches, hook_feeds, hook_options = [], [], {}, []
        for hook in self._hooks:
            request = _call_hook(hook, "before_run", run_context)
            if request is None:
                continue
            if not isinstance(request, SessionRunArgs):
                raise TypeError("before_run() of the session-run hook %s must return a SessionRunArgs or None, "
                                "got %r" % (type(hook).__name__, request))
            if request.fetches is not None:
                hooks_with_fetches.append(hook)
                hook_fetches.append(request.fetches)
            if request.feed_dict:
                _raise_if_feeds_intersect(hook_feeds, request.feed_dict, "Same tensor is fed by two hooks.")
                hook_feeds.update(request.feed_dict)
            if request.options is not None:
                hook_options.append(request.options)
        if hook_feeds:
            if feed_dict:
                _raise_if_feeds_intersect(feed_dict, hook_feeds, "Same tensor is fed by a SessionRunHook and user.")
                feed_dict = {**feed_dict, **hook_feeds}
            else:
                feed_dict = hook_feeds
        options = _merge_run_options(options, hook_options)
        if run_metadata is None:
            run_metadata = _run_metadata()
        # One Session.run for everybody; a flat tuple lets the Session cache the run's signature.
        outputs = self._sess.run((fetches,) + tuple(hook_fetches), feed_dict=feed_dict, options=options,
                                 run_metadata=run_metadata)
        results = dict(zip(hooks_with_fetches, outputs[1:]))
        for hook in self._hooks:
            _call_hook(hook, "after_run", run_context,
                       SessionRunValues(results=results.get(hook), options=options, run_metadata=run_metadata))
        self._should_stop = self._should_stop or run_context.stop_requested
        return outputs[0]


class _CoordinatedSession(_WrappedSession):
    """Stops when the Coordinator says so; closing stops and joins the Coordinator's threads."""

    def __init__(self, sess, coord, stop_grace_period_secs=120):
        super().__init__(sess)
        self._coord = coord
        self._stop_grace_period_secs = stop_grace_period_secs

    def _check_stop(self):
        # An error reported by an input thread surfaces here rather than being lost.
        self._coord.raise_requested_exception()
        return self._coord.should_stop()

    def close(self):
        self._coord.request_stop()
        try:
            self._coord.join(stop_grace_period_secs=self._stop_grace_period_secs, ignore_live_threads=True)
        finally:
            try:
                super().close()
            except Exception:  # noqa: BLE001 - closing after the threads stopped; nothing left to save
                pass

    def _prefer_thread_error(self):
        """Re-raises a preemption error reported by a thread, which outranks the run's own error."""
        try:
            self._coord.raise_requested_exception()
        except _PREEMPTION_ERRORS:
            raise
        except Exception:  # noqa: BLE001 - the run's own exception is the one to report
            pass

    def run(self, *args, **kwargs):
        try:
            return self._sess.run(*args, **kwargs)
        except _PREEMPTION_ERRORS:
            raise
        except Exception:
            self._prefer_thread_error()
            raise

    def run_step_fn(self, step_fn, raw_session, run_with_hooks):
        try:
            return self._sess.run_step_fn(step_fn, raw_session, run_with_hooks)
        except _PREEMPTION_ERRORS:
            raise
        except Exception:
            self._prefer_thread_error()
            raise


class _RecoverableSession(_WrappedSession):
    """Recreates the session after AbortedError/UnavailableError and retries the run."""

    def __init__(self, sess_creator):
        self._sess_creator = sess_creator
        super().__init__(self._create_session())
        self._wrapped_is_stoppable = True

    def _create_session(self):
        while True:
            try:
                return self._sess_creator.create_session()
            except _PREEMPTION_ERRORS as exc:
                logging.info("An error was raised while a session was being created; a new session will be "
                             "created. Error: %s", exc)

    def _check_stop(self):
        try:
            if self._sess:
                return self._sess._check_stop()
            return True
        except _PREEMPTION_ERRORS as exc:
            logging.info("An error was raised while considering whether the session is complete; the "
                         "session will be recreated. Error: %s", exc)
            self.close()
            self._sess = self._create_session()
            return False

    def should_stop(self):
        if self._sess:
            try:
                return self._sess.should_stop()
            except _PREEMPTION_ERRORS:
                return self._check_stop()
        return True

    def _recover_after(self, exc):
        logging.info("An error was raised. The session will be recreated and the step retried. Error: %s", exc)
        self.close()
        self._sess = None

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        while True:
            try:
                if not self._sess:
                    self._sess = self._create_session()
                return self._sess.run(fetches, feed_dict=feed_dict, options=options, run_metadata=run_metadata)
            except _PREEMPTION_ERRORS as exc:
                self._recover_after(exc)

    def run_step_fn(self, step_fn, raw_session, run_with_hooks):
        while True:
            try:
                if not self._sess:
                    self._sess = self._create_session()
                return self._sess.run_step_fn(step_fn, self._sess_creator.tf_sess, self._sess.run)
            except _PREEMPTION_ERRORS as exc:
                self._recover_after(exc)


# --- MonitoredSession ----------------------------------------------------------------------------
def _check_step_fn(step_fn):
    """ValueError unless `step_fn` takes exactly `step_context` (or `self, step_context`)."""
    try:
        params = list(inspect.signature(step_fn).parameters)
    except (TypeError, ValueError):
        raise ValueError("`step_fn` must be a function, got %r" % (step_fn,)) from None
    if params not in (["step_context"], ["self", "step_context"]):
        raise ValueError("`step_fn` may either have one `step_context` argument, or `self` and `step_context` "
                         "arguments if it's an instance method. Got %s instead." % (tuple(params),))


class _MonitoredSession:
    """What MonitoredSession and SingularMonitoredSession share."""

    def __init__(self, session_creator, hooks, should_recover, stop_grace_period_secs=120):
        self._graph = get_default_graph()
        self._graph_was_finalized = self._graph.finalized
        self._hooks = _check_hooks(hooks)
        self._step_fn_stopped = False
        for hook in self._hooks:
            _call_hook(hook, "begin")
        self._coordinated_creator = self._CoordinatedSessionCreator(
            session_creator=session_creator or ChiefSessionCreator(), hooks=self._hooks,
            stop_grace_period_secs=stop_grace_period_secs)
        try:
            if should_recover:
                self._sess = _RecoverableSession(self._coordinated_creator)
            else:
                self._sess = self._coordinated_creator.create_session()
        except BaseException:
            self._sess = None
            self._release_graph()
            raise

    @property
    def graph(self):
        """The graph the session runs."""
        return self._tf_sess().graph

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs `fetches` like `Session.run`, with every hook's before_run/after_run around it."""
        if self._sess is None:
            raise RuntimeError("Attempted to use a closed MonitoredSession.")
        return self._sess.run(fetches, feed_dict=feed_dict, options=options, run_metadata=run_metadata)

    def run_step_fn(self, step_fn):
        """Calls `step_fn(step_context)` once: `step_context.session` is the raw tf.Session (runs without
        hooks), `step_context.run_with_hooks(...)` runs like `run`, and `step_context.request_stop()`
        raises StopIteration, which ends the loop (`should_stop()` becomes True; a `with` block exits
        quietly). Returns what step_fn returns."""
        _check_step_fn(step_fn)
        if self._sess is None:
            raise RuntimeError("Attempted to use a closed MonitoredSession.")
        try:
            return self._sess.run_step_fn(step_fn, self._tf_sess(), run_with_hooks=None)
        except StopIteration:
            self._step_fn_stopped = True
            raise

    def should_stop(self):
        """True once a hook or step_fn requested a stop, the Coordinator stopped, or the session closed."""
        return self._sess is None or self._step_fn_stopped or self._sess.should_stop()

    def close(self):
        """Calls every hook's end(session), then closes the session; RuntimeError if already closed."""
        self._close_internal()

    def __enter__(self):
        return self

    def __exit__(self, exception_type, exception_value, traceback):
        if exception_type is not None and issubclass(exception_type, (errors.OutOfRangeError, StopIteration)):
            exception_type = None        # the input ran out: a normal end of the loop
        self._close_internal(exception_type)
        return exception_type is None

    def _tf_sess(self):
        return self._coordinated_creator.tf_sess

    def _release_graph(self):
        # The graph was finalized for this session only; the caller may add to it afterwards.
        if not self._graph_was_finalized:
            self._graph._finalized = False

    def _close_internal(self, exception_type=None):
        if self._sess is None:
            raise RuntimeError("Session is already closed.")
        try:
            if not exception_type:
                for hook in self._hooks:
                    _call_hook(hook, "end", self._coordinated_creator.tf_sess)
        finally:
            try:
                self._sess.close()
            finally:
                self._sess = None
                self._coordinated_creator.tf_sess = None
                self._coordinated_creator.coord = None
                self._release_graph()

    class StepContext:
        """`MonitoredSession.StepContext(session, run_with_hooks_fn)`: what `run_step_fn` gives step_fn.

        `session` is the raw tf.Session; `run_with_hooks(...)` runs like MonitoredSession.run;
        `request_stop()` raises StopIteration to end the loop."""

        def __init__(self, session, run_with_hooks_fn):
            self._session = session
            self._run_with_hooks_fn = run_with_hooks_fn

        @property
        def session(self):
            return self._session

        def run_with_hooks(self, *args, **kwargs):
            """Same as MonitoredSession.run."""
            return self._run_with_hooks_fn(*args, **kwargs)

        def request_stop(self):
            """Ends the training loop: raises StopIteration out of step_fn."""
            raise StopIteration("step_fn has requested the iterations to stop.")

    class _CoordinatedSessionCreator(SessionCreator):
        """Creates the raw session, a Coordinator and its threads, and the hooked wrapper around them."""

        def __init__(self, session_creator, hooks, stop_grace_period_secs):
            self._session_creator = session_creator
            self._hooks = hooks
            self.coord = None
            self.tf_sess = None
            self._stop_grace_period_secs = stop_grace_period_secs

        def create_session(self):
            self.tf_sess = self._session_creator.create_session()
            self.coord = Coordinator()
            try:
                _start_queue_runners(self.tf_sess, self.coord)
                for hook in self._hooks:
                    _call_hook(hook, "after_create_session", self.tf_sess, self.coord)
            except BaseException:
                self.coord.request_stop()
                self.coord.join(stop_grace_period_secs=self._stop_grace_period_secs, ignore_live_threads=True)
                self.tf_sess.close()
                raise
            return _CoordinatedSession(_HookedSession(self.tf_sess, self._hooks), self.coord,
                                       self._stop_grace_period_secs)


def _start_queue_runners(sess, coord):
    """Starts the graph's queue runners on `coord` (tf.train.start_queue_runners, looked up at run time
    because the input-pipeline module may replace it)."""
    from .. import train
    if sess.graph.get_collection(GraphKeys.QUEUE_RUNNERS):
        return train.start_queue_runners(sess=sess, coord=coord)
    return []


class MonitoredSession(_MonitoredSession):
    """`tf.train.MonitoredSession(session_creator=None, hooks=None, stop_grace_period_secs=120)`.

    Creates the session with `session_creator` (a ChiefSessionCreator by default), calls the hooks
    around every `run`, recreates the session after AbortedError/UnavailableError, and closes cleanly
    when used as a context manager (an OutOfRangeError or StopIteration ends the `with` block quietly).

        with tf.train.MonitoredSession(hooks=[tf.train.StopAtStepHook(last_step=1000)]) as sess:
            while not sess.should_stop():
                sess.run(train_op)
    """

    def __init__(self, session_creator=None, hooks=None, stop_grace_period_secs=120):
        super().__init__(session_creator, hooks, should_recover=True,
                         stop_grace_period_secs=stop_grace_period_secs)


class SingularMonitoredSession(_MonitoredSession):
    """`tf.train.SingularMonitoredSession(hooks=None, scaffold=None, master='', config=None,
    checkpoint_dir=None, stop_grace_period_secs=120, checkpoint_filename_with_path=None)`: a
    MonitoredSession for a single process (a ChiefSessionCreator, no recovery); `raw_session()` is the
    underlying tf.Session."""

    def __init__(self, hooks=None, scaffold=None, master="", config=None, checkpoint_dir=None,
                 stop_grace_period_secs=120, checkpoint_filename_with_path=None):
        session_creator = ChiefSessionCreator(scaffold=scaffold, master=master, config=config,
                                              checkpoint_dir=checkpoint_dir,
                                              checkpoint_filename_with_path=checkpoint_filename_with_path)
        super().__init__(session_creator, hooks, should_recover=False,
                         stop_grace_period_secs=stop_grace_period_secs)

    def raw_session(self):
        """The tf.Session under the hooks (running it calls no hook)."""
        return self._tf_sess()


# --- MonitoredTrainingSession --------------------------------------------------------------------
def _resolve_default_periods(steps, secs, default_steps=None, default_secs=None):
    """TF's rule for a (steps, secs) pair: both left default -> the default; one set -> only that one."""
    if steps is USE_DEFAULT and secs is USE_DEFAULT:
        return default_steps, default_secs
    return (None if steps is USE_DEFAULT else steps), (None if secs is USE_DEFAULT else secs)


def _positive(value):
    return value is not None and value > 0


def MonitoredTrainingSession(master="", is_chief=True, checkpoint_dir=None, scaffold=None, hooks=None,  # noqa: N802
                             chief_only_hooks=None, save_checkpoint_secs=USE_DEFAULT,
                             save_summaries_steps=USE_DEFAULT, save_summaries_secs=USE_DEFAULT, config=None,
                             stop_grace_period_secs=120, log_step_count_steps=100, max_wait_secs=7200,
                             save_checkpoint_steps=USE_DEFAULT, summary_dir=None):
    """`tf.train.MonitoredTrainingSession(...)`: a MonitoredSession set up for training.

    On the chief (`is_chief=True`) it restores the newest checkpoint of `checkpoint_dir` or initializes
    the model, and adds, before the caller's `hooks` (after `chief_only_hooks`):
      a StepCounterHook every `log_step_count_steps` steps   (when `summary_dir` or `checkpoint_dir`)
      a SummarySaverHook every `save_summaries_steps` steps (100 by default) or `save_summaries_secs`
        seconds, writing to `summary_dir` (default: `checkpoint_dir`)
      a CheckpointSaverHook every `save_checkpoint_secs` seconds (600 by default) or
        `save_checkpoint_steps` steps, saving '<checkpoint_dir>/model.ckpt-<global step>'
    Setting one of a steps/secs pair uses only that one; None or 0 switches the hook off. A non-chief
    waits up to `max_wait_secs` for the model to be ready and gets only `hooks`."""
    scaffold = scaffold or Scaffold()
    hooks = _check_hooks(hooks)
    chief_only_hooks = _check_hooks(chief_only_hooks, "chief_only_hooks")
    if not is_chief:
        session_creator = WorkerSessionCreator(scaffold=scaffold, master=master, config=config,
                                               max_wait_secs=max_wait_secs)
        return MonitoredSession(session_creator=session_creator, hooks=hooks,
                                stop_grace_period_secs=stop_grace_period_secs)
    save_summaries_steps, save_summaries_secs = _resolve_default_periods(
        save_summaries_steps, save_summaries_secs, default_steps=100)
    save_checkpoint_steps, save_checkpoint_secs = _resolve_default_periods(
        save_checkpoint_steps, save_checkpoint_secs, default_secs=600)
    all_hooks = list(chief_only_hooks)
    session_creator = ChiefSessionCreator(scaffold=scaffold, checkpoint_dir=checkpoint_dir, master=master,
                                          config=config)
    summary_dir = summary_dir or checkpoint_dir
    if summary_dir:
        if _positive(log_step_count_steps):
            all_hooks.append(_hooks.StepCounterHook(output_dir=summary_dir, every_n_steps=log_step_count_steps))
        if _positive(save_summaries_steps) or _positive(save_summaries_secs):
            all_hooks.append(_hooks.SummarySaverHook(scaffold=scaffold, save_steps=save_summaries_steps,
                                                     save_secs=save_summaries_secs, output_dir=summary_dir))
    if checkpoint_dir and (_positive(save_checkpoint_secs) or _positive(save_checkpoint_steps)):
        all_hooks.append(_hooks.CheckpointSaverHook(checkpoint_dir, save_steps=save_checkpoint_steps,
                                                    save_secs=save_checkpoint_secs, scaffold=scaffold))
    all_hooks.extend(hooks)
    return MonitoredSession(session_creator=session_creator, hooks=all_hooks,
                            stop_grace_period_secs=stop_grace_period_secs)
