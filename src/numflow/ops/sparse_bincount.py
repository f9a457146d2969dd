"""`tf.sparse.bincount`: counts (or summed weights) of each non-negative integer value, over all values
(axis=0) or per row (axis=-1), as a SparseTensor holding only the values that occur."""
import numpy as np

from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.sparse_tensor import SparseTensor
from ..framework.tensor_shape import TensorShape
from .common import make_op

__all__ = ["sparse_bincount"]


@register
class SparseBincountRows(OpDef):
    """(row ids, values, weights, rows) -> (indices, counts, dense shape) of the bincount."""

    host_only = True     # builds the sparse result row by row on the host
    differentiable = False

    def infer(self, op):
        _, values, weights, _ = op.inputs
        if not values.dtype.is_integer:
            raise TypeError("bincount values must be integers, got %s" % values.dtype.name)
        per_row = op.attrs["per_row"]
        out_dtype = weights.dtype if op.attrs["weighted"] else values.dtype
        return [(dtypes.int64, TensorShape([None, 2 if per_row else 1])), (out_dtype, TensorShape([None])),
                (dtypes.int64, TensorShape([2 if per_row else 1]))]

    def kernel(self, op, ctx):
        attrs = op.attrs
        per_row, weighted, binary = attrs["per_row"], attrs["weighted"], attrs["binary_output"]
        minlength, maxlength = attrs["minlength"], attrs["maxlength"]
        out_dtype = (op.inputs[2].dtype if weighted else op.inputs[1].dtype).np

        def bincount(row_ids, values, weights, rows):
            values = np.asarray(values).reshape(-1).astype(np.int64)
            row_ids = np.asarray(row_ids).reshape(-1).astype(np.int64)
            weights = np.asarray(weights).reshape(-1) if weighted else np.ones(values.shape)
            if weighted and weights.shape != values.shape:
                raise errors.InvalidArgumentError(None, op, "weights must have the shape of values, got %d and %d "
                                                  "elements" % (weights.size, values.size))
            if np.any(values < 0):
                raise errors.InvalidArgumentError(None, op, "Input arr must be non-negative!")
            size = int(values.max()) + 1 if values.size else 0
            size = max(size, minlength)
            if maxlength >= 0:
                size = min(size, maxlength)
            keep = values < size
            values, row_ids, weights = values[keep], row_ids[keep], weights[keep]
            rows_count = int(rows) if per_row else 1
            counts = np.zeros((rows_count, size), np.float64)
            np.add.at(counts, (row_ids if per_row else np.zeros_like(values), values), weights)
            present = np.zeros((rows_count, size), bool)
            present[row_ids if per_row else np.zeros_like(values), values] = True
            if binary:
                counts = present.astype(np.float64)
            where = np.nonzero(present)
            if per_row:
                indices = np.stack(where, axis=1).astype(np.int64)
                shape = np.array([rows_count, size], np.int64)
            else:
                indices = where[1].astype(np.int64).reshape(-1, 1)
                shape = np.array([size], np.int64)
            return indices.reshape(-1, 2 if per_row else 1), counts[where].astype(out_dtype), shape
        return bincount


def sparse_bincount(values, weights=None, axis=0, minlength=None, maxlength=None, binary_output=False, name=None):
    """`tf.sparse.bincount(values, weights=None, axis=0, minlength=None, maxlength=None,
    binary_output=False)`: a SparseTensor of how often each value occurs (summing `weights` instead of
    counting when given; 1 for present values with binary_output): over all values for axis=0 (shape
    [size]), per row of a 2-D input for axis=-1 (shape [rows, size]); size = max value + 1, at least
    minlength, at most maxlength (larger values are dropped). Values may be dense or a SparseTensor."""
    from .array import expand_dims, range as range_, reshape, shape, tile
    from .math import cast
    if axis not in (0, -1):
        raise ValueError("Unsupported axis value %s. Only 0 and -1 are currently supported." % (axis,))
    with name_scope(name, "count", [values, weights]):
        per_row = axis == -1
        if isinstance(values, SparseTensor):
            flat, rows_of = values.values, values.indices[:, 0]
            rows = values.dense_shape[0]
            weight_values = weights.values if isinstance(weights, SparseTensor) else weights
        else:
            values = convert_to_tensor(values, name="values")
            if per_row and values.shape.ndims not in (None, 2):
                raise ValueError("axis=-1 needs a 2-D input [rows, n], got shape %s" % values.shape)
            dims = shape(values, out_type=dtypes.int64)
            flat = reshape(values, [-1])
            rows = dims[0] if per_row else convert_to_tensor(np.int64(1))
            rows_of = reshape(tile(expand_dims(range_(dims[0]), 1), [1, dims[1]]), [-1]) if per_row else \
                cast(flat, dtypes.int64) * 0
            weight_values = None if weights is None else reshape(convert_to_tensor(weights, name="weights"), [-1])
        weighted = weight_values is not None
        weight_tensor = convert_to_tensor(weight_values, name="weights") if weighted else \
            convert_to_tensor(np.zeros(0, np.float32))
        attrs = {"per_row": per_row, "weighted": weighted, "binary_output": bool(binary_output),
                 "minlength": int(minlength or 0), "maxlength": -1 if maxlength is None else int(maxlength)}
        op = make_op("SparseBincountRows", [cast(rows_of, dtypes.int64), flat, weight_tensor,
                                            cast(rows, dtypes.int64)], attrs)
        return SparseTensor(*op.outputs)
