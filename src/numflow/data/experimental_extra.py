"""More of `tf.data.experimental`: `snapshot`.

`snapshot(path)` persists a pipeline's elements to a directory on the first complete pass and reads them
back on later passes (in this process or another one), so that expensive preprocessing runs once.

The files are numflow's own format, not TensorFlow's: TF's snapshot files cannot be read here, nor numflow's
by TF. One file per snapshot, `<path>/<fingerprint>.nfsnapshot`, where the fingerprint hashes the
pipeline's element types, its chain of transformations and the values of the tensors it reads, so that a
changed pipeline or changed data writes a new snapshot instead of replaying a stale one. A pass writes to a
temporary file and renames it only once the input is exhausted: an interrupted pass leaves no snapshot.

Layout (little-endian), optionally inside one gzip stream:
  magic b"NFSNAP1\\n", uint32 header length, header (JSON: {"dtypes": [name per component]});
  then chunk records: uint64 row count (0 ends the file), and per component uint32 rank, rank x int64 dims,
  then the data: raw values for numbers and bools; for strings an int64 length per value, then the bytes.
Everything read is checked against the header and the dataset's static types: a damaged or foreign file
is a DataLossError, never garbage elements.
"""
import gzip
import hashlib
import json
import os
import struct
import uuid

import numpy as np

from ..framework import dtypes, errors
from .dataset_ops import DatasetV1, _Param
from .streams import Stream, row_count, take_rows

_MAGIC = b"NFSNAP1\n"
_SUFFIX = ".nfsnapshot"
_MAX_RANK = 64
_MAX_HEADER = 1 << 20
_MAX_VALUES = 1 << 40
_COMPRESSIONS = {None: None, "": None, "AUTO": None, "NONE": None, "GZIP": "gzip"}


def snapshot(path, compression="AUTO", reader_func=None, shard_func=None):
    """`dataset.apply(tf.data.experimental.snapshot(path, compression='AUTO'))`: the dataset's elements,
    written under the directory `path` on the first pass that reaches the end and read back from there on
    every later pass (also by later programs building the same pipeline over the same data).

    `compression` is 'AUTO' or None (stored uncompressed) or 'GZIP'; 'SNAPPY' needs a library numflow
    does not use. `reader_func` and `shard_func` (how TF splits a snapshot into shards and reads them back
    in parallel) are not supported: numflow writes one file per snapshot.
    """
    if reader_func is not None or shard_func is not None:
        raise NotImplementedError("snapshot: numflow writes each snapshot as one file; reader_func and "
                                  "shard_func (TF's sharded snapshots) are not supported")
    key = compression.upper() if isinstance(compression, str) else compression
    if key == "SNAPPY":
        raise ValueError("snapshot: compression 'SNAPPY' is not available in numflow; use 'GZIP' or None")
    if key not in _COMPRESSIONS:
        raise ValueError("snapshot: compression must be one of 'AUTO', 'GZIP', 'SNAPPY' or None, got %r"
                         % (compression,))
    return lambda dataset: _SnapshotDataset(dataset, path, _COMPRESSIONS[key])


class _SnapshotDataset(DatasetV1):
    def __init__(self, parent, path, compression):
        if not isinstance(parent, DatasetV1):
            raise TypeError("snapshot must be applied to a tf.data.Dataset, got %r" % (parent,))
        self._path = _Param(path, dtypes.string, "path")
        self._compression = compression
        super().__init__(parent._specs, [parent])

    def _input_tensors(self):
        return self._path.tensors()

    def _stream(self, rt):
        directory = self._path.value(rt)
        directory = directory.decode() if isinstance(directory, bytes) else str(directory)
        target = os.path.join(directory, self._fingerprint(rt) + _SUFFIX)
        if os.path.exists(target):
            return _SnapshotReader(target, self._flat_specs())
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as exc:
            raise errors.NotFoundError(None, None, "snapshot: cannot create the directory %s: %s"
                                       % (directory, exc)) from exc
        return _SnapshotWriter(self._parents[0]._stream(rt), target, self._flat_specs(), self._compression)

    def _fingerprint(self, rt):
        """A hash of what determines the elements: the pipeline's shape and the values it reads."""
        digest = hashlib.sha256()
        parent = self._parents[0]
        for dataset in parent._walk():
            digest.update(type(dataset).__name__.encode())
            digest.update(repr(dataset._flat_specs()).encode())
            for name in sorted(vars(dataset)):
                _hash_setting(digest, name, vars(dataset)[name])
        for tensor in parent._all_inputs():
            _hash_array(digest, np.asarray(rt.value(tensor)))
        return digest.hexdigest()[:32]


def _hash_setting(digest, name, value):
    """Hashes a dataset's own settings: static parameters (range(3) and range(5) differ), plain values,
    and the ops and constants of its traced functions (map(x * 2) and map(x * 3) differ)."""
    if isinstance(value, _Param):
        value = value.static
    if value is None or isinstance(value, (bool, int, float, str, bytes, np.generic)):
        digest.update(("%s=%r;" % (name, value)).encode())
    elif isinstance(value, np.ndarray):
        digest.update(name.encode())
        _hash_array(digest, value)
    elif isinstance(value, (tuple, list)):
        for index, item in enumerate(value):
            if not isinstance(item, DatasetV1):
                _hash_setting(digest, "%s[%d]" % (name, index), item)
    else:
        for op in getattr(value, "body_ops", ()):
            digest.update(op.type.encode())
            if op.type == "Const":
                _hash_array(digest, np.asarray(op.attrs["value"]))


def _hash_array(digest, array):
    digest.update(("%s%s" % (array.dtype.str, array.shape)).encode())
    if array.dtype == object:
        for item in array.reshape(-1):
            data = item if isinstance(item, bytes) else str(item).encode()
            digest.update(struct.pack("<q", len(data)))
            digest.update(data)
    else:
        digest.update(np.ascontiguousarray(array).tobytes())


def _open(path, mode, compression):
    return gzip.open(path, mode) if compression == "gzip" else open(path, mode)


class _SnapshotWriter(Stream):
    """Passes its upstream's chunks through, recording them; the file becomes the snapshot at the end."""

    def __init__(self, upstream, target, specs, compression):
        self.upstream, self.target = upstream, target
        self.temporary = "%s.tmp-%s" % (target, uuid.uuid4().hex)
        self.file = _open(self.temporary, "wb", compression)
        header = json.dumps({"dtypes": [s.dtype.name for s in specs]}).encode()
        self.file.write(_MAGIC + struct.pack("<I", len(header)) + header)

    def next_chunk(self, limit):
        if self.file is None:
            return None
        chunk = self.upstream.next_chunk(limit)
        if chunk is None:
            self.file.write(struct.pack("<Q", 0))
            self.file.close()
            self.file = None
            os.replace(self.temporary, self.target)
            return None
        self.file.write(struct.pack("<Q", row_count(chunk)))
        for component in chunk:
            _write_component(self.file, component)
        return chunk

    def __del__(self):
        # A pass abandoned before its end (iterator re-initialized, program stopped) leaves no snapshot.
        file = getattr(self, "file", None)
        if file is not None:
            file.close()
            try:
                os.remove(self.temporary)
            except OSError:
                pass


def _write_component(file, array):
    file.write(struct.pack("<I", array.ndim) + struct.pack("<%dq" % array.ndim, *array.shape))
    if array.dtype == object:
        values = [v if isinstance(v, bytes) else str(v).encode() for v in array.reshape(-1)]
        file.write(np.asarray([len(v) for v in values], dtype="<i8").tobytes())
        file.write(b"".join(values))
    else:
        file.write(np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes())


class _SnapshotReader(Stream):
    """The chunks of a finished snapshot file, checked against the dataset's static element types."""

    def __init__(self, path, specs):
        self.path, self.specs = path, specs
        try:
            raw = open(path, "rb")
        except OSError as exc:
            raise errors.NotFoundError(None, None, "snapshot: cannot open %s: %s" % (path, exc)) from exc
        compressed = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        self.file = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
        self.raw = raw
        magic = self._read(len(_MAGIC))
        if magic != _MAGIC:
            self._fail("it is not a numflow snapshot file")
        (length,) = struct.unpack("<I", self._read(4))
        if length > _MAX_HEADER:
            self._fail("its header claims %d bytes" % length)
        try:
            header = json.loads(self._read(length).decode())
            names = list(header["dtypes"])
        except (ValueError, KeyError, TypeError):
            self._fail("its header is not valid")
        if names != [s.dtype.name for s in specs]:
            self._fail("it holds elements of types %s, the dataset's are %s"
                       % (names, [s.dtype.name for s in specs]))
        self.pending = None

    def _fail(self, why):
        self.close()
        raise errors.DataLossError(None, None, "snapshot file %s is damaged or foreign: %s" % (self.path, why))

    def close(self):
        if self.raw is not None:
            self.raw.close()
            self.raw = None

    def _read(self, count):
        try:
            data = self.file.read(count)
        except (OSError, EOFError) as exc:
            self._fail(str(exc))
        if len(data) != count:
            self._fail("it ends early")
        return data

    def _read_chunk(self):
        (rows,) = struct.unpack("<Q", self._read(8))
        if rows == 0:
            self.close()
            return None
        return tuple(self._read_component(spec, rows) for spec in self.specs)

    def _read_component(self, spec, rows):
        (rank,) = struct.unpack("<I", self._read(4))
        if rank > _MAX_RANK:
            self._fail("a component claims rank %d" % rank)
        shape = struct.unpack("<%dq" % rank, self._read(8 * rank))
        if rank < 1 or shape[0] != rows or min(shape) < 0 or \
                not spec.shape.is_compatible_with(list(shape[1:])):
            self._fail("a chunk of shape %s does not hold %d elements of shape %s" % (list(shape), rows,
                                                                                     spec.shape))
        count = 1
        for dim in shape:          # Python integers: a forged shape cannot overflow into a small count
            count *= dim
        if count > _MAX_VALUES:
            self._fail("a chunk claims %d values" % count)
        if spec.dtype is dtypes.string:
            lengths = np.frombuffer(self._read(8 * count), dtype="<i8")
            if count and lengths.min() < 0:
                self._fail("a string has a negative length")
            data = self._read(int(lengths.sum()))
            ends = np.cumsum(lengths)
            values = np.empty(count, dtype=object)
            for index, (end, length) in enumerate(zip(ends.tolist(), lengths.tolist())):
                values[index] = data[end - length:end]
            return values.reshape(shape)
        np_dtype = np.dtype(spec.dtype.np).newbyteorder("<")
        array = np.frombuffer(self._read(count * np_dtype.itemsize), dtype=np_dtype).reshape(shape)
        return array.astype(spec.dtype.np, copy=False)

    def next_chunk(self, limit):
        chunk = self.pending if self.pending is not None else (self._read_chunk() if self.raw else None)
        self.pending = None
        if chunk is None:
            return None
        n = row_count(chunk)
        if n > limit:
            self.pending = take_rows(chunk, limit, n)
            chunk = take_rows(chunk, 0, limit)
        return chunk

    def __del__(self):
        if getattr(self, "raw", None) is not None:
            self.close()
