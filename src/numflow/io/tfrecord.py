"""TFRecord files: writing, and streaming reads with checksum verification (`tf.python_io`).

A TFRecord file is a sequence of records, each framed as

    uint64 length (little-endian) | uint32 masked CRC-32C of those 8 bytes | data | uint32 masked CRC-32C of data

and the whole byte stream may be compressed with ZLIB (zlib container) or GZIP (gzip container); the
framing and checksums are those of the uncompressed stream.

Reading streams the file: it is read `READ_BLOCK_SIZE` bytes at a time (decompressed incrementally when
compressed), so a file of any size needs memory for one record plus one block. Problems are reported as
TensorFlow does: a missing file is `NotFoundError`, a bad checksum, a truncated record or a damaged
compressed stream is `DataLossError` naming the file, the record's index and its offset (in the
uncompressed stream).
"""
import os
import struct
import zlib

from ..framework import errors
from . import crc32c

# Bytes read from the file per step of a streaming read (tests shrink it to exercise block boundaries).
READ_BLOCK_SIZE = 256 * 1024

_LENGTH = struct.Struct("<Q")
_CHECKSUM = struct.Struct("<I")
_HEADER_SIZE = 12       # length + its checksum
_FOOTER_SIZE = 4        # the data's checksum


class TFRecordCompressionType:
    """`tf.python_io.TFRecordCompressionType`: how the bytes of a TFRecord file are compressed."""

    NONE = 0
    ZLIB = 1
    GZIP = 2


_TYPE_NAMES = {TFRecordCompressionType.NONE: "", TFRecordCompressionType.ZLIB: "ZLIB",
               TFRecordCompressionType.GZIP: "GZIP"}
# zlib's window-bits argument selecting the container: 15 is the zlib header, 31 (15 + 16) gzip's.
_WINDOW_BITS = {"ZLIB": 15, "GZIP": 31}


def _compression_name(compression_type):
    """'', 'ZLIB' or 'GZIP' for a TFRecordCompressionType value, one of those strings, or None."""
    if compression_type is None:
        return ""
    if isinstance(compression_type, str):
        name = compression_type.upper()
        if name in ("", "NONE"):
            return ""
        if name in _WINDOW_BITS:
            return name
    elif not isinstance(compression_type, bool) and compression_type in _TYPE_NAMES:
        return _TYPE_NAMES[compression_type]
    raise ValueError("Unsupported compression type %r: use '', 'ZLIB', 'GZIP' or a "
                     "TFRecordCompressionType" % (compression_type,))


class TFRecordOptions:
    """`tf.python_io.TFRecordOptions(compression_type=None, ...)`: how a TFRecord file is written or read.

    `compression_type` is a `TFRecordCompressionType` or one of the strings "", "ZLIB", "GZIP";
    `compression_level` (0-9, -1 for zlib's default) applies when writing. TF's remaining tuning
    arguments (buffer sizes, flush mode, window bits, memory level) are accepted and change nothing.
    """

    compression_type_map = {"": TFRecordCompressionType.NONE, "ZLIB": TFRecordCompressionType.ZLIB,
                            "GZIP": TFRecordCompressionType.GZIP}

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None,
                 compression_method=None, mem_level=None, compression_strategy=None):
        name = _compression_name(compression_type)
        self.compression_type = self.compression_type_map[name]
        self.compression_level = -1 if compression_level is None else int(compression_level)
        if not -1 <= self.compression_level <= 9:
            raise ValueError("compression_level must be in [-1, 9], got %d" % self.compression_level)
        self.flush_mode = flush_mode
        self.input_buffer_size = input_buffer_size
        self.output_buffer_size = output_buffer_size
        self.window_bits = window_bits
        self.compression_method = compression_method
        self.mem_level = mem_level
        self.compression_strategy = compression_strategy

    @classmethod
    def get_compression_type_string(cls, options):
        """'', 'ZLIB' or 'GZIP' for `options` (a TFRecordOptions, a compression type or None)."""
        if isinstance(options, TFRecordOptions):
            return _TYPE_NAMES[options.compression_type]
        return _compression_name(options)

    def __repr__(self):
        return "TFRecordOptions(compression_type=%r)" % _TYPE_NAMES[self.compression_type]


def _options(options):
    return options if isinstance(options, TFRecordOptions) else TFRecordOptions(options)


def encode_record(data):
    """The framed bytes of one record holding `data`."""
    data = bytes(data)
    header = _LENGTH.pack(len(data))
    return (header + _CHECKSUM.pack(crc32c.masked_value(header)) + data
            + _CHECKSUM.pack(crc32c.masked_value(data)))


class TFRecordWriter:
    """`tf.python_io.TFRecordWriter(path, options=None)`: writes records to a new TFRecord file.

    `options` is a `TFRecordOptions`, a `TFRecordCompressionType` or a compression string. Use it as a
    context manager, or call `close()`; `flush()` pushes what was written so far to the file (completing
    the compressed block when compressed).
    """

    def __init__(self, path, options=None):
        options = _options(options)
        self._path = os.fspath(path)
        name = _TYPE_NAMES[options.compression_type]
        try:
            self._file = open(self._path, "wb")
        except FileNotFoundError:
            raise errors.NotFoundError(None, None, "%s; No such file or directory" % self._path) from None
        except PermissionError:
            raise errors.PermissionDeniedError(None, None, "%s; Permission denied" % self._path) from None
        self._compressor = (zlib.compressobj(options.compression_level, zlib.DEFLATED, _WINDOW_BITS[name])
                            if name else None)

    def _put(self, data):
        if self._file is None:
            raise errors.FailedPreconditionError(None, None, "TFRecordWriter for %s is closed." % self._path)
        if self._compressor is not None:
            data = self._compressor.compress(data)
        self._file.write(data)

    def write(self, record):
        """Appends one record (bytes; a str is written as UTF-8)."""
        if isinstance(record, str):
            record = record.encode("utf-8")
        self._put(encode_record(record))

    def flush(self):
        """Makes the records written so far readable from the file."""
        if self._file is None:
            raise errors.FailedPreconditionError(None, None, "TFRecordWriter for %s is closed." % self._path)
        if self._compressor is not None:
            self._file.write(self._compressor.flush(zlib.Z_SYNC_FLUSH))
        self._file.flush()

    def close(self):
        """Finishes the file (the compressed stream's trailer included); later calls do nothing."""
        if self._file is None:
            return
        if self._compressor is not None:
            self._file.write(self._compressor.flush(zlib.Z_FINISH))
        self._file.close()
        self._file = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass


# --- reading -------------------------------------------------------------------------------------
def _open_for_read(path):
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, "%s; No such file or directory" % path) from None
    except IsADirectoryError:
        raise errors.FailedPreconditionError(None, None, "%s; Is a directory" % path) from None
    except PermissionError:
        raise errors.PermissionDeniedError(None, None, "%s; Permission denied" % path) from None


def _chunks(handle, path, compression):
    """Yields the (decompressed) bytes of the open file, one block's worth at a time."""
    if not compression:
        while True:
            block = handle.read(READ_BLOCK_SIZE)
            if not block:
                return
            yield block
    window_bits = _WINDOW_BITS[compression]
    decompressor = zlib.decompressobj(window_bits)
    seen_input = False
    try:
        while True:
            block = handle.read(READ_BLOCK_SIZE)
            if not block:
                break
            seen_input = True
            while True:
                # Output is capped per call so that a highly compressed block cannot fill memory.
                out = decompressor.decompress(block, READ_BLOCK_SIZE)
                if out:
                    yield out
                if decompressor.eof:
                    block = decompressor.unused_data
                    if not block:
                        break
                    decompressor = zlib.decompressobj(window_bits)   # the next member of a gzip file
                    continue
                block = decompressor.unconsumed_tail
                if not block and len(out) < READ_BLOCK_SIZE:
                    break
    except zlib.error as exc:
        raise errors.DataLossError(None, None, "corrupted %s stream in %s: %s"
                                   % (compression, path, exc)) from None
    if seen_input and not decompressor.eof:
        raise errors.DataLossError(None, None, "truncated %s stream in %s: the compressed data ends early"
                                   % (compression, path))


def iter_tfrecords(path, compression_type="", stop_at_partial_record=False):
    """Yields the data (bytes) of each record of the TFRecord file `path`, streaming it block by block.

    `compression_type` is '', 'ZLIB', 'GZIP' or a TFRecordCompressionType. Raises NotFoundError for a
    missing file and DataLossError (naming the file, the record index and its offset) for a bad checksum,
    a truncated record or a damaged compressed stream. With `stop_at_partial_record`, a last record cut
    short by the end of the file (one still being written) ends the iteration instead.
    """
    path = os.fspath(path)
    compression = _compression_name(compression_type)
    with _open_for_read(path) as handle:
        chunks = _chunks(handle, path, compression)
        buffer = b""
        pos = 0             # read position inside `buffer`
        consumed = 0        # stream offset of buffer[0]
        index = 0

        def fill(needed):
            """Extends `buffer` until `needed` bytes follow `pos`; False at the end of the stream."""
            nonlocal buffer, pos, consumed
            parts = [buffer[pos:]]
            have = len(parts[0])
            consumed += pos
            pos = 0
            for chunk in chunks:
                parts.append(chunk)
                have += len(chunk)
                if have >= needed:
                    break
            buffer = b"".join(parts)
            return have >= needed

        while True:
            if len(buffer) - pos < _HEADER_SIZE and not fill(_HEADER_SIZE):
                if len(buffer) == pos or stop_at_partial_record:
                    return
                raise errors.DataLossError(None, None, "truncated record %d at offset %d of %s: %d of the "
                                           "%d header bytes present" % (index, consumed + pos, path,
                                                                        len(buffer) - pos, _HEADER_SIZE))
            offset = consumed + pos
            header = buffer[pos:pos + 8]
            if crc32c.masked_value(header) != _CHECKSUM.unpack_from(buffer, pos + 8)[0]:
                raise errors.DataLossError(None, None, "corrupted record %d at offset %d of %s: length "
                                           "checksum mismatch" % (index, offset, path))
            (length,) = _LENGTH.unpack(header)
            total = _HEADER_SIZE + length + _FOOTER_SIZE
            if len(buffer) - pos < total and not fill(total):
                if stop_at_partial_record:
                    return
                raise errors.DataLossError(None, None, "truncated record %d at offset %d of %s (needs %d "
                                           "bytes, %d present)" % (index, offset, path, total,
                                                                   len(buffer) - pos))
            start = pos + _HEADER_SIZE
            data = buffer[start:start + length]
            if crc32c.masked_value(data) != _CHECKSUM.unpack_from(buffer, start + length)[0]:
                raise errors.DataLossError(None, None, "corrupted record %d at offset %d of %s: data "
                                           "checksum mismatch" % (index, offset, path))
            pos = start + length + _FOOTER_SIZE
            index += 1
            yield data


def tf_record_iterator(path, options=None):
    """`tf.python_io.tf_record_iterator(path, options=None)`: yields the records of a TFRecord file as
    bytes; `options` is a TFRecordOptions, a compression type or None."""
    return iter_tfrecords(path, TFRecordOptions.get_compression_type_string(options))


__all__ = ["TFRecordWriter", "TFRecordOptions", "TFRecordCompressionType", "tf_record_iterator",
           "iter_tfrecords", "encode_record"]
