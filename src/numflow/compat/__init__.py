"""`tf.compat`: `tf.compat.v1` is numflow itself, and the v2-behaviour switches TF1 scripts call."""
import sys


def disable_v2_behavior():
    """Accepted for TF1 scripts run on TF2: numflow always behaves as TF1."""


def disable_eager_execution():
    """Accepted for TF1 scripts: numflow always builds graphs."""


def enable_eager_execution(config=None, device_policy=None, execution_mode=None):
    """numflow has no eager mode: every program builds a graph and runs it in a Session."""
    raise NotImplementedError("numflow implements TF1's graph mode only; eager execution is not available")


def enable_v2_behavior():
    raise NotImplementedError("numflow implements TF1's behaviour only")


def executing_eagerly():
    """Always False: numflow builds graphs."""
    return False


def forward_compatible(year, month, day):
    return False


def as_bytes(bytes_or_text, encoding="utf-8"):
    return bytes_or_text.encode(encoding) if isinstance(bytes_or_text, str) else bytes(bytes_or_text)


def as_text(bytes_or_text, encoding="utf-8"):
    return bytes_or_text.decode(encoding) if isinstance(bytes_or_text, bytes) else str(bytes_or_text)


as_str = as_text


from .compat_extra import *  # noqa: E402,F401,F403 - text/path/Dimension helpers, type tuples, the horizon


def __getattr__(name):
    if name == "v1":
        module = sys.modules["numflow"]
        sys.modules[__name__ + ".v1"] = module
        return module
    raise AttributeError("module 'numflow.compat' has no attribute %r" % name)
