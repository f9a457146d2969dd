"""`tf.train.Coordinator`: stopping a set of Python threads together and re-raising the first error.

The queue runners' threads (train/queue_runner.py) report to a Coordinator; `tf.train.start_queue_runners`
lives there.
"""
import contextlib
import sys
import threading
import time

from ..framework import errors

__all__ = ["Coordinator"]


class Coordinator:
    """`tf.train.Coordinator(clean_stop_exception_types=None)`: a stop flag shared by threads.

    Threads poll `should_stop()`; any of them calls `request_stop(ex)` (or runs inside
    `stop_on_exception()`) to stop all; `join(threads)` waits for them and re-raises the first exception
    reported. Exceptions of `clean_stop_exception_types` (tf.errors.OutOfRangeError by default) stop
    cleanly without being re-raised."""

    def __init__(self, clean_stop_exception_types=None):
        if clean_stop_exception_types is None:
            clean_stop_exception_types = (errors.OutOfRangeError,)
        self._clean_stop_exception_types = tuple(clean_stop_exception_types)
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._exc_info_to_raise = None
        self._joined = False
        self._registered_threads = set()

    def _filter_exception(self, ex):
        """exc_info of `ex` (an exception or an exc_info tuple), or None for a clean-stop exception."""
        if isinstance(ex, tuple):
            ex2 = ex[1]
        else:
            ex2 = ex
        if isinstance(ex2, self._clean_stop_exception_types):
            return None
        if isinstance(ex, tuple):
            return ex
        return (type(ex), ex, ex.__traceback__)

    def request_stop(self, ex=None):
        """Asks every thread to stop; `ex` (an exception or sys.exc_info() tuple) is kept, the first one
        only, for join() to re-raise."""
        with self._lock:
            ex = self._filter_exception(ex) if ex is not None else None
            if self._joined:
                if ex is not None and ex[1] is not None and \
                        (self._exc_info_to_raise is None or ex[1] is not self._exc_info_to_raise[1]):
                    raise ex[1].with_traceback(ex[2])
                return
            # Only the exception of the first stop request is kept (TF's rule): errors that threads
            # report while shutting down, such as cancelled enqueues, must not replace a clean stop.
            if ex is not None and self._exc_info_to_raise is None and not self._stop_event.is_set():
                if not isinstance(ex[1], BaseException):
                    raise ValueError("ex must be an exception or an exc_info tuple, got %r" % (ex,))
                self._exc_info_to_raise = ex
            self._stop_event.set()

    def clear_stop(self):
        """Clears the stop flag and the recorded exception, so that the coordinator can be reused."""
        with self._lock:
            self._joined = False
            self._exc_info_to_raise = None
            self._stop_event.clear()

    def should_stop(self):
        """Whether a stop was requested."""
        return self._stop_event.is_set()

    @contextlib.contextmanager
    def stop_on_exception(self):
        """A context that requests a stop, recording the exception, when its body raises."""
        try:
            yield
        except:  # noqa: E722 - TF's behaviour: any exception, recorded for join()
            self.request_stop(ex=sys.exc_info())

    def wait_for_stop(self, timeout=None):
        """Waits (at most `timeout` seconds) for a stop request; returns whether one was made."""
        return self._stop_event.wait(timeout)

    def register_thread(self, thread):
        """Adds a thread for join() to wait for."""
        with self._lock:
            self._registered_threads.add(thread)

    def join(self, threads=None, stop_grace_period_secs=120, ignore_live_threads=False):
        """Waits until the threads end or a stop is requested, then gives them `stop_grace_period_secs`
        to end. Re-raises the exception passed to request_stop; RuntimeError naming the threads still
        running after the grace period (unless `ignore_live_threads`)."""
        with self._lock:
            threads = set(self._registered_threads) | set(threads or [])
        while any(t.is_alive() for t in threads) and not self.wait_for_stop(1.0):
            pass
        wait = 0.001
        while any(t.is_alive() for t in threads) and stop_grace_period_secs >= 0.0:
            time.sleep(wait)
            stop_grace_period_secs -= wait
            wait = max(min(2 * wait, stop_grace_period_secs), 0.001)
        stragglers = [t.name for t in threads if t.is_alive()]
        with self._lock:
            self._joined = True
            self._registered_threads = set()
            if self._exc_info_to_raise:
                _, value, traceback = self._exc_info_to_raise
                raise value.with_traceback(traceback)
            if stragglers and not ignore_live_threads:
                raise RuntimeError("Coordinator stopped with threads still running: %s" % " ".join(stragglers))

    @property
    def joined(self):
        return self._joined

    def raise_requested_exception(self):
        """Re-raises the exception passed to request_stop, if any."""
        with self._lock:
            if self._exc_info_to_raise:
                _, value, traceback = self._exc_info_to_raise
                raise value.with_traceback(traceback)
