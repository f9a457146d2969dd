"""`tf.train.basic_train_loop` and `tf.train.checkpoints_iterator`: the two small loops TF1 offers for
driving training with a Supervisor and for evaluating checkpoints as a trainer writes them."""
import time

from ..platform import tf_logging as logging
from .checkpoint_utils import latest_checkpoint

__all__ = ["basic_train_loop", "checkpoints_iterator"]


def basic_train_loop(supervisor, train_step_fn, args=None, kwargs=None, master=""):
    """`tf.train.basic_train_loop(supervisor, train_step_fn, args, kwargs, master)`: opens
    `supervisor.managed_session(master)` and calls `train_step_fn(session, *args, **kwargs)` until the
    supervisor says to stop (a step may call `supervisor.request_stop()`, or raise OutOfRangeError, which the
    managed session treats as a normal end)."""
    args = tuple(args) if args is not None else ()
    kwargs = dict(kwargs) if kwargs is not None else {}
    with supervisor.managed_session(master) as session:
        while not supervisor.should_stop():
            train_step_fn(session, *args, **kwargs)


def _wait_for_new_checkpoint(checkpoint_dir, last_checkpoint, seconds_to_sleep, timeout):
    """The newest checkpoint of `checkpoint_dir` once it differs from `last_checkpoint`, polling every
    `seconds_to_sleep`; None when `timeout` seconds pass first."""
    stop_time = time.time() + timeout if timeout is not None else None
    logging.info("Waiting for new checkpoint at %s", checkpoint_dir)
    while True:
        checkpoint_path = latest_checkpoint(checkpoint_dir)
        if checkpoint_path is not None and checkpoint_path != last_checkpoint:
            logging.info("Found new checkpoint at %s", checkpoint_path)
            return checkpoint_path
        if stop_time is not None and time.time() + seconds_to_sleep > stop_time:
            return None
        time.sleep(seconds_to_sleep)


def checkpoints_iterator(checkpoint_dir, min_interval_secs=0, timeout=None, timeout_fn=None):
    """`tf.train.checkpoints_iterator(checkpoint_dir, min_interval_secs=0, timeout=None, timeout_fn=None)`:
    yields each new checkpoint path that appears in `checkpoint_dir` (per its `checkpoint` state file),
    waiting for the next one. At least `min_interval_secs` pass between yields (only the newest checkpoint
    is yielded when several appeared meanwhile). When `timeout` seconds pass without a new one, the
    iterator ends, unless `timeout_fn` is given: it is called, and the wait resumes while it returns
    False."""
    checkpoint_path = None
    while True:
        new_checkpoint_path = _wait_for_new_checkpoint(checkpoint_dir, checkpoint_path,
                                                       seconds_to_sleep=1 if timeout is None else min(1, timeout),
                                                       timeout=timeout)
        if new_checkpoint_path is None:
            if timeout_fn is None:
                logging.info("Timed-out waiting for a checkpoint.")
                return
            if timeout_fn():
                return
            continue
        started = time.time()
        checkpoint_path = new_checkpoint_path
        yield checkpoint_path
        time_to_next = started + min_interval_secs - time.time()
        if time_to_next > 0:
            time.sleep(time_to_next)
