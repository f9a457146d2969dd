"""`tf.io.parse_single_sequence_example` / `tf.parse_single_sequence_example` and
`tf.io.parse_sequence_example`: parsing serialized `tf.train.SequenceExample` protos.

A SequenceExample has `context` features (one value list per key, as in an Example) and `feature_lists`
(per key, a list of steps, each a value list). Context features are FixedLenFeature (dense, `shape`) or
VarLenFeature (a SparseTensor); sequence features are FixedLenSequenceFeature (dense [steps] + shape;
with `allow_missing` a missing list is zero steps) or VarLenFeature (a SparseTensor indexed by step and
position). The batch form adds a leading batch dimension, pads dense sequences to the longest with the
feature's default_value (zero / b''), and also returns each dense sequence's length per example.
"""
import numpy as np

from ..framework import dtypes
from ..framework.graph import get_default_graph, name_scope
from ..framework.op_def import OpDef, register
from ..framework.sparse_tensor import SparseTensor
from ..framework.tensor_shape import TensorShape, format_shape
from ..io import example_proto
from .parsing import (_EXAMPLE_DTYPES, _TYPE_NAMES, FixedLenFeature, FixedLenSequenceFeature, VarLenFeature,
                      _as_bytes, _default_array, _invalid, _string_input)

__all__ = ["parse_single_sequence_example", "parse_sequence_example"]

_LIST_OF_DTYPE = {dtypes.int64: "int64_list", dtypes.float32: "float_list", dtypes.string: "bytes_list"}


def _feature_values(feature, dtype, mismatch):
    """The values of one Feature as a 1-D array of `dtype`; `mismatch()` is raised for another kind."""
    kind = feature.WhichOneof("kind")
    if kind is None:
        return np.empty(0, dtype=dtype.np)
    if kind != _LIST_OF_DTYPE[dtype]:
        raise mismatch()
    values = getattr(feature, kind).value
    if dtype is dtypes.string:
        out = np.empty(len(values), dtype=object)
        out[:] = [_as_bytes(v) for v in values]
        return out
    return np.asarray(values, dtype=dtype.np).reshape(-1)


def _sparse_from_rows(rows, dtype, lead_shape):
    """A SparseTensor's (indices, values, dense_shape) from nested lists of 1-D arrays: `rows` is a nest
    of depth len(lead_shape) whose leaves are the value arrays; positions become the last index."""
    indices, values, longest = [], [], 0

    def walk(node, prefix):
        nonlocal longest
        if len(prefix) == len(lead_shape):
            longest = max(longest, len(node))
            for position in range(len(node)):
                indices.append(prefix + [position])
            values.append(node)
            return
        for index, child in enumerate(node):
            walk(child, prefix + [index])
    walk(rows, [])
    rank = len(lead_shape) + 1
    index_array = np.array(indices, dtype=np.int64).reshape(-1, rank)
    value_array = np.concatenate(values) if values else np.empty(0, dtype=dtype.np)
    if dtype is dtypes.string and value_array.dtype != object:
        value_array = value_array.astype(object)
    return index_array, value_array.astype(dtype.np, copy=False), np.array(list(lead_shape) + [longest], np.int64)


@register
class ParseSequenceExample(OpDef):
    """Parses serialized SequenceExamples (a vector; a scalar for the single form). Outputs: context
    sparse (indices, values, dense_shape per key), context dense, feature-list sparse (indices, values,
    dense_shape), feature-list dense, then (batch form) each dense feature list's lengths."""

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
        attrs = op.attrs
        outputs = []
        for keys, extra in ((attrs["context_sparse"], 0), (attrs["sequence_sparse"], 1)):
            rank = len(batch) + extra + 1
            outputs += [(dtypes.int64, TensorShape([None, rank])) for _ in keys]
            outputs += [(dtype, TensorShape([None])) for _, dtype in keys]
            outputs += [(dtypes.int64, TensorShape([rank])) for _ in keys]
            if extra == 0:
                outputs += [(dtype, TensorShape(batch + list(shape))) for _, dtype, shape, _ in attrs["context_dense"]]
        outputs += [(dtype, TensorShape(batch + [None] + list(shape)))
                    for _, dtype, shape, _, _ in attrs["sequence_dense"]]
        if not self.single:
            outputs += [(dtypes.int64, TensorShape(batch)) for _ in attrs["sequence_dense"]]
        return outputs

    def kernel(self, op, ctx):
        attrs = op.attrs
        single = self.single

        def parse(serialized):
            records = np.asarray(serialized, dtype=object).reshape(-1).tolist()
            parsed = []
            for record in records:
                message = example_proto.SequenceExample()
                try:
                    message.ParseFromString(_as_bytes(record))
                except (example_proto.DecodeError, ValueError, IndexError, TypeError):
                    raise _invalid(op, "Invalid protocol message input, example id: <unknown>") from None
                parsed.append(message)
            return _outputs(op, attrs, parsed, single)
        return parse


@register
class ParseSingleSequenceExample(ParseSequenceExample):
    """ParseSequenceExample of one (scalar) serialized SequenceExample: no batch dimension, no lengths."""

    single = True


def _context_lists(op, messages, key, dtype):
    lists = []
    for message in messages:
        feature = message.context.feature[key] if key in message.context.feature else None

        def mismatch():
            return _invalid(op, "Name: <unknown>, Feature: %s.  Data types don't match. Expected type: %s"
                            % (key, _TYPE_NAMES[dtype]))
        lists.append(None if feature is None else _feature_values(feature, dtype, mismatch))
    return lists


def _step_lists(op, messages, key, dtype):
    lists = []
    for message in messages:
        present = key in message.feature_lists.feature_list
        steps = []
        if present:
            for index, feature in enumerate(message.feature_lists.feature_list[key].feature):
                def mismatch(index=index):
                    return _invalid(op, "Name: <unknown>, Feature list: %s, Index: %d.  Data types don't match. "
                                    "Expected type: %s" % (key, index, _TYPE_NAMES[dtype]))
                steps.append(_feature_values(feature, dtype, mismatch))
        lists.append(steps if present else None)
    return lists


def _outputs(op, attrs, messages, single):
    batch = len(messages)
    outputs = []
    sparse_parts = []
    for key, dtype in attrs["context_sparse"]:
        rows = [values if values is not None else np.empty(0, dtype.np)
                for values in _context_lists(op, messages, key, dtype)]
        sparse_parts.append(_sparse_from_rows(rows[0], dtype, []) if single else
                            _sparse_from_rows(rows, dtype, [batch]))
    outputs += _sparse_outputs(sparse_parts)
    for key, dtype, shape, default in attrs["context_dense"]:
        size = int(np.prod(shape, dtype=np.int64))
        dense = []
        for values in _context_lists(op, messages, key, dtype):
            if values is None:
                if default is None:
                    raise _invalid(op, "Name: <unknown>, Feature: %s (data type: %s) is required but could not be "
                                   "found." % (key, _TYPE_NAMES[dtype]))
                values = default
            if values.size != size:
                raise _invalid(op, "Name: <unknown>, Key: %s, Index: 0.  Number of %s values != expected.  values "
                               "size: %d but output shape: %s" % (key, _TYPE_NAMES[dtype], values.size,
                                                                  format_shape(TensorShape(list(shape)))))
            dense.append(values.reshape(shape))
        outputs.append(dense[0] if single else _stack(dense, (batch,) + tuple(shape), dtype))
    sparse_parts = []
    for key, dtype in attrs["sequence_sparse"]:
        rows = [steps or [] for steps in _step_lists(op, messages, key, dtype)]
        if single:
            sparse_parts.append(_sparse_from_rows(rows[0], dtype, [len(rows[0])]))
        else:
            sparse_parts.append(_sparse_from_rows(rows, dtype, [batch, max([len(r) for r in rows] or [0])]))
    outputs += _sparse_outputs(sparse_parts)
    lengths = []
    for key, dtype, shape, allow_missing, padding in attrs["sequence_dense"]:
        size = int(np.prod(shape, dtype=np.int64))
        sequences = []
        for steps in _step_lists(op, messages, key, dtype):
            if steps is None:
                if not allow_missing:
                    raise _invalid(op, "Name: <unknown>, Feature list '%s' is required but could not be found.  "
                                   "Did you mean to include it in feature_list_dense_missing_assumed_empty or "
                                   "feature_list_dense_defaults?" % key)
                steps = []
            total = sum(step.size for step in steps)
            if any(step.size != size for step in steps):
                raise _invalid(op, "Feature list '%s' has an unexpected number of values.  Total values size: %d "
                               "is not consistent with output shape: %s"
                               % (key, total, format_shape(TensorShape([None] + list(shape)))))
            flat = np.concatenate(steps) if steps else np.empty(0, dtype=dtype.np)
            sequences.append(flat.astype(dtype.np, copy=False).reshape((len(steps),) + tuple(shape)))
        if single:
            outputs.append(sequences[0])
            continue
        longest = max([len(s) for s in sequences] or [0])
        out = np.empty((batch, longest) + tuple(shape), dtype=dtype.np)
        out[...] = padding[0]
        for row, sequence in enumerate(sequences):
            out[row, :len(sequence)] = sequence
        outputs.append(out)
        lengths.append(np.array([len(s) for s in sequences], dtype=np.int64))
    outputs += lengths
    return tuple(outputs) if len(outputs) > 1 else outputs[0]


def _stack(arrays, shape, dtype):
    out = np.empty(shape, dtype=dtype.np)
    for row, array in enumerate(arrays):
        out[row] = array
    return out


def _sparse_outputs(parts):
    return [p[0] for p in parts] + [p[1] for p in parts] + [p[2] for p in parts]


def _feature_specs(context_features, sequence_features):
    """The op's attrs from the two feature dicts, checked as TF checks them."""
    if not context_features and not sequence_features:
        raise ValueError("Both context_features and sequence_features are None, but at least one should have "
                         "values.")
    attrs = {"context_sparse": [], "context_dense": [], "sequence_sparse": [], "sequence_dense": []}
    for features, sequence in ((context_features or {}, False), (sequence_features or {}, True)):
        for key in sorted(features):
            feature = features[key]
            allowed = (FixedLenSequenceFeature, VarLenFeature) if sequence else (FixedLenFeature, VarLenFeature)
            if not isinstance(feature, allowed):
                raise ValueError("Unsupported %s %s for key '%s'" % (type(feature).__name__, feature, key))
            dtype = dtypes.as_dtype(feature.dtype)
            if dtype not in _EXAMPLE_DTYPES:
                raise ValueError("Unsupported dtype %s for feature %r: SequenceExample features are float32, "
                                 "int64 or string" % (dtype.name, key))
            if isinstance(feature, VarLenFeature):
                attrs["sequence_sparse" if sequence else "context_sparse"].append((key, dtype))
                continue
            shape = TensorShape(feature.shape)
            if not shape.is_fully_defined():
                raise ValueError("All dimensions of shape for feature %s need to be known but received %s."
                                 % (key, format_shape(shape)))
            shape = tuple(shape.as_list())
            default = _default_array(feature.default_value, dtype, shape, key, sequence)
            if sequence:
                attrs["sequence_dense"].append((key, dtype, shape, bool(feature.allow_missing), default))
            else:
                attrs["context_dense"].append((key, dtype, shape, default))
    return attrs


def _build(op_type, serialized, context_features, sequence_features, name, default_name):
    attrs = _feature_specs(context_features, sequence_features)
    with name_scope(name, default_name, [serialized]):
        serialized = _string_input(serialized, "serialized")
        op = get_default_graph().create_op(op_type, [serialized], attrs, name=op_type)
    outputs = list(op.outputs)

    def take_sparse(keys):
        count = len(keys)
        parts = outputs[:3 * count]
        del outputs[:3 * count]
        return {key: SparseTensor(parts[i], parts[count + i], parts[2 * count + i]) for i, (key, _) in enumerate(keys)}

    def take_dense(keys):
        values = outputs[:len(keys)]
        del outputs[:len(keys)]
        return {spec[0]: value for spec, value in zip(keys, values)}

    context = take_sparse(attrs["context_sparse"])
    context.update(take_dense(attrs["context_dense"]))
    sequence = take_sparse(attrs["sequence_sparse"])
    sequence.update(take_dense(attrs["sequence_dense"]))
    lengths = take_dense(attrs["sequence_dense"]) if op_type == "ParseSequenceExample" else None
    return context, sequence, lengths


def parse_single_sequence_example(serialized, context_features=None, sequence_features=None,
                                  example_name=None, name=None):
    """`tf.io.parse_single_sequence_example(serialized, context_features=None, sequence_features=None,
    example_name=None, name=None)`: parses one serialized SequenceExample (a scalar string) into
    `(context, feature_lists)` dicts: FixedLenFeature context values of their shape, VarLenFeature ones as
    SparseTensors (indices [N, 1]); FixedLenSequenceFeature lists as [steps] + shape, VarLenFeature lists
    as SparseTensors indexed [step, position]. Bad input raises InvalidArgumentError when run."""
    context, sequence, _ = _build("ParseSingleSequenceExample", serialized, context_features, sequence_features,
                                  name, "ParseSingleSequenceExample")
    return context, sequence


def parse_sequence_example(serialized, context_features=None, sequence_features=None, example_names=None,
                           name=None):
    """`tf.io.parse_sequence_example(serialized, context_features=None, sequence_features=None,
    example_names=None, name=None)`: parses a vector of serialized SequenceExamples into `(context,
    feature_lists, lengths)`: every value gains a leading batch dimension, dense feature lists are padded
    to the longest with their default_value (zero / b''), and `lengths` maps each dense feature list to its
    number of steps per example (int64 [batch])."""
    return _build("ParseSequenceExample", serialized, context_features, sequence_features, name,
                  "ParseSequenceExample")
