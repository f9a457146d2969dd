"""CRC-32C (Castagnoli polynomial, reflected 0x82F63B78) and TensorFlow's masked CRC.

Event files, TFRecords and checkpoints checksum every record with it. When the optional `google-crc32c`
package is installed with its C extension (`pip install 'numflow-tf1[crc32c]'`) its hardware-accelerated
code does the work (`benchmarks/bench_crc32c.py` measures the difference); otherwise, or with
NUMFLOW_PURE_CRC32C=1, the code below does. `IMPLEMENTATION` says which one is in use.

Short inputs use a table-driven loop. Long inputs are cut into equal blocks whose CRCs NumPy computes side
by side (one vectorized step per byte position); the block CRCs are then chained with the linear map "CRC
register after L zero bytes", which makes the whole run cost a few hundred NumPy calls per megabyte.
"""
import os

import numpy as np

_POLY = 0x82F63B78
_MASK_DELTA = 0xA282EAD8


def _make_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _make_table()
_NP_TABLE = np.array(_TABLE, dtype=np.uint32)
_SHIFT_TABLES = {}


def _raw_scalar(state, data):
    table = _TABLE
    for byte in data:
        state = table[(state ^ byte) & 0xFF] ^ (state >> 8)
    return state


def _raw_blocks(states, blocks):
    """Runs the raw CRC register of each row of `blocks` (uint8, shape [B, L]) from `states` (uint32[B])."""
    columns = np.ascontiguousarray(blocks.T)
    table = _NP_TABLE
    crc = states.astype(np.uint32, copy=True)
    for column in columns:
        crc = table[(crc ^ column) & 0xFF] ^ (crc >> 8)
    return crc


def _shift_tables(length):
    """4 x 256 tables T with M(s) = T0[s & 255] ^ T1[(s >> 8) & 255] ^ ..., M = 'feed `length` zero bytes'."""
    tables = _SHIFT_TABLES.get(length)
    if tables is None:
        basis = np.array([1 << k for k in range(32)], dtype=np.uint32)
        images = _raw_blocks(basis, np.zeros((32, length), dtype=np.uint8)).astype(np.int64)
        tables = []
        for j in range(4):
            table = np.zeros(256, dtype=np.int64)
            for bit in range(8):
                with_bit = (np.arange(256) >> bit) & 1
                table ^= np.where(with_bit == 1, images[8 * j + bit], 0)
            tables.append([int(v) for v in table])
        _SHIFT_TABLES[length] = tables
    return tables


def pure_extend(crc, data):
    """The CRC-32C of (bytes whose CRC is `crc`) + `data`, computed here (no optional package)."""
    view = memoryview(data).cast("B") if not isinstance(data, (bytes, bytearray)) else data
    n = len(view)
    state = (crc ^ 0xFFFFFFFF) & 0xFFFFFFFF
    if n < 8192:
        return _raw_scalar(state, bytes(view)) ^ 0xFFFFFFFF
    block = 1024 if n < (1 << 22) else 4096
    count = n // block
    head = n - count * block
    array = np.frombuffer(view, dtype=np.uint8)
    state = _raw_scalar(state, bytes(array[:head]))
    partial = _raw_blocks(np.zeros(count, dtype=np.uint32), array[head:].reshape(count, block))
    t0, t1, t2, t3 = _shift_tables(block)
    for value in partial.tolist():
        state = (t0[state & 0xFF] ^ t1[(state >> 8) & 0xFF] ^ t2[(state >> 16) & 0xFF]
                 ^ t3[state >> 24] ^ value)
    return state ^ 0xFFFFFFFF


def pure_value(data):
    """The CRC-32C of `data` (bytes-like), computed here (no optional package)."""
    return pure_extend(0, data)


def _accelerated():
    """google_crc32c when installed with its C extension and not switched off, else None."""
    if os.environ.get("NUMFLOW_PURE_CRC32C", "").strip() not in ("", "0"):
        return None
    try:
        import google_crc32c
    except ImportError:
        return None
    # its pure-Python fallback is slower than the NumPy code here
    return google_crc32c if getattr(google_crc32c, "implementation", None) == "c" else None


_google = _accelerated()
IMPLEMENTATION = "google-crc32c" if _google is not None else "numflow"


def _as_bytes(data):
    return data if isinstance(data, bytes) else bytes(memoryview(data).cast("B"))


if _google is not None:
    def extend(crc, data):
        """The CRC-32C of (bytes whose CRC is `crc`) + `data`."""
        return _google.extend(crc, _as_bytes(data))

    def value(data):
        """The CRC-32C of `data` (bytes-like)."""
        return _google.value(_as_bytes(data))
else:
    extend, value = pure_extend, pure_value


def mask(crc):
    """TensorFlow's masked CRC: rotate right by 15 bits and add a constant (stored in files)."""
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + _MASK_DELTA) & 0xFFFFFFFF


def unmask(masked):
    rot = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF


def masked_value(data):
    return mask(value(data))
