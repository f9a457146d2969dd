"""`slim.queues`: `QueueRunners(session)`, a context manager that runs the graph's queue runners for the
duration of a block (for reading inputs outside `slim.learning.train` / `slim.evaluation`)."""
import contextlib

from ...train.coordinator import Coordinator
from ...train.queue_runner import start_queue_runners

__all__ = ["QueueRunners"]


@contextlib.contextmanager
def QueueRunners(session):  # noqa: N802 - TF's name
    """`slim.queues.QueueRunners(session)`: starts the QUEUE_RUNNERS collection's threads on a new
    Coordinator; on leaving the block asks them to stop and waits up to 120 s for them (closing the
    session if they do not stop, so that blocked ops return)."""
    coord = Coordinator()
    threads = start_queue_runners(session, coord=coord)
    try:
        yield
    finally:
        coord.request_stop()
        try:
            coord.join(threads, stop_grace_period_secs=120)
        except RuntimeError:
            session.close()
