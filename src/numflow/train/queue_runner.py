"""`tf.train.QueueRunner`, `tf.train.add_queue_runner` and `tf.train.start_queue_runners`.

A queue runner holds the enqueue ops that fill one queue. `create_threads` starts one Python thread per
enqueue op, each running its op in a loop, so that the input pipeline fills its queues while the main
thread trains. A thread ends when its op raises one of `queue_closed_exception_types` (the input ran out:
tf.errors.OutOfRangeError by default; the last thread to end then closes the queue, so that readers
downstream see the end), when the coordinator asks to stop (one more thread then cancels the queue's
pending enqueues, waking the threads blocked on a full queue), or when the Session closes. Any other
error is reported to the coordinator, which re-raises it from `join`.
"""
import threading
import weakref

from ..framework import errors
from ..framework.graph import GraphKeys, add_to_collection
from ..platform import tf_logging as _log

__all__ = ["QueueRunner", "add_queue_runner", "start_queue_runners"]

# How often a thread waiting for the coordinator's stop also checks whether its Session was closed.
_CLOSED_SESSION_POLL_SECS = 0.05


def _session_closed(sess):
    return getattr(sess, "_closed", False)


class QueueRunner:
    """`tf.train.QueueRunner(queue=None, enqueue_ops=None, close_op=None, cancel_op=None,
    queue_closed_exception_types=None)`: the threads that run `enqueue_ops` (one thread each) to fill
    `queue`. `close_op` (default queue.close()) runs when the input is exhausted, `cancel_op` (default
    queue.close(cancel_pending_enqueues=True)) when the coordinator stops."""

    def __init__(self, queue=None, enqueue_ops=None, close_op=None, cancel_op=None,
                 queue_closed_exception_types=None, queue_runner_def=None, import_scope=None):
        if queue_runner_def is not None:
            raise ValueError("queue_runner_def is not supported by numflow: build the QueueRunner from a "
                             "queue and its enqueue ops")
        if queue is None or not enqueue_ops:
            raise ValueError("Must provide queue and enqueue_ops.")
        self._queue = queue
        self._enqueue_ops = list(enqueue_ops)
        self._close_op = close_op if close_op is not None else queue.close()
        self._cancel_op = cancel_op if cancel_op is not None else queue.close(cancel_pending_enqueues=True)
        if queue_closed_exception_types is None:
            queue_closed_exception_types = (errors.OutOfRangeError,)
        types = tuple(queue_closed_exception_types)
        if not types or not all(isinstance(t, type) and issubclass(t, errors.OpError) for t in types):
            raise TypeError("queue_closed_exception_types, when provided, must be a tuple of tf.error types, "
                            "but saw: %s" % (queue_closed_exception_types,))
        self._queue_closed_exception_types = types
        self._lock = threading.Lock()
        self._runs_per_session = weakref.WeakKeyDictionary()
        self._exceptions_raised = []

    @property
    def queue(self):
        return self._queue

    @property
    def enqueue_ops(self):
        return self._enqueue_ops

    @property
    def close_op(self):
        return self._close_op

    @property
    def cancel_op(self):
        return self._cancel_op

    @property
    def queue_closed_exception_types(self):
        return self._queue_closed_exception_types

    @property
    def exceptions_raised(self):
        """The exceptions the threads raised when they had no coordinator to report to."""
        return self._exceptions_raised

    @property
    def name(self):
        """The name of the queue this runner fills."""
        return self._queue.name

    def _finish_one(self, sess):
        """Counts one enqueue thread of `sess` as ended; True for the last one."""
        with self._lock:
            self._runs_per_session[sess] -= 1
            return self._runs_per_session[sess] == 0

    def _run(self, sess, enqueue_op, coord):
        finished = False
        try:
            while not (coord is not None and coord.should_stop()):
                try:
                    sess.run(enqueue_op)
                except self._queue_closed_exception_types:
                    finished = True
                    if self._finish_one(sess):
                        try:
                            sess.run(self._close_op)
                        except Exception as exc:  # noqa: BLE001 - closing is best effort, as in TF
                            _log.debug("Ignored exception while closing a queue: %s", exc)
                    return
        except Exception as exc:  # noqa: BLE001 - every other error goes to the coordinator
            if _session_closed(sess) or (coord is not None and coord.should_stop()):
                # Cancelled by the shutdown itself: a clean end, not an error to report.
                return
            if coord is not None:
                coord.request_stop(exc)
            else:
                _log.error("Exception in QueueRunner: %s", exc)
                with self._lock:
                    self._exceptions_raised.append(exc)
                raise
        finally:
            if not finished:
                self._finish_one(sess)

    def _close_on_stop(self, sess, coord):
        """Waits for the coordinator's stop, then cancels the queue's pending enqueues."""
        while not coord.wait_for_stop(_CLOSED_SESSION_POLL_SECS):
            if _session_closed(sess):
                return
        if _session_closed(sess):
            return
        try:
            sess.run(self._cancel_op)
        except Exception as exc:  # noqa: BLE001 - the session may be closing meanwhile
            _log.debug("Ignored exception while cancelling a queue: %s", exc)

    def create_threads(self, sess, coord=None, daemon=False, start=False):
        """The threads running this runner's enqueue ops in `sess` (and, with `coord`, one that cancels
        the queue when the coordinator stops), registered with `coord`; started when `start`. Returns
        [] when threads of this runner are already running in `sess`."""
        with self._lock:
            if self._runs_per_session.get(sess, 0) > 0:
                return []
            self._runs_per_session[sess] = len(self._enqueue_ops)
            self._exceptions_raised = []
        threads = [threading.Thread(target=self._run, args=(sess, op, coord),
                                    name="QueueRunnerThread-%s-%s" % (self.name, getattr(op, "name", op)))
                   for op in self._enqueue_ops]
        if coord is not None:
            threads.append(threading.Thread(target=self._close_on_stop, args=(sess, coord),
                                            name="QueueRunnerThread-%s-close_on_stop" % self.name))
        for thread in threads:
            if coord is not None:
                coord.register_thread(thread)
            thread.daemon = daemon
            if start:
                thread.start()
        return threads


def add_queue_runner(qr, collection=GraphKeys.QUEUE_RUNNERS):
    """`tf.train.add_queue_runner(qr, collection=GraphKeys.QUEUE_RUNNERS)`: records `qr` in the graph
    collection that start_queue_runners starts."""
    add_to_collection(collection, qr)


def start_queue_runners(sess=None, coord=None, daemon=True, start=True, collection=GraphKeys.QUEUE_RUNNERS):
    """`tf.train.start_queue_runners(sess=None, coord=None, daemon=True, start=True,
    collection=GraphKeys.QUEUE_RUNNERS)`: starts the threads of every queue runner in `collection` of the
    session's graph and returns them (all of them, for `coord.join`). `sess` defaults to the default
    session."""
    from ..client.session import BaseSession, get_default_session
    if sess is None:
        sess = get_default_session()
        if sess is None:
            raise ValueError("Cannot start queue runners: No default session is registered. Use `with "
                             "sess.as_default()` or pass an explicit session to "
                             "tf.start_queue_runners(sess=sess)")
    if not isinstance(sess, BaseSession):
        if type(sess).__name__ in ("MonitoredSession", "SingularMonitoredSession"):
            # A MonitoredSession starts its queue runners itself.
            return []
        raise TypeError("sess must be a `tf.Session` object. Given class: %s" % type(sess))
    runners = sess.graph.get_collection(collection)
    if not runners:
        _log.warning("`tf.train.start_queue_runners()` was called when no queue runners were defined. You "
                     "can safely remove the call to this deprecated function.")
    threads = []
    with sess.graph.as_default():
        for runner in runners:
            threads.extend(runner.create_threads(sess, coord=coord, daemon=daemon, start=start))
    return threads
