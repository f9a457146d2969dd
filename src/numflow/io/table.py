"""LevelDB-format sorted string tables (SSTables), the format of a TensorFlow checkpoint's `.index` file.

Layout (LevelDB's table_format): data blocks, a meta-index block, an index block, then a 48-byte footer
(meta-index handle, index handle, zero padding to 40 bytes, magic 0xdb4775248b80fb57 little-endian).
A block holds prefix-compressed entries (varint shared, varint non_shared, varint value_length, key
suffix, value), then a uint32 restart-offset array and its uint32 length; every block is followed by a
1-byte compression type and the masked CRC-32C of the block plus that byte. The index block maps a key
>= the last key of each data block to that block's handle (varint offset, varint size).

`write_table(entries)` returns the bytes of a table (uncompressed, as TensorFlow writes bundles);
`read_table(data, filename)` returns the entries as a list of (key, value) in file order, verifying the
footer, every handle, every block CRC and the key order. Errors are `TableError` with a message naming
the problem; snappy-compressed blocks raise `TableError` too (numflow has no snappy decoder).
"""
import struct

from . import crc32c
from .wire import WireError, decode_varint, encode_varint

MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
BLOCK_TRAILER_SIZE = 5
NO_COMPRESSION, SNAPPY_COMPRESSION = 0, 1


class TableError(ValueError):
    """A corrupt or unsupported table."""


class _BlockBuilder:
    def __init__(self, restart_interval):
        self.interval = restart_interval
        self.buffer = bytearray()
        self.restarts = [0]
        self.counter = 0
        self.last_key = b""
        self.empty = True

    def add(self, key, value):
        shared = 0
        if self.counter < self.interval:
            limit = min(len(key), len(self.last_key))
            while shared < limit and key[shared] == self.last_key[shared]:
                shared += 1
        else:
            self.restarts.append(len(self.buffer))
            self.counter = 0
        self.buffer += encode_varint(shared) + encode_varint(len(key) - shared) + encode_varint(len(value))
        self.buffer += key[shared:] + value
        self.last_key = key
        self.counter += 1
        self.empty = False

    def size_estimate(self):
        return len(self.buffer) + 4 * len(self.restarts) + 4

    def finish(self):
        return bytes(self.buffer) + b"".join(struct.pack("<I", r) for r in self.restarts) + \
            struct.pack("<I", len(self.restarts))


def _shortest_separator(start, limit):
    """A short key k with start <= k < limit (LevelDB's bytewise FindShortestSeparator)."""
    n = min(len(start), len(limit))
    i = 0
    while i < n and start[i] == limit[i]:
        i += 1
    if i < n:
        byte = start[i]
        if byte < 0xFF and byte + 1 < limit[i]:
            return start[:i] + bytes([byte + 1])
    return start


def _short_successor(key):
    for i, byte in enumerate(key):
        if byte != 0xFF:
            return key[:i] + bytes([byte + 1])
    return key


def _handle(offset, size):
    return encode_varint(offset) + encode_varint(size)


def write_table(entries, block_size=262144, restart_interval=16):
    """The bytes of a table holding `entries` ((key bytes, value bytes), keys strictly increasing)."""
    out = bytearray()
    index = _BlockBuilder(1)
    block = _BlockBuilder(restart_interval)
    pending_handle = None
    last_key = None

    def emit(contents):
        offset = len(out)
        out.extend(contents)
        trailer_type = bytes([NO_COMPRESSION])
        out.extend(trailer_type)
        out.extend(struct.pack("<I", crc32c.mask(crc32c.value(contents + trailer_type))))
        return offset, len(contents)

    for key, value in entries:
        key, value = bytes(key), bytes(value)
        if last_key is not None and key <= last_key:
            raise ValueError("table keys must be added in strictly increasing order: %r after %r"
                             % (key, last_key))
        if pending_handle is not None:
            index.add(_shortest_separator(last_key, key), _handle(*pending_handle))
            pending_handle = None
        block.add(key, value)
        last_key = key
        if block.size_estimate() >= block_size:
            pending_handle = emit(block.finish())
            block = _BlockBuilder(restart_interval)
    if not block.empty:
        pending_handle = emit(block.finish())
    if pending_handle is not None:
        index.add(_short_successor(last_key), _handle(*pending_handle))
    metaindex_handle = emit(_BlockBuilder(restart_interval).finish())
    index_handle = emit(index.finish())
    footer = _handle(*metaindex_handle) + _handle(*index_handle)
    footer += b"\0" * (40 - len(footer)) + struct.pack("<Q", MAGIC)
    out.extend(footer)
    return bytes(out)


def _decode_handle(data, pos, what):
    try:
        offset, pos = decode_varint(data, pos)
        size, pos = decode_varint(data, pos)
    except WireError as exc:
        raise TableError("bad %s block handle (%s)" % (what, exc)) from None
    return offset, size, pos


def _read_block(data, offset, size, what):
    end = offset + size + BLOCK_TRAILER_SIZE
    if offset < 0 or end > len(data) - FOOTER_SIZE:
        raise TableError("%s block [%d, %d) lies outside the file of %d bytes" % (what, offset, end, len(data)))
    contents = data[offset:offset + size]
    kind = data[offset + size]
    (stored,) = struct.unpack_from("<I", data, offset + size + 1)
    if crc32c.mask(crc32c.value(contents + bytes([kind]))) != stored:
        raise TableError("block checksum mismatch in %s block at offset %d" % (what, offset))
    if kind == SNAPPY_COMPRESSION:
        raise TableError("%s block at offset %d is snappy-compressed, which numflow cannot read "
                         "(TensorFlow writes checkpoint index files uncompressed)" % (what, offset))
    if kind != NO_COMPRESSION:
        raise TableError("unknown compression type %d in %s block at offset %d" % (kind, what, offset))
    return contents


def _block_entries(block, what):
    if len(block) < 4:
        raise TableError("%s block too short (%d bytes)" % (what, len(block)))
    (num_restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    if num_restarts == 0 or 4 * (num_restarts + 1) > len(block):
        raise TableError("bad restart array (%d restarts) in %s block" % (num_restarts, what))
    limit = len(block) - 4 * (num_restarts + 1)
    restarts = struct.unpack_from("<%dI" % num_restarts, block, limit)
    if any(r > limit for r in restarts):
        raise TableError("restart point past the entries in %s block" % what)
    entries = []
    pos = 0
    key = b""
    try:
        while pos < limit:
            shared, pos = decode_varint(block, pos, limit)
            non_shared, pos = decode_varint(block, pos, limit)
            value_length, pos = decode_varint(block, pos, limit)
            if shared > len(key) or non_shared + value_length > limit - pos:
                raise TableError("corrupted entry in %s block" % what)
            key = key[:shared] + block[pos:pos + non_shared]
            pos += non_shared
            entries.append((key, block[pos:pos + value_length]))
            pos += value_length
    except WireError as exc:
        raise TableError("corrupted entry in %s block (%s)" % (what, exc)) from None
    return entries


def read_table(data):
    """All (key, value) entries of the table in `data`, in key order; TableError if anything is wrong."""
    data = bytes(data)
    if len(data) < FOOTER_SIZE:
        raise TableError("file is too short to be an sstable (%d bytes)" % len(data))
    footer = data[-FOOTER_SIZE:]
    (magic,) = struct.unpack_from("<Q", footer, 40)
    if magic != MAGIC:
        raise TableError("not an sstable (bad magic number)")
    _, _, pos = _decode_handle(footer, 0, "meta-index")
    index_offset, index_size, _ = _decode_handle(footer, pos, "index")
    index = _block_entries(_read_block(data, index_offset, index_size, "index"), "index")
    entries = []
    previous = None
    for _, handle in index:
        offset, size, end = _decode_handle(handle, 0, "data")
        if end != len(handle):
            raise TableError("bad data block handle in the index block")
        for key, value in _block_entries(_read_block(data, offset, size, "data"), "data"):
            if previous is not None and key <= previous:
                raise TableError("keys out of order (%r after %r)" % (key, previous))
            previous = key
            entries.append((key, value))
    return entries
