"""The protocol-buffer wire format, by hand: enough to write and read the few messages numflow needs.

Writing: `Writer` appends fields (`varint`, `fixed32`, `fixed64`, `double`, `float`, `bytes`, `message`,
packed repeated numbers). Reading: `parse(data)` returns {field_number: [values]} where varints are ints,
fixed32/fixed64 are the raw 4/8 bytes and length-delimited fields are bytes; every length is checked
against the buffer, and malformed input raises `WireError` (callers turn it into tf.errors.DataLossError
naming their file).
"""
import struct

VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5


class WireError(ValueError):
    """Malformed protocol-buffer bytes."""


def encode_varint(value):
    if value < 0:
        value &= (1 << 64) - 1          # negative int32/int64 are 10-byte two's complement varints
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def decode_varint(data, pos, limit=None):
    """Returns (value, new_pos); WireError when truncated or longer than 10 bytes."""
    limit = len(data) if limit is None else limit
    result = 0
    shift = 0
    while True:
        if pos >= limit:
            raise WireError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise WireError("varint longer than 10 bytes")


def to_signed64(value):
    return value - (1 << 64) if value >= 1 << 63 else value


def to_signed32(value):
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


class Writer:
    """Builds one serialized message; `getvalue()` returns its bytes."""

    def __init__(self):
        self._parts = []

    def _key(self, number, wire_type):
        self._parts.append(encode_varint((number << 3) | wire_type))

    def varint(self, number, value, skip_default=True):
        value = int(value)
        if skip_default and value == 0:
            return self
        self._key(number, VARINT)
        self._parts.append(encode_varint(value))
        return self

    def bool(self, number, value, skip_default=True):
        return self.varint(number, 1 if value else 0, skip_default)

    def fixed32(self, number, value):
        self._key(number, FIXED32)
        self._parts.append(struct.pack("<I", value & 0xFFFFFFFF))
        return self

    def fixed64(self, number, value):
        self._key(number, FIXED64)
        self._parts.append(struct.pack("<Q", value & 0xFFFFFFFFFFFFFFFF))
        return self

    def double(self, number, value, skip_default=True):
        if skip_default and value == 0.0 and struct.pack("<d", value) == b"\0" * 8:
            return self
        self._key(number, FIXED64)
        self._parts.append(struct.pack("<d", value))
        return self

    def float(self, number, value, skip_default=True):
        if skip_default and value == 0.0 and struct.pack("<f", value) == b"\0" * 4:
            return self
        self._key(number, FIXED32)
        self._parts.append(struct.pack("<f", value))
        return self

    def bytes(self, number, value, skip_default=True):
        if isinstance(value, str):
            value = value.encode("utf-8")
        if skip_default and not value:
            return self
        self._key(number, LENGTH)
        self._parts.append(encode_varint(len(value)))
        self._parts.append(bytes(value))
        return self

    string = bytes

    def message(self, number, value):
        """A nested message (always written, even when empty); `value` is bytes or a Writer."""
        if isinstance(value, Writer):
            value = value.getvalue()
        return self.bytes(number, value, skip_default=False)

    def packed_doubles(self, number, values):
        values = list(values)
        if values:
            self.bytes(number, struct.pack("<%dd" % len(values), *values), skip_default=False)
        return self

    def packed_floats(self, number, values):
        values = list(values)
        if values:
            self.bytes(number, struct.pack("<%df" % len(values), *values), skip_default=False)
        return self

    def packed_varints(self, number, values):
        values = list(values)
        if values:
            self.bytes(number, b"".join(encode_varint(int(v)) for v in values), skip_default=False)
        return self

    def raw(self, data):
        self._parts.append(bytes(data))
        return self

    def getvalue(self):
        return b"".join(self._parts)


def parse(data):
    """Splits a message into {field_number: [value, ...]} (see the module docstring); WireError if malformed."""
    data = bytes(data)
    fields = {}
    pos = 0
    end = len(data)
    while pos < end:
        key, pos = decode_varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise WireError("field number 0")
        if wire_type == VARINT:
            value, pos = decode_varint(data, pos)
        elif wire_type == FIXED64:
            if pos + 8 > end:
                raise WireError("truncated fixed64 field %d" % number)
            value = data[pos:pos + 8]
            pos += 8
        elif wire_type == LENGTH:
            length, pos = decode_varint(data, pos)
            if length > end - pos:
                raise WireError("length-delimited field %d runs past the end (%d > %d bytes)"
                                % (number, length, end - pos))
            value = data[pos:pos + length]
            pos += length
        elif wire_type == FIXED32:
            if pos + 4 > end:
                raise WireError("truncated fixed32 field %d" % number)
            value = data[pos:pos + 4]
            pos += 4
        else:
            raise WireError("unsupported wire type %d (field %d)" % (wire_type, number))
        fields.setdefault(number, []).append(value)
    return fields


def last(fields, number, default=None):
    values = fields.get(number)
    return values[-1] if values else default


def as_double(raw):
    if not isinstance(raw, (bytes, bytearray)) or len(raw) != 8:
        raise WireError("expected a fixed64 double")
    return struct.unpack("<d", raw)[0]


def as_float(raw):
    if not isinstance(raw, (bytes, bytearray)) or len(raw) != 4:
        raise WireError("expected a fixed32 float")
    return struct.unpack("<f", raw)[0]


def as_fixed32(raw):
    if not isinstance(raw, (bytes, bytearray)) or len(raw) != 4:
        raise WireError("expected a fixed32 field")
    return struct.unpack("<I", raw)[0]


def as_int(value):
    if not isinstance(value, int):
        raise WireError("expected a varint field")
    return value


def as_bytes(value):
    if not isinstance(value, (bytes, bytearray)):
        raise WireError("expected a length-delimited field")
    return bytes(value)


def unpack_varints(values):
    """A repeated varint field: each item is an int (unpacked) or bytes (packed)."""
    out = []
    for item in values:
        if isinstance(item, int):
            out.append(item)
        else:
            pos = 0
            while pos < len(item):
                value, pos = decode_varint(item, pos)
                out.append(value)
    return out


def unpack_doubles(values):
    out = []
    for item in values:
        if len(item) % 8:
            raise WireError("packed doubles of %d bytes" % len(item))
        out.extend(struct.unpack("<%dd" % (len(item) // 8), item))
    return out


def unpack_floats(values):
    out = []
    for item in values:
        if len(item) % 4:
            raise WireError("packed floats of %d bytes" % len(item))
        out.extend(struct.unpack("<%df" % (len(item) // 4), item))
    return out
