"""A tiny declarative protocol-buffer layer (no protobuf dependency) and the TensorBoard messages.

`Message` subclasses list their fields as {name: (number, kind, repeated[, message class])}; kinds are
'double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'bool', 'enum', 'string', 'bytes', 'fixed32'
and 'message'. Instances behave like the generated Python classes for the parts numflow uses:
keyword construction, attribute access (unset fields read as their defaults), `HasField`,
`SerializeToString`, `FromString` / `ParseFromString`, equality. Field numbers follow TensorFlow's
.proto files (summary.proto, event.proto, tensor.proto, tensor_shape.proto).
"""
from . import wire

_DEFAULTS = {"double": 0.0, "float": 0.0, "int32": 0, "int64": 0, "uint32": 0, "uint64": 0, "bool": False,
             "enum": 0, "string": "", "bytes": b"", "fixed32": 0}
# Kinds whose values are fixed-width bytes (a wire type mismatch would otherwise reach struct as an int).
_FIXED_WIDTH = {"double", "float", "fixed32"}
_PACKABLE = {"double", "float", "int32", "int64", "uint32", "uint64", "bool", "enum", "fixed32"}


class Message:
    FIELDS = {}
    ONEOF = frozenset()     # fields of a oneof: written (and HasField true) whenever set, even to 0

    def __init__(self, **kwargs):
        object.__setattr__(self, "_values", {})
        for name, value in kwargs.items():
            setattr(self, name, value)

    def __getattr__(self, name):
        spec = type(self).FIELDS.get(name)
        if spec is None:
            raise AttributeError("%s has no field %r" % (type(self).__name__, name))
        values = self._values
        if name in values:
            return values[name]
        if spec[2]:
            values[name] = []
            return values[name]
        if spec[1] == "message":
            values[name] = spec[3]()
            return values[name]
        return _DEFAULTS[spec[1]]

    def __setattr__(self, name, value):
        spec = type(self).FIELDS.get(name)
        if spec is None:
            raise AttributeError("%s has no field %r" % (type(self).__name__, name))
        if spec[2]:
            value = list(value)
        self._values[name] = value

    def HasField(self, name):  # noqa: N802 - protobuf's API
        value = self._values.get(name)
        if value is None:
            return False
        if type(self).FIELDS[name][1] == "message" or name in type(self).ONEOF:
            return True
        return value != _DEFAULTS[type(self).FIELDS[name][1]]

    def ListFields(self):  # noqa: N802
        return [(name, self._values[name]) for name in type(self).FIELDS if self.HasField(name)
                or (type(self).FIELDS[name][2] and self._values.get(name))]

    def __eq__(self, other):
        return type(self) is type(other) and self.SerializeToString() == other.SerializeToString()

    def __hash__(self):
        return id(self)

    def __repr__(self):
        parts = []
        for name, (_, kind, repeated, *rest) in type(self).FIELDS.items():
            if name in self._values and (repeated and self._values[name] or not repeated and
                                         (kind == "message" or self.HasField(name))):
                parts.append("%s=%r" % (name, self._values[name]))
        return "%s(%s)" % (type(self).__name__, ", ".join(parts))

    # --- encoding --------------------------------------------------------------------------------
    def SerializeToString(self):  # noqa: N802
        w = wire.Writer()
        for name, spec in type(self).FIELDS.items():
            if name not in self._values:
                continue
            number, kind, repeated = spec[0], spec[1], spec[2]
            value = self._values[name]
            if repeated:
                if kind == "double":
                    w.packed_doubles(number, value)
                elif kind == "float":
                    w.packed_floats(number, value)
                elif kind in ("int32", "int64", "uint32", "uint64", "bool", "enum"):
                    w.packed_varints(number, [int(v) for v in value])
                else:
                    for item in value:
                        _write_one(w, number, kind, item, False)
            elif kind == "message":
                _write_one(w, number, kind, value, False)
            else:
                _write_one(w, number, kind, value, name not in type(self).ONEOF)
        return w.getvalue()

    @classmethod
    def FromString(cls, data):  # noqa: N802
        message = cls()
        message.ParseFromString(data)
        return message

    def ParseFromString(self, data):  # noqa: N802
        """Decodes `data`; raises wire.WireError when it is malformed (truncated, or a field whose wire type
        does not fit its kind)."""
        object.__setattr__(self, "_values", {})
        fields = wire.parse(data)
        by_number = {spec[0]: (name, spec) for name, spec in type(self).FIELDS.items()}
        for number, values in fields.items():
            if number not in by_number:
                continue            # unknown fields are skipped, as protobuf does
            name, spec = by_number[number]
            kind, repeated = spec[1], spec[2]
            decoded = []
            for raw in values:
                if kind in _FIXED_WIDTH and not isinstance(raw, bytes):
                    raise wire.WireError("field %s (%d) of %s: a varint where a %s is expected"
                                         % (name, number, type(self).__name__, kind))
                if repeated and kind in _PACKABLE and isinstance(raw, bytes) and kind not in ("double", "float",
                                                                                              "fixed32"):
                    decoded.extend(_convert(kind, v) for v in wire.unpack_varints([raw]))
                elif repeated and kind == "double":
                    decoded.extend(wire.unpack_doubles([raw]))
                elif repeated and kind == "float":
                    decoded.extend(wire.unpack_floats([raw]))
                else:
                    decoded.append(_read_one(kind, raw, spec))
            if repeated:
                self._values[name] = decoded
            else:
                self._values[name] = decoded[-1]
        return len(data)

    def MergeFromString(self, data):  # noqa: N802
        other = type(self).FromString(data)
        for name, spec in type(self).FIELDS.items():
            if name in other._values:
                if spec[2]:
                    getattr(self, name).extend(other._values[name])
                else:
                    self._values[name] = other._values[name]


def _write_one(w, number, kind, value, skip_default):
    if kind == "double":
        w.double(number, float(value), skip_default)
    elif kind == "float":
        w.float(number, float(value), skip_default)
    elif kind in ("int32", "int64", "uint32", "uint64", "enum"):
        w.varint(number, int(value), skip_default)
    elif kind == "bool":
        w.bool(number, bool(value), skip_default)
    elif kind == "fixed32":
        w.fixed32(number, int(value))
    elif kind in ("string", "bytes"):
        w.bytes(number, value, skip_default)
    elif kind == "message":
        w.message(number, value.SerializeToString() if isinstance(value, Message) else bytes(value))
    else:
        raise TypeError("unknown field kind %r" % kind)


def _convert(kind, value):
    if kind == "int32" or kind == "enum":
        return wire.to_signed32(value)
    if kind == "int64":
        return wire.to_signed64(value)
    if kind == "uint32":
        return value & 0xFFFFFFFF
    if kind == "bool":
        return bool(value)
    return value


def _read_one(kind, raw, spec):
    if kind == "double":
        return wire.as_double(raw)
    if kind == "float":
        return wire.as_float(raw)
    if kind == "fixed32":
        return wire.as_fixed32(raw)
    if kind in ("int32", "int64", "uint32", "uint64", "bool", "enum"):
        return _convert(kind, wire.as_int(raw))
    if kind == "string":
        return wire.as_bytes(raw).decode("utf-8", errors="replace")
    if kind == "bytes":
        return wire.as_bytes(raw)
    if kind == "message":
        return spec[3].FromString(wire.as_bytes(raw))
    raise TypeError("unknown field kind %r" % kind)


# --- tensor.proto / tensor_shape.proto -------------------------------------------------------------
class TensorShapeProto(Message):
    class Dim(Message):
        FIELDS = {"size": (1, "int64", False), "name": (2, "string", False)}

    FIELDS = {"dim": (2, "message", True, Dim), "unknown_rank": (3, "bool", False)}


class TensorProto(Message):
    FIELDS = {"dtype": (1, "enum", False), "tensor_shape": (2, "message", False, TensorShapeProto),
              "version_number": (3, "int32", False), "tensor_content": (4, "bytes", False),
              "half_val": (13, "int32", True), "float_val": (5, "float", True),
              "double_val": (6, "double", True), "int_val": (7, "int32", True),
              "string_val": (8, "bytes", True), "int64_val": (10, "int64", True),
              "bool_val": (11, "bool", True)}


# --- summary.proto ---------------------------------------------------------------------------------
class HistogramProto(Message):
    FIELDS = {"min": (1, "double", False), "max": (2, "double", False), "num": (3, "double", False),
              "sum": (4, "double", False), "sum_squares": (5, "double", False),
              "bucket_limit": (6, "double", True), "bucket": (7, "double", True)}


class SummaryMetadata(Message):
    class PluginData(Message):
        FIELDS = {"plugin_name": (1, "string", False), "content": (2, "bytes", False)}

    FIELDS = {"plugin_data": (1, "message", False, PluginData), "display_name": (2, "string", False),
              "summary_description": (3, "string", False), "data_class": (4, "enum", False)}


class Summary(Message):
    """`tf.Summary`: a list of tagged values (scalars, histograms, images, tensors)."""

    class Image(Message):
        FIELDS = {"height": (1, "int32", False), "width": (2, "int32", False),
                  "colorspace": (3, "int32", False), "encoded_image_string": (4, "bytes", False)}

    class Audio(Message):
        FIELDS = {"sample_rate": (1, "float", False), "num_channels": (2, "int64", False),
                  "length_frames": (3, "int64", False), "encoded_audio_string": (4, "bytes", False),
                  "content_type": (5, "string", False)}

    class Value(Message):
        FIELDS = {}

    FIELDS = {}


Summary.Value.FIELDS = {"node_name": (7, "string", False), "tag": (1, "string", False),
                        "metadata": (9, "message", False, SummaryMetadata),
                        "simple_value": (2, "float", False),
                        "obsolete_old_style_histogram": (3, "bytes", False),
                        "image": (4, "message", False, Summary.Image),
                        "histo": (5, "message", False, HistogramProto),
                        "audio": (6, "message", False, Summary.Audio),
                        "tensor": (8, "message", False, TensorProto)}
Summary.Value.ONEOF = frozenset(["simple_value", "obsolete_old_style_histogram", "image", "histo", "audio",
                                  "tensor"])
Summary.FIELDS = {"value": (1, "message", True, Summary.Value)}


# --- event.proto -----------------------------------------------------------------------------------
class LogMessage(Message):
    FIELDS = {"level": (1, "enum", False), "message": (2, "string", False)}


class SessionLog(Message):
    STATUS_UNSPECIFIED, START, STOP, CHECKPOINT = 0, 1, 2, 3
    FIELDS = {"status": (1, "enum", False), "checkpoint_path": (2, "string", False),
              "msg": (3, "string", False)}


class TaggedRunMetadata(Message):
    FIELDS = {"tag": (1, "string", False), "run_metadata": (2, "bytes", False)}


class Event(Message):
    """`tf.Event`: one record of an event file."""

    FIELDS = {"wall_time": (1, "double", False), "step": (2, "int64", False),
              "file_version": (3, "string", False), "graph_def": (4, "bytes", False),
              "summary": (5, "message", False, Summary), "log_message": (6, "message", False, LogMessage),
              "session_log": (7, "message", False, SessionLog),
              "tagged_run_metadata": (8, "message", False, TaggedRunMetadata),
              "meta_graph_def": (9, "bytes", False)}
    ONEOF = frozenset(["file_version", "graph_def", "summary", "log_message", "session_log",
                       "tagged_run_metadata", "meta_graph_def"])

    def WhichOneof(self, name):  # noqa: N802
        for field in ("file_version", "graph_def", "summary", "log_message", "session_log",
                      "tagged_run_metadata", "meta_graph_def"):
            if self.HasField(field):
                return field
        return None
