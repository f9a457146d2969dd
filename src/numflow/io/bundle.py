"""TensorFlow's V2 checkpoint format, the *tensor bundle*: `PREFIX.index` + `PREFIX.data-SSSSS-of-NNNNN`.

The index is a LevelDB table (see `table.py`). Key '' holds a BundleHeaderProto {1: num_shards,
2: endianness (0 little, 1 big), 3: version (VersionDef {1: producer, 2: min_consumer, 3: bad_consumers})};
every other key is a tensor name whose value is a BundleEntryProto {1: dtype (DataType enum), 2: shape
(TensorShapeProto {2: dim {1: size}, 3: unknown_rank}), 3: shard_id, 4: offset, 5: size, 6: crc32c
(fixed32, masked CRC-32C of the tensor's bytes), 7: slices}. The data files hold the tensors' bytes back
to back: numbers raw little-endian in row-major order (bool one byte each); strings as varint64 lengths,
a 4-byte masked CRC of the lengths (each as uint32 little-endian), then the bytes of each string.

`write_bundle(prefix, tensors)` writes both files atomically, even over an existing checkpoint
(temporary files in the same folder, fsync, a commit journal, then `os.replace` of the data file and the
index; see "writing files atomically" below). `BundleReader(prefix)` reads and validates the index
eagerly and each tensor on demand, checking its declared size against the data file before allocating
anything, then its bounds and CRC. Problems raise tf.errors (NotFoundError, DataLossError, UnimplementedError)
whose message names the file and the tensor.
"""
import json
import logging
import os
import secrets
import struct
import threading

import numpy as np

from ..framework import dtypes, errors
from . import crc32c, table, wire

HEADER_KEY = b""
BUNDLE_VERSION = 1          # kTensorBundleVersion
MIN_CONSUMER = 0
_log = logging.getLogger("numflow")


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


# --- writing files atomically -----------------------------------------------------------------------
# Every file is first written to '<final name>.tempstate-<pid>-<random>' beside it (created with mode
# 0666 so the user's umask applies, as for any file the user's programs create), fsynced, then renamed.
# A bundle needs two renames (data, index), which no file system does atomically, so a save that
# overwrites a prefix first commits a journal '<prefix>.index.journal' naming the two finished temporary
# files: whoever finds a journal (the next save, a reader, latest_checkpoint) completes its renames, so a
# kill at any point leaves either the old or the new checkpoint. Temporary files of saves that died before
# their journal are deleted by the next save into the folder.
_TEMP_MARK = ".tempstate-"
JOURNAL_SUFFIX = ".index.journal"
_in_flight = set()              # this process's temporary files still being written
_in_flight_lock = threading.Lock()


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


def _discard(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        _log.warning("Ignoring: failed to delete temporary file %s: %s", path, exc)


def _write_temp(path, chunks):
    """Writes `chunks` to a new temporary file beside `path` and fsyncs it; returns its name."""
    folder, base = os.path.split(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    while True:
        temp = os.path.join(folder, "%s%s%d-%s" % (base, _TEMP_MARK, os.getpid(), secrets.token_hex(6)))
        with _in_flight_lock:
            _in_flight.add(temp)
        try:
            fd = os.open(temp, flags, 0o666)
            break
        except FileExistsError:
            with _in_flight_lock:
                _in_flight.discard(temp)
        except BaseException:
            with _in_flight_lock:
                _in_flight.discard(temp)
            raise
    try:
        try:
            for chunk in chunks:
                view = memoryview(chunk).cast("B")
                while view:
                    view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        try:
            _discard(temp)
        finally:
            _release(temp)
        raise
    return temp


def _release(temp):
    with _in_flight_lock:
        _in_flight.discard(temp)


def _rename_into_place(temp, path):
    try:
        os.replace(temp, path)
    except BaseException:
        try:
            _discard(temp)
        finally:
            _release(temp)
        raise
    _release(temp)


def atomic_write(path, chunks):
    """Writes `chunks` (bytes-like) to a temporary file beside `path`, fsyncs it and renames it into place."""
    temp = _write_temp(path, chunks)
    _rename_into_place(temp, path)
    _fsync_dir(os.path.dirname(path))


def _journal_renames(journal):
    """The (temporary file, final file) pairs a journal names, validated to lie beside it; None if bad."""
    folder = os.path.dirname(journal)
    prefix_base = os.path.basename(journal)[:-len(JOURNAL_SUFFIX)]
    allowed = {os.path.basename(data_filename(prefix_base)), os.path.basename(index_filename(prefix_base))}
    try:
        with open(journal, "rb") as handle:
            renames = json.loads(handle.read(1 << 16).decode("utf-8"))["renames"]
        pairs = []
        for temp, final in renames:
            if final not in allowed or not (isinstance(temp, str) and temp.startswith(final + _TEMP_MARK)) or \
                    os.sep in temp or (os.altsep and os.altsep in temp):
                return None
            pairs.append((os.path.join(folder, temp), os.path.join(folder, final)))
        return pairs
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _roll_forward(journal, pairs):
    """Renames the journal's temporary files into place (skipping those already moved), then deletes it."""
    for temp, final in pairs:
        try:
            os.replace(temp, final)
        except FileNotFoundError:
            pass                    # already renamed, by the save itself or by an earlier recovery
    _fsync_dir(os.path.dirname(journal))
    try:
        os.remove(journal)
    except FileNotFoundError:
        pass


def recover_interrupted_save(prefix):
    """Completes a bundle save to `prefix` that was interrupted after it committed its journal (a no-op,
    one `stat`, when there is none). Safe to run concurrently with that save: every step is idempotent."""
    journal = prefix + JOURNAL_SUFFIX
    if not os.path.exists(journal):
        return
    pairs = _journal_renames(journal)
    try:
        if pairs is None:
            _log.warning("Ignoring the unreadable checkpoint journal %s", journal)
            os.remove(journal)
        else:
            _roll_forward(journal, pairs)
    except FileNotFoundError:
        pass
    except OSError as exc:
        _log.warning("Could not complete the interrupted checkpoint save recorded in %s: %s", journal, exc)


def _pid_alive(pid):
    """Whether process `pid` may still be running (True when unsure: its files are then kept)."""
    if pid == os.getpid() or os.name != "posix":
        return True                 # on Windows os.kill would terminate the process, not probe it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError, ValueError):
        return True             # exists but not ours, or cannot tell: keep its files
    return True


def remove_stale_temporaries(folder):
    """Completes committed saves and deletes the temporary files that killed writes left in `folder`
    (those of a process that is gone, or of this process but no longer being written)."""
    folder = folder or "."
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.endswith(JOURNAL_SUFFIX) and _TEMP_MARK not in name:
            recover_interrupted_save(os.path.join(folder, name[:-len(JOURNAL_SUFFIX)]))
    try:
        names = os.listdir(folder)
    except OSError:
        return
    with _in_flight_lock:
        in_flight = set(_in_flight)
    for name in names:
        mark = name.rfind(_TEMP_MARK)
        if mark < 0:
            continue
        pid_text = name[mark + len(_TEMP_MARK):].split("-", 1)[0]
        if not pid_text.isdigit():
            continue
        path = os.path.join(folder, name)
        pid = int(pid_text)
        if path in in_flight or (pid != os.getpid() and _pid_alive(pid)):
            continue
        _discard(path)


def write_bundle(prefix, tensors):
    """Writes `tensors` ({name: (numpy value, DType)}) as a V2 bundle at `prefix`; returns the names.

    Atomic even when `prefix` already holds a checkpoint (see the journal above)."""
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
    remove_stale_temporaries(folder)
    data_path, index_path = data_filename(prefix), index_filename(prefix)
    data_temp = _write_temp(data_path, chunks)
    try:
        index_temp = _write_temp(index_path, [index])
    except BaseException:
        try:
            _discard(data_temp)
        finally:
            _release(data_temp)
        raise
    temps = [data_temp, index_temp]
    journal = prefix + JOURNAL_SUFFIX
    overwriting = os.path.exists(index_path)
    try:
        pairs = [(data_temp, data_path), (index_temp, index_path)]      # the index last
        atomic_write(journal, [json.dumps({"renames": [[os.path.basename(t), os.path.basename(f)]
                                                       for t, f in pairs]}).encode("utf-8")])
        try:
            _roll_forward(journal, pairs)
        except Exception:
            if not overwriting:     # nothing was replaced: undo, so no half-written checkpoint remains
                _discard(journal)
                _discard(data_path)
            raise
    except BaseException:
        try:
            if not os.path.exists(journal):
                for temp in temps:
                    _discard(temp)
        finally:
            for temp in temps:
                _release(temp)
        raise
    for temp in temps:
        _release(temp)
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
        recover_interrupted_save(prefix)
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
        if dtype is dtypes.string and count and entry.size < count + 4:
            # Each string needs at least its one-byte length, plus the lengths' 4-byte checksum: checked
            # before anything of `count` elements is allocated.
            raise errors.DataLossError(None, None, "Invalid size in bundle entry: key %s declares %d strings "
                                       "(shape %s) but only %d bytes of data, too few for their lengths (%s)"
                                       % (name, count, list(entry.shape), entry.size, self.index_file))
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
