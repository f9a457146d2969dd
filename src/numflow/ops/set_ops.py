"""Set operations on the last dimension of dense tensors and SparseTensors (`tf.sets`).

Every position of the leading dimensions (a "group") holds a set: the values along the last dimension of a
dense tensor, or the values a SparseTensor stores under that index prefix; duplicates count once. The
result of `intersection`, `union` and `difference` is a SparseTensor of the same rank whose last
dimension lists each group's result set in ascending order (strings by their bytes), with dense_shape
[leading dims..., largest result set]. `size` counts the elements of each set of a SparseTensor.

The TF op types are kept: DenseToDenseSetOperation, DenseToSparseSetOperation,
SparseToSparseSetOperation and SetSize. None has a gradient (TF's are NotDifferentiable).
"""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.sparse_tensor import SparseTensor, SparseTensorValue
from ..framework.tensor_shape import TensorShape, format_shape
from .common import make_op

__all__ = ["set_size", "set_intersection", "set_union", "set_difference"]

SET_DTYPES = frozenset([dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64, dtypes.uint8, dtypes.uint16,
                        dtypes.string])
_OPERATIONS = ("intersection", "union", "a-b", "b-a")


def _invalid(op, message):
    return errors.InvalidArgumentError(None, op, message)


# --- reading sets out of input values ------------------------------------------------------------
def _dense_groups(values):
    """{group index tuple: set of values} for every position of a dense value's leading dimensions."""
    values = np.asarray(values)
    rows = values.reshape(-1, values.shape[-1]).tolist()
    return dict(zip(np.ndindex(*values.shape[:-1]), map(set, rows))), values.shape[:-1]


def _check_sparse_indices(op, indices, dense_shape):
    """TF's validate_indices: in bounds, strictly increasing in row-major order (so no repeats)."""
    if indices.size == 0:
        return
    bad = np.nonzero(np.any((indices < 0) | (indices >= dense_shape), axis=1))[0]
    if bad.size:
        i = int(bad[0])
        raise _invalid(op, "indices[%d] = [%s] is out of bounds: need 0 <= index < [%s]"
                       % (i, ",".join(map(str, indices[i])), ",".join(map(str, dense_shape))))
    for i in range(1, len(indices)):
        previous, current = tuple(indices[i - 1]), tuple(indices[i])
        if current == previous:
            raise _invalid(op, "indices[%d] = [%s] is repeated" % (i, ",".join(map(str, current))))
        if current < previous:
            raise _invalid(op, "indices[%d] = [%s] is out of order. Many sparse ops require sorted indices. "
                           "Use `tf.sparse.reorder` to create a correctly ordered copy."
                           % (i, ",".join(map(str, current))))


def _sparse_groups(op, indices, values, dense_shape, validate):
    """{group index tuple: set of values} of a SparseTensor value, and its group shape (dense_shape[:-1])."""
    indices = np.asarray(indices, dtype=np.int64).reshape(-1, np.size(dense_shape))
    dense_shape = np.asarray(dense_shape, dtype=np.int64)
    if dense_shape.size < 2:
        raise _invalid(op, "Invalid rank %d." % dense_shape.size)
    if validate:
        _check_sparse_indices(op, indices, dense_shape)
    groups = {}
    for prefix, value in zip(map(tuple, indices[:, :-1].tolist()), np.asarray(values).tolist()):
        groups.setdefault(prefix, set()).add(value)
    return groups, tuple(int(d) for d in dense_shape[:-1])


def _check_group_shapes(op, first, second):
    if tuple(first) != tuple(second):
        raise _invalid(op, "Mismatched shapes [%s] vs [%s]" % (",".join(map(str, first)), ",".join(map(str, second))))


_COMBINE = {
    "intersection": lambda a, b: a & b,
    "union": lambda a, b: a | b,
    "a-b": lambda a, b: a - b,
    "b-a": lambda a, b: b - a,
}


def _sparse_result(groups_a, groups_b, group_shape, operation, np_dtype):
    """The SparseTensor value (indices, values, dense_shape) of `operation` applied group by group."""
    combine = _COMBINE[operation]
    empty = frozenset()
    indices, values, widest = [], [], 0
    for group in sorted(set(groups_a) | set(groups_b)):
        result = sorted(combine(groups_a.get(group, empty), groups_b.get(group, empty)))
        widest = max(widest, len(result))
        indices.extend(group + (position,) for position in range(len(result)))
        values.extend(result)
    rank = len(group_shape) + 1
    index_array = np.array(indices, dtype=np.int64).reshape(-1, rank)
    value_array = np.empty(len(values), dtype=object) if np_dtype == object else np.array(values, dtype=np_dtype)
    if np_dtype == object:
        value_array[:] = values
    return index_array, value_array, np.array(list(group_shape) + [widest], dtype=np.int64)


# --- the ops -------------------------------------------------------------------------------------
class _SetOperation(OpDef):
    """Outputs (result_indices int64 [N, rank], result_values [N], result_shape int64 [rank])."""

    differentiable = False

    def _result(self, op, values_dtype, rank):
        return [(dtypes.int64, TensorShape([None, rank])), (values_dtype, TensorShape([None])),
                (dtypes.int64, TensorShape([rank]))]


def _dense_rank(tensor):
    """The static rank of a dense set input (None if unknown); ValueError below rank 2, as in TF."""
    rank = tensor.shape.ndims
    if rank is not None and rank < 2:
        raise ValueError("Shape must be at least rank 2 but is rank %d for '%s' with input shape %s."
                         % (rank, tensor.name, format_shape(tensor.shape)))
    return rank


@register
class DenseToDenseSetOperation(_SetOperation):
    """Set operation between the last dimensions of two dense tensors with equal leading dimensions."""

    def infer(self, op):
        a, b = op.inputs
        rank_a, rank_b = _dense_rank(a), _dense_rank(b)
        if rank_a is not None and rank_b is not None:
            if rank_a != rank_b:
                raise ValueError("Shape must be rank %d but is rank %d: set inputs %s and %s"
                                 % (rank_a, rank_b, format_shape(a.shape), format_shape(b.shape)))
            for axis, (da, db) in enumerate(zip(list(a.shape)[:-1], list(b.shape)[:-1])):
                if da.value is not None and db.value is not None and da.value != db.value:
                    raise ValueError("Dimension %d in both shapes must be equal, but are %d and %d. Shapes are "
                                     "%s and %s." % (axis, da.value, db.value, format_shape(a.shape),
                                                     format_shape(b.shape)))
        return self._result(op, a.dtype, rank_a if rank_a is not None else rank_b)

    def kernel(self, op, ctx):
        operation, np_dtype = op.attrs["set_operation"], op.inputs[0].dtype.np

        def dense_to_dense(a, b):
            groups_a, shape_a = _dense_groups(a)
            groups_b, shape_b = _dense_groups(b)
            _check_group_shapes(op, shape_a, shape_b)
            return _sparse_result(groups_a, groups_b, shape_a, operation, np_dtype)
        return dense_to_dense


@register
class DenseToSparseSetOperation(_SetOperation):
    """Set operation between a dense tensor's last dimension and a SparseTensor's (indices, values,
    dense_shape), grouped by the leading dimensions of both."""

    def infer(self, op):
        a, indices, values, _ = op.inputs
        rank = _dense_rank(a)
        sparse_rank = indices.shape[1].value if indices.shape.ndims == 2 else None
        if rank is not None and sparse_rank is not None and rank != sparse_rank:
            raise ValueError("Dimension must be %d but is %d: the dense set input has shape %s, the sparse one "
                             "rank %d" % (rank, sparse_rank, format_shape(a.shape), sparse_rank))
        return self._result(op, a.dtype, rank if rank is not None else sparse_rank)

    def kernel(self, op, ctx):
        operation, validate = op.attrs["set_operation"], op.attrs["validate_indices"]
        np_dtype = op.inputs[0].dtype.np

        def dense_to_sparse(a, indices, values, dense_shape):
            groups_a, shape_a = _dense_groups(a)
            groups_b, shape_b = _sparse_groups(op, indices, values, dense_shape, validate)
            _check_group_shapes(op, shape_a, shape_b)
            return _sparse_result(groups_a, groups_b, shape_a, operation, np_dtype)
        return dense_to_sparse


@register
class SparseToSparseSetOperation(_SetOperation):
    """Set operation between two SparseTensors' last dimensions. The group shape is the larger of the two
    where their leading dense_shapes differ in size but not in rank, as in TF."""

    def infer(self, op):
        indices_a, values_a, _, indices_b, _, _ = op.inputs
        ranks = [t.shape[1].value for t in (indices_a, indices_b) if t.shape.ndims == 2]
        ranks = [r for r in ranks if r is not None]
        if len(ranks) == 2 and ranks[0] != ranks[1]:
            raise ValueError("Dimension must be %d but is %d: sparse set inputs of different ranks" % tuple(ranks))
        return self._result(op, values_a.dtype, ranks[0] if ranks else None)

    def kernel(self, op, ctx):
        operation, validate = op.attrs["set_operation"], op.attrs["validate_indices"]
        np_dtype = op.inputs[1].dtype.np

        def sparse_to_sparse(indices_a, values_a, shape_a, indices_b, values_b, shape_b):
            groups_a, group_shape_a = _sparse_groups(op, indices_a, values_a, shape_a, validate)
            groups_b, group_shape_b = _sparse_groups(op, indices_b, values_b, shape_b, validate)
            if len(group_shape_a) != len(group_shape_b):
                _check_group_shapes(op, group_shape_a, group_shape_b)
            group_shape = tuple(max(x, y) for x, y in zip(group_shape_a, group_shape_b))
            return _sparse_result(groups_a, groups_b, group_shape, operation, np_dtype)
        return sparse_to_sparse


@register
class SetSize(OpDef):
    """int32 count of the distinct values in each group (dense_shape[:-1]) of a SparseTensor."""

    differentiable = False

    def infer(self, op):
        indices = op.inputs[0]
        rank = indices.shape[1].value if indices.shape.ndims == 2 else None
        return [(dtypes.int32, TensorShape(None if rank is None else [None] * (rank - 1)))]

    def kernel(self, op, ctx):
        validate = op.attrs["validate_indices"]

        def set_size(indices, values, dense_shape):
            groups, group_shape = _sparse_groups(op, indices, values, dense_shape, validate)
            sizes = np.zeros(group_shape, dtype=np.int32)
            for group, members in groups.items():
                sizes[group] = len(members)
            return sizes
        return set_size


# --- public functions ----------------------------------------------------------------------------
def _as_set_input(value, name):
    """A SparseTensor (from a SparseTensor or SparseTensorValue) or a dense Tensor."""
    if isinstance(value, SparseTensorValue):
        return SparseTensor.from_value(value)
    if isinstance(value, SparseTensor):
        return value
    return convert_to_tensor(value, name=name)


def _check_set_dtype(value, name):
    if value.dtype not in SET_DTYPES:
        raise TypeError("'%s' has invalid dtype `%s` not in supported dtypes: `%s`."
                        % (name, value.dtype.name, ", ".join(sorted(d.name for d in SET_DTYPES))))


def set_size(a, validate_indices=True):
    """`tf.sets.size(a, validate_indices=True)`: the number of distinct values in each set of the
    SparseTensor `a` (its last dimension), as an int32 tensor of shape `a.dense_shape[:-1]`.
    `validate_indices` checks that a's indices are in bounds and sorted (InvalidArgumentError if not)."""
    a = _as_set_input(a, "a")
    if not isinstance(a, SparseTensor):
        raise TypeError("Expected `SparseTensor`, got %s." % (a,))
    _check_set_dtype(a.values, "a")
    with name_scope(None, "set_size", [a.indices, a.values, a.dense_shape]):
        return make_op("SetSize", [a.indices, a.values, a.dense_shape],
                       {"validate_indices": bool(validate_indices)}, name="SetSize").outputs[0]


def _set_operation(a, b, operation, validate_indices):
    a, b = _as_set_input(a, "a"), _as_set_input(b, "b")
    _check_set_dtype(a.values if isinstance(a, SparseTensor) else a, "a")
    _check_set_dtype(b.values if isinstance(b, SparseTensor) else b, "b")
    if a.dtype is not b.dtype:
        raise TypeError("Types don't match, %s vs %s." % (a.dtype.name, b.dtype.name))
    if isinstance(a, SparseTensor) and not isinstance(b, SparseTensor):
        # The dense operand goes first, so a difference is taken the other way round.
        a, b = b, a
        operation = {"a-b": "b-a", "b-a": "a-b"}.get(operation, operation)
    attrs = {"set_operation": operation, "validate_indices": bool(validate_indices)}
    if isinstance(a, SparseTensor):
        op_type, inputs = "SparseToSparseSetOperation", [a.indices, a.values, a.dense_shape,
                                                         b.indices, b.values, b.dense_shape]
    elif isinstance(b, SparseTensor):
        op_type, inputs = "DenseToSparseSetOperation", [a, b.indices, b.values, b.dense_shape]
    else:
        op_type, inputs = "DenseToDenseSetOperation", [a, b]
    op = make_op(op_type, inputs, attrs, name=op_type)
    return SparseTensor(*op.outputs)


def set_intersection(a, b, validate_indices=True):
    """`tf.sets.intersection(a, b, validate_indices=True)`: the values in both a's and b's set, per
    group of the leading dimensions. `a`, `b`: Tensors or SparseTensors of one dtype (int8/16/32/64,
    uint8/16 or string), rank >= 2, equal leading dimensions. Returns a SparseTensor whose last dimension
    holds each result set in ascending order."""
    with name_scope(None, "set_intersection"):
        return _set_operation(a, b, "intersection", validate_indices)


def set_union(a, b, validate_indices=True):
    """`tf.sets.union(a, b, validate_indices=True)`: the values in a's or b's set, per group of the
    leading dimensions, as a SparseTensor with each result set sorted ascending (see set_intersection)."""
    with name_scope(None, "set_union"):
        return _set_operation(a, b, "union", validate_indices)


def set_difference(a, b, aminusb=True, validate_indices=True):
    """`tf.sets.difference(a, b, aminusb=True, validate_indices=True)`: per group, the values of a's set
    not in b's (b's not in a's when `aminusb` is False), as a SparseTensor with each result set sorted
    ascending (see set_intersection)."""
    with name_scope(None, "set_difference"):
        return _set_operation(a, b, "a-b" if aminusb else "b-a", validate_indices)

