"""`tf.logging`: TF1's logging functions, on Python's `logging` module with the logger named 'numflow'
('tensorflow' while `import tensorflow` resolves to numflow: under `numflow run` and after
`numflow.install_as_tensorflow()`, so that TF scripts' filters on the 'tensorflow' logger apply).

As in TF1 the default level is WARN, so `tf.logging.info(...)` prints nothing until
`tf.logging.set_verbosity(tf.logging.INFO)`. Records propagate to the root logger (so `logging` handlers
and pytest's caplog see them); when the root logger has no handler of its own, one writing
`LEVEL:numflow:message` lines (`LEVEL:tensorflow:message` under the alias) to stderr is attached to the
logger on first use.
"""
import logging as _logging
import sys as _sys
import threading as _threading

DEBUG = _logging.DEBUG
INFO = _logging.INFO
WARN = _logging.WARN
WARNING = _logging.WARNING
ERROR = _logging.ERROR
FATAL = _logging.FATAL

__all__ = ["DEBUG", "INFO", "WARN", "WARNING", "ERROR", "FATAL", "debug", "info", "warn", "warning", "error",
           "fatal", "log", "vlog", "log_if", "log_every_n", "log_first_n", "set_verbosity", "get_verbosity",
           "get_logger", "flush"]

_NAME = "numflow"
_lock = _threading.Lock()
_logger = None
_counts = {}


class _StderrHandler(_logging.StreamHandler):
    """A StreamHandler that writes to whatever `sys.stderr` is at the time of each record."""

    def __init__(self):
        super().__init__(_sys.stderr)

    @property
    def stream(self):
        return _sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def get_logger():
    """The 'numflow' `logging.Logger` behind every function here (`tf.get_logger()`)."""
    global _logger
    if _logger is None:
        with _lock:
            if _logger is None:
                logger = _logging.getLogger(_NAME)
                if not _logging.getLogger().handlers and not logger.handlers:
                    handler = _StderrHandler()
                    handler.setFormatter(_logging.Formatter(_logging.BASIC_FORMAT))
                    logger.addHandler(handler)
                _logger = logger
    return _logger


def logger_name():
    """The name of the logger records go to: 'numflow', or 'tensorflow' under the TensorFlow alias."""
    return _NAME


def use_logger_name(name):
    """Send every record to the logger `name` from now on, keeping the verbosity that was set.

    The TensorFlow alias calls this with 'tensorflow' when it is installed and 'numflow' when removed.
    """
    global _logger, _NAME
    with _lock:
        previous, _NAME, _logger = _logger, name, None
    logger = get_logger()
    if previous is not None and previous is not logger and previous.level != _logging.NOTSET:
        logger.setLevel(previous.level)
    return logger


def log(level, msg, *args, **kwargs):
    """Log `msg % args` at `level`."""
    kwargs.setdefault("stacklevel", 2)
    get_logger().log(level, msg, *args, **kwargs)


def debug(msg, *args, **kwargs):
    kwargs.setdefault("stacklevel", 2)
    get_logger().debug(msg, *args, **kwargs)


def info(msg, *args, **kwargs):
    kwargs.setdefault("stacklevel", 2)
    get_logger().info(msg, *args, **kwargs)


def warning(msg, *args, **kwargs):
    kwargs.setdefault("stacklevel", 2)
    get_logger().warning(msg, *args, **kwargs)


warn = warning


def error(msg, *args, **kwargs):
    kwargs.setdefault("stacklevel", 2)
    get_logger().error(msg, *args, **kwargs)


def fatal(msg, *args, **kwargs):
    """Log at FATAL; as in TF1 this only logs, it does not stop the program."""
    kwargs.setdefault("stacklevel", 2)
    get_logger().critical(msg, *args, **kwargs)


def vlog(level, msg, *args, **kwargs):
    """Log at `level` (TF1's verbose logging is plain `log` here)."""
    kwargs.setdefault("stacklevel", 2)
    get_logger().log(level, msg, *args, **kwargs)


def log_if(level, msg, condition, *args):
    """Log `msg % args` at `level` when `condition` is true."""
    if condition:
        get_logger().log(level, msg, *args, stacklevel=2)


def _count_at_call_site():
    """How many times the calling line has asked before (0 the first time); counted per file and line."""
    frame = _sys._getframe(2)
    key = (frame.f_code.co_filename, frame.f_lineno)
    with _lock:
        count = _counts.get(key, 0)
        _counts[key] = count + 1
    return count


def log_every_n(level, msg, n, *args):
    """Log `msg % args` the 1st, (n+1)th, (2n+1)th ... time this line runs."""
    if _count_at_call_site() % max(int(n), 1) == 0:
        get_logger().log(level, msg, *args, stacklevel=2)


def log_first_n(level, msg, n, *args):
    """Log `msg % args` only the first `n` times this line runs."""
    if _count_at_call_site() < n:
        get_logger().log(level, msg, *args, stacklevel=2)


def set_verbosity(v):
    """Show records at level `v` (DEBUG, INFO, WARN, ERROR, FATAL or a number) and above."""
    get_logger().setLevel(v)


def get_verbosity():
    """The level that records must reach to be shown (WARN unless set_verbosity changed it)."""
    return get_logger().getEffectiveLevel()


def flush():
    for handler in get_logger().handlers:
        handler.flush()


def TaskLevelStatusMessage(msg):  # noqa: N802 - TF's name
    """`tf.logging.TaskLevelStatusMessage(msg)`: logs a task's status message (at ERROR level, as TF 1)."""
    error(msg)


__all__ += ["TaskLevelStatusMessage"]
