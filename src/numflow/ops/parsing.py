"""Parsing ops: tf.train.Example protos (`parse_example`, `parse_single_example`), raw bytes
(`decode_raw`), CSV lines (`decode_csv`) and numbers written as text (`string_to_number`).

The Example kernels read the serialized protos straight from the wire (io/example_proto.index_example and
decode_feature) and decode only the requested features. Malformed input is an InvalidArgumentError that
names the example (its name, or '<unknown>'), its index in the batch and the feature key; nothing of the
Session's state is touched, so the Session stays usable.
"""
import collections

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, get_default_graph, is_tensor_like, name_scope
from ..framework.op_def import OpDef, register
from ..framework.sparse_tensor import SparseTensor
from ..framework.tensor_shape import TensorShape, format_shape
from ..io import example_proto
from .common import make_tensor

_EXAMPLE_DTYPES = (dtypes.float32, dtypes.int64, dtypes.string)
_TYPE_NAMES = {dtypes.float32: "float", dtypes.int64: "int64", dtypes.string: "string"}   # TF's words
_KIND_OF_DTYPE = {dtypes.string: example_proto.BYTES, dtypes.float32: example_proto.FLOAT,
                  dtypes.int64: example_proto.INT64}


def _string_input(value, name):
    """`value` as a string tensor; a tensor of another dtype is left for the op's TypeError."""
    if is_tensor_like(value):
        return convert_to_tensor(value, name=name)
    return convert_to_tensor(value, dtype=dtypes.string, name=name)


def _invalid(op, message):
    return errors.InvalidArgumentError(None, op, message)


def _as_bytes(value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytearray, memoryview, np.bytes_)):
        return bytes(value)
    raise TypeError("expected a string (bytes), got %r" % (value,))


# --- feature configurations ----------------------------------------------------------------------
class FixedLenFeature(collections.namedtuple("FixedLenFeature", ["shape", "dtype", "default_value"])):
    """`tf.FixedLenFeature(shape, dtype, default_value=None)`: a feature with exactly
    prod(shape) values in every Example, parsed to a dense tensor of `shape`; `default_value` (same
    number of elements) stands in where the feature is missing, which is an error without it."""

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """`tf.VarLenFeature(dtype)`: a feature with any number of values, parsed to a SparseTensor."""


class FixedLenSequenceFeature(collections.namedtuple(
        "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"])):
    """`tf.FixedLenSequenceFeature(shape, dtype, allow_missing=False, default_value=None)`: a feature
    holding any number of items of `shape`, parsed to a dense [num_items] + shape tensor; in a batch
    shorter Examples are padded with `default_value` (zero by default) to the longest. In parse_example
    `allow_missing` must be True (a missing feature is then zero items)."""

    def __new__(cls, shape, dtype, allow_missing=False, default_value=None):
        return super().__new__(cls, shape, dtype, allow_missing, default_value)


def _default_array(value, dtype, shape, key, is_sequence):
    """The default of a dense feature as a flat NumPy array (a scalar for sequence features), or None."""
    if value is None:
        if not is_sequence:
            return None
        value = b"" if dtype is dtypes.string else 0
    if hasattr(value, "op") and getattr(value.op, "type", None) == "Const":
        value = value.op.attrs["value"]
    if dtype is dtypes.string:
        array = np.empty(np.shape(value), dtype=object)
        array[...] = np.vectorize(_as_bytes, otypes=[object])(value) if np.ndim(value) else _as_bytes(value)
    else:
        array = np.asarray(value, dtype=dtype.np)
    array = array.reshape(-1)
    if is_sequence:
        if array.size != 1:
            raise ValueError("default_value of FixedLenSequenceFeature %r must be a scalar (the padding), "
                             "got %d values" % (key, array.size))
        return array
    expected = int(np.prod(shape, dtype=np.int64))
    if array.size != expected:
        raise ValueError("Cannot reshape a tensor with %d elements to shape %s: the default_value of "
                         "feature %r must have the feature's shape" % (array.size, format_shape(TensorShape(shape)),
                                                                      key))
    return array


def _dense_specs(features, for_batch):
    """Splits `features` into (sparse [(key, dtype)], dense [(key, dtype, shape, default, is_sequence,
    required)]); `required`: a missing feature is an error (a sequence feature without allow_missing)."""
    if not features:
        raise ValueError("Missing: features was %s." % (features,))
    sparse, dense = [], []
    for key in sorted(features):
        feature = features[key]
        if not isinstance(feature, (FixedLenFeature, VarLenFeature, FixedLenSequenceFeature)):
            raise ValueError("Invalid feature %s:%s." % (key, feature))
        dtype = dtypes.as_dtype(feature.dtype)
        if dtype not in _EXAMPLE_DTYPES:
            raise ValueError("Unsupported dtype %s for feature %r: Example features are float32, int64 or "
                             "string" % (dtype.name, key))
        if isinstance(feature, VarLenFeature):
            sparse.append((key, dtype))
            continue
        shape = TensorShape(feature.shape)
        if not shape.is_fully_defined():
            raise ValueError("All dimensions of shape for feature %s need to be known but received %s."
                             % (key, format_shape(shape)))
        is_sequence = isinstance(feature, FixedLenSequenceFeature)
        if is_sequence and not feature.allow_missing and for_batch:
            raise ValueError("Unsupported: FixedLenSequenceFeature requires allow_missing to be True.")
        shape = tuple(shape.as_list())
        default = _default_array(feature.default_value, dtype, shape, key, is_sequence)
        required = not feature.allow_missing if is_sequence else default is None
        dense.append((key, dtype, shape, default, is_sequence, required))
    return sparse, dense


# --- ParseExample / ParseSingleExample -----------------------------------------------------------
@register
class ParseExample(OpDef):
    """Parses a vector of serialized Examples. Outputs: for each sparse feature its indices [N, 2], then
    its values [N], then its dense_shape [2]; then each dense feature as [batch] + shape (sequence
    features [batch, longest] + shape). Optional second input: the Examples' names for messages."""

    differentiable = False
    single = False

    def infer(self, op):
        serialized = op.inputs[0]
        if serialized.dtype is not dtypes.string:
            raise TypeError("serialized must be a string tensor, got %s" % serialized.dtype.name)
        if self.single:
            if serialized.shape.ndims not in (None, 0):
                raise ValueError("Input serialized must be a scalar, got shape %s" % format_shape(serialized.shape))
            batch = []
        else:
            serialized.shape.with_rank(1)
            batch = [serialized.shape[0].value if serialized.shape.ndims else None]
        rank = len(batch) + 1
        sparse, dense = op.attrs["sparse"], op.attrs["dense"]
        outputs = [(dtypes.int64, TensorShape([None, rank])) for _ in sparse]
        outputs += [(dtype, TensorShape([None])) for _, dtype in sparse]
        outputs += [(dtypes.int64, TensorShape([rank])) for _ in sparse]
        outputs += [(dtype, TensorShape(batch + ([None] if is_sequence else []) + list(shape)))
                    for _, dtype, shape, _, is_sequence, _ in dense]
        return outputs

    def kernel(self, op, ctx):
        sparse, dense = op.attrs["sparse"], op.attrs["dense"]
        single = self.single
        index_example, feature_payload = example_proto.index_example, example_proto.feature_payload
        DecodeError = example_proto.DecodeError  # noqa: N806
        # One entry per requested feature: (wire key, text key, dtype, expected kind, item size, default
        # payload or None, is_sequence). A sparse feature reads like a sequence of single values.
        columns = [(key.encode("utf-8"), key, dtype, _KIND_OF_DTYPE[dtype], 1, _EMPTY_PAYLOAD[dtype], True)
                   for key, dtype in sparse]
        for key, dtype, shape, default, is_sequence, required in dense:
            size = int(np.prod(shape, dtype=np.int64))
            payload = (None if required else _EMPTY_PAYLOAD[dtype] if is_sequence else _as_payload(default, dtype))
            columns.append((key.encode("utf-8"), key, dtype, _KIND_OF_DTYPE[dtype], size, payload, is_sequence))

        def parse(serialized, names=None):
            records = np.asarray(serialized, dtype=object).reshape(-1).tolist()
            batch = len(records)
            if names is not None and np.size(names) and np.size(names) != batch:
                raise _invalid(op, "names has %d elements but serialized has %d" % (np.size(names), batch))

            def where(index, key):
                name = names.reshape(-1)[index] if names is not None and np.size(names) else None
                name = "<unknown>" if name is None else _as_bytes(name).decode("utf-8", "replace")
                return "Name: %s, Key: %s, Index: %d." % (name, key, index)

            payloads = [[] for _ in columns]
            counts = [[] for _ in columns]
            for index, record in enumerate(records):
                record = _as_bytes(record)
                try:
                    spans = index_example(record)
                except DecodeError as exc:
                    raise _invalid(op, "%s  Could not parse example input, value: %r (%s)"
                                   % (where(index, "<none>"), record[:64], exc)) from None
                for column, (key, text_key, dtype, kind, size, default, is_sequence) in enumerate(columns):
                    span = spans.get(key)
                    found = None
                    if span is not None:
                        try:
                            found, payload = feature_payload(record, *span)
                        except DecodeError as exc:
                            raise _invalid(op, "%s  Could not parse feature %s: %s"
                                           % (where(index, text_key), text_key, exc)) from None
                    if found is None:                   # missing (a Feature with no list set counts too)
                        if default is None:
                            raise _invalid(op, "%s  Feature: %s (data type: %s) is required but could not be "
                                           "found." % (where(index, text_key), text_key, _TYPE_NAMES[dtype]))
                        payload = default
                    elif found != kind:
                        raise _invalid(op, "%s  Data types don't match. Data type: %s but expected type: %s"
                                       % (where(index, text_key), example_proto.KIND_NAMES[found],
                                          _TYPE_NAMES[dtype]))
                    count = _count(payload, kind)
                    if is_sequence:
                        if (count % size if size else count):
                            raise _invalid(op, "%s  Number of %s values is not a multiple of stride. Values "
                                           "size: %d, stride: %d" % (where(index, text_key), _TYPE_NAMES[dtype],
                                                                     count, size))
                    elif count != size:
                        raise _invalid(op, "%s  Number of %s values != expected.  Values size: %d but output "
                                       "shape: %s" % (where(index, text_key), _TYPE_NAMES[dtype], count,
                                                      "[%s]" % ",".join(map(str, dense[column - len(sparse)][2]))))
                    payloads[column].append(payload)
                    counts[column].append(count)

            values = []
            for column, (_, text_key, dtype, kind, _, _, _) in enumerate(columns):
                try:
                    values.append(_decode_column(payloads[column], kind, dtype))
                except DecodeError as exc:
                    raise _invalid(op, "Key: %s.  Could not parse feature %s: %s" % (text_key, text_key, exc)) \
                        from None
            indices_out, values_out, shapes_out = [], [], []
            for slot in range(len(sparse)):
                per_example = np.array(counts[slot], dtype=np.int64)
                total = len(values[slot])
                starts = np.cumsum(per_example) - per_example
                positions = np.arange(total, dtype=np.int64) - np.repeat(starts, per_example)
                longest = int(per_example.max()) if batch else 0
                if single:
                    indices_out.append(positions.reshape(-1, 1))
                    shapes_out.append(np.array([longest], dtype=np.int64))
                else:
                    rows = np.repeat(np.arange(batch, dtype=np.int64), per_example)
                    indices_out.append(np.stack([rows, positions], axis=1))
                    shapes_out.append(np.array([batch, longest], dtype=np.int64))
                values_out.append(values[slot])
            outputs = indices_out + values_out + shapes_out
            for slot, (_, dtype, shape, default, is_sequence, _) in enumerate(dense):
                flat = values[len(sparse) + slot]
                if is_sequence:
                    size = int(np.prod(shape, dtype=np.int64))
                    lengths = np.array(counts[len(sparse) + slot], dtype=np.int64)
                    longest = int(lengths.max()) // size if batch and size else 0
                    out = np.empty((batch, longest * size), dtype=flat.dtype)
                    out[...] = default[0]
                    out[np.arange(longest * size) < lengths[:, None]] = flat    # row-major: each row's prefix
                    out = out.reshape((batch, longest) + shape)
                else:
                    out = flat.reshape((batch,) + shape)
                outputs.append(out.reshape(out.shape[1:]) if single else out)    # an array even when 0-d
            return tuple(outputs) if len(outputs) > 1 else outputs[0]

        if len(op.inputs) == 1:
            return lambda serialized: parse(serialized)
        return parse


_EMPTY_PAYLOAD = {dtypes.string: [], dtypes.float32: b"", dtypes.int64: b""}


def _as_payload(values, dtype):
    """A default's values in the form example_proto.feature_payload gives (packed bytes or a list)."""
    if dtype is dtypes.string:
        return list(values)
    if dtype is dtypes.float32:
        return np.asarray(values, dtype="<f4").tobytes()
    return example_proto.encode_int64s(values)


def _count(payload, kind):
    if kind == example_proto.FLOAT:
        return len(payload) >> 2
    if kind == example_proto.INT64:
        return example_proto.count_varints(payload)
    return len(payload)


def _decode_column(payloads, kind, dtype):
    """The values of one feature across the batch, decoded with one NumPy call."""
    if kind == example_proto.BYTES:
        out = np.empty(sum(len(p) for p in payloads), dtype=object)
        out[:] = [value for payload in payloads for value in payload]
        return out
    joined = b"".join(payloads)
    if kind == example_proto.FLOAT:
        return example_proto.decode_floats(joined)
    return example_proto.decode_int64s(joined)


@register
class ParseSingleExample(ParseExample):
    """ParseExample of one (scalar) serialized Example: no batch dimension, sparse indices [N, 1]."""

    single = True


def _parse(op_type, serialized, features, name, example_names, default_name):
    from .sparse_feature import split_sparse_features
    features, assemble_sparse_features = split_sparse_features(features)
    sparse, dense = _dense_specs(features, for_batch=op_type == "ParseExample")
    with name_scope(name, default_name, [serialized]):
        serialized = _string_input(serialized, "serialized")
        inputs = [serialized]
        if example_names is not None:
            inputs.append(convert_to_tensor(example_names, dtype=dtypes.string, name="names"))
        op = get_default_graph().create_op(op_type, inputs, {"sparse": sparse, "dense": dense}, name=op_type)
    count = len(sparse)
    result = {}
    for slot, (key, _) in enumerate(sparse):
        result[key] = SparseTensor(op.outputs[slot], op.outputs[count + slot], op.outputs[2 * count + slot])
    for slot, spec in enumerate(dense):
        result[spec[0]] = op.outputs[3 * count + slot]
    return assemble_sparse_features(result)


def parse_example(serialized, features, name=None, example_names=None):
    """`tf.parse_example(serialized, features, name=None, example_names=None)`: parses a batch (vector)
    of serialized `tf.train.Example` protos.

    `features` maps keys to FixedLenFeature (a dense [batch] + shape tensor), VarLenFeature (a
    SparseTensor with indices [batch index, position] and dense_shape [batch, longest]) or
    FixedLenSequenceFeature with allow_missing=True (dense [batch, longest] + shape, padded). Returns a
    dict of the same keys. A missing required feature, values of the wrong type or count, or bytes that
    are not an Example raise InvalidArgumentError naming the example and the key.
    """
    return _parse("ParseExample", serialized, features, name, example_names, "ParseExample")


def parse_single_example(serialized, features, name=None, example_names=None):
    """`tf.parse_single_example(serialized, features, name=None, example_names=None)`: parse_example of
    one scalar serialized Example, without the batch dimension (VarLenFeature indices are [N, 1])."""
    if example_names is not None:
        example_names = convert_to_tensor(example_names, dtype=dtypes.string)
        if example_names.shape.ndims == 0:
            from .array import reshape
            example_names = reshape(example_names, [1])
    return _parse("ParseSingleExample", serialized, features, name, example_names, "ParseSingleExample")


# --- DecodeRaw -----------------------------------------------------------------------------------
_RAW_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int8, dtypes.int16, dtypes.int32,
               dtypes.int64, dtypes.uint8, dtypes.uint16, dtypes.complex64, dtypes.complex128, dtypes.bool)


@register
class DecodeRaw(OpDef):
    """Each string reinterpreted as a vector of `out_type` numbers; every string must have one length."""

    differentiable = False

    def infer(self, op):
        x = op.inputs[0]
        if x.dtype is not dtypes.string:
            raise TypeError("Input 'bytes' of 'DecodeRaw' Op has type %s that does not match expected type of "
                            "string." % x.dtype.name)
        return [(op.attrs["out_type"], x.shape.concatenate(TensorShape([None])))]

    def kernel(self, op, ctx):
        out_type = op.attrs["out_type"]
        native = np.dtype(out_type.np)
        wire_dtype = native.newbyteorder("<" if op.attrs["little_endian"] else ">")
        itemsize = native.itemsize

        def decode_raw(x):
            x = np.asarray(x)
            flat = [_as_bytes(v) for v in x.reshape(-1)]
            if not flat:
                return np.zeros(x.shape + (0,), dtype=native)
            length = len(flat[0])
            for index, value in enumerate(flat):
                if len(value) != length:
                    raise _invalid(op, "DecodeRaw requires input strings to all be the same size, but element "
                                   "%d has size %d != %d" % (index, len(value), length))
            if length % itemsize:
                raise _invalid(op, "Input to DecodeRaw has length %d that is not a multiple of %d, the size "
                               "of %s" % (length, itemsize, out_type.name))
            values = np.frombuffer(b"".join(flat), dtype=wire_dtype).astype(native)
            return values.reshape(x.shape + (length // itemsize,))

        return decode_raw


def decode_raw(input_bytes=None, out_type=None, little_endian=True, name=None, bytes=None):  # noqa: A002
    """`tf.decode_raw(input_bytes, out_type, little_endian=True, name=None)`: reinterprets the bytes of
    each string as a vector of `out_type` numbers (result shape input.shape + [length / size]). All
    strings must have the same length, a multiple of the type's size (InvalidArgumentError otherwise).
    TF1's older argument name `bytes` is accepted too."""
    if input_bytes is None:
        input_bytes = bytes
    if input_bytes is None or out_type is None:
        raise TypeError("decode_raw() needs input_bytes and out_type")
    out_type = dtypes.as_dtype(out_type)
    if out_type not in _RAW_DTYPES:
        raise TypeError("Value passed to parameter 'out_type' has DataType %s not in list of allowed values: "
                        "%s" % (out_type.name, ", ".join(d.name for d in _RAW_DTYPES)))
    x = _string_input(input_bytes, "bytes")
    return make_tensor("DecodeRaw", [x], {"out_type": out_type, "little_endian": bool(little_endian)},
                       name=name or "DecodeRaw")


# --- numbers written as text ---------------------------------------------------------------------
_NUMBER_DTYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64)


def _to_numbers(texts, dtype, report):
    """NumPy array of `dtype` from a list of str; calls report(position, text) (which raises) for the first
    text that is not a number of that type."""
    integral = dtype.is_integer
    try:
        if "_" in "".join(texts):      # Python accepts digit separators; TF's number syntax does not
            raise ValueError("underscore")
        values = np.array(texts, dtype=np.int64 if integral else np.float64)
    except (ValueError, OverflowError, TypeError):
        for position, text in enumerate(texts):
            try:
                if "_" in text:
                    raise ValueError(text)
                int(text) if integral else float(text)
                if integral and not -(1 << 63) <= int(text) < (1 << 63):
                    raise ValueError(text)
            except (ValueError, OverflowError):
                report(position, text)
        raise
    if dtype is dtypes.int32:
        bad = np.flatnonzero((values < -(1 << 31)) | (values >= (1 << 31)))
        if bad.size:
            report(int(bad[0]), texts[bad[0]])
    return values.astype(dtype.np, copy=False)


@register
class StringToNumber(OpDef):
    """Each string parsed as a number of `out_type`."""

    differentiable = False

    def infer(self, op):
        x = op.inputs[0]
        if x.dtype is not dtypes.string:
            raise TypeError("Input 'string_tensor' of 'StringToNumber' Op has type %s that does not match "
                            "expected type of string." % x.dtype.name)
        return [(op.attrs["out_type"], x.shape)]

    def kernel(self, op, ctx):
        out_type = op.attrs["out_type"]

        def report(position, text):
            raise _invalid(op, "StringToNumberOp could not correctly convert string: %s" % text)

        def string_to_number(x):
            x = np.asarray(x)
            texts = [_as_bytes(v).decode("latin-1") for v in x.reshape(-1)]
            return _to_numbers(texts, out_type, report).reshape(x.shape)

        return string_to_number


def string_to_number(string_tensor, out_type=dtypes.float32, name=None):
    """`tf.string_to_number(string_tensor, out_type=tf.float32, name=None)`: each string parsed as a number
    (float32, float64, int32 or int64); InvalidArgumentError naming the first string that is not one."""
    out_type = dtypes.as_dtype(out_type)
    if out_type not in _NUMBER_DTYPES:
        raise TypeError("Value passed to parameter 'out_type' has DataType %s not in list of allowed values: "
                        "float32, float64, int32, int64" % out_type.name)
    x = _string_input(string_tensor, "string_tensor")
    return make_tensor("StringToNumber", [x], {"out_type": out_type}, name=name or "StringToNumber")


# --- DecodeCSV -----------------------------------------------------------------------------------
def _split_quoted(record, delim, op, index):
    """The fields of one CSV line with RFC 4180 quoting: "a,b" is one field and "" inside quotes a quote."""
    fields = []
    pos, end = 0, len(record)
    while True:
        if pos < end and record[pos] == '"':
            pos += 1
            parts = []
            while True:
                close = record.find('"', pos)
                if close < 0:
                    raise _invalid(op, "Quoted field has to end with quote followed by delim or end in record "
                                   "%d: %s" % (index, record))
                parts.append(record[pos:close])
                if close + 1 < end and record[close + 1] == '"':
                    parts.append('"')
                    pos = close + 2
                    continue
                pos = close + 1
                break
            fields.append("".join(parts))
            if pos == end:
                return fields
            if record[pos] != delim:
                raise _invalid(op, "Quote inside a string has to be escaped by another quote in record %d: %s"
                               % (index, record))
            pos += 1
        else:
            stop = record.find(delim, pos)
            field = record[pos:] if stop < 0 else record[pos:stop]
            if '"' in field:
                raise _invalid(op, "Unquoted fields cannot have quotes inside in record %d: %s" % (index, record))
            fields.append(field)
            if stop < 0:
                return fields
            pos = stop + 1


@register
class DecodeCSV(OpDef):
    """One output per column of CSV lines: input 0 the records, then one default per column (0 or 1
    elements; none means the column is required)."""

    differentiable = False

    def infer(self, op):
        records, defaults = op.inputs[0], op.inputs[1:]
        if records.dtype is not dtypes.string:
            raise TypeError("Input 'records' of 'DecodeCSV' Op has type %s that does not match expected type "
                            "of string." % records.dtype.name)
        outputs = []
        for column, default in enumerate(defaults):
            if default.dtype not in _NUMBER_DTYPES + (dtypes.string,):
                raise TypeError("record_defaults[%d] has DataType %s not in list of allowed values: float32, "
                                "float64, int32, int64, string" % (column, default.dtype.name))
            if default.shape.ndims is not None and default.shape.ndims > 1:
                raise ValueError("Shape must be at most rank 1 but is rank %d for record_defaults[%d]"
                                 % (default.shape.ndims, column))
            outputs.append((default.dtype, records.shape))
        return outputs

    def kernel(self, op, ctx):
        delim = op.attrs["field_delim"]
        use_quote_delim = op.attrs["use_quote_delim"]
        na_value = op.attrs["na_value"]
        select_cols = op.attrs["select_cols"]
        column_dtypes = [t.dtype for t in op.inputs[1:]]
        width = len(column_dtypes)

        def decode_csv(records, *defaults):
            records = np.asarray(records)
            for column, default in enumerate(defaults):
                if np.size(default) > 1:
                    raise _invalid(op, "First dimension of record_defaults[%d] must be 0 or 1, got %d values"
                                   % (column, np.size(default)))
            columns = [[] for _ in range(width)]
            for index, record in enumerate(records.reshape(-1)):
                line = _as_bytes(record).decode("latin-1")       # byte-exact: fields are re-encoded below
                if use_quote_delim and '"' in line:
                    fields = _split_quoted(line, delim, op, index)
                else:
                    fields = line.split(delim)
                if select_cols is None:
                    if len(fields) != width:
                        raise _invalid(op, "Expect %d fields but have %d in record %d" % (width, len(fields), index))
                    for column, field in enumerate(fields):
                        columns[column].append(field)
                else:
                    if len(fields) <= select_cols[-1]:
                        raise _invalid(op, "Expect at least %d fields but have %d in record %d"
                                       % (select_cols[-1] + 1, len(fields), index))
                    for column, source in enumerate(select_cols):
                        columns[column].append(fields[source])
            outputs = []
            for column, (texts, dtype, default) in enumerate(zip(columns, column_dtypes, defaults)):
                missing = [row for row, text in enumerate(texts) if text == "" or text == na_value]
                if missing:
                    if np.size(default) == 0:
                        raise _invalid(op, "Field %d is required but missing in record %d!"
                                       % (select_cols[column] if select_cols else column, missing[0]))
                    fill = np.reshape(default, [-1])[0]
                if dtype is dtypes.string:
                    out = np.empty(len(texts), dtype=object)
                    out[:] = [text.encode("latin-1") for text in texts]
                    if missing:
                        out[missing] = _as_bytes(fill)
                else:
                    present = texts
                    if missing:
                        present = ["0" if text == "" or text == na_value else text for text in texts]

                    def report(row, text, column=column, dtype=dtype):
                        raise _invalid(op, "Field %d in record %d is not a valid %s: %s"
                                       % (select_cols[column] if select_cols else column, row,
                                          "float" if dtype.is_floating else dtype.name, text))
                    out = _to_numbers(present, dtype, report)
                    if missing:
                        out[missing] = fill
                outputs.append(out.reshape(records.shape))
            return tuple(outputs) if len(outputs) > 1 else outputs[0]

        return decode_csv


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, name=None, na_value="",
               select_cols=None):
    """`tf.decode_csv(records, record_defaults, field_delim=',', use_quote_delim=True, name=None,
    na_value='', select_cols=None)`: splits each CSV line of `records` into fields and returns one tensor
    per column (of the records' shape).

    Each `record_defaults` entry gives its column's dtype (float32, float64, int32, int64, string) and
    the value of an empty or `na_value` field; an empty entry ([] or a 0-element tensor) makes the column
    required. With `use_quote_delim`, fields in double quotes may hold the delimiter and doubled quotes.
    `select_cols` (increasing column indices) keeps only those columns. A line with the wrong number of
    fields, a missing required field or a field that is not a number raises InvalidArgumentError naming
    the record.
    """
    if not isinstance(field_delim, str) or len(field_delim) != 1:
        raise ValueError("field_delim should be only 1 char, got %r" % (field_delim,))
    if select_cols is not None:
        select_cols = [int(c) for c in select_cols]
        if any(c < 0 for c in select_cols) or any(b <= a for a, b in zip(select_cols, select_cols[1:])):
            raise ValueError("select_cols is not strictly increasing and non-negative: %s" % select_cols)
        if len(select_cols) != len(record_defaults):
            raise ValueError("Length of select_cols (%d) and record_defaults (%d) should match."
                             % (len(select_cols), len(record_defaults)))
    with name_scope(name, "DecodeCSV", [records]):
        records = _string_input(records, "records")
        defaults = []
        for column, default in enumerate(record_defaults):
            if isinstance(default, (list, tuple)) and len(default) == 0:
                default = np.zeros(0, dtype=np.float32)
            defaults.append(convert_to_tensor(default, name="record_defaults_%d" % column))
        op = get_default_graph().create_op(
            "DecodeCSV", [records] + defaults,
            {"field_delim": field_delim, "use_quote_delim": bool(use_quote_delim), "na_value": na_value,
             "select_cols": select_cols}, name="DecodeCSV")
    return list(op.outputs)


__all__ = ["FixedLenFeature", "VarLenFeature", "FixedLenSequenceFeature", "parse_example",
           "parse_single_example", "decode_raw", "decode_csv", "string_to_number"]
