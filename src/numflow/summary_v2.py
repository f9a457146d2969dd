"""`tf.contrib.summary`: TF 1.x's "V2-style" summaries in graph mode.

Unlike `tf.summary.scalar` (whose value is a serialized Summary you pass to a FileWriter), these ops write
an Event themselves, through the default `SummaryWriter`, when recording is on:

    writer = tf.contrib.summary.create_file_writer(logdir)
    with writer.as_default(), tf.contrib.summary.record_summaries_every_n_global_steps(10):
        tf.contrib.summary.scalar("loss", loss)
    with tf.Session() as sess:
        tf.contrib.summary.initialize(graph=tf.get_default_graph())
        sess.run([train_op, tf.contrib.summary.all_summary_ops()])

A writer is a per-Session resource (ops/summary_v2_ops.py): its `init()` op opens the event file in the
Session that runs it. Each summary op is a bool tensor, True when it wrote; it computes its Summary only
on the branch of a `tf.cond` that records. The ops go in the graph collection '_SUMMARY_V2'
(`all_summary_ops()`), the writers' initializers in '_SUMMARY_WRITER_V2' (`summary_writer_initializer_op()`).
"""
import contextlib
import itertools
import os
import threading

import numpy as np

from . import summary as _v1
from .framework import dtypes
from .framework.graph import Graph, Tensor, control_dependencies, convert_to_tensor, get_default_graph, name_scope
from .io.proto import SummaryMetadata
from .ops import summary_v2_ops as _ops  # noqa: F401 - registers the writer ops
from .ops.common import make_op

__all__ = ["SummaryWriter", "create_file_writer", "create_summary_file_writer", "summary_writer_initializer_op",
           "initialize", "always_record_summaries", "never_record_summaries",
           "record_summaries_every_n_global_steps", "should_record_summaries", "scalar", "histogram", "image",
           "audio", "text", "generic", "graph", "all_summary_ops", "flush", "eval_dir"]

SUMMARY_COLLECTION = "_SUMMARY_V2"
WRITER_INIT_COLLECTION = "_SUMMARY_WRITER_V2"


class _State(threading.local):
    def __init__(self):
        self.writer = None
        self.is_recording = None


_state = _State()
_writer_ids = itertools.count()


# --- writers -------------------------------------------------------------------------------------
class SummaryWriter:
    """`tf.contrib.summary.SummaryWriter`: a handle on a summary writer resource (made by
    `create_file_writer`). In graph mode `init()`, `flush()` and `close()` return ops to run in a Session."""

    def __init__(self, key, init_op, graph):
        self._key = key
        self._init_op = init_op
        self._graph = graph

    def set_as_default(self):
        """Makes this writer the default for summary ops created later in this thread."""
        _state.writer = self

    @contextlib.contextmanager
    def as_default(self):
        """A context in which summary ops write through this writer (the previous default comes back after)."""
        previous = _state.writer
        _state.writer = self
        try:
            yield self
        finally:
            _state.writer = previous

    def init(self):
        """The op that opens this writer's event file in the Session running it."""
        return self._init_op

    def _writer_op(self, op_type, name):
        if self._key is None:
            return _no_op()
        with self._graph.as_default():
            return make_op(op_type, [], {"writer": self._key}, name=name)

    def flush(self):
        """An op writing this writer's queued events to disk."""
        return self._writer_op("FlushSummaryWriter", "FlushSummaryWriter")

    def close(self):
        """An op flushing and closing this writer's file (a later `init()` run opens a new file)."""
        return self._writer_op("CloseSummaryWriter", "CloseSummaryWriter")


def _no_op():
    from .ops.control import no_op
    return no_op()


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None, name=None):
    """`tf.contrib.summary.create_file_writer(logdir, max_queue=None, flush_millis=None,
    filename_suffix=None, name=None)`: a SummaryWriter writing event files to `logdir`.

    Defaults: 10 queued events, a flush every 120000 ms, the suffix '.v2'. With `logdir=None` the writer
    does nothing (useful as a context manager); `init()` is then None."""
    if logdir is None:
        return SummaryWriter(None, None, get_default_graph())
    graph = get_default_graph()
    with name_scope(name, "create_file_writer"):
        inputs = [convert_to_tensor(os.fspath(logdir) if not isinstance(logdir, Tensor) else logdir,
                                    dtype=dtypes.string, name="logdir"),
                  convert_to_tensor(10 if max_queue is None else max_queue, dtype=dtypes.int32, name="max_queue"),
                  convert_to_tensor(120000 if flush_millis is None else flush_millis, dtype=dtypes.int32,
                                    name="flush_millis"),
                  convert_to_tensor(".v2" if filename_suffix is None else filename_suffix, dtype=dtypes.string,
                                    name="filename_suffix")]
        key = "%s_%d" % (name or "summary_writer", next(_writer_ids))
        init_op = make_op("CreateSummaryFileWriter", inputs, {"writer": key}, name="CreateSummaryFileWriter")
    graph.add_to_collection(WRITER_INIT_COLLECTION, init_op)
    return SummaryWriter(key, init_op, graph)


create_summary_file_writer = create_file_writer


def summary_writer_initializer_op():
    """`tf.contrib.summary.summary_writer_initializer_op()`: the list of the init ops of every writer created
    in the default graph."""
    return get_default_graph().get_collection(WRITER_INIT_COLLECTION)


def initialize(graph=None, session=None):
    """`tf.summary.initialize(graph=None, session=None)` (also `tf.contrib.summary.initialize`): runs the
    writers' initializers in `session` (the default session when None) and, when `graph` (a tf.Graph or
    serialized GraphDef bytes) is given, writes it through the default writer at step 0.

    Raises RuntimeError without a default writer, ValueError without a session."""
    if _state.writer is None:
        raise RuntimeError("No default tf.contrib.summary.SummaryWriter found")
    if session is None:
        from .client.session import get_default_session
        session = get_default_session()
        if session is None:
            raise ValueError("session must be passed if no default session exists")
    session.run(summary_writer_initializer_op())
    if graph is not None:
        data = _serialized_graph(graph)
        with session.graph.as_default():
            from .ops.constant import placeholder
            fed = placeholder(dtypes.string, shape=[])
            write = _write_graph(fed, 0)
        session.run(write, feed_dict={fed: data})


def _serialized_graph(graph):
    if isinstance(graph, Graph):
        from .io.events import graph_def_bytes
        return graph_def_bytes(graph)
    if isinstance(graph, (bytes, bytearray)):
        return bytes(graph)
    if hasattr(graph, "SerializeToString"):
        return graph.SerializeToString()
    raise TypeError("graph must be a tf.Graph or a GraphDef, got %s" % type(graph).__name__)


def eval_dir(model_dir, name=None):
    """`tf.contrib.summary.eval_dir(model_dir, name=None)`: the directory for evaluation summaries,
    `model_dir`/eval(_`name`)."""
    return os.path.join(model_dir, "eval" if not name else "eval_" + name)


# --- recording conditions ------------------------------------------------------------------------
def should_record_summaries():
    """`tf.contrib.summary.should_record_summaries()`: the recording condition in force (a Python bool or a
    bool tensor); False outside any recording context."""
    return False if _state.is_recording is None else _state.is_recording


@contextlib.contextmanager
def _recording(condition):
    previous = _state.is_recording
    _state.is_recording = condition
    try:
        yield
    finally:
        _state.is_recording = previous


def always_record_summaries():
    """`tf.contrib.summary.always_record_summaries()`: a context in which summary ops always write."""
    return _recording(True)


def never_record_summaries():
    """`tf.contrib.summary.never_record_summaries()`: a context in which summary ops never write."""
    return _recording(False)


def record_summaries_every_n_global_steps(n, global_step=None):
    """`tf.contrib.summary.record_summaries_every_n_global_steps(n, global_step=None)`: a context in which
    summary ops write when `global_step % n == 0` (the graph's global step, created if needed, when None)."""
    from .ops import math as math_ops
    if global_step is None:
        from .train.training_util import get_or_create_global_step
        global_step = get_or_create_global_step()
    global_step = convert_to_tensor(global_step)
    with name_scope("record_summaries_every_n_global_steps"):
        condition = math_ops.equal(math_ops.floormod(global_step, convert_to_tensor(n, dtype=global_step.dtype)),
                                   convert_to_tensor(0, dtype=global_step.dtype))
    return _recording(condition)


# --- summary ops ---------------------------------------------------------------------------------
def _choose_step(step):
    if step is None:
        from .train.training_util import get_or_create_global_step
        step = get_or_create_global_step()
    step = convert_to_tensor(step)
    if step.dtype is not dtypes.int64:
        from .ops.math import cast
        step = cast(step, dtypes.int64)
    return step


def _write(summary_fn, name, tensor, family, step):
    """The common summary op: when a default writer and recording are in force, a bool tensor that writes
    the Summary `summary_fn(tag, tensor)` builds at `step` and is True (False when not recording); without
    a default writer, a no-op."""
    writer = _state.writer
    if writer is None or writer._key is None:
        return _no_op()
    from .ops.constant import constant
    graph = get_default_graph()
    # tf.cond opens its own scopes; re-entering the caller's keeps the tag what it would be outside one.
    outer_scope = graph.get_name_scope()

    def record():
        with graph.name_scope(outer_scope + "/" if outer_scope else ""), \
                _v1._summary_scope(name, family) as (tag, scope):
            value = convert_to_tensor(tensor)
            summary = summary_fn(tag, value)
            write = make_op("WriteSummaryEvent", [_choose_step(step), summary], {"writer": writer._key},
                            name=scope)
            with control_dependencies([write]):
                return constant(True)

    def nothing():
        return constant(False)

    condition = should_record_summaries()
    if isinstance(condition, (bool, np.bool_)):
        result = record() if condition else nothing()
    else:
        from .ops.control import cond
        result = cond(condition, record, nothing)
    graph.add_to_collection(SUMMARY_COLLECTION, result)
    return result


def _v1_summary(op_type, attrs_of_tag, *extra_inputs):
    """A function (tag, tensor) -> the serialized Summary of TF1's summary op `op_type`."""
    def build(tag, value):
        return _v1._make_summary_op(op_type, [value, *extra_inputs], attrs_of_tag(tag), None, [])
    return build


def scalar(name, tensor, family=None, step=None):
    """`tf.contrib.summary.scalar(name, tensor, family=None, step=None)`: writes a scalar summary."""
    return _write(_v1_summary("ScalarSummary", lambda tag: {"tag": tag}), name, tensor, family, step)


def histogram(name, tensor, family=None, step=None):
    """`tf.contrib.summary.histogram(name, tensor, family=None, step=None)`: writes a histogram summary."""
    return _write(_v1_summary("HistogramSummary", lambda tag: {"tag": tag}), name, tensor, family, step)


def image(name, tensor, bad_color=None, max_images=3, family=None, step=None):
    """`tf.contrib.summary.image(name, tensor, bad_color=None, max_images=3, family=None, step=None)`: writes
    up to `max_images` images of a [batch, height, width, channels] tensor (`bad_color` is not supported:
    non-finite pixels are red as in tf.summary.image)."""
    if bad_color is not None:
        raise NotImplementedError("tf.contrib.summary.image: bad_color is not supported by numflow; non-finite "
                                  "pixels are drawn red")
    if int(max_images) < 1:
        raise ValueError("max_images must be positive, got %r" % (max_images,))
    return _write(_v1_summary("ImageSummary", lambda tag: {"tag": tag, "max_images": int(max_images)}),
                  name, tensor, family, step)


def audio(name, tensor, sample_rate, max_outputs, family=None, step=None):
    """`tf.contrib.summary.audio(name, tensor, sample_rate, max_outputs, family=None, step=None)`: writes up
    to `max_outputs` WAV clips of a [batch, frames(, channels)] float32 tensor."""
    rate = convert_to_tensor(sample_rate, dtype=dtypes.float32)
    return _write(_v1_summary("AudioSummaryV2", lambda tag: {"tag": tag, "max_outputs": int(max_outputs)}, rate),
                  name, tensor, family, step)


def text(name, tensor, family=None, step=None):
    """Writes a string tensor for TensorBoard's text dashboard (tf.summary.text's Summary)."""
    def build(tag, value):
        if value.dtype is not dtypes.string:
            raise ValueError("Expected tensor %s to have dtype string, got %s" % (value.name, value.dtype.name))
        return _v1._make_summary_op("TensorSummaryV2", [value], {"tag": tag, "plugin_name": "text"}, None, [])
    return _write(build, name, tensor, family, step)


def generic(name, tensor, metadata=None, family=None, step=None):
    """`tf.contrib.summary.generic(name, tensor, metadata=None, family=None, step=None)`: writes the whole
    tensor with `metadata` (a SummaryMetadata or its serialized bytes)."""
    if metadata is None:
        metadata_bytes = b""
    elif isinstance(metadata, SummaryMetadata):
        metadata_bytes = metadata.SerializeToString()
    elif isinstance(metadata, (bytes, bytearray)):
        metadata_bytes = bytes(metadata)
    else:
        raise TypeError("metadata must be a SummaryMetadata or its serialized bytes, got %s"
                        % type(metadata).__name__)

    def build(tag, value):
        return _v1._make_summary_op("TensorSummaryWithMetadata", [value], {"tag": tag, "metadata": metadata_bytes},
                                    None, [])
    return _write(build, name, tensor, family, step)


def _write_graph(tensor, step, name=None):
    writer = _state.writer
    return make_op("WriteGraphSummary", [_choose_step(step), tensor], {"writer": writer._key},
                   name=name or "WriteGraphSummary")


def graph(param, step=None, name=None):
    """`tf.contrib.summary.graph(param, step=None, name=None)`: an op writing `param` (a string tensor
    holding a serialized GraphDef) through the default writer, whether or not recording is on; a no-op
    without a default writer. TypeError when `param` is not a tensor (graph mode)."""
    if not isinstance(param, Tensor):
        raise TypeError("graph() needs a tf.Tensor (e.g. tf.placeholder) in graph mode, but was: %s"
                        % type(param))
    if _state.writer is None or _state.writer._key is None:
        return _no_op()
    return _write_graph(param, step, name)


def all_summary_ops():
    """`tf.contrib.summary.all_summary_ops()` / `tf.summary.all_v2_summary_ops()`: the list of V2-style
    summary ops of the default graph."""
    return get_default_graph().get_collection(SUMMARY_COLLECTION)


def flush(writer=None, name=None):
    """`tf.contrib.summary.flush(writer=None, name=None)`: an op flushing `writer` (the default writer when
    None; a no-op when there is none)."""
    writer = _state.writer if writer is None else writer
    if writer is None:
        return _no_op()
    return writer.flush()
