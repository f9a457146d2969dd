"""The IDX file format (MNIST's): a validated reader for gzipped or raw files. Never trusts a header blindly."""
import gzip
import io
import os
import zlib

import numpy as np

# type code (third magic byte) -> big-endian NumPy dtype
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_CHUNK = 1 << 22
_MAX_DEFLATE_RATIO = 1032       # deflate's largest possible expansion (258-byte matches in 2-bit codes)


def _name(f):
    name = getattr(f, "name", None)
    return os.fsdecode(name) if isinstance(name, (str, bytes, os.PathLike)) else "<stream>"


def _read_exactly(f, n, name, what):
    """Read exactly `n` bytes, chunk by chunk (so a lying header cannot force a huge allocation)."""
    buf = bytearray()
    while len(buf) < n:
        chunk = f.read(min(_CHUNK, n - len(buf)))
        if not chunk:
            raise ValueError("%s is truncated: its header promises %d bytes of %s, the file holds only %d"
                             % (name, n, what, len(buf)))
        buf += chunk
    return buf


def read_idx(f, expected_magic=None, kind="IDX", name=None):
    """Read one IDX array from `f` (a path or a binary file object; gzip is detected from its content).

    `expected_magic` (e.g. 2051 for MNIST images, 2049 for labels) is checked first. Raises ValueError naming
    the file on a bad magic number, a header/size disagreement, truncated data or a damaged gzip stream.
    The header's shape bounds the work: a header declaring more data than the file could hold is refused
    before reading it, and never more than the declared bytes (plus one) are decompressed.
    """
    if isinstance(f, (str, bytes, os.PathLike)):
        with open(f, "rb") as fh:
            return read_idx(fh, expected_magic, kind, name or os.fsdecode(f))
    name = name or _name(f)
    available = _bytes_left(f)
    head = f.read(2)
    if head == b"\x1f\x8b":  # gzip: re-read the whole stream through the decompressor
        # Deflate expands at most ~1032-fold, so a header declaring more than that much data is refused
        # before anything is decompressed: a gzip bomb with a lying header costs nothing.
        with gzip.GzipFile(fileobj=_Prefixed(head, f), mode="rb") as gz:
            try:
                return _parse(gz, expected_magic, kind, name, available, compressed=True)
            except (EOFError, OSError, zlib.error) as e:
                raise ValueError("%s is not a valid gzip file (damaged or truncated): %s" % (name, e)) from None
    return _parse(_Prefixed(head, f), expected_magic, kind, name, available, compressed=False)


def _bytes_left(f):
    """How many bytes `f` holds from its current position, or None when that cannot be known."""
    try:
        size = os.fstat(f.fileno()).st_size
        position = f.tell()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        try:
            position = f.tell()
            size = f.seek(0, os.SEEK_END)
            f.seek(position)
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            return None
    return max(size - position, 0)


class _Prefixed:
    """A read-only file that yields `prefix` and then the rest of `f` (the two bytes sniffed for gzip)."""

    def __init__(self, prefix, f):
        self.prefix, self.f = prefix, f

    def read(self, n=-1):
        if not self.prefix:
            return self.f.read(n)
        if n is None or n < 0:
            out, self.prefix = self.prefix + self.f.read(), b""
            return out
        out, self.prefix = self.prefix[:n], self.prefix[n:]
        return out + (self.f.read(n - len(out)) if n > len(out) else b"")


def _parse(f, expected_magic, kind, name, file_bytes=None, compressed=False):
    magic_bytes = f.read(4)
    if len(magic_bytes) < 4:
        raise ValueError("%s is truncated: it ends inside the 4-byte magic number of a %s file" % (name, kind))
    magic = int.from_bytes(magic_bytes, "big")
    if expected_magic is not None and magic != expected_magic:
        raise ValueError("Invalid magic number %d in %s file %s (expected %d)" % (magic, kind, name, expected_magic))
    zero, code, ndim = magic_bytes[:2], magic_bytes[2], magic_bytes[3]
    if zero != b"\0\0" or code not in IDX_DTYPES or ndim == 0:
        raise ValueError("Invalid magic number %d in %s file %s: not an IDX file" % (magic, kind, name))
    dims_bytes = f.read(4 * ndim)
    if len(dims_bytes) < 4 * ndim:
        raise ValueError("%s is truncated: it ends inside its header of %d dimensions" % (name, ndim))
    dims = tuple(int.from_bytes(dims_bytes[4 * i:4 * i + 4], "big") for i in range(ndim))
    dtype = np.dtype(IDX_DTYPES[code])
    nbytes = int(np.prod(dims, dtype=object)) * dtype.itemsize
    what = "data for shape %s" % (dims,)
    if file_bytes is not None and not compressed and nbytes > file_bytes - 4 - 4 * ndim:
        raise ValueError("%s is truncated: its header promises %d bytes of %s, the file holds only %d"
                         % (name, nbytes, what, max(file_bytes - 4 - 4 * ndim, 0)))
    if file_bytes is not None and compressed and nbytes > file_bytes * _MAX_DEFLATE_RATIO + _CHUNK:
        raise ValueError("%s is truncated or corrupt: its header declares shape %s (%d bytes of data), more "
                         "than a %d-byte gzip file can hold" % (name, dims, nbytes, file_bytes))
    data = _read_exactly(f, nbytes, name, what)
    if f.read(1):
        raise ValueError("%s holds more data than its header's shape %s accounts for (%d bytes)"
                         % (name, dims, nbytes))
    array = np.frombuffer(data, dtype=dtype).reshape(dims)
    return array if dtype.itemsize == 1 else array.astype(dtype.newbyteorder("="))


def write_idx(path, array, compress=None):
    """Write `array` as an IDX file (gzipped when `compress`, or when None and `path` ends in .gz)."""
    array = np.asarray(array)
    codes = {np.dtype(v).newbyteorder("="): k for k, v in IDX_DTYPES.items()}
    code = codes.get(array.dtype.newbyteorder("="))
    if code is None:
        raise TypeError("IDX cannot hold dtype %s; it holds uint8, int8, int16, int32, float32, float64"
                        % array.dtype)
    header = bytes([0, 0, code, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    payload = header + array.astype(IDX_DTYPES[code]).tobytes()
    if compress or (compress is None and os.fspath(path).endswith(".gz")):
        payload = gzip.compress(payload)
    with open(path, "wb") as f:
        f.write(payload)
