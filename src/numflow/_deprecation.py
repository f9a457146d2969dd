"""TF 1.15's deprecation notices, opt-in: set NUMFLOW_DEPRECATION_WARNINGS=1 before importing numflow.

TF1 logs, the first time a deprecated function is called, a WARNING naming the caller's file and line, the
function, when it goes away and what to call instead; that is how TF1 users learn the modern call. numflow
stays quiet by default (the old calls are its users' daily bread) and logs the same kind of notice, through
`tf.logging`, when asked to. Only the functions below are covered: the commonest deprecated TF1 calls.
"""
import functools
import os
import sys

from .platform import tf_logging

ENV_VAR = "NUMFLOW_DEPRECATION_WARNINGS"

# public path -> (removal date or None for "in a future version", instructions)
DEPRECATED = {
    "initialize_all_variables": ("2017-03-02", "Use `tf.global_variables_initializer` instead."),
    "initialize_local_variables": ("2017-03-02", "Use `tf.local_variables_initializer` instead."),
    "initialize_variables": ("2017-03-02", "Use `tf.variables_initializer` instead."),
    "all_variables": ("2017-03-02", "Use `tf.global_variables` instead."),
    "div": (None, "Use the `/` or `//` operator, or `tf.math.divide` / `tf.math.floordiv`."),
    "to_float": (None, "Use `tf.cast(x, tf.float32)` instead."),
    "to_double": (None, "Use `tf.cast(x, tf.float64)` instead."),
    "to_int32": (None, "Use `tf.cast(x, tf.int32)` instead."),
    "to_int64": (None, "Use `tf.cast(x, tf.int64)` instead."),
    "Print": ("2018-08-20", "Use `tf.print` instead of `tf.Print`: it takes the values to print and "
                            "returns an op to run (for example in `tf.control_dependencies`)."),
    "sparse_to_dense": (None, "Build a `tf.SparseTensor` and call `tf.sparse.to_dense` on it."),
    "nn.softmax_cross_entropy_with_logits": (
        None, "Later TensorFlow versions let gradients flow into `labels` as well; to get that behaviour "
              "now, use `tf.nn.softmax_cross_entropy_with_logits_v2` (wrap the labels in "
              "`tf.stop_gradient` to keep today's)."),
    "train.start_queue_runners": (None, "Build input pipelines with `tf.data` instead of queue runners."),
    "train.string_input_producer": (None, "Use `tf.data.Dataset.from_tensor_slices(string_tensor)` with "
                                          "`.shuffle()` and `.repeat(num_epochs)` instead."),
    "train.slice_input_producer": (None, "Use `tf.data.Dataset.from_tensor_slices(tuple(tensor_list))` "
                                         "with `.shuffle()` and `.repeat(num_epochs)` instead."),
    "train.batch": (None, "Use `tf.data`: `dataset.batch(batch_size)`."),
    "train.shuffle_batch": (None, "Use `tf.data`: `dataset.shuffle(min_after_dequeue).batch(batch_size)`."),
    "layers.dense": (None, "Use `tf.keras.layers.Dense` instead."),
    "layers.conv2d": (None, "Use `tf.keras.layers.Conv2D` instead."),
    "layers.max_pooling2d": (None, "Use `tf.keras.layers.MaxPooling2D` instead."),
    "layers.flatten": (None, "Use `tf.keras.layers.Flatten` instead."),
    "layers.dropout": (None, "Use `tf.keras.layers.Dropout` instead."),
    "layers.batch_normalization": (None, "Use `tf.keras.layers.BatchNormalization` instead."),
}

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_originals = {}  # (namespace module, attribute) -> the undecorated function
_warned = set()


def notice(name, module, date, instructions, caller):
    """The text TF1 logs for a deprecated call: where from, what, until when, what instead."""
    when = "after %s" % date if date else "in a future version"
    return ("From %s:%d: %s (from %s) is deprecated and will be removed %s.\nInstructions for updating:\n%s"
            % (caller.f_code.co_filename, caller.f_lineno, name, module, when, instructions))


def _deprecated(function, name, date, instructions):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        caller = sys._getframe(1)
        # once per function, as TF1 does; numflow's own internal calls are not the user's to fix
        if name not in _warned and not caller.f_code.co_filename.startswith(_PACKAGE_DIR):
            _warned.add(name)
            tf_logging.warning("%s", notice(name, function.__module__, date, instructions, caller))
        return function(*args, **kwargs)
    wrapper.__wrapped_deprecated__ = function
    return wrapper


def _namespace(root, path):
    parts = path.split(".")
    namespace = root
    for part in parts[:-1]:
        namespace = getattr(namespace, part)
    return namespace, parts[-1]


def enable(root=None):
    """Log a deprecation notice the first time each function of DEPRECATED is called."""
    root = root or sys.modules[__name__.rsplit(".", 1)[0]]
    for path, (date, instructions) in DEPRECATED.items():
        namespace, attribute = _namespace(root, path)
        function = getattr(namespace, attribute, None)
        if function is None or (namespace, attribute) in _originals:
            continue
        _originals[(namespace, attribute)] = function
        setattr(namespace, attribute, _deprecated(function, attribute, date, instructions))


def disable():
    """Put the undecorated functions back (and forget which notices were shown)."""
    for (namespace, attribute), function in _originals.items():
        setattr(namespace, attribute, function)
    _originals.clear()
    _warned.clear()


def enable_from_environment(root=None):
    """enable() when NUMFLOW_DEPRECATION_WARNINGS is set to anything but '', 0, false or no."""
    if os.environ.get(ENV_VAR, "").strip().lower() not in ("", "0", "false", "no"):
        enable(root)
