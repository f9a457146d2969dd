"""Shared by the queue, reader and input-pipeline tests: running a blocking call in a thread with a
deadline, and checking that a test leaves no thread behind."""
import threading
import time

import pytest

DEADLINE_SECS = 5.0


class Background:
    """Runs `fn()` in a daemon thread; `result()` waits (bounded) and returns its value or re-raises."""

    def __init__(self, fn):
        self._value = None
        self._error = None
        self._thread = threading.Thread(target=self._run, args=(fn,), daemon=True, name="test-background")
        self._thread.start()

    def _run(self, fn):
        try:
            self._value = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            self._error = exc

    def finished_within(self, seconds):
        self._thread.join(seconds)
        return not self._thread.is_alive()

    def result(self):
        assert self.finished_within(DEADLINE_SECS), "background call still blocked after %ss" % DEADLINE_SECS
        if self._error is not None:
            raise self._error
        return self._value


def wait_until(predicate, seconds=DEADLINE_SECS):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


@pytest.fixture(autouse=True)
def no_thread_left():
    """Every thread a test starts (queue runners included) has ended shortly after the test."""
    before = set(threading.enumerate())
    yield
    assert wait_until(lambda: not (set(threading.enumerate()) - before), 2.0), \
        "threads left running: %s" % sorted(t.name for t in set(threading.enumerate()) - before)
