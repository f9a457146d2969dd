"""Operations on SparseTensors (`tf.sparse.*`, `tf.sparse_*`) and the sparse segment reductions.

Each op that rearranges a SparseTensor is split in two: a non-differentiable NumPy op that works out the
new coordinates and, for every output value, which input value it comes from; then ordinary gathers,
`where` and segment sums move the values. The values' gradients therefore come from those ops' own
gradients, with no sparse gradient kernels of their own.
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.indexed_slices import IndexedSlices
from ..framework.op_def import OpDef, register
from ..framework.sparse_tensor import SparseTensor, SparseTensorValue, sparse_tensor_to_dense
from ..framework.tensor_shape import TensorShape
from . import array, control, math, segment_ops
from .common import make_op


def _invalid(op, message):
    return errors.InvalidArgumentError(None, op, message)


def _as_sparse(sp_input, what="Input"):
    if isinstance(sp_input, SparseTensorValue):
        return SparseTensor.from_value(sp_input)
    if not isinstance(sp_input, SparseTensor):
        raise TypeError("%s must be a SparseTensor, got %s" % (what, type(sp_input).__name__))
    return sp_input


def _linear_keys(indices, shape):
    """Row-major position of every coordinate; orders coordinates lexicographically."""
    if not len(shape):
        return np.zeros(len(indices), dtype=np.int64)
    strides = np.cumprod([1] + [int(d) for d in shape[:0:-1]])[::-1].astype(np.int64)
    return indices.astype(np.int64) @ strides


class _IndexOp(OpDef):
    """A NumPy op that computes coordinates and value sources only: no gradient flows through it."""

    differentiable = False


def _index_op(op_type, inputs, name=None):
    return make_op(op_type, inputs, name=name).outputs


@register
class SparseReorderPermutation(_IndexOp):
    """The stable permutation that sorts `indices` [N, rank] into row-major order."""

    def infer(self, op):
        return [(dtypes.int64, TensorShape([op.inputs[0].shape[0]]))]

    def kernel(self, op, ctx):
        return lambda indices, shape: np.argsort(_linear_keys(indices, shape), kind="stable").astype(np.int64)


@register
class SparseOperandUnion(_IndexOp):
    """The sorted union of the coordinates of two SparseTensors of one shape, with, for each union entry,
    the position of that coordinate in A and in B (-1 where absent)."""

    def infer(self, op):
        rank = op.inputs[0].shape[1]
        return [(dtypes.int64, TensorShape([None, rank])), (dtypes.int64, TensorShape([None])),
                (dtypes.int64, TensorShape([None]))]

    def kernel(self, op, ctx):
        def union(a_indices, a_shape, b_indices, b_shape):
            if not np.array_equal(a_shape, b_shape):
                raise _invalid(op, "Operands' shapes do not match: A.shape = %s and B.shape = %s"
                               % (list(a_shape), list(b_shape)))
            a_keys, b_keys = _linear_keys(a_indices, a_shape), _linear_keys(b_indices, b_shape)
            keys, first = np.unique(np.concatenate([a_keys, b_keys]), return_index=True)
            all_indices = np.concatenate([a_indices, b_indices]).astype(np.int64).reshape(-1, len(a_shape))
            return (all_indices[first], _positions(keys, a_keys), _positions(keys, b_keys))
        return union


def _positions(keys, operand_keys):
    """For each key, its position among operand_keys (-1 where absent)."""
    positions = np.full(len(keys), -1, dtype=np.int64)
    order = np.argsort(operand_keys, kind="stable")
    found = np.searchsorted(operand_keys[order], keys)
    found = np.minimum(found, max(len(order) - 1, 0))
    if len(order):
        hit = operand_keys[order][found] == keys
        positions[hit] = order[found[hit]]
    return positions


@register
class SparseSliceSelection(_IndexOp):
    """The values of a SparseTensor inside the box [start, start + size) (clipped to its shape): their
    positions, their coordinates relative to `start`, and the box's shape."""

    def infer(self, op):
        rank = op.inputs[0].shape[1]
        return [(dtypes.int64, TensorShape([None])), (dtypes.int64, TensorShape([None, rank])),
                (dtypes.int64, TensorShape([rank]))]

    def kernel(self, op, ctx):
        def select(indices, shape, start, size):
            start, size = np.asarray(start, np.int64), np.asarray(size, np.int64)
            if start.shape != shape.shape or size.shape != shape.shape:
                raise _invalid(op, "Expected start and size to have the rank of the input, %d, got %d and %d"
                               % (len(shape), start.size, size.size))
            stop = np.minimum(start + size, shape)
            out_shape = np.maximum(stop - np.minimum(start, shape), 0).astype(np.int64)
            inside = np.all((indices >= start) & (indices < stop), axis=1)
            kept = np.flatnonzero(inside).astype(np.int64)
            return kept, (indices[kept] - start).astype(np.int64), out_shape
        return select


@register
class SparseReshape(_IndexOp):
    """TF's SparseReshape: the coordinates of the same row-major values in a new shape (one -1 inferred)."""

    def infer(self, op):
        return [(dtypes.int64, TensorShape([op.inputs[0].shape[0], op.inputs[2].shape[0]])),
                (dtypes.int64, TensorShape([op.inputs[2].shape[0]]))]

    def kernel(self, op, ctx):
        def reshape(indices, input_shape, new_shape):
            total = int(np.prod(input_shape))
            new_shape = np.array(new_shape, dtype=np.int64)
            unknown = np.flatnonzero(new_shape == -1)
            if len(unknown) > 1:
                raise _invalid(op, "only one output dimension may be -1, not both %d and %d"
                               % (unknown[0], unknown[1]))
            if len(unknown):
                known = int(np.prod(np.delete(new_shape, unknown[0])))
                if known == 0 or total % known:
                    raise _invalid(op, "Input to reshape is a SparseTensor with %d dense values, but the "
                                   "requested shape requires a multiple of %d" % (total, known))
                new_shape[unknown[0]] = total // known
            if int(np.prod(new_shape)) != total:
                raise _invalid(op, "Input to reshape is a tensor with %d dense values, but the requested "
                               "shape has %d" % (total, int(np.prod(new_shape))))
            keys = _linear_keys(indices, input_shape)
            coordinates = np.stack(np.unravel_index(keys, tuple(new_shape)), axis=1) if len(new_shape) else \
                np.zeros((len(keys), 0))
            return coordinates.astype(np.int64).reshape(len(keys), len(new_shape)), new_shape
        return reshape


@register
class SparseFillEmptyRowsMap(_IndexOp):
    """For fill_empty_rows: the output coordinates (a [row, 0, ...] entry added for every empty row,
    in row-major order), each output value's source position (-1: the default value), the
    empty-row indicator and each input value's output position."""

    def infer(self, op):
        rank = op.inputs[0].shape[1]
        return [(dtypes.int64, TensorShape([None, rank])), (dtypes.int64, TensorShape([None])),
                (dtypes.bool, TensorShape([None])), (dtypes.int64, TensorShape([op.inputs[0].shape[0]]))]

    def kernel(self, op, ctx):
        def fill(indices, shape):
            rows = int(shape[0])
            if len(indices) and (indices[:, 0].min() < 0 or indices[:, 0].max() >= rows):
                row = int(np.flatnonzero((indices[:, 0] < 0) | (indices[:, 0] >= rows))[0])
                raise _invalid(op, "indices(%d, 0) is invalid: %d not in [0, %d)" % (row, indices[row, 0], rows))
            empty = np.ones(rows, dtype=bool)
            empty[indices[:, 0]] = False
            added = np.zeros((int(empty.sum()), len(shape)), dtype=np.int64)
            added[:, 0] = np.flatnonzero(empty)
            combined = np.concatenate([indices.astype(np.int64), added])
            sources = np.concatenate([np.arange(len(indices)), np.full(len(added), -1)]).astype(np.int64)
            order = np.argsort(_linear_keys(combined, shape), kind="stable")
            reverse = np.empty(len(indices), dtype=np.int64)
            reverse[sources[order][sources[order] >= 0]] = np.flatnonzero(sources[order] >= 0)
            return combined[order], sources[order], empty, reverse
        return fill


@register
class SparseRowGroups(_IndexOp):
    """The group (by all coordinates but the last) of every value, numbered 0.. in row-major order, and
    the number of groups."""

    def infer(self, op):
        return [(dtypes.int64, TensorShape([op.inputs[0].shape[0]])), (dtypes.int64, TensorShape([]))]

    def kernel(self, op, ctx):
        def groups(indices, shape):
            keys = _linear_keys(indices[:, :-1], shape[:-1])
            unique, inverse = np.unique(keys, return_inverse=True)
            return inverse.astype(np.int64).reshape(-1), np.int64(len(unique))
        return groups


# --- helpers --------------------------------------------------------------------------------------
def _gather_or_default(values, sources, default):
    """values[sources], with `default` where a source is -1."""
    picked = array.gather(values, math.maximum(sources, 0))
    return math.where(sources >= 0, picked, array.fill(array.shape(picked), default)) \
        if not isinstance(default, (int, float)) or default != 0 else \
        math.where(sources >= 0, picked, array.zeros_like(picked))


def _reorder_parts(indices, values, dense_shape):
    perm, = _index_op("SparseReorderPermutation", [indices, dense_shape])
    return array.gather(indices, perm), array.gather(values, perm)


# --- serialization: each component as a serialized TensorProto, as TF writes them -------------------
def _serialize_parts(indices, values, shape, dtype):
    from ..framework.graph_def import ndarray_to_tensor_proto
    return np.array([ndarray_to_tensor_proto(np.asarray(indices, np.int64), dtypes.int64).SerializeToString(),
                     ndarray_to_tensor_proto(values, dtype).SerializeToString(),
                     ndarray_to_tensor_proto(np.asarray(shape, np.int64), dtypes.int64).SerializeToString()],
                    dtype=object)


@register
class SerializeSparse(_IndexOp):
    """TF's SerializeSparse (out_type string): [3] strings, the serialized indices, values and shape."""

    def infer(self, op):
        return [(dtypes.string, TensorShape([3]))]

    def kernel(self, op, ctx):
        dtype = op.inputs[1].dtype
        return lambda indices, values, shape: _serialize_parts(indices, values, shape, dtype)


@register
class SerializeManySparse(_IndexOp):
    """TF's SerializeManySparse (out_type string): [N, 3] strings, row i serializing the minibatch entry
    i (the values whose first index is i, without that index)."""

    def infer(self, op):
        return [(dtypes.string, TensorShape([None, 3]))]

    def kernel(self, op, ctx):
        dtype = op.inputs[1].dtype

        def serialize_many(indices, values, shape):
            if len(shape) < 2:
                raise _invalid(op, "Rank of input SparseTensor should be > 1, but saw rank: %d" % len(shape))
            batch = int(shape[0])
            if len(indices) and (indices[:, 0].min() < 0 or indices[:, 0].max() >= batch):
                raise _invalid(op, "Minibatch index out of bounds: need 0 <= index < %d" % batch)
            out = np.empty((batch, 3), dtype=object)
            for row in range(batch):
                mine = indices[:, 0] == row
                out[row] = _serialize_parts(indices[mine, 1:], values[mine], shape[1:], dtype)
            return out
        return serialize_many


@register
class DeserializeManySparse(_IndexOp):
    """TF's DeserializeManySparse: [N, 3] serialized SparseTensors joined along a new first dimension;
    the other dimensions are the largest among the entries."""

    def infer(self, op):
        if op.inputs[0].dtype is not dtypes.string:
            raise TypeError("serialized_sparse must be a string tensor, got %s" % op.inputs[0].dtype.name)
        return [(dtypes.int64, TensorShape([None, None])), (op.attrs["dtype"], TensorShape([None])),
                (dtypes.int64, TensorShape([None]))]

    def kernel(self, op, ctx):
        dtype = op.attrs["dtype"]

        def parse(serialized, row, component, expected):
            from ..framework.graph_def import tensor_proto_to_ndarray
            from ..io.graph_proto import TensorProto
            where = "Deserialize SparseTensor %d component %d" % (row, component)
            try:
                value = tensor_proto_to_ndarray(TensorProto.FromString(bytes(serialized)), where)
            except errors.OpError as error:
                raise _invalid(op, error.message) from None
            except Exception:    # a damaged record: any decoding failure is the caller's bad input
                raise _invalid(op, "Could not parse serialized_sparse[%d, %d]" % (row, component)) from None
            if value.dtype != expected.np and not (expected is dtypes.string and value.dtype == object):
                raise _invalid(op, "Requested SparseTensor of type %s but SparseTensor[%d].values.dtype() == %s"
                               % (expected.name, row, dtypes.as_dtype(value.dtype).name))
            return value

        def deserialize(serialized):
            if serialized.ndim != 2 or serialized.shape[1] != 3:
                raise _invalid(op, "Serialized sparse should be a matrix with 3 columns, got shape %s"
                               % list(serialized.shape))
            parts = [[parse(serialized[row, c], row, c, dtype if c == 1 else dtypes.int64) for c in range(3)]
                     for row in range(serialized.shape[0])]
            if not parts:
                raise _invalid(op, "Serialized sparse should have at least one element")
            ranks = {len(shape) for _, _, shape in parts}
            if len(ranks) > 1:
                raise _invalid(op, "Inconsistent rank across SparseTensors: ranks %s" % sorted(ranks))
            rank = ranks.pop()
            indices = np.concatenate([np.concatenate([np.full((len(ind), 1), row, np.int64),
                                                      ind.reshape(len(ind), rank)], 1)
                                      for row, (ind, _, _) in enumerate(parts)]).astype(np.int64)
            values = np.concatenate([vals.reshape(-1) for _, vals, _ in parts]).astype(dtype.np)
            shape = np.concatenate([[len(parts)], np.max([shp for _, _, shp in parts], axis=0)]).astype(np.int64)
            return indices, values, shape
        return deserialize


def serialize_sparse(sp_input, name=None, out_type=dtypes.string):
    """`tf.io.serialize_sparse(sp_input, name=None, out_type=tf.string)`: a [3] string vector, the
    serialized TensorProtos of the indices, values and dense shape."""
    return _serialize("SerializeSparse", sp_input, name, out_type)


def serialize_many_sparse(sp_input, name=None, out_type=dtypes.string):
    """`tf.io.serialize_many_sparse(sp_input, name=None, out_type=tf.string)`: an [N, 3] string matrix,
    row i serializing the SparseTensor of minibatch entry i (rank >= 2)."""
    return _serialize("SerializeManySparse", sp_input, name, out_type)


def _serialize(op_type, sp_input, name, out_type):
    sp_input = _as_sparse(sp_input)
    if dtypes.as_dtype(out_type) is not dtypes.string:
        raise TypeError("out_type %s is not supported: numflow serializes SparseTensors to tf.string only"
                        % dtypes.as_dtype(out_type).name)
    return make_op(op_type, [sp_input.indices, sp_input.values, sp_input.dense_shape],
                   {"out_type": dtypes.string}, name=name).outputs[0]


def deserialize_many_sparse(serialized_sparse, dtype, rank=None, name=None):
    """`tf.io.deserialize_many_sparse(serialized_sparse, dtype, rank=None, name=None)`: the SparseTensor
    of an [N, 3] matrix of serialized SparseTensors (as serialize_many_sparse writes), stacked along a new
    first dimension whose other dimensions are the largest among the entries."""
    serialized_sparse = convert_to_tensor(serialized_sparse, name="serialized_sparse")
    indices, values, shape = make_op("DeserializeManySparse", [serialized_sparse],
                                     {"dtype": dtypes.as_dtype(dtype)}, name=name).outputs
    if rank is not None:
        indices.set_shape([None, rank])
        shape.set_shape([rank])
    return SparseTensor(indices, values, shape)


# --- public functions -----------------------------------------------------------------------------
def sparse_reorder(sp_input, name=None):
    """`tf.sparse.reorder(sp_input, name=None)`: the same SparseTensor with its values in row-major
    (lexicographic) order of their indices, as most sparse ops expect."""
    sp_input = _as_sparse(sp_input)
    with name_scope(name, "SparseReorder", [sp_input.indices, sp_input.values]):
        indices, values = _reorder_parts(sp_input.indices, sp_input.values, sp_input.dense_shape)
        return SparseTensor(indices, values, sp_input.dense_shape)


def sparse_retain(sp_input, to_retain):
    """`tf.sparse.retain(sp_input, to_retain)`: the SparseTensor of only the values where the boolean
    vector `to_retain` ([N]) is True; the dense shape is unchanged."""
    sp_input = _as_sparse(sp_input)
    with name_scope(None, "SparseRetain", [sp_input.indices, to_retain]):
        to_retain = convert_to_tensor(to_retain, dtype=dtypes.bool, name="to_retain")
        to_retain.shape.with_rank(1)
        if to_retain.shape[0].value is not None and sp_input.values.shape[0].value is not None \
                and to_retain.shape[0].value != sp_input.values.shape[0].value:
            raise ValueError("to_retain has length %d but sp_input has %d values"
                             % (to_retain.shape[0].value, sp_input.values.shape[0].value))
        return SparseTensor(array.boolean_mask(sp_input.indices, to_retain),
                            array.boolean_mask(sp_input.values, to_retain), sp_input.dense_shape)


def sparse_transpose(sp_input, perm=None, name=None):
    """`tf.sparse.transpose(sp_input, perm=None, name=None)`: the SparseTensor with its dimensions permuted
    by `perm` (reversed by default), its values reordered to row-major order."""
    sp_input = _as_sparse(sp_input)
    with name_scope(name, "SparseTranspose", [sp_input.indices]):
        if perm is None:
            rank = array.size(sp_input.dense_shape)
            perm = array.range(rank - 1, -1, -1)
        perm = convert_to_tensor(perm, name="perm")
        indices = array.gather(sp_input.indices, perm, axis=1)
        dense_shape = array.gather(sp_input.dense_shape, perm)
        indices, values = _reorder_parts(indices, sp_input.values, dense_shape)
        return SparseTensor(indices, values, dense_shape)


def sparse_reshape(sp_input, shape, name=None):
    """`tf.sparse.reshape(sp_input, shape, name=None)`: the SparseTensor with dense shape `shape` (one
    dimension may be -1) holding the same values in row-major order."""
    sp_input = _as_sparse(sp_input)
    with name_scope(name, "SparseReshape", [sp_input.indices]):
        shape = convert_to_tensor(shape, dtype=dtypes.int64, name="shape")
        indices, dense_shape = _index_op("SparseReshape", [sp_input.indices, sp_input.dense_shape, shape])
        return SparseTensor(indices, sp_input.values, dense_shape)


def sparse_slice(sp_input, start, size, name=None):
    """`tf.sparse.slice(sp_input, start, size, name=None)`: the values inside the box [start, start + size)
    (clipped to the dense shape), with coordinates relative to `start`."""
    sp_input = _as_sparse(sp_input)
    with name_scope(name, "SparseSlice", [sp_input.indices]):
        start = convert_to_tensor(start, dtype=dtypes.int64, name="start")
        size = convert_to_tensor(size, dtype=dtypes.int64, name="size")
        kept, indices, dense_shape = _index_op("SparseSliceSelection",
                                               [sp_input.indices, sp_input.dense_shape, start, size])
        return SparseTensor(indices, array.gather(sp_input.values, kept), dense_shape)


def sparse_split(keyword_required=None, sp_input=None, num_split=None, axis=None, name=None, split_dim=None):
    """`tf.sparse.split(sp_input=None, num_split=None, axis=None, name=None, split_dim=None)`: `num_split`
    SparseTensors along `axis`; the first `size % num_split` pieces are one longer."""
    if keyword_required is not None:
        raise ValueError("Keyword arguments are required for this function.")
    if sp_input is None:
        raise ValueError("sp_input is required")
    if num_split is None:
        raise ValueError("num_split is required")
    if axis is None:
        axis = split_dim
    if axis is None:
        raise ValueError("axis is required")
    sp_input = _as_sparse(sp_input)
    with name_scope(name, "SparseSplit", [sp_input.indices]):
        rank = array.size(sp_input.dense_shape, out_type=dtypes.int64)
        along = array.one_hot(axis, rank, dtype=dtypes.int64)
        length = sp_input.dense_shape[axis]
        base, extra = length // num_split, length % num_split
        pieces = []
        for piece in range(num_split):
            offset = piece * base + math.minimum(np.int64(piece), extra)
            piece_length = base + math.cast(np.int64(piece) < extra, dtypes.int64)
            start = along * offset
            size = sp_input.dense_shape * (1 - along) + along * piece_length
            pieces.append(sparse_slice(sp_input, start, size))
        return pieces


def sparse_concat(axis, sp_inputs, name=None, expand_nonconcat_dim=False, concat_dim=None,
                  expand_nonconcat_dims=None):
    """`tf.sparse.concat(axis, sp_inputs, name=None, expand_nonconcat_dim=False)`: the SparseTensors
    joined along `axis`. With `expand_nonconcat_dim` the other dimensions become the largest among the
    inputs; otherwise they must agree."""
    if concat_dim is not None:
        axis = concat_dim
    if expand_nonconcat_dims is not None:
        expand_nonconcat_dim = expand_nonconcat_dims
    sp_inputs = [_as_sparse(sp, "Each of sp_inputs") for sp in sp_inputs]
    if not sp_inputs:
        raise ValueError("sp_inputs must not be empty")
    with name_scope(name, "SparseConcat", [sp.indices for sp in sp_inputs]):
        rank = array.size(sp_inputs[0].dense_shape, out_type=dtypes.int64)
        axis = convert_to_tensor(axis, dtype=dtypes.int64, name="axis")
        axis = math.floormod(axis, rank)
        along = array.one_hot(axis, rank, dtype=dtypes.int64)
        offset = 0
        indices = []
        for sp in sp_inputs:
            indices.append(sp.indices + array.expand_dims(along * offset, 0))
            offset = offset + math.reduce_sum(sp.dense_shape * along)
        others = [sp.dense_shape * (1 - along) for sp in sp_inputs]
        if expand_nonconcat_dim:
            other_shape = math.reduce_max(array.stack(others), axis=0)
        else:
            other_shape = others[0]
            checks = [_assert_equal_shapes(others[0], other) for other in others[1:]]
            if checks:
                from ..framework.graph import control_dependencies
                with control_dependencies(checks):
                    other_shape = control.identity(other_shape)
        dense_shape = other_shape + along * offset
        indices, values = _reorder_parts(array.concat(indices, 0),
                                         array.concat([sp.values for sp in sp_inputs], 0), dense_shape)
        return SparseTensor(indices, values, dense_shape)


def _assert_equal_shapes(first, other):
    from .debug import Assert
    return Assert(math.reduce_all(math.equal(first, other)),
                  ["Input shapes must match except along the concat dimension: ", first, other])


def sparse_add(a, b, threshold=None, thresh=None):
    """`tf.sparse.add(a, b, threshold=0)`: the sum of two SparseTensors (a SparseTensor; sums whose
    magnitude is below `threshold` are dropped) or of a SparseTensor and a dense tensor (a dense
    tensor)."""
    if threshold is None:
        threshold = thresh if thresh is not None else 0
    a_sparse, b_sparse = isinstance(a, (SparseTensor, SparseTensorValue)), \
        isinstance(b, (SparseTensor, SparseTensorValue))
    if not a_sparse and not b_sparse:
        raise TypeError("At least one input should be SparseTensor; do you mean to use tf.add?")
    if not (a_sparse and b_sparse):
        sparse, dense = (a, b) if a_sparse else (b, a)
        sparse = _as_sparse(sparse)
        with name_scope(None, "SparseTensorDenseAdd", [sparse.values, dense]):
            dense = convert_to_tensor(dense, dtype=sparse.dtype, name="dense")
            return sparse_tensor_to_dense(sparse, validate_indices=False) + dense
    a, b = _as_sparse(a), _as_sparse(b)
    with name_scope(None, "SparseAdd", [a.values, b.values]):
        indices, a_values, b_values = _union_values(a, b)
        total = a_values + b_values
        if not (isinstance(threshold, (int, float)) and threshold == 0):
            keep = math.abs(total) >= math.cast(threshold, total.dtype)
            return SparseTensor(array.boolean_mask(indices, keep), array.boolean_mask(total, keep), a.dense_shape)
        return SparseTensor(indices, total, a.dense_shape)


def _union_values(a, b):
    if a.dtype is not b.dtype:
        raise TypeError("Input 'b_values' of 'SparseAdd' Op has type %s that does not match type %s of "
                        "argument 'a_values'." % (b.dtype.name, a.dtype.name))
    a.shape.assert_is_compatible_with(b.shape)
    indices, a_sources, b_sources = _index_op("SparseOperandUnion",
                                              [a.indices, a.dense_shape, b.indices, b.dense_shape])
    return indices, _gather_or_default(a.values, a_sources, 0), _gather_or_default(b.values, b_sources, 0)


def _elementwise_sparse(op_name, fn, sp_a, sp_b, name):
    sp_a, sp_b = _as_sparse(sp_a), _as_sparse(sp_b)
    with name_scope(name, op_name, [sp_a.values, sp_b.values]):
        indices, a_values, b_values = _union_values(sp_a, sp_b)
        return SparseTensor(indices, fn(a_values, b_values), sp_a.dense_shape)


def sparse_maximum(sp_a, sp_b, name=None):
    """`tf.sparse.maximum(sp_a, sp_b, name=None)`: the elementwise maximum of two SparseTensors of one
    shape, over the union of their indices (a missing value counts as zero)."""
    return _elementwise_sparse("SparseSparseMaximum", math.maximum, sp_a, sp_b, name)


def sparse_minimum(sp_a, sp_b, name=None):
    """`tf.sparse.minimum(sp_a, sp_b, name=None)`: the elementwise minimum of two SparseTensors of one
    shape, over the union of their indices (a missing value counts as zero)."""
    return _elementwise_sparse("SparseSparseMinimum", math.minimum, sp_a, sp_b, name)


def sparse_tensor_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None):
    """`tf.sparse.sparse_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None)` (also
    `tf.sparse_tensor_dense_matmul`, `tf.sparse.matmul`): the dense product of a rank-2 SparseTensor and a
    dense matrix. Differentiable with respect to `sp_a.values` and `b`."""
    sp_a = _as_sparse(sp_a, "sp_a")
    with name_scope(name, "SparseTensorDenseMatMul", [sp_a.indices, sp_a.values, b]):
        b = convert_to_tensor(b, name="b")
        if b.dtype is not sp_a.dtype:
            raise TypeError("Input 'b' of 'SparseTensorDenseMatMul' Op has type %s that does not match type %s "
                            "of argument 'a_values'." % (b.dtype.name, sp_a.dtype.name))
        b.shape.with_rank(2)
        if sp_a.indices.shape[1].value not in (None, 2):
            raise ValueError("Shape must be rank 2 but is rank %d for 'SparseTensorDenseMatMul'"
                             % sp_a.indices.shape[1].value)
        rows, columns = (1, 0) if adjoint_a else (0, 1)
        if adjoint_b:
            b = array.transpose(b)
        out_rows = sp_a.dense_shape[rows]
        picked = array.gather(b, sp_a.indices[:, columns])
        products = array.expand_dims(sp_a.values, 1) * picked
        return segment_ops.unsorted_segment_sum(products, sp_a.indices[:, rows], out_rows)


def sparse_reduce_sum(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None):
    """`tf.sparse.reduce_sum(sp_input, axis=None, keepdims=None)`: the dense sum of a SparseTensor over
    `axis` (all axes by default); missing values count as zero."""
    sp_input = _as_sparse(sp_input)
    axis = reduction_axes if axis is None else axis
    keepdims = bool(keep_dims if keepdims is None else keepdims)
    with name_scope(None, "SparseReduceSum", [sp_input.values]):
        dense = sparse_tensor_to_dense(sp_input, validate_indices=False)
        return math.reduce_sum(dense, axis=axis, keepdims=keepdims)


def sparse_reduce_sum_sparse(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None):
    """`tf.sparse.reduce_sum_sparse(...)`: sparse_reduce_sum as a SparseTensor holding the cells reduced
    from at least one stored value."""
    with name_scope(None, "SparseReduceSumSparse", [sp_input.values]):
        sp_input = _as_sparse(sp_input)
        total = sparse_reduce_sum(sp_input, axis, keepdims, reduction_axes, keep_dims)
        axis = reduction_axes if axis is None else axis
        return _dense_where(total, _any_stored(sp_input, axis, bool(keep_dims if keepdims is None else keepdims)))


def _dense_where(dense, present):
    """The SparseTensor of `dense` at the coordinates where `present` is True (row-major order)."""
    # A flat boolean mask keeps where()'s row-major order and also serves a 0-D tensor.
    values = array.boolean_mask(array.reshape(dense, [-1]), array.reshape(present, [-1]))
    return SparseTensor(math.where(present), values, array.shape(dense, out_type=dtypes.int64))


def _any_stored(sp_input, axis, keepdims):
    """Which cells of a reduction over `axis` are reduced from at least one stored value."""
    stored = SparseTensor(sp_input.indices, array.ones_like(sp_input.values, dtype=dtypes.bool), sp_input.dense_shape)
    return math.reduce_any(sparse_tensor_to_dense(stored, default_value=False, validate_indices=False),
                           axis=axis, keepdims=keepdims)


def _reduce_max_parts(sp_input, axis, keepdims, reduction_axes, keep_dims):
    """The maximum over the stored values only (TF's rule: implicit zeros take no part), and a mask of
    the output cells that have any stored value (the others are 0)."""
    sp_input = _as_sparse(sp_input)
    axis = reduction_axes if axis is None else axis
    keepdims = bool(keep_dims if keepdims is None else keepdims)
    lowest = sp_input.dtype.min if hasattr(sp_input.dtype, "min") else -np.inf
    dense = sparse_tensor_to_dense(sp_input, default_value=lowest, validate_indices=False)
    present = _any_stored(sp_input, axis, keepdims)
    peak = math.reduce_max(dense, axis=axis, keepdims=keepdims)
    return math.where(present, peak, array.zeros_like(peak)), present


def sparse_reduce_max(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None):
    """`tf.sparse.reduce_max(sp_input, axis=None, keepdims=None)`: the dense maximum of a SparseTensor's
    stored values over `axis` (all by default). Unlike a dense max, missing values take no part: a
    cell reduced from stored values only takes their maximum (even if negative); one with none is 0."""
    with name_scope(None, "SparseReduceMax", [sp_input.values]):
        return _reduce_max_parts(sp_input, axis, keepdims, reduction_axes, keep_dims)[0]


def sparse_reduce_max_sparse(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None):
    """`tf.sparse.reduce_max_sparse(...)`: sparse_reduce_max as a SparseTensor holding only the cells
    reduced from at least one stored value."""
    with name_scope(None, "SparseReduceMaxSparse", [sp_input.values]):
        return _dense_where(*_reduce_max_parts(sp_input, axis, keepdims, reduction_axes, keep_dims))


def sparse_reset_shape(sp_input, new_shape=None):
    """`tf.sparse.reset_shape(sp_input, new_shape=None)`: the same values with dense shape `new_shape`,
    which must be at least the old one in every dimension; by default the tightest shape holding the
    indices (max index + 1 per dimension)."""
    sp_input = _as_sparse(sp_input)
    with name_scope(None, "SparseResetShape", [sp_input.indices]):
        if new_shape is None:
            tightest = math.reduce_max(sp_input.indices, axis=0) + 1
            return SparseTensor(sp_input.indices, sp_input.values, math.maximum(tightest, 0 * tightest))
        new_shape = convert_to_tensor(new_shape, dtype=dtypes.int64, name="new_shape")
        new_shape.shape.assert_is_compatible_with(sp_input.dense_shape.shape)
        old_value = sp_input.shape
        new_value = new_shape.op.attrs["value"] if new_shape.op.type == "Const" else None
        if old_value.is_fully_defined() and new_value is not None:
            if np.any(np.asarray(new_value) < np.asarray(old_value.as_list())):
                raise ValueError("Requested new_shape should have dimension sizes >= sp_input.shape.  Found "
                                 "new_shape (%s), sp_input.shape (%s)." % (list(new_value), old_value.as_list()))
            return SparseTensor(sp_input.indices, sp_input.values, new_shape)
        from ..framework.graph import control_dependencies
        from .debug import Assert
        check = Assert(math.reduce_all(new_shape >= sp_input.dense_shape),
                       ["Requested new_shape should have dimension sizes >= sp_input.shape: ", new_shape,
                        sp_input.dense_shape])
        with control_dependencies([check]):
            new_shape = control.identity(new_shape)
        return SparseTensor(sp_input.indices, sp_input.values, new_shape)


def sparse_matmul(a, b, transpose_a=False, transpose_b=False, a_is_sparse=False, b_is_sparse=False, name=None):
    """`tf.sparse_matmul(a, b, transpose_a=False, transpose_b=False, a_is_sparse=False,
    b_is_sparse=False, name=None)`: the dense product a @ b; the *_is_sparse flags are only hints to TF's
    kernel choice and change nothing here."""
    return math.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b, name=name or "SparseMatMul")


def sparse_merge(sp_ids, sp_values, vocab_size, name=None, already_sorted=False):
    """`tf.sparse_merge(sp_ids, sp_values, vocab_size, name=None, already_sorted=False)`: the SparseTensor
    whose last dimension is indexed by the ids: value `sp_values.values[k]` lands at
    [`sp_ids.indices[k, :-1]`, `sp_ids.values[k]`] of a tensor with last dimension `vocab_size`. Lists of
    sp_ids and vocab sizes add one dimension each. Reordered to row-major order unless `already_sorted`."""
    ids_list = list(sp_ids) if isinstance(sp_ids, (list, tuple)) else [sp_ids]
    sizes = list(vocab_size) if isinstance(vocab_size, (list, tuple)) else [vocab_size]
    if len(ids_list) != len(sizes):
        raise ValueError("sp_ids and vocab_size have to have equal lengths.")
    ids_list = [_as_sparse(ids, "sp_ids") for ids in ids_list]
    sp_values = _as_sparse(sp_values, "sp_values")
    with name_scope(name, "SparseMerge", [ids.values for ids in ids_list] + [sp_values.values]):
        for ids in ids_list:
            if not ids.dtype.is_integer:
                raise TypeError("sp_ids.values.dtype=%s is not an integer type" % ids.dtype.name)
        columns = [array.expand_dims(math.cast(ids.values, dtypes.int64), 1) for ids in ids_list]
        indices = array.concat([ids_list[0].indices[:, :-1]] + columns, 1)
        sizes = [array.reshape(math.cast(size, dtypes.int64), [1]) for size in sizes]
        dense_shape = array.concat([ids_list[0].dense_shape[:-1]] + sizes, 0)
        if already_sorted:
            return SparseTensor(indices, sp_values.values, dense_shape)
        indices, values = _reorder_parts(indices, sp_values.values, dense_shape)
        return SparseTensor(indices, values, dense_shape)


class SparseTensorSpec:
    """`tf.SparseTensorSpec(shape=None, dtype=tf.float32)`: the type of a SparseTensor (its dense shape,
    possibly partly unknown, and the dtype of its values)."""

    def __init__(self, shape=None, dtype=dtypes.float32):
        self._shape = TensorShape(shape)
        self._dtype = dtypes.as_dtype(dtype)

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def value_type(self):
        return SparseTensor

    @classmethod
    def from_value(cls, value):
        """The spec of a SparseTensor or SparseTensorValue."""
        if isinstance(value, SparseTensorValue):
            return cls(np.asarray(value.dense_shape).tolist(), dtypes.as_dtype(np.asarray(value.values).dtype))
        value = _as_sparse(value, "value")
        return cls(value.shape, value.dtype)

    def is_compatible_with(self, spec_or_value):
        """True when `spec_or_value` (a spec or a sparse value) has this dtype and a compatible shape."""
        other = spec_or_value if isinstance(spec_or_value, SparseTensorSpec) else \
            SparseTensorSpec.from_value(spec_or_value)
        return self._dtype is other.dtype and self._shape.is_compatible_with(other.shape)

    def __eq__(self, other):
        return isinstance(other, SparseTensorSpec) and self._dtype is other.dtype and \
            self._shape.as_list() == other.shape.as_list() if self._shape.ndims is not None else \
            isinstance(other, SparseTensorSpec) and self._dtype is other.dtype and other.shape.ndims is None

    def __hash__(self):
        return hash((self._dtype, None if self._shape.ndims is None else tuple(self._shape.as_list())))

    def __repr__(self):
        return "SparseTensorSpec(TensorShape(%s), tf.%s)" % (
            None if self._shape.ndims is None else self._shape.as_list(), self._dtype.name)


def sparse_softmax(sp_input, name=None):
    """`tf.sparse.softmax(sp_input, name=None)`: softmax over the stored values of each innermost row
    (all coordinates but the last equal); missing values take no part and stay missing."""
    sp_input = _as_sparse(sp_input)
    with name_scope(name, "SparseSoftmax", [sp_input.values]):
        if not sp_input.dtype.is_floating:
            raise TypeError("Value passed to parameter 'sp_values' has DataType %s not in list of allowed "
                            "values: float32, float64" % sp_input.dtype.name)
        groups, count = _index_op("SparseRowGroups", [sp_input.indices, sp_input.dense_shape])
        peaks = array.gather(segment_ops.unsorted_segment_max(sp_input.values, groups, count), groups)
        exps = math.exp(sp_input.values - control.stop_gradient(peaks))
        totals = array.gather(segment_ops.unsorted_segment_sum(exps, groups, count), groups)
        return SparseTensor(sp_input.indices, exps / totals, sp_input.dense_shape)


def sparse_fill_empty_rows(sp_input, default_value, name=None):
    """`tf.sparse.fill_empty_rows(sp_input, default_value, name=None)`: adds `default_value` at
    [row, 0, ...] for every row with no value. Returns (the SparseTensor, a bool [rows] vector marking the
    rows that were empty)."""
    sp_input = _as_sparse(sp_input)
    with name_scope(name, "SparseFillEmptyRows", [sp_input.values]):
        default_value = convert_to_tensor(default_value, dtype=sp_input.dtype, name="default_value")
        default_value.shape.with_rank(0)
        indices, sources, empty, _ = _index_op("SparseFillEmptyRowsMap",
                                               [sp_input.indices, sp_input.dense_shape])
        picked = array.gather(sp_input.values, math.maximum(sources, 0))
        values = math.where(sources >= 0, picked, array.fill(array.shape(picked), default_value))
        return SparseTensor(indices, values, sp_input.dense_shape), empty


def sparse_to_indicator(sp_input, vocab_size, name=None):
    """`tf.sparse.to_indicator(sp_input, vocab_size, name=None)`: a dense bool tensor of shape
    dense_shape[:-1] + [vocab_size], True at [..., id] for every id stored in the last dimension."""
    sp_input = _as_sparse(sp_input)
    with name_scope(name, "SparseToIndicator", [sp_input.values]):
        if not sp_input.dtype.is_integer:
            raise TypeError("sp_input.values must be int32 or int64, got %s" % sp_input.dtype.name)
        ids = array.expand_dims(math.cast(sp_input.values, dtypes.int64), 1)
        indices = array.concat([sp_input.indices[:, :-1], ids], 1)
        vocab = array.reshape(math.cast(vocab_size, dtypes.int64), [1])
        dense_shape = array.concat([sp_input.dense_shape[:-1], vocab], 0)
        ones = array.ones_like(sp_input.values, dtype=dtypes.bool)
        indicator = SparseTensor(indices, ones, dense_shape)
        return sparse_tensor_to_dense(indicator, default_value=False, validate_indices=False)


def from_dense(tensor, name=None):
    """`tf.sparse.from_dense(tensor, name=None)`: the SparseTensor of a dense tensor's nonzero
    (non-empty, for strings) elements."""
    with name_scope(name, "dense_to_sparse", [tensor]):
        tensor = convert_to_tensor(tensor, name="tensor")
        zero = b"" if tensor.dtype is dtypes.string else 0
        return _dense_where(tensor, math.not_equal(tensor, convert_to_tensor(zero, dtype=tensor.dtype)))


def sparse_eye(num_rows, num_columns=None, dtype=dtypes.float32, name=None):
    """`tf.sparse.eye(num_rows, num_columns=None, dtype=tf.float32, name=None)`: the [num_rows,
    num_columns] SparseTensor with ones on its main diagonal."""
    with name_scope(name, "eye", [num_rows, num_columns]):
        num_rows = math.cast(num_rows, dtypes.int64)
        num_columns = num_rows if num_columns is None else math.cast(num_columns, dtypes.int64)
        diagonal = array.range(math.minimum(num_rows, num_columns))
        return SparseTensor(array.stack([diagonal, diagonal], 1), array.ones_like(diagonal, dtype=dtype),
                            array.stack([num_rows, num_columns]))


def sparse_expand_dims(sp_input, axis=None, name=None):
    """`tf.sparse.expand_dims(sp_input, axis=None, name=None)`: a dimension of size 1 inserted at `axis`
    (negative counts from the end, -1 appends)."""
    sp_input = _as_sparse(sp_input)
    with name_scope(name, "expand_dims", [sp_input.indices]):
        rank = array.size(sp_input.dense_shape, out_type=dtypes.int64)
        axis = convert_to_tensor(0 if axis is None else axis, dtype=dtypes.int64, name="axis")
        axis = math.where(axis < 0, axis + rank + 1, axis)
        column = array.zeros_like(sp_input.indices[:, :1])
        indices = array.concat([sp_input.indices[:, :axis], column, sp_input.indices[:, axis:]], 1)
        one = np.array([1], dtype=np.int64)
        dense_shape = array.concat([sp_input.dense_shape[:axis], one, sp_input.dense_shape[axis:]], 0)
        return SparseTensor(indices, sp_input.values, dense_shape)


def sparse_mask(a, mask_indices, name=None):
    """`tf.sparse.mask(a, mask_indices, name=None)`: the IndexedSlices `a` without the slices whose index
    is in `mask_indices`."""
    with name_scope(name, "sparse_mask", [a.indices, mask_indices]):
        indices = convert_to_tensor(a.indices)
        mask_indices = convert_to_tensor(mask_indices, dtype=indices.dtype)
        hits = math.equal(array.expand_dims(indices, 1), array.expand_dims(mask_indices, 0))
        keep = math.logical_not(math.reduce_any(hits, axis=1))
        return IndexedSlices(array.boolean_mask(a.values, keep), array.boolean_mask(indices, keep),
                             a.dense_shape)


# --- sparse segment reductions -------------------------------------------------------------------
def _sparse_segment(data, indices, segment_ids, num_segments, name, default_name, normalize):
    with name_scope(name, default_name, [data, indices, segment_ids]):
        rows = array.gather(data, indices)
        if num_segments is None:
            totals = segment_ops.segment_sum(rows, segment_ids)
            counts = segment_ops.segment_sum(array.ones_like(segment_ids, dtype=rows.dtype), segment_ids)
        else:
            totals = segment_ops.unsorted_segment_sum(rows, segment_ids, num_segments)
            counts = segment_ops.unsorted_segment_sum(array.ones_like(segment_ids, dtype=rows.dtype),
                                                      segment_ids, num_segments)
        if normalize is None:
            return totals
        scale = normalize(math.maximum(counts, array.ones_like(counts)))
        scale = array.reshape(scale, array.concat([array.shape(scale), array.ones_like(array.shape(rows)[1:])], 0))
        return totals / scale


def sparse_segment_sum(data, indices, segment_ids, name=None, num_segments=None):
    """`tf.sparse.segment_sum(data, indices, segment_ids, name=None, num_segments=None)`: the sums of the
    rows data[indices] grouped by the (sorted) `segment_ids`."""
    return _sparse_segment(data, indices, segment_ids, num_segments, name, "SparseSegmentSum", None)


def sparse_segment_mean(data, indices, segment_ids, name=None, num_segments=None):
    """`tf.sparse.segment_mean(...)`: the means of the rows data[indices] grouped by `segment_ids`
    (an empty segment is zero)."""
    return _sparse_segment(data, indices, segment_ids, num_segments, name, "SparseSegmentMean", lambda n: n)


def sparse_segment_sqrt_n(data, indices, segment_ids, name=None, num_segments=None):
    """`tf.sparse.segment_sqrt_n(...)`: the sums of the rows data[indices] grouped by `segment_ids`,
    each divided by the square root of its segment's size."""
    return _sparse_segment(data, indices, segment_ids, num_segments, name, "SparseSegmentSqrtN", math.sqrt)


# --- conversions ----------------------------------------------------------------------------------
def convert_to_tensor_or_sparse_tensor(value, dtype=None, name=None):
    """`tf.convert_to_tensor_or_sparse_tensor(value, dtype=None, name=None)`: a SparseTensor (or
    SparseTensorValue) as a SparseTensor, anything else as a Tensor."""
    if isinstance(value, SparseTensorValue):
        value = SparseTensor.from_value(value)
    if isinstance(value, SparseTensor):
        if dtype is not None and dtypes.as_dtype(dtype) is not value.dtype:
            raise ValueError("Sparse dtype: requested = %s, actual = %s" % (dtypes.as_dtype(dtype).name,
                                                                           value.dtype.name))
        return value
    return convert_to_tensor(value, dtype=dtype, name=name)


def convert_to_tensor_or_indexed_slices(value, dtype=None, name=None):
    """`tf.convert_to_tensor_or_indexed_slices(value, dtype=None, name=None)`: IndexedSlices (and
    SparseTensors) pass through, anything else becomes a Tensor."""
    if isinstance(value, (IndexedSlices, SparseTensor)):
        if dtype is not None and dtypes.as_dtype(dtype) is not value.dtype:
            raise ValueError("Tensor conversion requested dtype %s for Tensor with dtype %s: %r"
                             % (dtypes.as_dtype(dtype).name, value.dtype.name, value))
        return value
    return convert_to_tensor(value, dtype=dtype, name=name)


__all__ = ["IndexedSlices", "sparse_reorder", "sparse_retain", "sparse_transpose", "sparse_reshape",
           "sparse_slice", "sparse_split", "sparse_concat", "sparse_add", "sparse_maximum", "sparse_minimum",
           "sparse_tensor_dense_matmul", "sparse_reduce_sum", "sparse_reduce_sum_sparse", "sparse_reduce_max",
           "sparse_reduce_max_sparse", "sparse_reset_shape", "sparse_matmul", "sparse_merge", "SparseTensorSpec",
           "serialize_sparse", "serialize_many_sparse", "deserialize_many_sparse", "sparse_softmax",
           "sparse_fill_empty_rows", "sparse_to_indicator", "sparse_mask", "sparse_segment_sum",
           "sparse_segment_mean", "sparse_segment_sqrt_n", "convert_to_tensor_or_sparse_tensor",
           "convert_to_tensor_or_indexed_slices"]
