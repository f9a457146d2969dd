"""Datasets that read files: `TextLineDataset`, `TFRecordDataset`, `FixedLengthRecordDataset`, `list_files`.

Each streams its files (one block at a time), so a file larger than memory can be read; the file names
are a string tensor (scalar or vector, a placeholder fed to the initializer, say) or a Dataset of them.
"""
import gzip
import io
import zlib

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, is_tensor_like
from .dataset_ops import DatasetV1, _Param, _ShuffleDataset
from .streams import Stream
from .structure import TensorSpec

_READ_BLOCK = 1 << 20


def _filenames(filenames):
    """File names as a string tensor (scalar or vector), or a Dataset of scalar strings."""
    if isinstance(filenames, DatasetV1):
        spec = filenames._flat_specs()
        if len(spec) != 1 or spec[0].dtype is not dtypes.string or not spec[0].shape.is_compatible_with([]):
            raise TypeError("`filenames` must be a Dataset of scalar tf.string elements")
        return filenames
    tensor = convert_to_tensor(filenames, dtype=dtypes.string, name="filenames")
    if tensor.shape.ndims not in (None, 0, 1):
        raise ValueError("`filenames` must be a scalar or a vector of strings, got shape %s" % tensor.shape)
    return tensor


def _names(value):
    return [n if isinstance(n, bytes) else str(n).encode() for n in np.asarray(value, dtype=object).reshape(-1)]


def _open(path, compression_type):
    name = path.decode() if isinstance(path, bytes) else path
    try:
        handle = open(name, "rb")
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, "%s; No such file or directory" % name) from None
    except IsADirectoryError:
        raise errors.FailedPreconditionError(None, None, "%s; Is a directory" % name) from None
    if compression_type == "GZIP":
        return gzip.GzipFile(fileobj=handle, mode="rb")
    if compression_type == "ZLIB":
        return _ZlibReader(handle)
    return handle


class _ZlibReader(io.RawIOBase):
    """A streaming reader of a zlib-compressed file."""

    def __init__(self, raw):
        self.raw = raw
        self.inflater = zlib.decompressobj()
        self.buffer = b""

    def readable(self):
        return True

    def read(self, size=-1):
        while size < 0 or len(self.buffer) < size:
            block = self.raw.read(_READ_BLOCK)
            if not block:
                self.buffer += self.inflater.flush()
                break
            self.buffer += self.inflater.decompress(block)
        if size < 0:
            data, self.buffer = self.buffer, b""
        else:
            data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def close(self):
        self.raw.close()


def _compression(value):
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode()
    value = str(value).upper()
    if value not in ("", "GZIP", "ZLIB"):
        raise ValueError("compression_type must be '', 'ZLIB' or 'GZIP', got %r" % value)
    return value


class _FileDataset(DatasetV1):
    """A dataset of scalar string records read from each of its files in turn."""

    def __init__(self, filenames, compression_type=None):
        self._filenames = _filenames(filenames)
        self._compression = _Param(compression_type or "", dtypes.string, "compression_type")
        parents = [self._filenames] if isinstance(self._filenames, DatasetV1) else []
        super().__init__(TensorSpec([], dtypes.string), parents)

    def _input_tensors(self):
        own = [] if isinstance(self._filenames, DatasetV1) else [self._filenames]
        return own + self._compression.tensors()

    def _stream(self, rt):
        compression = _compression(self._compression.value(rt))
        if isinstance(self._filenames, DatasetV1):
            names = _NamesFromStream(self._filenames._stream(rt))
        else:
            names = iter(_names(rt.value(self._filenames)))
        return _RecordStream(names, lambda path: self._records(path, compression, rt))

    def _records(self, path, compression, rt):
        raise NotImplementedError


class _NamesFromStream:
    def __init__(self, stream):
        self.stream = stream

    def __iter__(self):
        return self

    def __next__(self):
        chunk = self.stream.next_chunk(1)
        if chunk is None:
            raise StopIteration
        return chunk[0][0]


class _RecordStream(Stream):
    def __init__(self, names, records_of):
        self.names = names
        self.records_of = records_of
        self.current = None

    def next_chunk(self, limit):
        while True:
            if self.current is None:
                try:
                    path = next(self.names)
                except StopIteration:
                    return None
                self.current = self.records_of(path)
            batch = []
            for record in self.current:
                batch.append(record)
                if len(batch) >= limit:
                    break
            if batch:
                out = np.empty(len(batch), dtype=object)
                out[:] = batch
                return (out,)
            self.current = None


class TextLineDatasetV1(_FileDataset):
    """`tf.data.TextLineDataset(filenames, compression_type=None, buffer_size=None)`: the lines of each
    file, without their line endings ("\\n" or "\\r\\n")."""

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None):
        super().__init__(filenames, compression_type)

    def _records(self, path, compression, rt):
        with _open(path, compression) as handle:
            pending = b""
            while True:
                block = handle.read(_READ_BLOCK)
                if not block:
                    break
                lines = (pending + block).split(b"\n")
                pending = lines.pop()
                for line in lines:
                    yield line[:-1] if line.endswith(b"\r") else line
            if pending:
                yield pending[:-1] if pending.endswith(b"\r") else pending


class TFRecordDatasetV1(_FileDataset):
    """`tf.data.TFRecordDataset(filenames, compression_type=None, buffer_size=None,
    num_parallel_reads=None)`: the records of TFRecord files (checked against their CRCs)."""

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None):
        super().__init__(filenames, compression_type)

    def _records(self, path, compression, rt):
        from ..io.tfrecord import iter_tfrecords
        return iter_tfrecords(path.decode() if isinstance(path, bytes) else path, compression)


class FixedLengthRecordDatasetV1(_FileDataset):
    """`tf.data.FixedLengthRecordDataset(filenames, record_bytes, header_bytes=None, footer_bytes=None,
    buffer_size=None, compression_type=None)`: each file's body cut into records of `record_bytes`."""

    def __init__(self, filenames, record_bytes, header_bytes=None, footer_bytes=None, buffer_size=None,
                 compression_type=None, num_parallel_reads=None):
        self._record = _Param(record_bytes, dtypes.int64, "record_bytes")
        self._header = _Param(header_bytes or 0, dtypes.int64, "header_bytes")
        self._footer = _Param(footer_bytes or 0, dtypes.int64, "footer_bytes")
        super().__init__(filenames, compression_type)

    def _input_tensors(self):
        return super()._input_tensors() + self._record.tensors() + self._header.tensors() + \
            self._footer.tensors()

    def _records(self, path, compression, rt):
        record, header, footer = self._record.value(rt), self._header.value(rt), self._footer.value(rt)
        if record <= 0:
            raise errors.InvalidArgumentError(None, None, "record_bytes must be positive, got %d" % record)
        with _open(path, compression) as handle:
            data = handle.read()
        body = len(data) - header - footer
        if body < 0 or body % record:
            raise errors.InvalidArgumentError(
                None, None, "Excluding the header (%d bytes) and footer (%d bytes), input file \"%s\" has body "
                "length %d, which is not an exact multiple of the record length (%d bytes)."
                % (header, footer, path.decode(), max(body, 0), record))
        for start in range(header, header + body, record):
            yield data[start:start + record]


def list_files(file_pattern, shuffle=None, seed=None):
    """`Dataset.list_files(file_pattern, shuffle=None, seed=None)`: the sorted matches of the glob(s),
    shuffled (each iteration) unless `shuffle=False`; NotFoundError when nothing matches."""
    patterns = file_pattern if is_tensor_like(file_pattern) else \
        convert_to_tensor(file_pattern, dtype=dtypes.string, name="file_pattern")
    dataset = _MatchingFilesDataset(patterns)
    if shuffle is None or shuffle:
        # A buffer larger than any file list: the whole list is shuffled, as TF does.
        dataset = _ShuffleDataset(dataset, np.iinfo(np.int64).max, seed, True)
    return dataset


class _MatchingFilesDataset(DatasetV1):
    def __init__(self, patterns):
        self._patterns = patterns
        super().__init__(TensorSpec([], dtypes.string))

    def _input_tensors(self):
        return [self._patterns]

    def _stream(self, rt):
        from ..platform import gfile
        patterns = _names(rt.value(self._patterns))
        matches = sorted({m.encode() for p in patterns for m in gfile.Glob(p.decode())})
        if not matches:
            raise errors.InvalidArgumentError(None, None, "Expected 'file_pattern' argument to match at least "
                                              "one file, but no files matched %s" % [p.decode() for p in patterns])
        out = np.empty(len(matches), dtype=object)
        out[:] = matches
        from .streams import ChunkStream
        return ChunkStream([(out,)])


