"""`tf.ragged`: building RaggedTensors and applying ops to their values (graph mode; see ragged_tensor)."""
import builtins

import numpy as np

from ..framework import dtypes
from ..framework.graph import convert_to_tensor, name_scope
from .ragged_tensor import (RaggedTensor, RaggedTensorSpec, RaggedTensorValue, row_splits_to_segment_ids,
                            segment_ids_to_row_splits)

__all__ = ["RaggedTensorValue", "constant", "map_flat_values", "placeholder", "range",
           "row_splits_to_segment_ids", "segment_ids_to_row_splits"]


def _nesting_depth(pylist):
    """The list depth of `pylist`'s scalars, which must be the same for all of them (None when it holds
    no scalar: an empty list fits any depth)."""
    if not isinstance(pylist, (list, tuple)):
        return 0
    depths = {_nesting_depth(item) for item in pylist} - {None}
    if len(depths) > 1:
        raise ValueError("all scalar values must have the same nesting depth")
    return 1 + depths.pop() if depths else None


def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None,
             row_splits_dtype=dtypes.int64):
    """`tf.ragged.constant(pylist, dtype=None, ragged_rank=None, inner_shape=None)`: a RaggedTensor of a
    nested Python list. `ragged_rank` defaults to the nesting depth - 1 - len(inner_shape); the lists
    below the ragged dimensions must be uniform (they form the flat values' inner dimensions)."""
    depth = _nesting_depth(pylist)
    if depth is None:    # only empty lists: one level per list nesting
        depth, probe = 0, pylist
        while isinstance(probe, (list, tuple)):
            depth, probe = depth + 1, probe[0] if probe else None
    if depth == 0:
        raise ValueError("tf.ragged.constant needs a list, got the scalar %r" % (pylist,))
    inner_rank = 0 if inner_shape is None else len(inner_shape)
    if ragged_rank is None:
        ragged_rank = max(depth - 1 - inner_rank, 1 if depth > 1 else 0)
    if not 0 < ragged_rank < max(depth, 2):
        raise ValueError("Invalid pylist=%r: incompatible with ragged_rank=%d" % (pylist, ragged_rank))
    nested_splits = []
    level = list(pylist)
    for _ in builtins.range(ragged_rank):
        splits, flattened = [0], []
        for row in level:
            row = list(row) if isinstance(row, (list, tuple)) else None
            if row is None:
                raise ValueError("Invalid pylist=%r: incompatible with ragged_rank=%d" % (pylist, ragged_rank))
            flattened.extend(row)
            splits.append(len(flattened))
        nested_splits.append(splits)
        level = flattened
    try:
        flat = np.array(level, dtype=None if dtype is None else dtypes.as_dtype(dtype).as_numpy_dtype)
    except ValueError:
        raise ValueError("inner values of %r are not uniform below ragged_rank=%d" % (pylist, ragged_rank)) \
            from None
    if flat.dtype == object:
        raise ValueError("inner values of %r are not uniform below ragged_rank=%d" % (pylist, ragged_rank))
    if inner_shape is not None:
        flat = flat.reshape((-1,) + tuple(inner_shape))
    if not level:
        flat = flat.reshape((0,) + tuple(inner_shape or ()))
    if dtype is None:
        # Python values take TF's default dtypes (int32, float32; float32 when there are none).
        dtype = {"i": dtypes.int32, "u": dtypes.int32, "f": dtypes.float32, "b": dtypes.bool, "U": dtypes.string,
                 "S": dtypes.string, "c": dtypes.complex128}.get(flat.dtype.kind, dtypes.float32) \
            if level else dtypes.float32
    dtype = dtypes.as_dtype(dtype)
    if dtype is dtypes.string:
        flat = np.vectorize(lambda v: v.encode() if isinstance(v, str) else v, otypes=[object])(flat) \
            if flat.size else flat.astype(object)
    else:
        flat = flat.astype(dtype.as_numpy_dtype)
    with name_scope(name, "RaggedConstant"):
        values = convert_to_tensor(flat, dtype=dtype, name="values")
        splits_dtype = dtypes.as_dtype(row_splits_dtype)
        return RaggedTensor.from_nested_row_splits(
            values, [convert_to_tensor(np.array(s, splits_dtype.as_numpy_dtype)) for s in nested_splits],
            validate=False)


def map_flat_values(op, *args, **kwargs):
    """`tf.ragged.map_flat_values(op, *args, **kwargs)`: `op` applied to the flat values of the
    RaggedTensor arguments (anywhere in lists, tuples and dicts), the result given their row partition.
    All RaggedTensor arguments must have the same nested row splits (checked at run time when they are
    not the same tensors: InvalidArgumentError "Inputs must have identical ragged splits")."""
    ragged = []

    def flatten(value):
        if isinstance(value, RaggedTensor):
            ragged.append(value)
            return value.flat_values
        if isinstance(value, dict):
            return type(value)((k, flatten(v)) for k, v in value.items())
        if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
            return type(value)(flatten(v) for v in value)
        return value
    flat_args = flatten(list(args))
    flat_kwargs = flatten(dict(kwargs))
    if not ragged:
        return op(*flat_args, **flat_kwargs)
    first = ragged[0]
    checks = []
    import numflow
    for other in ragged[1:]:
        if other.ragged_rank != first.ragged_rank:
            raise ValueError("All RaggedTensor inputs must have the same ragged_rank, got %d and %d"
                             % (first.ragged_rank, other.ragged_rank))
        for mine, theirs in zip(first.nested_row_splits, other.nested_row_splits):
            if mine is not theirs:
                if mine.shape.is_fully_defined() and theirs.shape.is_fully_defined() and \
                        mine.shape != theirs.shape:
                    raise ValueError("Inputs must have identical ragged splits: row splits of shapes %s and %s"
                                     % (mine.shape, theirs.shape))
                same_length = numflow.equal(numflow.shape(mine)[0], numflow.shape(theirs)[0])
                # Compared elementwise only once the lengths agree (equal shapes needed).
                identical = numflow.cond(same_length, lambda a=mine, b=theirs: numflow.reduce_all(
                    numflow.equal(a, numflow.cast(b, a.dtype))), lambda: numflow.constant(False))
                checks.append(numflow.Assert(identical, ["Inputs must have identical ragged splits"]))
    if checks:
        with numflow.control_dependencies(checks):
            flat_args = [numflow.identity(a) if isinstance(a, numflow.Tensor) else a for a in flat_args]
    return first.with_flat_values(op(*flat_args, **flat_kwargs))


def range(starts, limits=None, deltas=1, dtype=None, name=None, row_splits_dtype=dtypes.int64):  # noqa: A001
    """`tf.ragged.range(starts, limits=None, deltas=1, dtype=None)`: row i is
    range(starts[i], limits[i], deltas[i]); scalars broadcast; with one argument, rows range(0, starts[i])."""
    import numflow
    with name_scope(name, "RaggedRange"):
        if limits is None:
            starts, limits = 0, starts
        limits = convert_to_tensor(limits, dtype=dtype, name="limits")
        dtype = limits.dtype
        starts = convert_to_tensor(starts, dtype=dtype, name="starts")
        deltas = convert_to_tensor(deltas, dtype=dtype, name="deltas")
        for tensor in (starts, limits, deltas):
            if tensor.shape.ndims is not None and tensor.shape.ndims > 1:
                raise ValueError("starts, limits and deltas must be scalars or vectors, got shape %s"
                                 % tensor.shape)
        shape = numflow.broadcast_dynamic_shape(numflow.broadcast_dynamic_shape(
            numflow.shape(starts), numflow.shape(limits)), numflow.shape(deltas))
        shape = numflow.reshape(numflow.reduce_prod(numflow.concat([shape, [1]], 0)), [1])
        starts, limits, deltas = [numflow.broadcast_to(t, shape) for t in (starts, limits, deltas)]
        splits_dtype = dtypes.as_dtype(row_splits_dtype)
        with numflow.control_dependencies([numflow.Assert(numflow.reduce_all(numflow.not_equal(deltas, 0)),
                                                          ["Requires delta != 0"])]):
            span = numflow.cast(limits - starts, dtypes.float64) / numflow.cast(deltas, dtypes.float64)
        lengths = numflow.cast(numflow.maximum(numflow.ceil(span), 0.0), splits_dtype)
        rt = RaggedTensor.from_row_lengths(numflow.zeros([numflow.reduce_sum(lengths)], splits_dtype), lengths,
                                           validate=False)
        rowids = rt.value_rowids()
        within = numflow.range(numflow.shape(rowids, out_type=splits_dtype)[0], dtype=splits_dtype) - \
            numflow.gather(rt.row_splits, rowids)
        values = numflow.gather(starts, rowids) + numflow.cast(within, dtype) * numflow.gather(deltas, rowids)
        return rt.with_values(values)


def placeholder(dtype, ragged_rank, value_shape=None, name=None):
    """`tf.compat.v1.ragged.placeholder(dtype, ragged_rank, value_shape=None)`: a RaggedTensor of
    placeholders (int64 row splits per ragged dimension, flat values of shape [None] + value_shape), fed
    with a RaggedTensorValue."""
    import numflow
    if ragged_rank < 1:
        raise ValueError("ragged_rank must be at least 1, got %r" % (ragged_rank,))
    with name_scope(name, "RaggedPlaceholder"):
        value_shape = [] if value_shape is None else list(numflow.TensorShape(value_shape).as_list())
        flat = numflow.placeholder(dtype, [None] + value_shape, name="flat_values")
        splits = [numflow.placeholder(dtypes.int64, [None], name="row_splits_%d" % i) for i in builtins.range(ragged_rank)]
        return RaggedTensor.from_nested_row_splits(flat, splits, validate=False)
