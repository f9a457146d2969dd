"""The IDX file format (MNIST's): a validated reader for gzipped or raw files. Never trusts a header blindly."""
import gzip
import os
import zlib

import numpy as np

# type code (third magic byte) -> big-endian NumPy dtype
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_CHUNK = 1 << 22


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
    """
    if isinstance(f, (str, bytes, os.PathLike)):
        with open(f, "rb") as fh:
            return read_idx(fh, expected_magic, kind, name or os.fsdecode(f))
    name = name or _name(f)
    head = f.read(2)
    if head == b"\x1f\x8b":  # gzip: re-read the whole stream through the decompressor
        rest = f
        with gzip.GzipFile(fileobj=_Prefixed(head, rest), mode="rb") as gz:
            try:
                return _parse(gz, expected_magic, kind, name)
            except (EOFError, OSError, zlib.error) as e:
                raise ValueError("%s is not a valid gzip file (damaged or truncated): %s" % (name, e)) from None
    return _parse(_Prefixed(head, f), expected_magic, kind, name)


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


def _parse(f, expected_magic, kind, name):
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
    data = _read_exactly(f, nbytes, name, "data for shape %s" % (dims,))
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
