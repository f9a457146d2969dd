"""Smaller array ops of TF1's top level: tf.identity_n, tf.ensure_shape, tf.roll, tf.searchsorted,
tf.sort / tf.argsort, tf.unravel_index, tf.setdiff1d, tf.saturate_cast, tf.repeat, tf.unique_with_counts,
tf.where_v2, tf.parallel_stack, tf.broadcast_dynamic_shape, tf.bitcast, tf.timestamp, tf.switch_case."""
import collections
import time

import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, is_tensor_like
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape, as_shape, format_shape
from .common import make_op, make_tensor

__all__ = ["identity_n", "ensure_shape", "roll", "searchsorted", "sort", "argsort", "unravel_index",
           "setdiff1d", "saturate_cast", "repeat", "unique_with_counts", "where_v2", "parallel_stack",
           "broadcast_dynamic_shape", "bitcast", "to_complex64", "to_complex128", "timestamp", "switch_case",
           "batch_gather", "edit_distance", "fingerprint"]


@register
class IdentityN(OpDef):
    """Each input passed through unchanged, as one op (so that one gradient function sees them all)."""

    may_alias_input = True

    def infer(self, op):
        return [(t.dtype, t.shape) for t in op.inputs]

    def kernel(self, op, ctx):
        return lambda *values: tuple(values)

    def grad(self, op, *output_grads):
        return list(output_grads)


def identity_n(input, name=None):  # noqa: A002 - TF's argument name
    """`tf.identity_n(input)`: a list of tensors with the same values as the list `input`."""
    tensors = [convert_to_tensor(t) for t in input]
    return list(make_op("IdentityN", tensors, name=name or "IdentityN").outputs)


@register
class EnsureShape(OpDef):
    """x, after checking at run time that its shape is compatible with the `shape` attribute."""

    may_alias_input = True

    def infer(self, op):
        x = op.inputs[0]
        expected = op.attrs["shape"]
        if not x.shape.is_compatible_with(expected):
            raise ValueError("Shape must be compatible: %s vs %s" % (format_shape(x.shape), format_shape(expected)))
        return [(x.dtype, x.shape.merge_with(expected))]

    def kernel(self, op, ctx):
        expected = op.attrs["shape"]

        def ensure(x):
            if not expected.is_compatible_with(TensorShape(np.shape(x))):
                raise errors.InvalidArgumentError(
                    None, op, "Shape of tensor %s %s is not compatible with expected shape %s."
                    % (op.inputs[0].name, format_shape(TensorShape(np.shape(x))), format_shape(expected)))
            return x
        return ensure

    def grad(self, op, dy):
        return [dy]


def ensure_shape(x, shape, name=None):
    """`tf.ensure_shape(x, shape)`: x, whose shape is checked against `shape` (None dims match any) when
    it runs (InvalidArgumentError) and, where known, when the graph is built (ValueError)."""
    return make_tensor("EnsureShape", [convert_to_tensor(x)], {"shape": as_shape(shape)},
                       name=name or "EnsureShape")


def _static_int_list(value, what):
    value = np.asarray(value)
    if value.dtype.kind not in "iu":
        raise TypeError("%s must be integers, got %s" % (what, value.dtype))
    return [int(v) for v in np.reshape(value, [-1])], value.ndim == 0


@register
class Roll(OpDef):
    """x with its elements shifted circularly by `shift` along `axis` (both static)."""

    def infer(self, op):
        x = op.inputs[0]
        shift, axis = op.attrs["shift"], op.attrs["axis"]
        if len(shift) != len(axis):
            raise ValueError("shift and axis must have the same size, got %d and %d" % (len(shift), len(axis)))
        if x.shape.ndims is not None:
            for a in axis:
                if not -x.shape.ndims <= a < x.shape.ndims:
                    raise ValueError("axis %d is out of range for a tensor of rank %d" % (a, x.shape.ndims))
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        shift, axis = tuple(op.attrs["shift"]), tuple(op.attrs["axis"])
        return lambda x: np.roll(x, shift, axis)

    def grad(self, op, dy):
        return [make_tensor("Roll", [dy], {"shift": [-s for s in op.attrs["shift"]], "axis": op.attrs["axis"]})]


def roll(input, shift, axis, name=None):  # noqa: A002 - TF's argument name
    """`tf.roll(input, shift, axis)`: elements shifted circularly along each axis (Python ints or lists;
    an axis named twice shifts by the sum)."""
    shifts, _ = _static_int_list(shift, "shift")
    axes, _ = _static_int_list(axis, "axis")
    return make_tensor("Roll", [convert_to_tensor(input)], {"shift": shifts, "axis": axes}, name=name or "Roll")


@register
class SearchSorted(OpDef):
    """For each row of `values`, its insertion index into the matching sorted row of `sorted_sequence`."""

    differentiable = False
    host_only = True    # one NumPy searchsorted per row, in a Python loop

    def infer(self, op):
        sequence, values = op.inputs
        if sequence.dtype is not values.dtype:
            raise TypeError("sorted_sequence and values must have one dtype, got %s and %s"
                            % (sequence.dtype.name, values.dtype.name))
        if sequence.shape.ndims is not None and values.shape.ndims is not None:
            if sequence.shape.ndims != values.shape.ndims or \
                    not sequence.shape[:-1].is_compatible_with(values.shape[:-1]):
                raise ValueError("sorted_sequence %s and values %s must agree in all but the last dimension"
                                 % (format_shape(sequence.shape), format_shape(values.shape)))
        return [(op.attrs["out_type"], values.shape)]

    def kernel(self, op, ctx):
        side, out = op.attrs["side"], op.attrs["out_type"].np

        def search(sequence, values):
            if np.shape(sequence)[:-1] != np.shape(values)[:-1]:
                raise errors.InvalidArgumentError(None, op, "Leading dims of sorted_sequence %s and values "
                                                  "%s must match" % (np.shape(sequence), np.shape(values)))
            flat_seq = np.reshape(sequence, (-1, np.shape(sequence)[-1]))
            flat_values = np.reshape(values, (-1, np.shape(values)[-1]))
            rows = [np.searchsorted(s, v, side=side) for s, v in zip(flat_seq, flat_values)]
            return np.reshape(np.array(rows, dtype=out), np.shape(values))
        return search


def searchsorted(sorted_sequence, values, side="left", out_type=dtypes.int32, name=None):
    """`tf.searchsorted(sorted_sequence, values, side='left', out_type=tf.int32)`: where each value
    would be inserted into the innermost (sorted) dimension of `sorted_sequence` to keep it sorted."""
    if side not in ("left", "right"):
        raise ValueError("side must be either 'right' or 'left'.  Saw: %s." % side)
    out_type = dtypes.as_dtype(out_type)
    if out_type not in (dtypes.int32, dtypes.int64):
        raise TypeError("out_type must be int32 or int64, got %s" % out_type.name)
    sequence = convert_to_tensor(sorted_sequence)
    values = convert_to_tensor(values, dtype=sequence.dtype)
    return make_tensor("SearchSorted", [sequence, values], {"side": side, "out_type": out_type},
                       name=name or "searchsorted")


def _sort_indices(values, axis, direction, name):
    """The top_k indices that sort `values` along `axis`, which is moved last and back as top_k needs."""
    from .array import transpose
    from .nn import top_k
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError("Unknown direction: %s" % direction)
    values = convert_to_tensor(values)
    rank = values.shape.ndims
    if rank is None:
        raise ValueError("sort needs a tensor of known rank")
    if not isinstance(axis, int) or not -rank <= axis < rank:
        raise ValueError("axis must be an int in [-%d, %d), got %r" % (rank, rank, axis))
    axis %= rank
    order = list(range(rank))
    order[axis], order[-1] = order[-1], order[axis]
    moved = values if axis == rank - 1 else transpose(values, order)
    keys = moved if direction == "DESCENDING" else _reverse_order(moved)
    size = moved.shape[-1].value
    if size is None:
        from .array import shape as dynamic_shape
        size = dynamic_shape(moved)[-1]
    result = top_k(keys, size)
    restore = (lambda t: t) if axis == rank - 1 else (lambda t: transpose(t, order))
    return result, restore, direction


def _reverse_order(tensor):
    """An order-reversing map that is its own inverse: negation for floats; for integers bitwise NOT,
    as negating the smallest value (or any unsigned one) would overflow."""
    from .bitwise_ops import invert
    from .math import negative
    return invert(tensor) if tensor.dtype.is_integer else negative(tensor)


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """`tf.sort(values, axis=-1, direction='ASCENDING')`: values sorted along `axis` (differentiable:
    each gradient goes back to the element it came from)."""
    result, restore, direction = _sort_indices(values, axis, direction, name)
    sorted_values = result.values if direction == "DESCENDING" else _reverse_order(result.values)
    return restore(sorted_values)


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """`tf.argsort(values, axis=-1, direction='ASCENDING', stable=False)`: the int32 indices that sort
    `values` along `axis` (ties keep their original order)."""
    result, restore, _ = _sort_indices(values, axis, direction, name)
    return restore(result.indices)


@register
class UnravelIndex(OpDef):
    """The coordinates, in an array of shape `dims`, of each flat index."""

    differentiable = False

    def infer(self, op):
        indices, dims = op.inputs
        if indices.dtype is not dims.dtype or indices.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError("indices and dims must both be int32 or both int64, got %s and %s"
                            % (indices.dtype.name, dims.dtype.name))
        if dims.shape.ndims not in (None, 1):
            raise ValueError("dims must be a vector, got shape %s" % format_shape(dims.shape))
        if indices.shape.ndims is not None and indices.shape.ndims > 1:
            raise ValueError("indices must be a scalar or a vector, got shape %s" % format_shape(indices.shape))
        lead = [dims.shape[0].value if dims.shape.ndims else None]
        return [(indices.dtype, TensorShape(lead + list(indices.shape)) if indices.shape.ndims is not None
                 else TensorShape(None))]

    host_inputs = (1,)    # dims: a shape

    def kernel(self, op, ctx):
        xp = ctx.xp

        def unravel(indices, dims):
            size = int(np.prod(dims))
            if np.any((indices < 0) | (indices >= size)):
                raise errors.InvalidArgumentError(None, op, "index out of bounds for array of shape %s"
                                                  % (list(dims),))
            return xp.stack(np.unravel_index(indices, tuple(int(d) for d in dims))).astype(indices.dtype)
        return unravel


def unravel_index(indices, dims, name=None):
    """`tf.unravel_index(indices, dims)`: for flat indices into an array of shape `dims`, their
    coordinates, one row per dimension."""
    indices = convert_to_tensor(indices)
    dims = convert_to_tensor(dims) if is_tensor_like(dims) else convert_to_tensor(dims, dtype=indices.dtype)
    return make_tensor("UnravelIndex", [indices, dims],
                       name=name or "UnravelIndex")


@register
class ListDiff(OpDef):
    """The elements of x not in y, in x's order, and their positions in x."""

    differentiable = False

    def infer(self, op):
        x, y = op.inputs
        if x.dtype is not y.dtype:
            raise TypeError("x and y must have one dtype, got %s and %s" % (x.dtype.name, y.dtype.name))
        for t, what in ((x, "x"), (y, "y")):
            if t.shape.ndims not in (None, 1):
                raise ValueError("%s should be a 1D vector, got shape %s" % (what, format_shape(t.shape)))
        return [(x.dtype, TensorShape([None])), (op.attrs["out_idx"], TensorShape([None]))]

    def kernel(self, op, ctx):
        out_idx = op.attrs["out_idx"].np

        def list_diff(x, y):
            keep = np.flatnonzero(~np.isin(x, y))
            return x[keep], keep.astype(out_idx)
        return list_diff


_ListDiff = collections.namedtuple("ListDiff", ["out", "idx"])


def setdiff1d(x, y, index_dtype=dtypes.int32, name=None):
    """`tf.setdiff1d(x, y, index_dtype=tf.int32)`: (out, idx): the elements of the vector x that are not
    in y, in x's order (duplicates kept), and their positions in x."""
    index_dtype = dtypes.as_dtype(index_dtype)
    if index_dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError("index_dtype must be int32 or int64, got %s" % index_dtype.name)
    x = convert_to_tensor(x)
    y = convert_to_tensor(y, dtype=x.dtype)
    return _ListDiff(*make_op("ListDiff", [x, y], {"out_idx": index_dtype}, name=name or "ListDiff").outputs)


def saturate_cast(value, dtype, name=None):
    """`tf.saturate_cast(value, dtype)`: value cast to dtype, first clipped to dtype's range so that an
    out-of-range value becomes the nearest representable one instead of wrapping."""
    from .math import cast, maximum, minimum
    from ..framework.graph import name_scope
    dtype = dtypes.as_dtype(dtype)
    value = convert_to_tensor(value)
    with name_scope(name or "saturate_cast"):
        if value.dtype.is_integer or value.dtype.is_floating:
            if dtype.is_integer or dtype.is_floating:
                source = np.iinfo(value.dtype.np) if value.dtype.is_integer else np.finfo(value.dtype.np)
                target = np.iinfo(dtype.np) if dtype.is_integer else np.finfo(dtype.np)
                if target.min > source.min:
                    value = maximum(value, convert_to_tensor(np.array(target.min).astype(value.dtype.np)))
                if target.max < source.max:
                    high = np.array(target.max).astype(value.dtype.np)
                    if value.dtype.is_floating and float(high) > float(target.max):
                        # float32(int32 max) rounds up past it: step down to a value that casts safely
                        high = np.nextafter(high, value.dtype.np.type(0))
                    value = minimum(value, convert_to_tensor(high))
        return cast(value, dtype)


def _move_axis_first(tensor, axis, rank):
    from .array import transpose
    if axis == 0:
        return tensor, (lambda t: t)
    order = [axis] + [i for i in range(rank) if i != axis]
    inverse = list(np.argsort(order))
    return transpose(tensor, order), (lambda t: transpose(t, inverse))


@register
class Repeat(OpDef):
    """Each slice of x along `axis` repeated `repeats` times (a scalar, or one count per slice)."""

    def infer(self, op):
        x, repeats = op.inputs
        axis = op.attrs["axis"]
        if repeats.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError("repeats must be int32 or int64, got %s" % repeats.dtype.name)
        if repeats.shape.ndims not in (None, 0, 1):
            raise ValueError("repeats must be a scalar or a vector, got shape %s" % format_shape(repeats.shape))
        if x.shape.ndims is None:
            return [(x.dtype, TensorShape(None))]
        if not -x.shape.ndims <= axis < x.shape.ndims:
            raise ValueError("axis %d is out of range for a tensor of rank %d" % (axis, x.shape.ndims))
        dims = list(x.shape)
        dims[axis] = None
        return [(x.dtype, TensorShape(dims))]

    host_inputs = (1,)    # repeats: counts that size the result

    def kernel(self, op, ctx):
        axis = op.attrs["axis"]
        # NumPy takes the counts as an array; a device module as Python ints.
        counts = (lambda repeats: repeats) if ctx.xp is np else (lambda repeats: repeats.tolist())

        def repeat_(x, repeats):
            if np.ndim(repeats) == 1 and len(repeats) not in (1, np.shape(x)[axis]):
                raise errors.InvalidArgumentError(None, op, "repeats has %d counts for %d slices along axis %d"
                                                  % (len(repeats), np.shape(x)[axis], axis))
            if np.any(repeats < 0):
                raise errors.InvalidArgumentError(None, op, "repeats must be non-negative, got %s" % (repeats,))
            return np.repeat(x, counts(repeats), axis)
        return repeat_

    def grad(self, op, dy):
        from .array import range as tf_range, shape
        from .segment_ops import unsorted_segment_sum
        x, repeats = op.inputs
        axis = op.attrs["axis"] % x.shape.ndims
        count = shape(x, out_type=repeats.dtype)[axis]
        segment_ids = make_tensor("Repeat", [tf_range(count), repeats], {"axis": 0})
        moved, restore = _move_axis_first(dy, axis, x.shape.ndims)
        return [restore(unsorted_segment_sum(moved, segment_ids, count)), None]


def repeat(input, repeats, axis=None, name=None):  # noqa: A002 - TF's argument name
    """`tf.repeat(input, repeats, axis=None)`: input with each slice along `axis` repeated `repeats`
    times; with axis None, input is flattened first (as np.repeat)."""
    from .array import reshape
    x = convert_to_tensor(input)
    if axis is None:
        x, axis = reshape(x, [-1]), 0
    repeats = convert_to_tensor(repeats, dtype=None if is_tensor_like(repeats) else dtypes.int32)
    if x.shape.ndims is None:
        raise ValueError("repeat needs an input of known rank")
    return make_tensor("Repeat", [x, repeats], {"axis": int(axis)},
                       name=name or "Repeat")


@register
class UniqueWithCounts(OpDef):
    """As Unique, with how many times each distinct element occurs."""

    differentiable = False

    def infer(self, op):
        x = op.inputs[0]
        if x.shape.ndims not in (None, 1):
            raise ValueError("unique_with_counts expects a 1-D vector, got shape %s" % format_shape(x.shape))
        out_idx = op.attrs["out_idx"]
        return [(x.dtype, TensorShape([None])), (out_idx, x.shape.merge_with(TensorShape([None]))),
                (out_idx, TensorShape([None]))]

    def kernel(self, op, ctx):
        out_idx, xp = op.attrs["out_idx"].np, ctx.xp

        def unique_counts(x):
            values, first, inverse, counts = np.unique(x, return_index=True, return_inverse=True,
                                                       return_counts=True)
            order = np.argsort(first, kind="stable")   # TF lists values in order of first appearance
            position = np.empty_like(order)
            position[order] = xp.arange(len(order))
            return (values[order], position[inverse.reshape(-1)].astype(out_idx),
                    counts[order].astype(out_idx))
        return unique_counts


_UniqueWithCounts = collections.namedtuple("UniqueWithCounts", ["y", "idx", "count"])


def unique_with_counts(x, out_idx=dtypes.int32, name=None):
    """`tf.unique_with_counts(x, out_idx=tf.int32)`: (y, idx, count): the distinct elements of the
    vector x in order of first appearance, each element's index in y, and each distinct element's count."""
    out_idx = dtypes.as_dtype(out_idx)
    if out_idx not in (dtypes.int32, dtypes.int64):
        raise TypeError("out_idx must be int32 or int64, got %s" % out_idx.name)
    return _UniqueWithCounts(*make_op("UniqueWithCounts", [convert_to_tensor(x)], {"out_idx": out_idx},
                                      name=name or "UniqueWithCounts").outputs)


@register
class SelectV2(OpDef):
    """x where condition, else y, all three broadcast together."""

    def infer(self, op):
        from .common import broadcast_shape, check_same_dtype
        condition, x, y = op.inputs
        if condition.dtype is not dtypes.bool:
            raise TypeError("condition must be bool, got %s" % condition.dtype.name)
        check_same_dtype("SelectV2", x, y, "t", "e")
        return [(x.dtype, broadcast_shape(condition.shape, broadcast_shape(x.shape, y.shape)))]

    def kernel(self, op, ctx):
        dtype, xp = op.outputs[0].dtype.np, ctx.xp
        return lambda condition, x, y: xp.asarray(np.where(condition, x, y), dtype=dtype)

    def grad(self, op, dy):
        from .array import zeros_like
        condition, x, y = op.inputs
        zeros = zeros_like(dy)
        dx = make_tensor("SelectV2", [condition, dy, zeros])
        dz = make_tensor("SelectV2", [condition, zeros, dy])
        return [None, make_tensor("SumToShapeOf", [dx, x]), make_tensor("SumToShapeOf", [dz, y])]


def where_v2(condition, x=None, y=None, name=None):
    """`tf.where_v2(condition, x=None, y=None)`: elements of x where condition is true, else of y, with
    condition, x and y broadcast together; with neither x nor y, the coordinates of the true elements."""
    from .common import binary_inputs
    from .math import where
    if (x is None) != (y is None):
        raise ValueError("x and y must both be non-None or both be None.")
    if x is None:
        return where(condition, name=name)
    x, y = binary_inputs(x, y, "SelectV2", "t", "e")
    return make_tensor("SelectV2", [convert_to_tensor(condition), x, y], name=name or "SelectV2")


def parallel_stack(values, name="parallel_stack"):
    """`tf.parallel_stack(values)`: tf.stack along a new first axis; every value's shape must be fully
    defined when the graph is built (TF copies each into a preallocated output)."""
    from .array import stack
    values = [convert_to_tensor(v) for v in values]
    for value in values:
        if not value.shape.is_fully_defined():
            raise ValueError("parallel_stack needs fully defined shapes, got %s for %s"
                             % (format_shape(value.shape), value.name))
    return stack(values, 0, name=name)


@register
class BroadcastArgs(OpDef):
    """The shape of broadcasting two shapes given as vectors."""

    differentiable = False

    def infer(self, op):
        s0, s1 = op.inputs
        if s0.dtype is not s1.dtype or s0.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError("shapes must both be int32 or both int64, got %s and %s"
                            % (s0.dtype.name, s1.dtype.name))
        lengths = [s.shape[0].value if s.shape.ndims == 1 else None for s in (s0, s1)]
        return [(s0.dtype, TensorShape([max(lengths) if None not in lengths else None]))]

    host_inputs = (0, 1)    # two shapes

    def kernel(self, op, ctx):
        xp = ctx.xp

        def broadcast_args(s0, s1):
            try:
                shape = np.broadcast_shapes(tuple(int(d) for d in s0), tuple(int(d) for d in s1))
            except ValueError:
                raise errors.InvalidArgumentError(None, op, "Incompatible shapes: [%s] vs. [%s]" % (
                    ",".join(str(d) for d in s0), ",".join(str(d) for d in s1))) from None
            return xp.array(shape, dtype=s0.dtype)
        return broadcast_args


def broadcast_dynamic_shape(shape_x, shape_y):
    """`tf.broadcast_dynamic_shape(shape_x, shape_y)`: the 1-D shape tensor of broadcasting two shapes
    given as 1-D integer tensors (InvalidArgumentError at run time when they are incompatible)."""
    shape_x = convert_to_tensor(shape_x)
    shape_y = convert_to_tensor(shape_y) if is_tensor_like(shape_y) else convert_to_tensor(shape_y, shape_x.dtype)
    return make_tensor("BroadcastArgs", [shape_x, shape_y], name="BroadcastArgs")


@register
class Bitcast(OpDef):
    """The bytes of x read as another dtype: the last dimension grows or shrinks by the size ratio."""

    differentiable = False
    may_alias_input = True

    def infer(self, op):
        x, target = op.inputs[0], op.attrs["type"]
        for dtype in (x.dtype, target):
            if dtype is dtypes.string:
                raise TypeError("bitcast does not convert string tensors")
        in_size, out_size = x.dtype.np.itemsize, target.np.itemsize
        if in_size == out_size or x.shape.ndims is None:
            return [(target, x.shape if in_size == out_size else TensorShape(None))]
        if in_size > out_size:
            return [(target, TensorShape(list(x.shape) + [in_size // out_size]))]
        if x.shape.ndims == 0 or x.shape[-1].value not in (None, out_size // in_size):
            raise ValueError("Cannot bitcast from %s to %s: shape %s" % (x.dtype.name, target.name,
                                                                           format_shape(x.shape)))
        return [(target, TensorShape(list(x.shape)[:-1]))]

    def kernel(self, op, ctx):
        target, xp = op.attrs["type"].np, ctx.xp

        def bitcast_(x):
            x = xp.ascontiguousarray(x)
            if x.dtype.itemsize < np.dtype(target).itemsize and x.shape[-1] * x.dtype.itemsize != \
                    np.dtype(target).itemsize:
                raise errors.InvalidArgumentError(None, op, "Cannot bitcast: last dimension %d of %s does "
                                                  "not make one %s" % (x.shape[-1], x.dtype, np.dtype(target)))
            out_shape = x.shape + (x.dtype.itemsize // np.dtype(target).itemsize,) \
                if x.dtype.itemsize > np.dtype(target).itemsize else \
                (x.shape if x.dtype.itemsize == np.dtype(target).itemsize else x.shape[:-1])
            return x.view(target).reshape(out_shape)
        return bitcast_


def bitcast(input, type, name=None):  # noqa: A002 - TF's argument names
    """`tf.bitcast(input, type)`: input's bytes reinterpreted as `type`, without copying. A wider input
    gains a last dimension of size ratio; a narrower one must have the ratio as its last dimension,
    which is removed."""
    return make_tensor("Bitcast", [convert_to_tensor(input)], {"type": dtypes.as_dtype(type)},
                       name=name or "Bitcast")


def to_complex64(x, name="ToComplex64"):
    """`tf.to_complex64(x)`: tf.cast(x, tf.complex64) (deprecated in TF1)."""
    from .math import cast
    return cast(x, dtypes.complex64, name=name)


def to_complex128(x, name="ToComplex128"):
    """`tf.to_complex128(x)`: tf.cast(x, tf.complex128) (deprecated in TF1)."""
    from .math import cast
    return cast(x, dtypes.complex128, name=name)


@register
class Timestamp(OpDef):
    """Seconds since the Unix epoch, as a float64, when the op runs."""

    stateful = True
    differentiable = False
    host_only = True    # reads the host's clock

    def infer(self, op):
        return [(dtypes.float64, TensorShape([]))]

    def kernel(self, op, ctx):
        return lambda: np.float64(time.time())


def timestamp(name=None):
    """`tf.timestamp()`: the float64 time in seconds since the Unix epoch at which the op runs."""
    return make_tensor("Timestamp", [], name=name or "Timestamp")


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """`tf.switch_case(branch_index, branch_fns, default=None)`: the result of `branch_fns[branch_index]`
    (a list of callables or (int, callable) pairs / a dict), or of `default` (the last branch when None)
    for an index none names. Only the chosen branch runs."""
    from ..framework.graph import name_scope
    from .control import cond
    from .math import equal
    if isinstance(branch_fns, dict):
        pairs = sorted(branch_fns.items())
    else:
        pairs = [p if isinstance(p, tuple) else (i, p) for i, p in enumerate(branch_fns)]
    if not pairs:
        raise ValueError("branch_fns must not be empty")
    for key, fn in pairs:
        if not isinstance(key, int) or not callable(fn):
            raise TypeError("branch_fns must map int keys to callables, got %r: %r" % (key, fn))
    if default is None:
        pairs, default = pairs[:-1], pairs[-1][1]
    with name_scope(name):
        index = convert_to_tensor(branch_index, name="branch_index")
        if index.dtype is not dtypes.int32:
            raise TypeError("branch_index must be an int32 scalar, got %s" % index.dtype.name)

        def chain(position):
            if position == len(pairs):
                return default()
            key, fn = pairs[position]
            return cond(equal(index, key), fn, lambda: chain(position + 1))
        return chain(0)


def batch_gather(params, indices, name=None):
    """`tf.batch_gather(params, indices)`: for each batch position (the leading dimensions of `indices`
    but its last, which `params` shares), gathers along params' next dimension: gather with batch_dims
    equal to rank(indices) - 1. Differentiable with respect to params."""
    from ..framework.graph import name_scope
    from .array import gather, reshape, shape
    from .array import range as tf_range
    from .math import cast, reduce_prod
    with name_scope(name or "BatchGather"):
        params, indices = convert_to_tensor(params), convert_to_tensor(indices)
        if indices.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError("indices must be int32 or int64, got %s" % indices.dtype.name)
        batch_rank = indices.shape.ndims
        if batch_rank is None or params.shape.ndims is None:
            raise ValueError("batch_gather needs params and indices of known rank")
        batch_rank -= 1
        if batch_rank < 0 or params.shape.ndims <= batch_rank:
            raise ValueError("batch_gather: indices of rank %d need params of rank > %d, got shape %s"
                             % (batch_rank + 1, batch_rank, format_shape(params.shape)))
        if not params.shape[:batch_rank].is_compatible_with(indices.shape[:batch_rank]):
            raise ValueError("batch_gather: the batch dimensions of params %s and indices %s differ"
                             % (format_shape(params.shape), format_shape(indices.shape)))
        params_shape = shape(params, out_type=indices.dtype)
        batch_size = reduce_prod(params_shape[:batch_rank]) if batch_rank else 1
        rows = params_shape[batch_rank]
        # Each batch position's rows follow the previous position's in the flattened params.
        if batch_rank:
            offsets = reshape(tf_range(batch_size) * rows, _batch_offset_shape(indices, batch_rank))
        else:
            offsets = cast(0, indices.dtype)
        flat_params = reshape(params, _flat_params_shape(params_shape, batch_rank))
        return gather(flat_params, indices + offsets)


def _batch_offset_shape(indices, batch_rank):
    from .array import concat, shape
    return concat([shape(indices, out_type=indices.dtype)[:batch_rank],
                   np.ones([1], indices.dtype.np)], 0)


def _flat_params_shape(params_shape, batch_rank):
    from .array import concat
    return concat([np.array([-1], params_shape.dtype.np), params_shape[batch_rank + 1:]], 0)


@register
class EditDistance(OpDef):
    """Levenshtein distance between the sequences of two SparseTensors, one per position of all
    dimensions but the last."""

    differentiable = False
    host_only = True    # dynamic programming over Python lists of each sequence's values

    def infer(self, op):
        h_indices, h_values, h_shape, t_indices, t_values, t_shape = op.inputs
        if h_values.dtype is not t_values.dtype:
            raise TypeError("hypothesis and truth must have one dtype, got %s and %s"
                            % (h_values.dtype.name, t_values.dtype.name))
        ranks = [t.shape[1].value if t.shape.ndims == 2 else None for t in (h_indices, t_indices)]
        if None not in ranks and ranks[0] != ranks[1]:
            raise ValueError("hypothesis and truth must have the same rank, got %d and %d" % tuple(ranks))
        rank = ranks[0] if ranks[0] is not None else ranks[1]
        return [(dtypes.float32, TensorShape(None) if rank is None else TensorShape([None] * (rank - 1)))]

    def kernel(self, op, ctx):
        normalize = op.attrs["normalize"]

        def sequences(indices, values):
            grouped = collections.defaultdict(list)
            order = np.lexsort(indices.T[::-1]) if len(indices) else np.zeros(0, int)
            for position in order:
                grouped[tuple(int(i) for i in indices[position][:-1])].append(values[position])
            return grouped

        def edit_distance_(h_indices, h_values, h_shape, t_indices, t_values, t_shape):
            if len(h_shape) != len(t_shape):
                raise errors.InvalidArgumentError(None, op, "Expected truth and hypothesis to have matching "
                                                  "ranks, but their shapes are: [%d] and [%d]"
                                                  % (len(t_shape), len(h_shape)))
            out_shape = tuple(int(max(h, t)) for h, t in zip(h_shape[:-1], t_shape[:-1]))
            hypotheses = sequences(h_indices, h_values)
            truths = sequences(t_indices, t_values)
            result = np.zeros(out_shape, np.float32)
            for position in set(hypotheses) | set(truths):
                hypothesis, truth = hypotheses.get(position, []), truths.get(position, [])
                distance = _levenshtein(hypothesis, truth)
                if normalize:
                    distance = distance / len(truth) if truth else (np.inf if hypothesis else 0.0)
                result[position] = distance
            return result
        return edit_distance_


def _levenshtein(first, second):
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i]
        for j, b in enumerate(second, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1]


def edit_distance(hypothesis, truth, normalize=True, name="edit_distance"):
    """`tf.edit_distance(hypothesis, truth, normalize=True)`: the Levenshtein distance between the
    sequences (along the last dimension) of two SparseTensors, as a float32 tensor over the other
    dimensions; normalized by the truth's length (inf for an empty truth and a non-empty hypothesis)."""
    from ..framework.sparse_tensor import SparseTensor
    for value, what in ((hypothesis, "Hypothesis"), (truth, "Truth")):
        if not isinstance(value, SparseTensor):
            raise TypeError("%s must be a SparseTensor." % what)
    inputs = [hypothesis.indices, hypothesis.values, hypothesis.dense_shape,
              truth.indices, truth.values, truth.dense_shape]
    return make_tensor("EditDistance", inputs, {"normalize": bool(normalize)}, name=name)


@register
class Fingerprint(OpDef):
    """An 8-byte FarmHash fingerprint of each row (slice along the first dimension) of data."""

    differentiable = False
    host_only = True    # hashes each row's bytes with a Python FarmHash

    def infer(self, op):
        data = op.inputs[0]
        if data.shape.ndims == 0:
            raise ValueError("data must have rank at least one, got a scalar")
        return [(dtypes.uint8, TensorShape([data.shape[0].value if data.shape.ndims else None, 8]))]

    def kernel(self, op, ctx):
        from .hash_functions import farmhash_fingerprint64

        def as_bytes(value):
            return np.array([value], dtype="<u8").view(np.uint8)

        def fingerprint_(data):
            if np.ndim(data) == 0:
                raise errors.InvalidArgumentError(None, op, "data must have rank at least one, got a scalar")
            rows = np.empty((np.shape(data)[0], 8), np.uint8)
            for index, row in enumerate(data):
                if data.dtype == object:
                    # A row of one string is that string's fingerprint; a longer row fingerprints the
                    # concatenation of its strings' fingerprints (TF's layout).
                    if np.ndim(data) == 1:
                        rows[index] = as_bytes(farmhash_fingerprint64(row))
                        continue
                    row_bytes = b"".join(as_bytes(farmhash_fingerprint64(s)).tobytes()
                                         for s in np.reshape(row, [-1]))
                else:
                    row_bytes = np.ascontiguousarray(row).astype(row.dtype.newbyteorder("<")).tobytes()
                rows[index] = as_bytes(farmhash_fingerprint64(row_bytes))
            return rows
        return fingerprint_


def fingerprint(data, method="farmhash64", name=None):
    """`tf.fingerprint(data, method='farmhash64')`: a uint8 [N, 8] tensor, the FarmHash Fingerprint64
    (little-endian) of each of data's N rows; the same on every platform and run."""
    if method != "farmhash64":
        raise ValueError("Unsupported fingerprint method: %s" % method)
    return make_tensor("Fingerprint", [convert_to_tensor(data)], {"method": method}, name=name or "Fingerprint")
