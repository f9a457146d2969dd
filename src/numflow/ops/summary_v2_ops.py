"""Ops behind `tf.contrib.summary` (TF 1.x's "V2-style" summaries in graph mode).

A summary writer is a per-Session resource, as numflow's iterators are: `CreateSummaryFileWriter` opens an
event file for the writer named by its `writer` attr in `ctx.resources["summary_writers"]`;
`WriteSummaryEvent` appends an Event holding a serialized Summary at a step; `WriteGraphSummary` an Event
holding a serialized GraphDef; `FlushSummaryWriter` / `CloseSummaryWriter` flush or close it. Writing
through a writer the Session has not initialized is FailedPreconditionError, as TF reports an
uninitialized resource. The Session closes its writers (flushing them) when it closes.
"""
import threading
import time

import numpy as np

from ..framework import dtypes, errors
from ..framework.op_def import OpDef, register
from ..io import events as _events
from ..io.proto import Event, Summary, SummaryMetadata
from .. import summary as _v1_summary

_RESOURCE_KEY = "summary_writers"
_creation_lock = threading.Lock()


def _writers(ctx):
    writers = ctx.resources.get(_RESOURCE_KEY)
    if writers is None:
        writers = ctx.resources.setdefault(_RESOURCE_KEY, {})
    return writers


def _text(value):
    value = value.item() if isinstance(value, np.ndarray) else value
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _check_scalar(op, value, what):
    if np.ndim(value) != 0:
        raise errors.InvalidArgumentError(None, op, "%s must be a scalar, got shape %s"
                                          % (what, list(np.shape(value))))


def _writer_of(op, ctx):
    writer = _writers(ctx).get(op.attrs["writer"])
    if writer is None:
        raise errors.FailedPreconditionError(
            None, op, "The summary writer '%s' is not initialized in this Session: run its init() op (or "
            "tf.contrib.summary.summary_writer_initializer_op()) first" % op.attrs["writer"])
    return writer


class _WriterOp(OpDef):
    """Common base: stateful, no outputs, no gradient; input dtypes checked against `input_dtypes`."""

    stateful = True
    differentiable = False
    foldable = False
    input_dtypes = ()

    def infer(self, op):
        for tensor, (what, dtype) in zip(op.inputs, self.input_dtypes):
            if tensor.dtype is not dtype:
                raise TypeError("%s of %s must be %s, got %s" % (what, op.type, dtype.name, tensor.dtype.name))
            if tensor.shape.ndims not in (None, 0):
                raise ValueError("%s of %s must be a scalar, got shape %s" % (what, op.type, tensor.shape))
        return []


@register
class CreateSummaryFileWriter(_WriterOp):
    """Opens the writer's event file in `logdir` in this Session (a no-op when it is already open)."""

    input_dtypes = (("logdir", dtypes.string), ("max_queue", dtypes.int32), ("flush_millis", dtypes.int32),
                    ("filename_suffix", dtypes.string))

    def kernel(self, op, ctx):
        key = op.attrs["writer"]

        def create(logdir, max_queue, flush_millis, filename_suffix):
            for value, (what, _) in zip((logdir, max_queue, flush_millis, filename_suffix), self.input_dtypes):
                _check_scalar(op, value, what)
            with _creation_lock:
                if key in _writers(ctx):
                    return
                try:
                    writer = _events.EventFileWriter(_text(logdir), max_queue=int(max_queue),
                                                     flush_secs=max(int(flush_millis), 0) / 1000.0,
                                                     filename_suffix=_text(filename_suffix))
                except OSError as exc:
                    raise errors.NotFoundError(None, op, "Could not create the summary event file in '%s': %s"
                                               % (_text(logdir), exc)) from None
                _writers(ctx)[key] = writer
            ctx.add_close_callback(writer.close)
        return create


def _add_event(writer, step, **fields):
    event = Event(wall_time=time.time(), **fields)
    event.step = int(step)
    writer.add_event(event)


@register
class WriteSummaryEvent(_WriterOp):
    """Appends an Event holding the serialized Summary input at `step` to the writer's file."""

    input_dtypes = (("step", dtypes.int64), ("summary", dtypes.string))

    def kernel(self, op, ctx):
        def write(step, summary):
            writer = _writer_of(op, ctx)
            _add_event(writer, step, summary=Summary.FromString(bytes(np.asarray(summary, dtype=object).item())))
        return write


@register
class WriteGraphSummary(_WriterOp):
    """Appends an Event holding the serialized GraphDef input at `step` to the writer's file."""

    input_dtypes = (("step", dtypes.int64), ("tensor", dtypes.string))

    def kernel(self, op, ctx):
        def write(step, graph_def):
            _check_scalar(op, graph_def, "tensor")
            _add_event(_writer_of(op, ctx), step, graph_def=bytes(np.asarray(graph_def, dtype=object).item()))
        return write


@register
class FlushSummaryWriter(_WriterOp):
    """Writes the writer's queued events to disk."""

    def kernel(self, op, ctx):
        return lambda: _writer_of(op, ctx).flush()


@register
class CloseSummaryWriter(_WriterOp):
    """Flushes and closes the writer's file; a later init() opens a new one."""

    def kernel(self, op, ctx):
        key = op.attrs["writer"]

        def close():
            writer = _writers(ctx).pop(key, None)
            if writer is not None:
                writer.close()
        return close


@register
class TensorSummaryWithMetadata(_v1_summary._SummaryOp):
    """A Summary holding the whole input tensor with the given serialized SummaryMetadata."""

    def kernel(self, op, ctx):
        tag, metadata = op.attrs["tag"], op.attrs["metadata"]
        dtype = op.inputs[0].dtype

        def run(value):
            summary_value = Summary.Value(tag=tag, tensor=_v1_summary._tensor_proto_of(value, dtype))
            if metadata:
                summary_value.metadata = SummaryMetadata.FromString(metadata)
            return _v1_summary._string_scalar(Summary(value=[summary_value]).SerializeToString())
        return run
