"""TFRecord files and TensorBoard event files.

TFRecord framing lives in `tfrecord` (used here through `encode_record` and `read_records`). An event
file ('events.out.tfevents.<10-digit time>.<host><suffix>') is a TFRecord file of serialized `Event` protos
whose first record has file_version 'brain.Event:2'.

`graph_def_bytes(graph)` serializes a numflow Graph as a TensorFlow GraphDef protobuf (framework/graph_def.py)
with '_output_shapes', so TensorBoard's graph view can draw it.
"""
import atexit
import os
import socket
import threading
import time
import weakref


from ..framework import errors
from . import wire
from .proto import Event
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
def graph_def_bytes(graph):
    """A serialized GraphDef of `graph` for TensorBoard's graph view: framework/graph_def.py's export with
    '_output_shapes', ops without a TensorFlow form written under their numflow type."""
    from ..framework.graph_def import graph_to_graph_def
    return graph_to_graph_def(graph, add_shapes=True, strict=False).SerializeToString()
