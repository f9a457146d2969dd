"""TF1's readers: `tf.TextLineReader`, `tf.TFRecordReader`, `tf.WholeFileReader`,
`tf.FixedLengthRecordReader`, `tf.IdentityReader` and their base `tf.ReaderBase`.

A reader turns a queue of work units (file names) into records: `read(queue)` returns the next (key,
value) pair, dequeuing the next file name when the current file is used up. Like a queue, a reader is a
resource of the running Session (`ctx.resources`): its position in the current file and its counters
survive between runs and are independent in independent Sessions. When the queue is closed and empty, a
read fails with the queue's tf.errors.OutOfRangeError: the end of the input.

Each reader op's class says how one work unit becomes records (`records`, a generator of (key, value)
bytes). Files are read lazily, line by line or record by record, except by the whole-file and
fixed-length readers, which need the file's size anyway.
"""
import threading
import zlib

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import Tensor, convert_to_tensor
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import make_op
from .data_flow import _op_error, queue_op_of, queue_state, session_resource
from .io_ops import _os_error, string_scalar

__all__ = ["ReaderBase", "TextLineReader", "TFRecordReader", "WholeFileReader", "FixedLengthRecordReader",
           "IdentityReader"]


class _ReaderState:
    """One reader's progress in one Session: the records left in the current work unit and counters."""

    def __init__(self, reader_def, attrs):
        self._reader_def = reader_def
        self._attrs = attrs
        self._lock = threading.Lock()
        self._records = None
        self._work = None
        self.produced = 0
        self.completed = 0

    def read(self, queue, count, op, up_to):
        """Up to `count` (key, value) pairs; fewer only with `up_to` when the queue runs out."""
        keys, values = [], []
        with self._lock:
            while len(keys) < count:
                if self._records is None:
                    try:
                        work = queue.take(1, op)[0][0]
                    except errors.OutOfRangeError:
                        if up_to and keys:
                            break
                        raise
                    work = work[()] if isinstance(work, np.ndarray) and work.ndim == 0 else work
                    if not isinstance(work, bytes):
                        raise _op_error(errors.InvalidArgumentError, op, "A reader's work units must be "
                                        "scalar strings, got %r" % (work,))
                    self._work = work
                    self._records = self._reader_def.records(self._attrs, self._work)
                try:
                    key, value = next(self._records)
                except StopIteration:
                    self._records = None
                    self.completed += 1
                    continue
                except OSError as error:
                    self._records = None
                    raise _os_error(op, error, self._work) from None
                except errors.OpError as error:
                    self._records = None
                    raise type(error)(None, op, error.message) from None
                keys.append(key)
                values.append(value)
                self.produced += 1
        return keys, values

    def reset(self):
        with self._lock:
            self._records = None
            self._work = None
            self.produced = 0
            self.completed = 0


def _reader_state(ctx, reader_op):
    return session_resource(ctx, ("reader", reader_op), lambda: _ReaderState(reader_op.op_def, reader_op.attrs))


# --- reader ops -----------------------------------------------------------------------------------
class _ReaderOp(OpDef):
    """A reader: outputs its handle; `records(attrs, work)` yields the (key, value) pairs of one work
    unit (bytes)."""

    stateful = True
    differentiable = False
    foldable = False

    def infer(self, op):
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, op, ctx):
        _reader_state(ctx, op)
        handle = string_scalar(op.name.encode())
        return lambda: handle

    def records(self, attrs, work):
        raise NotImplementedError


def _file_contents(filename, encoding=""):
    with open(filename, "rb") as handle:
        data = handle.read()
    if encoding:
        try:
            data = zlib.decompress(data, 31 if encoding == "GZIP" else 15)
        except zlib.error as exc:
            raise errors.DataLossError(None, None, "corrupted %s data in %s: %s"
                                       % (encoding, filename.decode(errors="replace"), exc)) from None
    return data


@register
class TextLineReaderV2(_ReaderOp):
    """Each line of each file; the key is 'filename:line number' (counting from 1, header included)."""

    def records(self, attrs, work):
        with open(work, "rb") as handle:
            for number, line in enumerate(handle, start=1):
                if number <= attrs["skip_header_lines"]:
                    continue
                if line.endswith(b"\n"):
                    line = line[:-1]
                if line.endswith(b"\r"):
                    line = line[:-1]
                yield b"%s:%d" % (work, number), line


@register
class TFRecordReaderV2(_ReaderOp):
    """Each record of each TFRecord file; the key is 'filename:byte offset of the record'."""

    def records(self, attrs, work):
        from ..io.tfrecord import iter_tfrecords
        offset = 0
        for data in iter_tfrecords(work, attrs["compression_type"]):
            yield b"%s:%d" % (work, offset), data
            offset += len(data) + 16   # length (8), its checksum (4), data, data checksum (4)


@register
class WholeFileReaderV2(_ReaderOp):
    """Each file as one record; the key is the file name."""

    def records(self, attrs, work):
        yield work, _file_contents(work)


@register
class FixedLengthRecordReaderV2(_ReaderOp):
    """Records of `record_bytes` bytes between a header and a footer, starting every `hop_bytes` (every
    `record_bytes` when 0); a last record that does not fit is dropped. The key is 'filename:index'."""

    def records(self, attrs, work):
        data = _file_contents(work, attrs["encoding"])
        size = attrs["record_bytes"]
        hop = attrs["hop_bytes"] or size
        end = len(data) - attrs["footer_bytes"]
        start, index = attrs["header_bytes"], 0
        while start + size <= end:
            yield b"%s:%d" % (work, index), data[start:start + size]
            start += hop
            index += 1


@register
class IdentityReaderV2(_ReaderOp):
    """Each work unit itself, as both key and value."""

    def records(self, attrs, work):
        yield work, work


# --- ops on a reader ------------------------------------------------------------------------------
def _reader_op_of(handle):
    if not isinstance(handle.op.op_def, _ReaderOp):
        raise TypeError("Expected the handle of a reader (the reader_ref of a tf.ReaderBase), got %s (op type %s)"
                        % (handle.name, handle.op.type))
    return handle.op


class _ReaderAccess(OpDef):
    """An op on a reader (input 0, its handle), resolved when the plan is compiled."""

    stateful = True
    differentiable = False
    foldable = False
    ref_inputs = (0,)


class _ReaderReadOp(_ReaderAccess):
    """Reads records from the work queue (input 1, a queue handle)."""

    ref_inputs = (0, 1)

    def check_handles(self, op):
        _reader_op_of(op.inputs[0])
        queue_op_of(op.inputs[1])

    def _sources(self, op, ctx):
        reader = _reader_state(ctx, _reader_op_of(op.inputs[0]))
        queue = queue_state(ctx, queue_op_of(op.inputs[1]))
        if queue.dtypes != [dtypes.string]:
            message = ("A reader's work queue must hold single strings (file names), not elements of type %s"
                       % [d.name for d in queue.dtypes])

            def wrong_queue(*args):
                raise _op_error(errors.InvalidArgumentError, op, message)
            return None, None, wrong_queue
        return reader, queue, None


@register
class ReaderReadV2(_ReaderReadOp):
    """The next (key, value) record."""

    def infer(self, op):
        self.check_handles(op)
        return [(dtypes.string, TensorShape([])), (dtypes.string, TensorShape([]))]

    def kernel(self, op, ctx):
        reader, queue, failing = self._sources(op, ctx)
        if failing:
            return failing

        def read():
            keys, values = reader.read(queue, 1, op, up_to=False)
            return string_scalar(keys[0]), string_scalar(values[0])
        return read


def _string_vector(items):
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


@register
class ReaderReadUpToV2(_ReaderReadOp):
    """Up to num_records (key, value) records, fewer at the end of the input."""

    def infer(self, op):
        self.check_handles(op)
        count = op.inputs[2]
        if count.dtype is not dtypes.int64:
            raise TypeError("Input 'num_records' of 'ReaderReadUpToV2' Op has type %s that does not match "
                            "expected type of int64." % count.dtype.name)
        count.shape.with_rank(0)
        return [(dtypes.string, TensorShape([None])), (dtypes.string, TensorShape([None]))]

    def kernel(self, op, ctx):
        reader, queue, failing = self._sources(op, ctx)
        if failing:
            return failing

        def read_up_to(count):
            count = int(count)
            if count < 1:
                raise _op_error(errors.InvalidArgumentError, op, "num_records must be at least 1, got %d" % count)
            keys, values = reader.read(queue, count, op, up_to=True)
            return _string_vector(keys), _string_vector(values)
        return read_up_to


@register
class ReaderNumRecordsProducedV2(_ReaderAccess):
    """How many records the reader produced."""

    def infer(self, op):
        return [(dtypes.int64, TensorShape([]))]

    def kernel(self, op, ctx):
        reader = _reader_state(ctx, _reader_op_of(op.inputs[0]))
        return lambda: np.int64(reader.produced)


@register
class ReaderNumWorkUnitsCompletedV2(_ReaderAccess):
    """How many work units (files) the reader finished."""

    def infer(self, op):
        return [(dtypes.int64, TensorShape([]))]

    def kernel(self, op, ctx):
        reader = _reader_state(ctx, _reader_op_of(op.inputs[0]))
        return lambda: np.int64(reader.completed)


@register
class ReaderResetV2(_ReaderAccess):
    """Returns the reader to its initial state (no work unit, counters zero)."""

    def infer(self, op):
        return []

    def kernel(self, op, ctx):
        return _reader_state(ctx, _reader_op_of(op.inputs[0])).reset


# --- the Python classes ---------------------------------------------------------------------------
def _queue_ref(queue):
    return queue if isinstance(queue, Tensor) else queue.queue_ref


class ReaderBase:
    """`tf.ReaderBase`: reads records from the files named by a queue of strings. `read(queue)` returns the
    next record as scalar string tensors (key, value); the queue's OutOfRangeError ends the input."""

    def __init__(self, reader_ref, supports_serialize=False):
        self._reader_ref = reader_ref
        self._supports_serialize = supports_serialize

    @property
    def reader_ref(self):
        return self._reader_ref

    @property
    def supports_serialize(self):
        return self._supports_serialize

    def read(self, queue, name=None):
        """(key, value): the next record, dequeuing the next work unit from `queue` (a queue or its
        queue_ref) as needed."""
        op = make_op("ReaderReadV2", [self._reader_ref, _queue_ref(queue)], name=name or "ReaderReadV2")
        return op.outputs[0], op.outputs[1]

    def read_up_to(self, queue, num_records, name=None):
        """(keys, values): 1-D tensors of up to `num_records` records (fewer only at the end of the
        input)."""
        count = convert_to_tensor(num_records, dtype=dtypes.int64, name="num_records")
        op = make_op("ReaderReadUpToV2", [self._reader_ref, _queue_ref(queue), count],
                     name=name or "ReaderReadUpToV2")
        return op.outputs[0], op.outputs[1]

    def num_records_produced(self, name=None):
        """A scalar int64: the records this reader produced."""
        return make_op("ReaderNumRecordsProducedV2", [self._reader_ref],
                       name=name or "ReaderNumRecordsProducedV2").outputs[0]

    def num_work_units_completed(self, name=None):
        """A scalar int64: the work units (files) this reader finished."""
        return make_op("ReaderNumWorkUnitsCompletedV2", [self._reader_ref],
                       name=name or "ReaderNumWorkUnitsCompletedV2").outputs[0]

    def reset(self, name=None):
        """An op returning the reader to its initial state."""
        return make_op("ReaderResetV2", [self._reader_ref], name=name or "ReaderResetV2")


def _non_negative(value, what):
    value = int(value or 0)
    if value < 0:
        raise ValueError("%s must be >= 0, got %d" % (what, value))
    return value


class TextLineReader(ReaderBase):
    """`tf.TextLineReader(skip_header_lines=None, name=None)`: one record per line (without its line
    ending), keyed 'filename:line number'; the first `skip_header_lines` lines of each file are skipped."""

    def __init__(self, skip_header_lines=None, name=None):
        attrs = {"skip_header_lines": _non_negative(skip_header_lines, "skip_header_lines")}
        super().__init__(make_op("TextLineReaderV2", [], attrs, name=name).outputs[0])


class WholeFileReader(ReaderBase):
    """`tf.WholeFileReader(name=None)`: each file's contents as one record, keyed by the file name."""

    def __init__(self, name=None):
        super().__init__(make_op("WholeFileReaderV2", [], {}, name=name).outputs[0])


class IdentityReader(ReaderBase):
    """`tf.IdentityReader(name=None)`: each work unit string as both key and value."""

    def __init__(self, name=None):
        super().__init__(make_op("IdentityReaderV2", [], {}, name=name).outputs[0])


class TFRecordReader(ReaderBase):
    """`tf.TFRecordReader(name=None, options=None)`: the records of TFRecord files, keyed 'filename:offset';
    `options` (a tf.python_io.TFRecordOptions or compression type) says how they are compressed."""

    def __init__(self, name=None, options=None):
        from ..io.tfrecord import TFRecordOptions
        attrs = {"compression_type": TFRecordOptions.get_compression_type_string(options)}
        super().__init__(make_op("TFRecordReaderV2", [], attrs, name=name).outputs[0])


class FixedLengthRecordReader(ReaderBase):
    """`tf.FixedLengthRecordReader(record_bytes, header_bytes=None, footer_bytes=None, hop_bytes=None,
    name=None, encoding=None)`: records of `record_bytes` bytes after `header_bytes` and before
    `footer_bytes`, one every `hop_bytes` (back to back when 0), keyed 'filename:record index'; `encoding`
    'ZLIB' or 'GZIP' decompresses each file first."""

    def __init__(self, record_bytes, header_bytes=None, footer_bytes=None, hop_bytes=None, name=None,
                 encoding=None):
        record_bytes = int(record_bytes)
        if record_bytes <= 0:
            raise ValueError("record_bytes must be > 0, got %d" % record_bytes)
        encoding = (encoding or "").upper()
        if encoding not in ("", "ZLIB", "GZIP"):
            raise ValueError("encoding must be '', 'ZLIB' or 'GZIP', got %r" % encoding)
        attrs = {"record_bytes": record_bytes, "header_bytes": _non_negative(header_bytes, "header_bytes"),
                 "footer_bytes": _non_negative(footer_bytes, "footer_bytes"),
                 "hop_bytes": _non_negative(hop_bytes, "hop_bytes"), "encoding": encoding}
        super().__init__(make_op("FixedLengthRecordReaderV2", [], attrs, name=name).outputs[0])
