"""TensorFlow's V2 checkpoint format, the *tensor bundle*: `PREFIX.index` + `PREFIX.data-SSSSS-of-NNNNN`.

The index is a LevelDB table (see `table.py`). Key '' holds a BundleHeaderProto {1: num_shards,
2: endianness (0 little, 1 big), 3: version (VersionDef {1: producer, 2: min_consumer, 3: bad_consumers})};
every other key is a tensor name whose value is a BundleEntryProto {1: dtype (DataType enum), 2: shape
(TensorShapeProto {2: dim {1: size}, 3: unknown_rank}), 3: shard_id, 4: offset, 5: size, 6: crc32c
(fixed32, masked CRC-32C of the tensor's bytes), 7: slices}. The data files hold the tensors' bytes back
to back: numbers raw little-endian in row-major order (bool one byte each); strings as varint64 lengths,
a 4-byte masked CRC of the lengths (each as uint32 little-endian), then the bytes of each string.

`write_bundle(prefix, tensors)` writes both files atomically (temporary files in the same folder, fsync,
`os.replace`; the data file first, the index last, so an `.index` file only ever names complete data).
`BundleReader(prefix)` reads and validates the index eagerly and each tensor on demand, checking its
bounds, size and CRC. Problems raise tf.errors (NotFoundError, DataLossError, UnimplementedError)
whose message names the file and the tensor.
"""
import os
import struct
import tempfile

import numpy as np

from ..framework import dtypes, errors
from . import crc32c, table, wire

HEADER_KEY = b""
BUNDLE_VERSION = 1          # kTensorBundleVersion
MIN_CONSUMER = 0


def index_filename(prefix):
    return prefix + ".index"


def data_filename(prefix, shard=0, num_shards=1):
    return "%s.data-%05d-of-%05d" % (prefix, shard, num_shards)


# --- messages ------------------------------------------------------------------------------------
def encode_shape(shape):
    """A TensorShapeProto for a tuple of ints."""
    w = wire.Writer()
    for size in shape:
        w.message(2, wire.Writer().varint(1, int(size)))
    return w.getvalue()


def decode_shape(data):
    """(dims tuple, or None for unknown rank) of a TensorShapeProto; WireError if malformed."""
    fields = wire.parse(data)
    if wire.last(fields, 3, 0):
        return None
    dims = []
    for dim in fields.get(2, []):
        dim_fields = wire.parse(wire.as_bytes(dim))
        dims.append(wire.to_signed64(wire.as_int(wire.last(dim_fields, 1, 0))))
    return tuple(dims)


class Entry:
    """A decoded BundleEntryProto."""

    __slots__ = ("name", "dtype_enum", "shape", "shard_id", "offset", "size", "crc32c", "has_slices")

    def __init__(self, name, dtype_enum, shape, shard_id, offset, size, crc, has_slices=False):
        self.name = name
        self.dtype_enum = dtype_enum
        self.shape = shape
        self.shard_id = shard_id
        self.offset = offset
        self.size = size
        self.crc32c = crc
        self.has_slices = has_slices

    def encode(self):
        w = wire.Writer()
        w.varint(1, self.dtype_enum)
        w.message(2, encode_shape(self.shape))
        w.varint(3, self.shard_id)
        w.varint(4, self.offset)
        w.varint(5, self.size)
        w.fixed32(6, self.crc32c)
        return w.getvalue()

    @property
    def dtype(self):
        """The numflow DType, or None for a dtype numflow lacks (bfloat16, quantized, resource, variant)."""
        try:
            return dtypes.as_dtype(int(self.dtype_enum))
        except TypeError:
            return None


_DTYPE_NAMES = {14: "bfloat16", 11: "qint8", 12: "quint8", 13: "qint32", 15: "qint16", 16: "quint16",
                20: "resource", 21: "variant"}


def dtype_name(enum):
    try:
        return dtypes.as_dtype(int(enum)).name
    except TypeError:
        return _DTYPE_NAMES.get(enum, "DataType(%d)" % enum)


def encode_header(num_shards=1):
    w = wire.Writer()
    w.varint(1, num_shards)
    w.varint(2, 0 if struct.pack("=I", 1) == struct.pack("<I", 1) else 1)
    w.message(3, wire.Writer().varint(1, BUNDLE_VERSION).varint(2, MIN_CONSUMER))
    return w.getvalue()


# --- tensor bytes --------------------------------------------------------------------------------
def _string_elements(array):
    out = []
    for item in array.reshape(-1):
        if isinstance(item, str):
            item = item.encode("utf-8")
        elif isinstance(item, np.bytes_):
            item = bytes(item)
        if not isinstance(item, bytes):
            raise TypeError("string tensor element %r is not bytes" % (item,))
        out.append(item)
    return out


def _length_crc_bytes(length):
    return struct.pack("<I", length) if length <= 0xFFFFFFFF else struct.pack("<Q", length)


def encode_tensor(array, dtype):
    """(bytes, unmasked crc32c) of one tensor's data as TensorFlow writes it."""
    if dtype is dtypes.string:
        items = _string_elements(np.asarray(array, dtype=object))
        lengths = b"".join(wire.encode_varint(len(s)) for s in items)
        crc = crc32c.value(b"".join(_length_crc_bytes(len(s)) for s in items)) if items else 0
        length_checksum = struct.pack("<I", crc32c.mask(crc))
        crc = crc32c.extend(crc, length_checksum)
        body = b"".join(items)
        crc = crc32c.extend(crc, body)
        if not items:
            return b"", 0
        return lengths + length_checksum + body, crc
    array = np.ascontiguousarray(array, dtype=dtype.np.newbyteorder("<"))
    data = array.tobytes()
    return data, crc32c.value(data)


def _fsync_dir(path):
    try:
        fd = os.open(path or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path, chunks):
    """Writes `chunks` (bytes) to a temporary file beside `path`, fsyncs it and renames it into place."""
    folder = os.path.dirname(path) or "."
    fd, temp = tempfile.mkstemp(prefix=os.path.basename(path) + ".tempstate", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    _fsync_dir(folder)


def write_bundle(prefix, tensors):
    """Writes `tensors` ({name: (numpy value, DType)}) as a V2 bundle at `prefix`; returns the names."""
    entries = []
    chunks = []
    offset = 0
    for name in sorted(tensors, key=lambda n: n.encode("utf-8")):
        value, dtype = tensors[name]
        if not name:
            raise ValueError("a checkpoint tensor name cannot be empty")
        data, crc = encode_tensor(value, dtype)
        shape = tuple(np.shape(value))
        entries.append((name.encode("utf-8"),
                        Entry(name, dtype.as_datatype_enum, shape, 0, offset, len(data), crc32c.mask(crc))))
        chunks.append(data)
        offset += len(data)
    index = table.write_table([(HEADER_KEY, encode_header(1))] + [(k, e.encode()) for k, e in entries])
    folder = os.path.dirname(prefix)
    if folder and not os.path.isdir(folder):
        os.makedirs(folder, exist_ok=True)
    atomic_write(data_filename(prefix), chunks)
    atomic_write(index_filename(prefix), [index])
    return [e.name for _, e in entries]


# --- reading -------------------------------------------------------------------------------------
def _corrupt(filename, detail):
    return errors.DataLossError(None, None, "Unable to read file (%s). Perhaps the file is corrupt or was "
                                "produced by a newer version of TensorFlow with format changes (%s)"
                                % (filename, detail))


class BundleReader:
    """Reads a V2 tensor bundle; `entries` maps names to `Entry`, `read(name)` returns a NumPy array."""

    def __init__(self, prefix):
        self.prefix = prefix
        filename = index_filename(prefix)
        self.index_file = filename
        try:
            with open(filename, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise errors.NotFoundError(None, None, "Unsuccessful TensorSliceReader constructor: Failed to "
                                       "find any matching files for %s" % prefix) from None
        except OSError as exc:
            raise errors.NotFoundError(None, None, "Could not open checkpoint index %s: %s"
                                       % (filename, exc)) from None
        try:
            items = table.read_table(data)
        except table.TableError as exc:
            raise _corrupt(filename, exc) from None
        if not items or items[0][0] != HEADER_KEY:
            raise _corrupt(filename, "failed to seek to header entry")
        try:
            header = wire.parse(items[0][1])
            self.num_shards = wire.as_int(wire.last(header, 1, 0))
            endianness = wire.as_int(wire.last(header, 2, 0))
            version = wire.parse(wire.as_bytes(wire.last(header, 3, b"")))
            producer = wire.to_signed32(wire.as_int(wire.last(version, 1, 0)))
            min_consumer = wire.to_signed32(wire.as_int(wire.last(version, 2, 0)))
            bad_consumers = [wire.to_signed32(v) for v in wire.unpack_varints(version.get(3, []))]
        except wire.WireError as exc:
            raise _corrupt(filename, "unable to parse header: %s" % exc) from None
        if endianness not in (0, 1):
            raise _corrupt(filename, "unknown endianness %d" % endianness)
        self._byteorder = "<" if endianness == 0 else ">"
        if producer < 0:
            raise errors.InvalidArgumentError(None, None, "Checkpoint producer version %d below min producer "
                                              "0 supported by numflow (%s)" % (producer, filename))
        if min_consumer > BUNDLE_VERSION:
            raise errors.InvalidArgumentError(None, None, "Checkpoint min consumer version %d above current "
                                              "version %d for numflow (%s)"
                                              % (min_consumer, BUNDLE_VERSION, filename))
        if BUNDLE_VERSION in bad_consumers:
            raise errors.InvalidArgumentError(None, None, "Checkpoint disallows consumer version %d (%s)"
                                              % (BUNDLE_VERSION, filename))
        if self.num_shards < 1 or self.num_shards > 1 << 20:
            raise _corrupt(filename, "invalid num_shards %d" % self.num_shards)
        self.entries = {}
        for key, value in items[1:]:
            try:
                name = key.decode("utf-8")
            except UnicodeDecodeError:
                name = key.decode("latin-1")
            self.entries[name] = self._parse_entry(name, value)
        self._shard_cache = {}

    def _parse_entry(self, name, value):
        filename = self.index_file
        try:
            fields = wire.parse(value)
            dtype_enum = wire.as_int(wire.last(fields, 1, 0))
            shape = decode_shape(wire.as_bytes(wire.last(fields, 2, b"")))
            shard_id = wire.as_int(wire.last(fields, 3, 0))
            offset = wire.as_int(wire.last(fields, 4, 0))
            size = wire.as_int(wire.last(fields, 5, 0))
            crc_raw = wire.last(fields, 6)
            crc = wire.as_fixed32(crc_raw) if crc_raw is not None else 0
        except wire.WireError as exc:
            raise errors.DataLossError(None, None, "Entry for key %s not parseable in %s (%s)"
                                       % (name, filename, exc)) from None
        if shape is None or any(d < 0 for d in shape):
            raise errors.DataLossError(None, None, "Invalid tensor shape: %s %r in %s" % (name, shape, filename))
        count = 1
        for d in shape:
            count *= d
        if count > 1 << 48:
            raise errors.DataLossError(None, None, "Invalid tensor shape: %s %r in %s (too many elements)"
                                       % (name, shape, filename))
        if shard_id >= self.num_shards:
            raise errors.DataLossError(None, None, "Entry %s in %s names shard %d of a %d-shard checkpoint"
                                       % (name, filename, shard_id, self.num_shards))
        return Entry(name, dtype_enum, shape, shard_id, offset, size, crc, has_slices=bool(fields.get(7)))

    def has_tensor(self, name):
        return name in self.entries

    def entry(self, name):
        try:
            return self.entries[name]
        except KeyError:
            raise errors.NotFoundError(None, None, "Key %s not found in checkpoint %s"
                                       % (name, self.prefix)) from None

    def _shard_bytes(self, entry):
        path = data_filename(self.prefix, entry.shard_id, self.num_shards)
        try:
            with open(path, "rb") as handle:
                handle.seek(0, os.SEEK_END)
                file_size = handle.tell()
                if entry.offset + entry.size > file_size:
                    raise errors.DataLossError(
                        None, None, "Data for tensor '%s' runs past the end of %s (bytes [%d, %d) of a %d-byte "
                        "file): the checkpoint is truncated" % (entry.name, path, entry.offset,
                                                                entry.offset + entry.size, file_size))
                handle.seek(entry.offset)
                data = handle.read(entry.size)
        except FileNotFoundError:
            raise errors.NotFoundError(None, None, "Data file %s of checkpoint %s (needed for tensor '%s') "
                                       "not found" % (path, self.prefix, entry.name)) from None
        if len(data) != entry.size:
            raise errors.DataLossError(None, None, "Short read of tensor '%s' from %s" % (entry.name, path))
        return data, path

    def read(self, name):
        """The tensor `name` as a new, writable NumPy array of its dtype and shape."""
        entry = self.entry(name)
        if entry.has_slices:
            raise errors.UnimplementedError(None, None, "Tensor '%s' in %s is stored as slices of a "
                                            "partitioned variable, which numflow cannot read"
                                            % (name, self.index_file))
        dtype = entry.dtype
        if dtype is None:
            raise errors.UnimplementedError(None, None, "Tensor '%s' in %s has dtype %s, which numflow does "
                                            "not support" % (name, self.index_file, dtype_name(entry.dtype_enum)))
        count = 1
        for d in entry.shape:
            count *= d
        if dtype is not dtypes.string and entry.size != count * dtype.size:
            raise errors.DataLossError(None, None, "Invalid size in bundle entry: key %s; stored size %d; "
                                       "expected size %d (%s)" % (name, entry.size, count * dtype.size,
                                                                  self.index_file))
        data, path = self._shard_bytes(entry)
        if dtype is dtypes.string:
            return self._decode_strings(entry, data, count, path)
        actual = crc32c.value(data)
        if crc32c.mask(actual) != entry.crc32c:
            raise errors.DataLossError(
                None, None, "TensorBundle at %s shard %d (%d bytes): Checksum does not match: stored %08d vs. "
                "calculated on the restored bytes %08d (tensor '%s', file %s)"
                % (self.prefix, entry.shard_id, entry.size, crc32c.unmask(entry.crc32c), actual, name, path))
        array = np.frombuffer(data, dtype=dtype.np.newbyteorder(self._byteorder), count=count)
        return array.astype(dtype.np).reshape(entry.shape)

    def _decode_strings(self, entry, data, count, path):
        def loss(detail):
            return errors.DataLossError(None, None, "String tensor '%s' in %s: %s" % (entry.name, path, detail))
        out = np.empty(count, dtype=object)
        if count == 0 or entry.size == 0:
            if count:
                raise loss("no data for %d strings" % count)
            return out.reshape(entry.shape)
        pos = 0
        lengths = []
        crc = 0
        try:
            for _ in range(count):
                length, pos = wire.decode_varint(data, pos)
                lengths.append(length)
        except wire.WireError as exc:
            raise loss("bad string lengths (%s)" % exc) from None
        crc = crc32c.value(b"".join(_length_crc_bytes(n) for n in lengths))
        if pos + 4 > len(data):
            raise loss("truncated length checksum")
        raw = data[pos:pos + 4]
        pos += 4
        unpacked = struct.unpack("<I" if self._byteorder == "<" else ">I", raw)[0]
        if crc32c.unmask(unpacked) != crc:
            raise loss("The length checksum does not match: expected %08d but actual is %08d"
                       % (crc32c.unmask(unpacked), crc))
        crc = crc32c.extend(crc, raw)
        if sum(lengths) != len(data) - pos:
            raise loss("string lengths add up to %d bytes but %d remain" % (sum(lengths), len(data) - pos))
        crc = crc32c.extend(crc, data[pos:])
        if crc32c.mask(crc) != entry.crc32c:
            raise loss("Checksum does not match: stored %08d vs. calculated on the restored bytes %08d"
                       % (crc32c.unmask(entry.crc32c), crc))
        for i, length in enumerate(lengths):
            out[i] = data[pos:pos + length]
            pos += length
        return out.reshape(entry.shape)
