"""TFRecord files and TensorBoard event files.

TFRecord framing lives in `tfrecord` (used here through `encode_record` and `read_records`). An event
file ('events.out.tfevents.<10-digit time>.<host><suffix>') is a TFRecord file of serialized `Event` protos
whose first record has file_version 'brain.Event:2'.

`graph_def_bytes(graph)` serializes a numflow Graph as a TensorFlow GraphDef protobuf (NodeDef name, op,
inputs with '^' control inputs, device, and the attributes that have a protobuf form, plus
'_output_shapes'), so TensorBoard's graph view can draw it.
"""
import atexit
import os
import socket
import threading
import time
import weakref

import numpy as np

from ..framework import errors
from . import wire
from .proto import Event, TensorProto, TensorShapeProto
from .tfrecord import encode_record, iter_tfrecords  # noqa: F401 - encode_record is part of this module's API

FILE_VERSION = "brain.Event:2"


# --- TFRecord ------------------------------------------------------------------------------------
def read_records(path):
    """Yields the data of each record of the (uncompressed) TFRecord file `path`; DataLossError naming the
    file on a bad CRC or a truncated record."""
    return iter_tfrecords(path)


def summary_iterator(path):
    """`tf.train.summary_iterator(path)`: yields the `Event` protos of an event file.

    A last record cut short by the end of the file (the file is still being written) ends the iteration,
    as in TensorFlow; a checksum mismatch or an unparseable Event is DataLossError naming the file."""
    path = os.fspath(path)
    for record in iter_tfrecords(path, stop_at_partial_record=True):
        try:
            yield Event.FromString(record)
        except wire.WireError as exc:
            raise errors.DataLossError(None, None, "unparseable Event record in %s: %s" % (path, exc)) from None


# --- event files ---------------------------------------------------------------------------------
_open_writers = weakref.WeakSet()


@atexit.register
def _flush_all():
    for writer in list(_open_writers):
        try:
            writer.flush()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


class EventFileWriter:
    """Appends Events to a new event file in `logdir`; a daemon thread flushes every `flush_secs`."""

    def __init__(self, logdir, max_queue=10, flush_secs=120, filename_suffix=None):
        logdir = os.fspath(logdir)
        os.makedirs(logdir, exist_ok=True)
        self._logdir = logdir
        self._max_queue = max(1, int(max_queue or 1))
        self._flush_secs = float(flush_secs)
        self._filename_suffix = filename_suffix or ""
        self._lock = threading.RLock()
        self._queue = []
        self._closed = True
        self._stop = threading.Event()
        self.reopen()

    def _open(self):
        stamp = time.time()
        name = "events.out.tfevents.%010d.%s%s" % (int(stamp), socket.gethostname(), self._filename_suffix)
        path = os.path.join(self._logdir, name)
        counter = 1
        while os.path.exists(path):           # two writers in one second: never append to another's file
            path = os.path.join(self._logdir, "%s.%d" % (name, counter))
            counter += 1
        self._path = path
        self._file = open(path, "ab")
        self._file.write(encode_record(Event(wall_time=stamp, file_version=FILE_VERSION).SerializeToString()))
        self._file.flush()

    def reopen(self):
        """Opens a new event file after `close()` (a no-op while open)."""
        with self._lock:
            if not self._closed:
                return
            self._open()
            self._closed = False
            self._stop = threading.Event()
            if self._flush_secs > 0:
                thread = threading.Thread(target=self._flush_loop, args=(weakref.ref(self), self._stop,
                                                                         self._flush_secs),
                                          name="numflow-event-flusher", daemon=True)
                thread.start()
            _open_writers.add(self)

    @staticmethod
    def _flush_loop(ref, stop, period):
        while not stop.wait(period):
            writer = ref()
            if writer is None:
                return
            writer.flush()
            del writer

    def get_logdir(self):
        return self._logdir

    @property
    def path(self):
        return self._path

    def add_event(self, event):
        """Queues an `Event` (or its serialized bytes)."""
        data = event if isinstance(event, (bytes, bytearray)) else event.SerializeToString()
        with self._lock:
            if self._closed:
                return
            self._queue.append(encode_record(data))
            if len(self._queue) >= self._max_queue:
                self._write_queue()

    def _write_queue(self):
        if self._queue:
            self._file.write(b"".join(self._queue))
            self._queue = []

    def flush(self):
        with self._lock:
            if self._closed:
                return
            self._write_queue()
            self._file.flush()
            try:
                os.fsync(self._file.fileno())
            except OSError:
                pass

    def close(self):
        with self._lock:
            if self._closed:
                return
            self.flush()
            self._stop.set()
            self._file.close()
            self._closed = True
            _open_writers.discard(self)


# --- GraphDef ------------------------------------------------------------------------------------
GRAPH_DEF_VERSION = 27


def _shape_proto(shape):
    proto = TensorShapeProto()
    if shape is None or getattr(shape, "ndims", 0) is None:
        proto.unknown_rank = True
        return proto
    dims = shape.as_list() if hasattr(shape, "as_list") else list(shape)
    proto.dim = [TensorShapeProto.Dim(size=-1 if d is None else int(d)) for d in dims]
    return proto


def _tensor_proto(array, dtype, max_elements=1024):
    proto = TensorProto(dtype=dtype.as_datatype_enum, tensor_shape=_shape_proto(array.shape))
    if array.size <= max_elements:
        if dtype.name == "string":
            proto.string_val = [v if isinstance(v, bytes) else str(v).encode() for v in array.reshape(-1)]
        else:
            proto.tensor_content = np.ascontiguousarray(array, dtype=dtype.np.newbyteorder("<")).tobytes()
    return proto


def _attr_value(value):
    """(AttrValue bytes) for a numflow attribute, or None when it has no protobuf form."""
    from ..framework.dtypes import DType
    from ..framework.tensor_shape import TensorShape
    w = wire.Writer()
    if isinstance(value, DType):
        return w.varint(6, value.as_datatype_enum, False).getvalue()
    if isinstance(value, TensorShape):
        return w.message(7, _shape_proto(value).SerializeToString()).getvalue()
    if isinstance(value, (bool, np.bool_)):
        return w.bool(5, bool(value), False).getvalue()
    if isinstance(value, (int, np.integer)):
        return w.varint(3, int(value), False).getvalue()
    if isinstance(value, (float, np.floating)):
        return w.float(4, float(value), False).getvalue()
    if isinstance(value, (str, bytes)):
        return w.bytes(2, value, False).getvalue()
    if isinstance(value, np.ndarray):
        from ..framework.dtypes import as_dtype
        try:
            dtype = as_dtype(value.dtype)
        except TypeError:
            return None
        return w.message(8, _tensor_proto(value, dtype).SerializeToString()).getvalue()
    if isinstance(value, (list, tuple)):
        items = list(value)
        lw = wire.Writer()
        if all(isinstance(v, (bool, np.bool_)) for v in items):
            lw.packed_varints(5, [int(v) for v in items])
        elif all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items):
            lw.packed_varints(3, items)
        elif all(isinstance(v, (float, int, np.floating, np.integer)) for v in items):
            lw.packed_floats(4, [float(v) for v in items])
        elif all(isinstance(v, (str, bytes)) for v in items):
            for v in items:
                lw.bytes(2, v, False)
        elif all(isinstance(v, DType) for v in items):
            lw.packed_varints(6, [v.as_datatype_enum for v in items])
        elif all(isinstance(v, TensorShape) for v in items):
            for v in items:
                lw.message(7, _shape_proto(v).SerializeToString())
        else:
            return None
        return w.message(1, lw).getvalue()
    return None


def _input_name(tensor):
    return tensor.op.name if tensor.value_index == 0 else "%s:%d" % (tensor.op.name, tensor.value_index)


def graph_def_bytes(graph):
    """A serialized GraphDef for `graph` (see the module docstring)."""
    gw = wire.Writer()
    for op in graph.get_operations():
        node = wire.Writer()
        node.string(1, op.name, False)
        node.string(2, op.type, False)
        for tensor in op.inputs:
            node.string(3, _input_name(tensor), False)
        for control in op.control_inputs:
            node.string(3, "^" + control.name, False)
        node.string(4, op.device or "")
        attrs = {}
        for key, value in sorted(op.attrs.items()):
            try:
                encoded = _attr_value(value)
            except Exception:  # noqa: BLE001 - an attribute without a protobuf form is left out
                encoded = None
            if encoded is not None:
                attrs[key] = encoded
        if op.outputs:
            attrs["_output_shapes"] = wire.Writer().message(1, b"".join(
                wire.Writer().message(7, _shape_proto(t.shape).SerializeToString()).getvalue()
                for t in op.outputs)).getvalue()
            if "T" not in attrs and "dtype" not in attrs:
                attrs["T"] = _attr_value(op.outputs[0].dtype)
        for key in sorted(attrs):
            node.message(5, wire.Writer().string(1, key, False).message(2, attrs[key]))
        gw.message(1, node)
    gw.message(4, wire.Writer().varint(1, GRAPH_DEF_VERSION))
    return gw.getvalue()
