"""`tf.ragged`: building RaggedTensors and applying ops to their values (graph mode; see ragged_tensor)."""
import builtins

import numpy as np

from ..framework import dtypes
from ..framework.graph import convert_to_tensor, name_scope
from .ragged_tensor import (RaggedTensor, RaggedTensorValue, row_splits_to_segment_ids,  # noqa: F401
                            segment_ids_to_row_splits)

__all__ = ["RaggedTensorValue", "constant", "constant_value", "map_flat_values", "placeholder", "range",
           "row_splits_to_segment_ids", "segment_ids_to_row_splits", "stack"]


def _nesting_depth(pylist):
    """The list depth of `pylist`'s scalars, which must be the same for all of them (None when it holds
    no scalar: an empty list fits any depth)."""
    if not isinstance(pylist, (list, tuple)):
        return 0
    depths = {_nesting_depth(item) for item in pylist} - {None}
    if len(depths) > 1:
        raise ValueError("all scalar values must have the same nesting depth")
    return 1 + depths.pop() if depths else None


def _partition_pylist(pylist, ragged_rank, inner_shape, numpy_dtype, what):
    """(nested row splits as Python lists, flat values as an ndarray) of a nested Python list."""
    depth = _nesting_depth(pylist)
    if depth is None:    # only empty lists: one level per list nesting
        depth, probe = 0, pylist
        while isinstance(probe, (list, tuple)):
            depth, probe = depth + 1, probe[0] if probe else None
    if depth == 0:
        raise ValueError("%s needs a list, got the scalar %r" % (what, pylist))
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
            if not isinstance(row, (list, tuple)):
                raise ValueError("Invalid pylist=%r: incompatible with ragged_rank=%d" % (pylist, ragged_rank))
            flattened.extend(row)
            splits.append(len(flattened))
        nested_splits.append(splits)
        level = flattened
    try:
        flat = np.array(level, dtype=numpy_dtype)
    except ValueError:
        flat = None
    if flat is None or flat.dtype == object and numpy_dtype is None:
        raise ValueError("inner values of %r are not uniform below ragged_rank=%d" % (pylist, ragged_rank))
    if inner_shape is not None:
        flat = flat.reshape((-1,) + tuple(inner_shape))
    if not level:
        flat = flat.reshape((0,) + tuple(inner_shape or ()))
    return nested_splits, flat


def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None,
             row_splits_dtype=dtypes.int64):
    """`tf.ragged.constant(pylist, dtype=None, ragged_rank=None, inner_shape=None)`: a RaggedTensor of a
    nested Python list. `ragged_rank` defaults to the nesting depth - 1 - len(inner_shape); the lists
    below the ragged dimensions must be uniform (they form the flat values' inner dimensions)."""
    numpy_dtype = None if dtype is None or dtypes.as_dtype(dtype) is dtypes.string \
        else dtypes.as_dtype(dtype).as_numpy_dtype
    nested_splits, flat = _partition_pylist(pylist, ragged_rank, inner_shape, numpy_dtype, "tf.ragged.constant")
    if dtype is None:
        # Python values take TF's default dtypes (int32, float32; float32 when there are none).
        dtype = {"i": dtypes.int32, "u": dtypes.int32, "f": dtypes.float32, "b": dtypes.bool, "U": dtypes.string,
                 "S": dtypes.string, "c": dtypes.complex128}.get(flat.dtype.kind, dtypes.float32) \
            if flat.size else dtypes.float32
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


def constant_value(pylist, dtype=None, ragged_rank=None, inner_shape=None, row_splits_dtype="int64"):
    """`tf.compat.v1.ragged.constant_value(pylist, dtype=None, ragged_rank=None, inner_shape=None)`: the
    RaggedTensorValue (NumPy arrays, NumPy's default dtypes) of a nested Python list; no graph ops."""
    numpy_dtype = None if dtype is None else (dtypes.as_dtype(dtype).as_numpy_dtype
                                              if not isinstance(dtype, (str, type, np.dtype)) else np.dtype(dtype))
    nested_splits, flat = _partition_pylist(pylist, ragged_rank, inner_shape, numpy_dtype,
                                            "tf.ragged.constant_value")
    splits_dtype = np.dtype(dtypes.as_dtype(row_splits_dtype).as_numpy_dtype)
    value = flat
    for splits in reversed(nested_splits):
        value = RaggedTensorValue(value, np.array(splits, splits_dtype))
    return value


def stack(values, axis=0, name=None):
    """`tf.ragged.stack(values, axis=0)`: a RaggedTensor whose row i is values[i] (RaggedTensors and
    Tensors; Tensors of rank 2 and more are taken as ragged_rank-1 RaggedTensors). numflow supports
    axis=0 only."""
    import numflow
    if axis != 0:
        raise ValueError("numflow's tf.ragged.stack supports axis=0, got axis=%r" % (axis,))
    values = list(values)
    if not values:
        raise ValueError("tf.ragged.stack needs at least one value")
    with name_scope(name, "RaggedStack"):
        ragged = [v for v in values if isinstance(v, RaggedTensor)]
        target_rank = max([v.ragged_rank for v in ragged], default=0)
        parts = []
        for value in values:
            if not isinstance(value, RaggedTensor):
                value = convert_to_tensor(value)
                if target_rank == 1:
                    value = RaggedTensor.from_tensor(value)
                elif target_rank > 1:
                    raise ValueError("numflow's tf.ragged.stack converts Tensors to ragged_rank 1 only, but the "
                                     "RaggedTensors have ragged_rank %d" % target_rank)
            elif value.ragged_rank != target_rank:
                raise ValueError("All RaggedTensors stacked must have the same ragged_rank, got %d and %d"
                                 % (value.ragged_rank, target_rank))
            parts.append(value)
        splits_dtype = ragged[0].row_splits_dtype if ragged else dtypes.int64
        lengths = numflow.stack([numflow.shape(p.row_splits if isinstance(p, RaggedTensor) else p,
                                               out_type=splits_dtype)[0] - (1 if isinstance(p, RaggedTensor) else 0)
                                 for p in parts])
        return RaggedTensor.from_row_lengths(_concat_rows(parts), lengths, validate=False)


def _concat_rows(parts):
    """The rows of `parts` (Tensors, or RaggedTensors of one ragged_rank) one after another."""
    import numflow
    if not isinstance(parts[0], RaggedTensor):
        return numflow.concat(parts, 0)
    splits, offset = [parts[0].row_splits], parts[0].row_splits[-1]
    for part in parts[1:]:
        splits.append(part.row_splits[1:] + offset)
        offset = offset + part.row_splits[-1]
    return RaggedTensor.from_row_splits(_concat_rows([p.values for p in parts]), numflow.concat(splits, 0),
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
        splits = [numflow.placeholder(dtypes.int64, [None], name="row_splits_%d" % i)
                  for i in builtins.range(ragged_rank)]
        return RaggedTensor.from_nested_row_splits(flat, splits, validate=False)
