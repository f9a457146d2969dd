"""TensorFlow's graph messages without a protobuf dependency: GraphDef, NodeDef, AttrValue, VersionDef ...

Field numbers follow TensorFlow's graph.proto, node_def.proto, attr_value.proto, versions.proto,
function.proto, tensor.proto and tensor_shape.proto. The messages build on `proto.Message` and add what
code written against the generated classes uses: map fields (`node.attr["T"].type = ...`), `add()` on
repeated message fields, `CopyFrom` / `MergeFrom` / `Clear` / `ClearField` / `ByteSize`, and the
protobuf text format both ways (`to_text(message)`, `parse_text(text, cls)`; the messages also have
`__str__` and `text_format`-style `Merge`).

Other modules declare more messages (MetaGraphDef, SavedModel) the same way: subclass `ProtoMessage`,
list plain fields in FIELDS and map fields in MAPS = {name: (number, key kind, value kind or class)}, and
enum fields that print as names in ENUM_NAMES = {field: {number: name}}.
"""
import math
import re
import struct

from . import proto, wire
from .proto import Message

# DataType enum names (types.proto), for the text format and error messages.
DATA_TYPE_NAMES = {
    0: "DT_INVALID", 1: "DT_FLOAT", 2: "DT_DOUBLE", 3: "DT_INT32", 4: "DT_UINT8", 5: "DT_INT16", 6: "DT_INT8",
    7: "DT_STRING", 8: "DT_COMPLEX64", 9: "DT_INT64", 10: "DT_BOOL", 11: "DT_QINT8", 12: "DT_QUINT8",
    13: "DT_QINT32", 14: "DT_BFLOAT16", 15: "DT_QINT16", 16: "DT_QUINT16", 17: "DT_UINT16",
    18: "DT_COMPLEX128", 19: "DT_HALF", 20: "DT_RESOURCE", 21: "DT_VARIANT", 22: "DT_UINT32", 23: "DT_UINT64",
}
DATA_TYPE_NAMES.update({number + 100: name + "_REF" for number, name in list(DATA_TYPE_NAMES.items()) if number})


class RepeatedMessages(list):
    """A repeated message field: a list with protobuf's `add(**fields)`."""

    def __init__(self, items, message_class):
        super().__init__(items)
        self.message_class = message_class

    def add(self, **fields):
        item = self.message_class(**fields)
        self.append(item)
        return item


class MessageMap(dict):
    """A map field whose values are messages: reading a missing key inserts an empty message, as protobuf."""

    def __init__(self, items, message_class):
        super().__init__(items)
        self.message_class = message_class

    def __missing__(self, key):
        value = self[key] = self.message_class()
        return value

    def get_or_create(self, key):
        return self[key]


class ProtoMessage(Message):
    """`proto.Message` plus map fields, `add()` on repeated messages and the generated classes' helpers."""

    MAPS = {}
    ENUM_NAMES = {}

    def __getattr__(self, name):
        spec = type(self).MAPS.get(name)
        if spec is not None:
            values = self._values
            if name not in values:
                values[name] = MessageMap({}, spec[2]) if isinstance(spec[2], type) else {}
            return values[name]
        value = super().__getattr__(name)
        field = type(self).FIELDS[name]
        if field[2] and field[1] == "message" and not isinstance(value, RepeatedMessages):
            value = self._values[name] = RepeatedMessages(value, field[3])
        return value

    def __setattr__(self, name, value):
        spec = type(self).MAPS.get(name)
        if spec is not None:
            if isinstance(spec[2], type):
                value = MessageMap(dict(value), spec[2])
            self._values[name] = dict(value) if not isinstance(value, MessageMap) else value
            return
        field = type(self).FIELDS.get(name)
        if field is not None and field[2] and field[1] == "message":
            value = RepeatedMessages(value, field[3])
        super().__setattr__(name, value)

    def HasField(self, name):  # noqa: N802 - protobuf's API
        if name in type(self).MAPS:
            raise ValueError("Protocol message has no singular \"%s\" field." % name)
        if name not in type(self).FIELDS:
            raise ValueError("Protocol message %s has no field %s." % (type(self).__name__, name))
        return super().HasField(name)

    def ListFields(self):  # noqa: N802
        fields = super().ListFields()
        fields.extend((name, self._values[name]) for name in type(self).MAPS if self._values.get(name))
        return fields

    # --- the generated classes' helpers --------------------------------------------------------------
    def CopyFrom(self, other):  # noqa: N802
        if other is self:
            return
        self.ParseFromString(other.SerializeToString())

    def MergeFrom(self, other):  # noqa: N802
        self.MergeFromString(other.SerializeToString())

    def MergeFromString(self, data):  # noqa: N802
        other = type(self).FromString(data)
        for name, spec in type(self).FIELDS.items():
            if name not in other._values:
                continue
            if spec[2]:
                getattr(self, name).extend(other._values[name])
            elif spec[1] == "message" and name in self._values:
                self._values[name].MergeFrom(other._values[name])
            else:
                self._values[name] = other._values[name]
        for name in type(self).MAPS:
            if other._values.get(name):
                getattr(self, name).update(other._values[name])
        return len(data)

    def Clear(self):  # noqa: N802
        object.__setattr__(self, "_values", {})

    def ClearField(self, name):  # noqa: N802
        if name not in type(self).FIELDS and name not in type(self).MAPS:
            raise ValueError("Protocol message has no \"%s\" field." % name)
        self._values.pop(name, None)

    def ByteSize(self):  # noqa: N802
        return len(self.SerializeToString())

    def IsInitialized(self):  # noqa: N802
        return True

    def __str__(self):
        return to_text(self)

    # --- wire format ---------------------------------------------------------------------------
    def SerializeToString(self, deterministic=None):  # noqa: N802
        data = super().SerializeToString()
        maps = type(self).MAPS
        if not maps:
            return data
        w = wire.Writer()
        w.raw(data)
        for name, (number, key_kind, value_kind) in maps.items():
            for key in sorted(self._values.get(name) or ()):
                entry = wire.Writer()
                _write_scalar(entry, 1, key_kind, key)
                value = self._values[name][key]
                if isinstance(value_kind, type):
                    entry.message(2, value.SerializeToString())
                else:
                    _write_scalar(entry, 2, value_kind, value)
                w.message(number, entry)
        return w.getvalue()

    def ParseFromString(self, data):  # noqa: N802
        super().ParseFromString(data)
        # proto.Message stores a repeated message field as a plain list: give it add().
        for name, spec in type(self).FIELDS.items():
            if spec[2] and spec[1] == "message" and name in self._values:
                self._values[name] = RepeatedMessages(self._values[name], spec[3])
        maps = type(self).MAPS
        if maps:
            fields = wire.parse(data)
            for name, (number, key_kind, value_kind) in maps.items():
                entries = fields.get(number)
                if not entries:
                    continue
                result = getattr(self, name)
                for raw in entries:
                    entry = wire.parse(wire.as_bytes(raw))
                    key = _read_scalar(key_kind, entry.get(1, []))
                    if isinstance(value_kind, type):
                        value = value_kind.FromString(wire.as_bytes(wire.last(entry, 2, b"")))
                    else:
                        value = _read_scalar(value_kind, entry.get(2, []))
                    result[key] = value
        return len(data)


def _write_scalar(writer, number, kind, value):
    proto._write_one(writer, number, kind, value, False)


def _read_scalar(kind, raws):
    if not raws:
        return proto._DEFAULTS[kind]
    return proto._read_one(kind, raws[-1], None)


# --- tensor_shape.proto / tensor.proto (the binary layout of proto.py's, with the helpers) ----------
class TensorShapeProto(ProtoMessage):
    """A tensor's shape: `dim` (size -1 for an unknown dimension) or `unknown_rank`."""

    class Dim(ProtoMessage):
        FIELDS = dict(proto.TensorShapeProto.Dim.FIELDS)

    FIELDS = {"dim": (2, "message", True, Dim), "unknown_rank": (3, "bool", False)}


class TensorProto(ProtoMessage):
    """A tensor value: dtype, shape, and its elements as `tensor_content` bytes or a typed `*_val` list."""

    FIELDS = dict(proto.TensorProto.FIELDS, tensor_shape=(2, "message", False, TensorShapeProto),
                  scomplex_val=(9, "float", True), dcomplex_val=(12, "double", True),
                  uint32_val=(16, "uint32", True), uint64_val=(17, "uint64", True))
    ENUM_NAMES = {"dtype": DATA_TYPE_NAMES}


# --- attr_value.proto --------------------------------------------------------------------------------
class NameAttrList(ProtoMessage):
    """A function name with its attributes."""

    FIELDS = {"name": (1, "string", False)}
    MAPS = {}


class AttrValue(ProtoMessage):
    """One attribute of a NodeDef: exactly one of s, i, f, b, type, shape, tensor, list, func, placeholder."""

    class ListValue(ProtoMessage):
        FIELDS = {"s": (2, "bytes", True), "i": (3, "int64", True), "f": (4, "float", True),
                  "b": (5, "bool", True), "type": (6, "enum", True),
                  "shape": (7, "message", True, TensorShapeProto), "tensor": (8, "message", True, TensorProto),
                  "func": (9, "message", True, NameAttrList)}
        ENUM_NAMES = {"type": DATA_TYPE_NAMES}

    FIELDS = {"list": (1, "message", False, ListValue), "s": (2, "bytes", False), "i": (3, "int64", False),
              "f": (4, "float", False), "b": (5, "bool", False), "type": (6, "enum", False),
              "shape": (7, "message", False, TensorShapeProto), "tensor": (8, "message", False, TensorProto),
              "placeholder": (9, "string", False), "func": (10, "message", False, NameAttrList)}
    ONEOF = frozenset(FIELDS)
    ENUM_NAMES = {"type": DATA_TYPE_NAMES}

    def WhichOneof(self, name):  # noqa: N802
        if name != "value":
            raise ValueError("Protocol message has no oneof \"%s\" field." % name)
        for field in type(self).FIELDS:
            if field in self._values:
                return field
        return None

    def __setattr__(self, name, value):
        if name in type(self).FIELDS:
            self._values.clear()        # a oneof: setting one member clears the others
        super().__setattr__(name, value)

    def __getattr__(self, name):
        if name in ("list", "shape", "tensor", "func") and name not in self._values and self._values:
            # Another member is set: reading this one gives a detached default, as protobuf does,
            # rather than switching the oneof.
            return type(self).FIELDS[name][3]()
        return super().__getattr__(name)


NameAttrList.MAPS = {"attr": (2, "string", AttrValue)}



# --- node_def.proto / versions.proto / function.proto / graph.proto --------------------------------
class NodeDef(ProtoMessage):
    """One node of a GraphDef: name, op type, inputs ('node', 'node:1', '^control'), device, attr map."""

    FIELDS = {"name": (1, "string", False), "op": (2, "string", False), "input": (3, "string", True),
              "device": (4, "string", False)}
    MAPS = {"attr": (5, "string", AttrValue)}


class VersionDef(ProtoMessage):
    """The producer version of a graph and the oldest consumer that may read it."""

    FIELDS = {"producer": (1, "int32", False), "min_consumer": (2, "int32", False),
              "bad_consumers": (3, "int32", True)}


class FunctionDefLibrary(ProtoMessage):
    """Function definitions of a graph. numflow writes none; serialized ones read from a file are kept
    as bytes so that a graph passes through unchanged."""

    FIELDS = {"function": (1, "bytes", True), "gradient": (2, "bytes", True)}


class GraphDef(ProtoMessage):
    """`tf.GraphDef`: a graph as a list of NodeDefs with its versions."""

    FIELDS = {"node": (1, "message", True, NodeDef), "library": (2, "message", False, FunctionDefLibrary),
              "version": (3, "int32", False), "versions": (4, "message", False, VersionDef)}


# --- the text format ---------------------------------------------------------------------------------
def _escape(value):
    if isinstance(value, str):
        value = value.encode("utf-8")
    out = []
    for byte in value:
        char = chr(byte)
        if char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif char in "\"'\\":
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append("\\%03o" % byte)
    return '"%s"' % "".join(out)


def _format_float(value, kind):
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if kind == "float":
        # The shortest decimal that reads back as the same float32.
        for digits in range(6, 10):
            text = "%.*g" % (digits, value)
            if struct.unpack("<f", struct.pack("<f", float(text)))[0] == value:
                return text
    return repr(float(value))


def _format_scalar(message, name, kind, value):
    if kind in ("string", "bytes"):
        return _escape(value)
    if kind == "bool":
        return "true" if value else "false"
    if kind in ("float", "double"):
        return _format_float(value, kind)
    if kind == "enum":
        names = type(message).ENUM_NAMES.get(name, {})
        return names.get(int(value), str(int(value)))
    return str(int(value))


def to_text(message, indent=0):
    """The protobuf text format of `message` (what `text_format.MessageToString` writes)."""
    lines = []
    pad = "  " * indent
    cls = type(message)
    for name, spec in cls.FIELDS.items():
        if name not in message._values:
            continue
        kind, repeated = spec[1], spec[2]
        value = message._values[name]
        items = value if repeated else [value]
        if not repeated and kind != "message" and not message.HasField(name):
            continue
        for item in items:
            if kind == "message":
                lines.append("%s%s {\n%s%s}\n" % (pad, name, to_text(item, indent + 1), pad))
            else:
                lines.append("%s%s: %s\n" % (pad, name, _format_scalar(message, name, kind, item)))
    for name, (number, key_kind, value_kind) in getattr(cls, "MAPS", {}).items():
        entries = message._values.get(name) or {}
        for key in sorted(entries):
            inner = "  " * (indent + 1)
            body = "%skey: %s\n" % (inner, _format_scalar(message, name, key_kind, key))
            if isinstance(value_kind, type):
                body += "%svalue {\n%s%s}\n" % (inner, to_text(entries[key], indent + 2), inner)
            else:
                body += "%svalue: %s\n" % (inner, _format_scalar(message, name, value_kind, entries[key]))
            lines.append("%s%s {\n%s%s}\n" % (pad, name, body, pad))
    return "".join(lines)


class TextFormatError(ValueError):
    """Malformed protobuf text: the message names the line and column."""


_TOKEN = re.compile(r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<number>[-+]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)[fF]?)
  | (?P<ident>-?[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<punct>[{}<>:\[\],;])
""", re.VERBOSE)

_UNESCAPE = {"n": b"\n", "r": b"\r", "t": b"\t", "\\": b"\\", "'": b"'", '"': b'"', "a": b"\a", "b": b"\b",
             "f": b"\f", "v": b"\v", "?": b"?"}


def _unescape(body, where):
    out = bytearray()
    i = 0
    raw = body
    while i < len(raw):
        char = raw[i]
        if char != "\\":
            out.extend(char.encode("utf-8"))
            i += 1
            continue
        i += 1
        if i >= len(raw):
            raise TextFormatError("%s: a string ends in a lone backslash" % where)
        char = raw[i]
        if char in _UNESCAPE:
            out.extend(_UNESCAPE[char])
            i += 1
        elif char in "01234567":
            digits = re.match(r"[0-7]{1,3}", raw[i:]).group(0)
            out.append(int(digits, 8) & 0xFF)
            i += len(digits)
        elif char in "xX":
            digits = re.match(r"[0-9a-fA-F]{1,2}", raw[i + 1:])
            if digits is None:
                raise TextFormatError("%s: \\x without hex digits" % where)
            out.append(int(digits.group(0), 16))
            i += 1 + len(digits.group(0))
        else:
            raise TextFormatError("%s: invalid escape \\%s" % (where, char))
    return bytes(out)


class _Tokens:
    def __init__(self, text):
        self.tokens = []
        line, line_start, pos = 1, 0, 0
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None:
                raise TextFormatError("line %d column %d: unexpected character %r"
                                      % (line, pos - line_start + 1, text[pos]))
            kind = match.lastgroup
            if kind != "space":
                self.tokens.append((kind, match.group(kind), "line %d column %d" % (line, pos - line_start + 1)))
            newlines = match.group(0).count("\n")
            if newlines:
                line += newlines
                line_start = pos + match.group(0).rindex("\n") + 1
            pos = match.end()
        self.index = 0

    def peek(self):
        return self.tokens[self.index] if self.index < len(self.tokens) else (None, None, "the end of the text")

    def next(self):
        token = self.peek()
        if token[0] is None:
            raise TextFormatError("unexpected end of the text")
        self.index += 1
        return token

    def accept(self, value):
        if self.peek()[1] == value and self.peek()[0] == "punct":
            self.index += 1
            return True
        return False

    def expect(self, value):
        kind, text, where = self.next()
        if text != value or kind != "punct":
            raise TextFormatError("%s: expected %r, found %r" % (where, value, text))


def _parse_scalar(tokens, cls, name, kind):
    token_kind, text, where = tokens.next()
    if kind in ("string", "bytes"):
        if token_kind != "string":
            raise TextFormatError("%s: field %s expects a string, found %r" % (where, name, text))
        data = _unescape(text[1:-1], where)
        while tokens.peek()[0] == "string":        # adjacent strings concatenate
            data += _unescape(tokens.next()[1][1:-1], where)
        return data.decode("utf-8", errors="replace") if kind == "string" else data
    if kind == "bool":
        if text in ("true", "True", "t", "1"):
            return True
        if text in ("false", "False", "f", "0"):
            return False
        raise TextFormatError("%s: field %s expects true or false, found %r" % (where, name, text))
    if kind in ("float", "double"):
        lowered = text.lower().lstrip("+")
        if lowered in ("inf", "infinity", "inff", "infinityf"):
            return math.inf
        if lowered in ("-inf", "-infinity", "-inff", "-infinityf"):
            return -math.inf
        if lowered in ("nan", "nanf", "-nan"):
            return math.nan
        if token_kind != "number":
            raise TextFormatError("%s: field %s expects a number, found %r" % (where, name, text))
        return float(text.rstrip("fF")) if not text.lower().startswith(("0x", "-0x", "+0x")) else float(int(text, 16))
    if kind == "enum":
        if token_kind == "ident":
            names = {v: k for k, v in cls.ENUM_NAMES.get(name, {}).items()}
            if text not in names:
                raise TextFormatError("%s: enum field %s has no value named %s" % (where, name, text))
            return names[text]
    if token_kind != "number" or re.search(r"[.eEfF]", text.lstrip("+-0xX") if "x" not in text.lower() else ""):
        raise TextFormatError("%s: field %s expects an integer, found %r" % (where, name, text))
    return int(text, 0) if not re.match(r"[-+]?0\d", text) else int(text, 8)


def _parse_fields(tokens, message, closing):
    cls = type(message)
    while True:
        kind, text, where = tokens.peek()
        if closing is None and kind is None:
            return
        if closing is not None and kind == "punct" and text == closing:
            tokens.next()
            return
        kind, name, where = tokens.next()
        if kind != "ident":
            raise TextFormatError("%s: expected a field name, found %r" % (where, name))
        spec = cls.FIELDS.get(name)
        map_spec = getattr(cls, "MAPS", {}).get(name)
        if spec is None and map_spec is None:
            raise TextFormatError("%s: message %s has no field named \"%s\"" % (where, cls.__name__, name))
        if map_spec is not None:
            tokens.accept(":")
            entry_closing = _open_brace(tokens)
            key, value = None, None
            value_kind = map_spec[2]
            while not tokens.accept(entry_closing):
                _, field, field_where = tokens.next()
                if field == "key":
                    tokens.expect(":")
                    key = _parse_scalar(tokens, cls, name, map_spec[1])
                elif field == "value":
                    if isinstance(value_kind, type):
                        tokens.accept(":")
                        value = value_kind()
                        _parse_fields(tokens, value, _open_brace(tokens))
                    else:
                        tokens.expect(":")
                        value = _parse_scalar(tokens, cls, name, value_kind)
                else:
                    raise TextFormatError("%s: a map entry has only key and value, found %r" % (field_where, field))
                tokens.accept(",") or tokens.accept(";")
            if key is None:
                key = proto._DEFAULTS[map_spec[1]]
            if value is None:
                value = value_kind() if isinstance(value_kind, type) else proto._DEFAULTS[value_kind]
            getattr(message, name)[key] = value
        else:
            field_kind, repeated = spec[1], spec[2]
            if field_kind == "message":
                tokens.accept(":")
                if repeated and tokens.accept("["):
                    values = []
                    while not tokens.accept("]"):
                        item = spec[3]()
                        _parse_fields(tokens, item, _open_brace(tokens))
                        values.append(item)
                        tokens.accept(",")
                else:
                    item = spec[3]()
                    _parse_fields(tokens, item, _open_brace(tokens))
                    values = [item]
            else:
                tokens.expect(":")
                if repeated and tokens.accept("["):
                    values = []
                    while not tokens.accept("]"):
                        values.append(_parse_scalar(tokens, cls, name, field_kind))
                        tokens.accept(",")
                else:
                    values = [_parse_scalar(tokens, cls, name, field_kind)]
            if repeated:
                getattr(message, name).extend(values)
            elif field_kind == "message" and name in message._values:
                message._values[name].MergeFrom(values[-1])
            else:
                setattr(message, name, values[-1])
        tokens.accept(",") or tokens.accept(";")


def _open_brace(tokens):
    kind, text, where = tokens.next()
    if kind == "punct" and text in "{<":
        return "}" if text == "{" else ">"
    raise TextFormatError("%s: expected '{', found %r" % (where, text))


def parse_text(text, cls, message=None):
    """Parses the protobuf text format into a new `cls` (or merges into `message`); TextFormatError naming
    the line and column of the first problem."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8")
    message = cls() if message is None else message
    _parse_fields(_Tokens(text), message, None)
    return message


def Merge(text, message):  # noqa: N802 - text_format's name
    """`text_format.Merge(text, message)`: parses `text` into `message`, returning it."""
    return parse_text(text, type(message), message)


def Parse(text, message):  # noqa: N802 - text_format's name
    """`text_format.Parse(text, message)`: replaces `message` with the parsed `text`, returning it."""
    message.Clear()
    return parse_text(text, type(message), message)


def MessageToString(message):  # noqa: N802 - text_format's name
    return to_text(message)
