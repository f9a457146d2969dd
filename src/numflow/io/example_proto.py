"""`tf.train.Example` and its parts: the protocol buffers of TensorFlow's example.proto and feature.proto.

Messages and field numbers:

    BytesList / FloatList / Int64List   value = 1 (repeated; floats and int64s packed when written)
    Feature                             oneof kind: bytes_list = 1, float_list = 2, int64_list = 3
    Features                            feature = 1 (map<string, Feature>)
    FeatureList                         feature = 1 (repeated Feature)
    FeatureLists                        feature_list = 1 (map<string, FeatureList>)
    Example                             features = 1
    SequenceExample                     context = 1, feature_lists = 2

The classes follow the protobuf Python API that TF1 programs use: keyword construction, attribute access,
`ex.features.feature['x'].int64_list.value.append(3)` (reading a missing map key creates the entry; a
oneof member becomes set once it holds values), `SerializeToString`, `FromString`, `ParseFromString`,
`CopyFrom`, `HasField`, `WhichOneof('kind')`, equality, and the text format as repr. Maps are written
sorted by key, so equal messages serialize to equal bytes.

`index_example` / `feature_payload` read serialized Examples straight from the wire without building
message objects, and leave numbers packed so that a batch decodes with one NumPy call per feature: the
parsing ops use them, as that is many times faster.
"""

import numpy as np

from . import wire
from .proto import Message

DecodeError = wire.WireError

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


# --- messages ------------------------------------------------------------------------------------
class _ProtoAPI:
    """The protobuf methods shared by every message here."""

    def CopyFrom(self, other):  # noqa: N802 - protobuf's API
        if type(other) is not type(self):
            raise TypeError("Parameter to CopyFrom() must be instance of same class: expected %s got %s."
                            % (type(self).__name__, type(other).__name__))
        if other is not self:
            self.ParseFromString(other.SerializeToString())

    def Clear(self):  # noqa: N802
        self.ParseFromString(b"")

    def ByteSize(self):  # noqa: N802
        return len(self.SerializeToString())

    def IsInitialized(self):  # noqa: N802 - proto3: always
        return True

    def __str__(self):
        return "".join(line + "\n" for line in _text_lines(self, ""))

    __repr__ = __str__


def _check_values(message, accepts, expected):
    for value in message.value:
        if not accepts(value):
            raise TypeError("%r has type %s, but expected one of: %s" % (value, type(value).__name__, expected))


def _is_int64(value):
    if not isinstance(value, (int, np.integer)):
        return False
    if not _INT64_MIN <= int(value) <= _INT64_MAX:
        raise ValueError("Value out of range: %d" % int(value))
    return True


class _ValueList(_ProtoAPI, Message):
    """A message holding one repeated scalar field, `value`."""

    KIND = None
    EXPECTED = ""

    def __init__(self, value=()):
        Message.__init__(self, value=value)

    @staticmethod
    def _accepts(value):
        raise NotImplementedError

    def SerializeToString(self):  # noqa: N802
        _check_values(self, self._accepts, self.EXPECTED)
        return Message.SerializeToString(self)

    def _text_items(self):
        return [("value", v) for v in self.value]


class BytesList(_ValueList):
    """`tf.train.BytesList(value=[b'...'])`: a list of byte strings."""

    FIELDS = {"value": (1, "bytes", True)}
    EXPECTED = "bytes"

    @staticmethod
    def _accepts(value):
        return isinstance(value, bytes)


class FloatList(_ValueList):
    """`tf.train.FloatList(value=[...])`: a list of 32-bit floats (packed on the wire)."""

    FIELDS = {"value": (1, "float", True)}
    EXPECTED = "float, int"

    @staticmethod
    def _accepts(value):
        return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


class Int64List(_ValueList):
    """`tf.train.Int64List(value=[...])`: a list of 64-bit integers (packed on the wire)."""

    FIELDS = {"value": (1, "int64", True)}
    EXPECTED = "int"

    _accepts = staticmethod(_is_int64)


class Feature(_ProtoAPI, Message):
    """`tf.train.Feature(bytes_list=... | float_list=... | int64_list=...)`: one named value of an Example;
    exactly one of the three lists (the oneof 'kind') is set."""

    FIELDS = {"bytes_list": (1, "message", False, BytesList), "float_list": (2, "message", False, FloatList),
              "int64_list": (3, "message", False, Int64List)}
    ONEOF = frozenset(FIELDS)

    def __init__(self, **kwargs):
        object.__setattr__(self, "_pending", {})
        Message.__init__(self, **kwargs)

    def _settle(self):
        """A list read while unset becomes the set member of the oneof once values are put into it."""
        pending = self._pending
        for name in list(pending):
            if pending[name].value:
                self._values.clear()
                self._values[name] = pending.pop(name)

    def __getattr__(self, name):
        if name not in Feature.FIELDS:
            raise AttributeError("Feature has no field %r" % name)
        self._settle()
        value = self._values.get(name)
        if value is None:
            value = self._pending.get(name)
            if value is None:
                value = self._pending[name] = Feature.FIELDS[name][3]()
        return value

    def __setattr__(self, name, value):
        if name in Feature.FIELDS:
            expected = Feature.FIELDS[name][3]
            if not isinstance(value, expected):
                raise TypeError("Feature.%s must be a %s, got %s" % (name, expected.__name__, type(value).__name__))
            self._values.clear()
            self._pending.pop(name, None)
        Message.__setattr__(self, name, value)

    def WhichOneof(self, oneof_group):  # noqa: N802
        """'bytes_list', 'float_list', 'int64_list' or None for the oneof 'kind'."""
        if oneof_group != "kind":
            raise ValueError('Protocol message has no oneof "%s" field.' % oneof_group)
        self._settle()
        return next(iter(self._values), None)

    def HasField(self, name):  # noqa: N802
        self._settle()
        return Message.HasField(self, name)

    def SerializeToString(self):  # noqa: N802
        self._settle()
        return Message.SerializeToString(self)

    def ParseFromString(self, data):  # noqa: N802
        object.__setattr__(self, "_pending", {})
        size = Message.ParseFromString(self, data)
        if len(self._values) > 1:       # several members on the wire: the last field written wins
            last = max(self._values, key=lambda name: _last_position(data, Feature.FIELDS[name][0]))
            object.__setattr__(self, "_values", {last: self._values[last]})
        return size

    def _text_items(self):
        self._settle()
        return list(self._values.items())


def _last_position(data, number):
    pos, end, last = 0, len(data), -1
    while pos < end:
        start = pos
        key, pos = _key(data, pos, end)
        if key >> 3 == number:
            last = start
        pos = _skip(data, pos, end, key)
    return last


class _MessageMap(dict):
    """A protobuf map<string, Message>: reading a missing key creates an empty value there."""

    def __init__(self, value_class):
        super().__init__()
        self._value_class = value_class

    def _key(self, key):
        if isinstance(key, bytes):
            key = key.decode("utf-8")
        if not isinstance(key, str):
            raise TypeError("map keys are strings, got %r" % (key,))
        return key

    def __missing__(self, key):
        value = self._value_class()
        dict.__setitem__(self, self._key(key), value)
        return value

    def __getitem__(self, key):
        return dict.__getitem__(self, self._key(key))

    def __setitem__(self, key, value):
        if not isinstance(value, self._value_class):
            raise TypeError("map values must be %s, got %s" % (self._value_class.__name__, type(value).__name__))
        dict.__setitem__(self, self._key(key), value)

    def __contains__(self, key):
        return dict.__contains__(self, self._key(key))

    def get_or_create(self, key):
        return self[key]

    def update(self, other=(), **kwargs):
        for key, value in dict(other, **kwargs).items():
            self[key] = value


class _MapMessage(_ProtoAPI, Message):
    """A message whose only field (number 1) is a map from strings to VALUE_CLASS messages."""

    MAP_FIELD = None
    VALUE_CLASS = None
    FIELDS = {}

    def __init__(self, **kwargs):
        object.__setattr__(self, "_map", _MessageMap(self.VALUE_CLASS))
        for name, value in kwargs.items():
            setattr(self, name, value)

    def __getattr__(self, name):
        if name == self.MAP_FIELD:
            return self._map
        raise AttributeError("%s has no field %r" % (type(self).__name__, name))

    def __setattr__(self, name, value):
        if name != self.MAP_FIELD:
            raise AttributeError("%s has no field %r" % (type(self).__name__, name))
        self._map.clear()
        self._map.update(value or {})

    def HasField(self, name):  # noqa: N802
        raise ValueError('Protocol message has no singular "%s" field.' % name)

    def ListFields(self):  # noqa: N802
        return [(self.MAP_FIELD, self._map)] if self._map else []

    def SerializeToString(self):  # noqa: N802
        writer = wire.Writer()
        for key in sorted(self._map):
            entry = wire.Writer().string(1, key, False).message(2, self._map[key].SerializeToString())
            writer.message(1, entry)
        return writer.getvalue()

    def ParseFromString(self, data):  # noqa: N802
        self._map.clear()
        for raw in wire.parse(data).get(1, []):
            entry = wire.parse(wire.as_bytes(raw))
            key = wire.as_bytes(wire.last(entry, 1, b"")).decode("utf-8", errors="replace")
            dict.__setitem__(self._map, key, self.VALUE_CLASS.FromString(wire.as_bytes(wire.last(entry, 2, b""))))
        return len(data)

    def MergeFromString(self, data):  # noqa: N802
        merged = type(self).FromString(data)
        for key, value in merged._map.items():
            dict.__setitem__(self._map, key, value)
        return len(data)

    def _text_items(self):
        return [(self.MAP_FIELD, _MapEntry(key, self._map[key])) for key in sorted(self._map)]


class _MapEntry:
    def __init__(self, key, value):
        self.key, self.value = key, value

    def _text_items(self):
        return [("key", self.key), ("value", self.value)]


class Features(_MapMessage):
    """`tf.train.Features(feature={name: Feature})`: the named features of an Example."""

    MAP_FIELD = "feature"
    VALUE_CLASS = Feature


class FeatureList(_ProtoAPI, Message):
    """`tf.train.FeatureList(feature=[Feature, ...])`: the steps of one sequence feature."""

    FIELDS = {"feature": (1, "message", True, Feature)}

    def _text_items(self):
        return [("feature", f) for f in self.feature]


class FeatureLists(_MapMessage):
    """`tf.train.FeatureLists(feature_list={name: FeatureList})`: the sequences of a SequenceExample."""

    MAP_FIELD = "feature_list"
    VALUE_CLASS = FeatureList


class _Record(_ProtoAPI, Message):
    """Example and SequenceExample: messages of sub-messages."""

    def _text_items(self):
        return [(name, self._values[name]) for name in type(self).FIELDS if name in self._values]


class Example(_Record):
    """`tf.train.Example(features=tf.train.Features(...))`: one record of named features, the usual
    content of a TFRecord file."""

    FIELDS = {"features": (1, "message", False, Features)}


class SequenceExample(_Record):
    """`tf.train.SequenceExample(context=Features, feature_lists=FeatureLists)`: per-record context
    features and per-step feature lists."""

    FIELDS = {"context": (1, "message", False, Features), "feature_lists": (2, "message", False, FeatureLists)}


def _scalar_text(value):
    if isinstance(value, (bytes, str)):
        raw = value.encode("utf-8") if isinstance(value, str) else value
        out = []
        for byte in raw:
            char = chr(byte)
            if char in '"\\':
                out.append("\\" + char)
            elif 32 <= byte < 127:
                out.append(char)
            else:
                out.append({10: "\\n", 13: "\\r", 9: "\\t"}.get(byte, "\\%03o" % byte))
        return '"%s"' % "".join(out)
    if isinstance(value, (float, np.floating)):
        return str(np.float32(value))
    return str(int(value))


def _text_lines(message, pad):
    lines = []
    for name, value in message._text_items():
        if hasattr(value, "_text_items"):
            lines.append("%s%s {" % (pad, name))
            lines.extend(_text_lines(value, pad + "  "))
            lines.append(pad + "}")
        else:
            lines.append("%s%s: %s" % (pad, name, _scalar_text(value)))
    return lines


# --- direct decoding for the parsing ops ---------------------------------------------------------
BYTES, FLOAT, INT64 = 1, 2, 3           # Feature's field numbers, used as kind codes
KIND_NAMES = {BYTES: "string", FLOAT: "float", INT64: "int64"}


def _varint(data, pos, end):
    result = shift = 0
    while True:
        if pos >= end:
            raise DecodeError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise DecodeError("varint longer than 10 bytes")


def _length(data, pos, end):
    """(length, position after it) of a length-delimited field whose length varint starts at `pos`, checked
    against `end`."""
    if pos < end and data[pos] < 0x80:
        length = data[pos]
        pos += 1
    else:
        length, pos = _varint(data, pos, end)
    if pos + length > end:
        raise DecodeError("length-delimited field runs past the end of its message (%d > %d bytes)"
                          % (length, end - pos))
    return length, pos


def _skip(data, pos, end, key):
    """The position after the value of a field with `key` (a varint already read) starting at `pos`."""
    wire_type = key & 7
    if key < 8:
        raise DecodeError("field number 0")
    if wire_type == 0:
        return _varint(data, pos, end)[1]
    if wire_type == 2:
        length, pos = _length(data, pos, end)
        return pos + length
    size = {1: 8, 5: 4}.get(wire_type)
    if size is None:
        raise DecodeError("unsupported wire type %d (field %d)" % (wire_type, key >> 3))
    if pos + size > end:
        raise DecodeError("truncated fixed%d field %d" % (size * 8, key >> 3))
    return pos + size


def _key(data, pos, end):
    key = data[pos]
    if key < 0x80:
        return key, pos + 1
    return _varint(data, pos, end)


def index_example(data):
    """{feature name (bytes): (start, stop)} locating each Feature message inside the serialized Example
    `data` (bytes); DecodeError when the bytes are not a valid Example. Unknown fields are skipped, and a
    repeated name keeps its last entry, as protobuf does."""
    found = {}
    pos, end = 0, len(data)
    while pos < end:
        key, pos = _key(data, pos, end)
        if key != 0x0A:                                     # Example.features (1, length-delimited)
            pos = _skip(data, pos, end, key)
            continue
        length, pos = _length(data, pos, end)
        features_end = pos + length
        while pos < features_end:
            key, pos = _key(data, pos, features_end)
            if key != 0x0A:                                 # Features.feature map entry (1)
                pos = _skip(data, pos, features_end, key)
                continue
            length, pos = _length(data, pos, features_end)
            entry_end = pos + length
            name, span = b"", (pos, pos)
            while pos < entry_end:
                key, pos = _key(data, pos, entry_end)
                if key == 0x0A:                             # the entry's key (1)
                    length, pos = _length(data, pos, entry_end)
                    name = data[pos:pos + length]
                    pos += length
                elif key == 0x12:                           # the entry's value (2): a Feature
                    length, pos = _length(data, pos, entry_end)
                    span = (pos, pos + length)
                    pos += length
                else:
                    pos = _skip(data, pos, entry_end, key)
            found[name] = span
    return found


_LOW_BYTES = bytes(range(0x80))


def count_varints(payload):
    """How many varints the packed bytes `payload` hold (the bytes below 0x80 end one each)."""
    if payload.isascii():
        return len(payload)
    return len(payload) - len(payload.translate(None, _LOW_BYTES))


def feature_payload(data, start, stop):
    """(kind, payload) of the Feature message in data[start:stop]. kind is BYTES, FLOAT, INT64 or None
    when no list is set; payload is a list of bytes (BYTES), the little-endian float32s (FLOAT) or the
    packed varints (INT64) as one bytes object: values written unpacked are repacked, so batches decode
    with one NumPy call per feature (see decode_floats / decode_int64s)."""
    kind = None
    spans = []
    pos = start
    while pos < stop:
        key, pos = _key(data, pos, stop)
        number = key >> 3
        if key & 7 == 2 and number in KIND_NAMES:
            length, pos = _length(data, pos, stop)
            if number != kind:              # a different member of the oneof replaces the earlier one
                kind, spans = number, []
            spans.append((pos, pos + length))
            pos += length
        else:
            pos = _skip(data, pos, stop, key)
    if kind is None:
        return None, None
    parts = []
    for list_start, list_stop in spans:
        pos = list_start
        while pos < list_stop:
            key, pos = _key(data, pos, list_stop)
            if key == 0x0A:                 # value (1): a string, or the packed numbers
                length, pos = _length(data, pos, list_stop)
                parts.append(data[pos:pos + length])
                pos += length
            elif key == 0x0D and kind == FLOAT:         # one unpacked float
                if pos + 4 > list_stop:
                    raise DecodeError("truncated fixed32 field 1")
                parts.append(data[pos:pos + 4])
                pos += 4
            elif key == 0x08 and kind == INT64:         # one unpacked varint
                value_end = _varint(data, pos, list_stop)[1]
                parts.append(data[pos:value_end])
                pos = value_end
            else:
                pos = _skip(data, pos, list_stop, key)
    if kind == BYTES:
        return kind, parts
    payload = parts[0] if len(parts) == 1 else b"".join(parts)
    if kind == FLOAT and len(payload) % 4:
        raise DecodeError("packed floats of %d bytes" % len(payload))
    if kind == INT64 and payload and payload[-1] >= 0x80:
        raise DecodeError("truncated packed varint")
    return kind, payload


def decode_floats(payload):
    """float32 array of little-endian float32 bytes."""
    return np.frombuffer(payload, dtype=_FLOAT32).astype(np.float32)


def decode_int64s(payload):
    """int64 array of packed varints (two's complement 64-bit, as int64 fields are written)."""
    return _packed_varints(payload)


def encode_int64s(values):
    """The packed varint bytes of int64 `values` (the inverse of decode_int64s)."""
    return b"".join(wire.encode_varint(int(v)) for v in values)


def decode_feature(data, start, stop):
    """(kind, values) of the Feature message in data[start:stop]: kind is BYTES, FLOAT, INT64 or None
    (no list set); values a list of bytes, a float32 array or an int64 array."""
    kind, payload = feature_payload(data, start, stop)
    if kind == FLOAT:
        return kind, decode_floats(payload)
    if kind == INT64:
        return kind, decode_int64s(payload)
    return kind, payload


def _packed_varints(payload):
    """int64 array of the varints packed in `payload` (bytes), decoded with NumPy."""
    if payload.isascii():                   # every value below 128: one byte each
        return np.frombuffer(payload, dtype=np.uint8).astype(np.int64)
    raw = np.frombuffer(payload, dtype=np.uint8)
    ends = np.flatnonzero(raw < 0x80)
    if not len(ends) or ends[-1] != len(raw) - 1:
        raise DecodeError("truncated packed varint")
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    lengths = ends - starts + 1
    if lengths.max() > 10:
        raise DecodeError("varint longer than 10 bytes")
    position = np.arange(len(raw)) - np.repeat(starts, lengths)
    parts = (raw & 0x7F).astype(np.uint64) << (7 * position).astype(np.uint64)
    return np.bitwise_or.reduceat(parts, starts).view(np.int64)


_FLOAT32 = np.dtype("<f4")


__all__ = ["BytesList", "FloatList", "Int64List", "Feature", "Features", "FeatureList", "FeatureLists",
           "Example", "SequenceExample"]
