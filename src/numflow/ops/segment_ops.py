"""Segment reductions and data-dependent rearrangements: `tf.segment_*` (sorted ids),
`tf.unsorted_segment_*`, `tf.dynamic_partition` / `tf.dynamic_stitch`, `tf.reverse_sequence`,
`tf.matrix_band_part`, `tf.histogram_fixed_width(_bins)`, `tf.bincount` and `tf.arg_max` / `tf.arg_min`.

A segment reduction combines the rows of `data` that share a segment id with a NumPy ufunc's `.at`
(unbuffered, so repeated ids accumulate); sums also run on a device (`numflow.backend.scatter_add`), the
products, maxima and minima are host-only (CuPy has no `.at` for those ufuncs). Gradients are built from the same family: a segment sum's
gradient gathers rows back (`SegmentGather`, whose own gradient is the segment sum again).
"""
import builtins

import numpy as np

from ..backend import scatter_add
from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import Dimension, TensorShape, format_shape
from . import array as _array
from . import math as _math
from .common import check_dtype, make_op, make_tensor

__all__ = ["segment_sum", "segment_mean", "segment_max", "segment_min", "segment_prod", "unsorted_segment_sum",
           "unsorted_segment_max", "unsorted_segment_min", "unsorted_segment_prod", "unsorted_segment_mean",
           "unsorted_segment_sqrt_n", "dynamic_partition", "dynamic_stitch", "reverse_sequence",
           "matrix_band_part", "histogram_fixed_width", "histogram_fixed_width_bins", "bincount", "arg_max",
           "arg_min"]

_INDEX = (dtypes.int32, dtypes.int64)
_REAL_NUMBERS = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int8, dtypes.int16, dtypes.int32,
                 dtypes.int64, dtypes.uint8, dtypes.uint16)
_NUMBERS = _REAL_NUMBERS + (dtypes.complex64, dtypes.complex128)


def _invalid(op, message):
    return errors.InvalidArgumentError(None, op, message)


def _check_index_dtype(tensor, what, op_name):
    if tensor.dtype not in _INDEX:
        raise TypeError("Value passed to parameter '%s' of '%s' Op has DataType %s not in list of allowed "
                        "values: int32, int64" % (what, op_name, tensor.dtype.name))


def _identity_of(ufunc, dtype):
    """The value an empty unsorted segment gets, as TF: the dtype's lowest (max) or highest (min) finite
    value, 1 for products, 0 for sums."""
    if ufunc is np.maximum:
        return np.finfo(dtype).min if dtype.kind == "f" else np.iinfo(dtype).min
    if ufunc is np.minimum:
        return np.finfo(dtype).max if dtype.kind == "f" else np.iinfo(dtype).max
    return 1 if ufunc is np.multiply else 0


def _reduce_segments(ufunc, data, flat_ids, num_segments, rows_per_id, empty_value, xp=np):
    """Combines data rows (grouped `rows_per_id` leading dims per id) into `num_segments` rows; segments
    nobody writes to hold `empty_value`. `xp` is the arrays' module (a device's only with np.add)."""
    rest = data.shape[rows_per_id:]
    rows = data.reshape((flat_ids.size,) + rest)
    keep = flat_ids >= 0        # negative ids are dropped (unsorted segments)
    if not keep.all():
        rows, flat_ids = rows[keep], flat_ids[keep]
    if ufunc is np.add and data.dtype.kind == "f" and rows.ndim == 1:
        out = np.bincount(flat_ids, weights=rows, minlength=num_segments).astype(data.dtype)
    else:
        out = xp.full((num_segments,) + rest, _identity_of(ufunc, data.dtype), dtype=data.dtype)
        if ufunc is np.add:
            scatter_add(out, flat_ids, rows)
        else:
            ufunc.at(out, flat_ids, rows)
    if empty_value is not None:
        written = xp.zeros(num_segments, bool)
        written[flat_ids] = True
        out[~written] = empty_value
    return out


# --- sorted segments ------------------------------------------------------------------------------
class _SortedSegment(OpDef):
    """Reduces the rows of `data` with equal sorted `segment_ids` (a vector as long as data's first axis)."""

    ufunc = None
    empty_value = 0     # what an id skipped between two used ids gets, as TF documents

    def infer(self, op):
        data, ids = op.inputs
        _check_index_dtype(ids, "segment_ids", self.type)
        check_dtype(data, _NUMBERS if self.ufunc in (np.add, np.multiply) else _REAL_NUMBERS, self.type)
        if ids.shape.ndims is not None and ids.shape.ndims != 1:
            raise ValueError("segment_ids should be a vector, got shape %s for '%s'"
                             % (format_shape(ids.shape), self.type))
        if data.shape.ndims is None:
            return [(data.dtype, TensorShape(None))]
        if data.shape.ndims == 0:
            raise ValueError("Shape must be at least rank 1 but is rank 0 for 'data' of '%s'" % self.type)
        if ids.shape.ndims == 1 and not data.shape[0].is_compatible_with(ids.shape[0]):
            raise ValueError("segment_ids should be the same size as dimension 0 of input, but got shapes %s "
                             "and %s" % (format_shape(ids.shape), format_shape(data.shape)))
        return [(data.dtype, TensorShape([None] + data.shape.as_list()[1:]))]

    def kernel(self, op, ctx):
        ufunc, empty_value, xp = self.ufunc, self.empty_value, ctx.xp

        def segment_reduce(data, ids):
            if ids.shape[0] != data.shape[0]:
                raise _invalid(op, "segment_ids should be the same size as dimension 0 of input, got %d "
                                   "and %d" % (ids.shape[0], data.shape[0]))
            if ids.size == 0:
                return xp.zeros((0,) + data.shape[1:], dtype=data.dtype)
            if ids[0] < 0:
                raise _invalid(op, "segment ids must be >= 0, got %d" % int(ids[0]))
            steps = np.diff(ids)
            if (steps < 0).any():
                position = int(np.argmax(steps < 0)) + 1
                raise _invalid(op, "segment ids are not increasing: segment_ids[%d] = %d follows %d"
                               % (position, int(ids[position]), int(ids[position - 1])))
            return _reduce_segments(ufunc, data, ids, int(ids[-1]) + 1, 1, empty_value, xp)
        return segment_reduce


def _segment_counts(ids, count_dtype, num_segments):
    """How many rows each segment has, as `count_dtype`, shaped to broadcast against the reduced data."""
    ones = _array.ones_like(ids, dtype=count_dtype)
    return make_tensor("UnsortedSegmentSum", [ones, ids, num_segments])


def _broadcastable_rows(values, like):
    """values (a vector) reshaped to [n, 1, 1, ...] so that it broadcasts along `like`'s first axis."""
    ones = _array.ones_like(_array.shape(like)[1:])
    return _array.reshape(values, _array.concat([[-1], ones], 0))


def _num_segments_of(output):
    return _math.cast(_array.shape(output)[0], dtypes.int64)


def _gather_segments(values, ids):
    """values[ids] along axis 0, with zero rows for negative ids."""
    return make_tensor("SegmentGather", [values, ids])


@register
class SegmentSum(_SortedSegment):
    """The sum of each segment's rows."""

    ufunc = np.add

    def grad(self, op, dy):
        return [_gather_segments(dy, op.inputs[1]), None]


@register
class SegmentProd(_SortedSegment):
    """The product of each segment's rows (1 for an empty segment)."""

    host_only = True    # multiply/maximum/minimum.at: CuPy scatters only sums
    ufunc = np.multiply
    empty_value = 1

    def grad(self, op, dy):
        data, ids = op.inputs
        return [make_tensor("SegmentProdGrad", [data, ids, _num_segments_of(op.outputs[0]), dy]), None]


def _extremum_grad(op, dy, ids, count_ids):
    """TF's rule for max/min: the gradient is shared equally among the elements equal to the extremum."""
    data = op.inputs[0]
    chosen = _math.equal(data, _gather_segments(op.outputs[0], ids))
    chosen_as_value = _math.cast(chosen, data.dtype)
    num_chosen = make_tensor("UnsortedSegmentSum", [chosen_as_value, count_ids, _num_segments_of(op.outputs[0])])
    shares = _gather_segments(_math.div_no_nan(dy, num_chosen), ids)
    return chosen_as_value * shares


@register
class SegmentMax(_SortedSegment):
    """The maximum of each segment's rows (0 for an empty segment)."""

    host_only = True    # multiply/maximum/minimum.at: CuPy scatters only sums
    ufunc = np.maximum

    def grad(self, op, dy):
        ids = op.inputs[1]
        return [_extremum_grad(op, dy, ids, ids), None]


@register
class SegmentMin(_SortedSegment):
    """The minimum of each segment's rows (0 for an empty segment)."""

    host_only = True    # multiply/maximum/minimum.at: CuPy scatters only sums
    ufunc = np.minimum

    def grad(self, op, dy):
        ids = op.inputs[1]
        return [_extremum_grad(op, dy, ids, ids), None]


@register
class SegmentMean(_SortedSegment):
    """The mean of each segment's rows (0 for an empty segment)."""

    ufunc = np.add

    def kernel(self, op, ctx):
        segment_sum = super().kernel(op, ctx)

        def segment_mean(data, ids):
            total = segment_sum(data, ids)
            if total.shape[0] == 0:
                return total
            counts = np.bincount(ids, minlength=total.shape[0]).reshape((-1,) + (1,) * (data.ndim - 1))
            if data.dtype.kind in "iu":
                return (total // np.maximum(counts, 1)).astype(data.dtype)
            return (total / np.maximum(counts, 1)).astype(data.dtype)
        return segment_mean

    def grad(self, op, dy):
        data, ids = op.inputs
        counts = _segment_counts(ids, dy.dtype, _num_segments_of(op.outputs[0]))
        return [_gather_segments(dy / _math.maximum(_broadcastable_rows(counts, dy), 1.0), ids), None]


def _sorted_segment(op_type, data, segment_ids, name):
    data = convert_to_tensor(data, name="data")
    segment_ids = convert_to_tensor(segment_ids, name="segment_ids")
    return make_tensor(op_type, [data, segment_ids], name=name or op_type)


def segment_sum(data, segment_ids, name=None):
    """`tf.math.segment_sum(data, segment_ids)`: output[i] = sum of data[j] over the j with
    segment_ids[j] == i. `segment_ids` is a sorted int vector as long as data's first axis; the output
    has segment_ids[-1] + 1 rows (ids skipped get 0)."""
    return _sorted_segment("SegmentSum", data, segment_ids, name)


def segment_mean(data, segment_ids, name=None):
    """`tf.math.segment_mean(data, segment_ids)`: the mean of each segment's rows (sorted ids; 0 for an
    empty segment)."""
    return _sorted_segment("SegmentMean", data, segment_ids, name)


def segment_max(data, segment_ids, name=None):
    """`tf.math.segment_max(data, segment_ids)`: the maximum of each segment's rows (sorted ids; 0 for
    an empty segment)."""
    return _sorted_segment("SegmentMax", data, segment_ids, name)


def segment_min(data, segment_ids, name=None):
    """`tf.math.segment_min(data, segment_ids)`: the minimum of each segment's rows (sorted ids; 0 for
    an empty segment)."""
    return _sorted_segment("SegmentMin", data, segment_ids, name)


def segment_prod(data, segment_ids, name=None):
    """`tf.math.segment_prod(data, segment_ids)`: the product of each segment's rows (sorted ids; 1 for
    an empty segment)."""
    return _sorted_segment("SegmentProd", data, segment_ids, name)


# --- unsorted segments ----------------------------------------------------------------------------
class _UnsortedSegment(OpDef):
    """Reduces data into `num_segments` rows by `segment_ids` (any order, a prefix of data's shape);
    negative ids are dropped, empty segments hold the reduction's identity."""

    ufunc = None
    host_inputs = (2,)      # num_segments, as TF's HostMemory

    def infer(self, op):
        data, ids, num_segments = op.inputs
        _check_index_dtype(ids, "segment_ids", self.type)
        _check_index_dtype(num_segments, "num_segments", self.type)
        check_dtype(data, _NUMBERS if self.ufunc in (np.add, np.multiply) else _REAL_NUMBERS, self.type)
        count = _array._static_scalar(num_segments)
        if data.shape.ndims is None or ids.shape.ndims is None:
            return [(data.dtype, TensorShape(None))]
        id_rank = ids.shape.ndims
        if not TensorShape(data.shape.as_list()[:id_rank]).is_compatible_with(ids.shape) or \
                id_rank > data.shape.ndims:
            raise ValueError("segment_ids.shape = %s must be a prefix of data.shape = %s for '%s'"
                             % (format_shape(ids.shape), format_shape(data.shape), self.type))
        return [(data.dtype, TensorShape([count] + data.shape.as_list()[id_rank:]))]

    def kernel(self, op, ctx):
        ufunc, xp = self.ufunc, ctx.xp

        def unsorted_segment_reduce(data, ids, num_segments):
            num_segments = int(num_segments)
            if num_segments < 0:
                raise _invalid(op, "num_segments must be non-negative, got %d" % num_segments)
            if data.shape[:ids.ndim] != ids.shape:
                raise _invalid(op, "segment_ids.shape = %s must be a prefix of data.shape = %s"
                               % (list(ids.shape), list(data.shape)))
            flat = ids.reshape(-1)
            if flat.size and flat.max() >= num_segments:
                position = int(np.argmax(flat >= num_segments))
                raise _invalid(op, "segment_ids[%d] = %d is out of range [0, %d)"
                               % (position, int(flat[position]), num_segments))
            return _reduce_segments(ufunc, data, flat, num_segments, ids.ndim, None, xp)
        return unsorted_segment_reduce


@register
class UnsortedSegmentSum(_UnsortedSegment):
    """The sum of the rows of each segment."""

    ufunc = np.add

    def grad(self, op, dy):
        return [_gather_segments(dy, op.inputs[1]), None, None]


@register
class UnsortedSegmentProd(_UnsortedSegment):
    """The product of the rows of each segment (1 for an empty segment)."""

    host_only = True    # multiply/maximum/minimum.at: CuPy scatters only sums
    ufunc = np.multiply

    def grad(self, op, dy):
        data, ids, num_segments = op.inputs
        return [make_tensor("SegmentProdGrad", [data, ids, _math.cast(num_segments, dtypes.int64), dy]),
                None, None]


@register
class UnsortedSegmentMax(_UnsortedSegment):
    """The maximum of the rows of each segment (the dtype's lowest value for an empty segment)."""

    host_only = True    # multiply/maximum/minimum.at: CuPy scatters only sums
    ufunc = np.maximum

    def grad(self, op, dy):
        ids = op.inputs[1]
        return [_extremum_grad(op, dy, ids, ids), None, None]


@register
class UnsortedSegmentMin(_UnsortedSegment):
    """The minimum of the rows of each segment (the dtype's highest value for an empty segment)."""

    host_only = True    # multiply/maximum/minimum.at: CuPy scatters only sums
    ufunc = np.minimum

    def grad(self, op, dy):
        ids = op.inputs[1]
        return [_extremum_grad(op, dy, ids, ids), None, None]


@register
class SegmentGather(OpDef):
    """values[ids] along axis 0, zero rows where ids < 0: the gradient of the segment sums."""

    def infer(self, op):
        values, ids = op.inputs
        if values.shape.ndims is None or ids.shape.ndims is None:
            return [(values.dtype, TensorShape(None))]
        return [(values.dtype, TensorShape(ids.shape.as_list() + values.shape.as_list()[1:]))]

    def kernel(self, op, ctx):
        def gather_segments(values, ids):
            dropped = ids < 0
            if not dropped.any():
                return np.take(values, ids, axis=0)
            rows = np.take(values, np.where(dropped, 0, ids), axis=0)
            rows[dropped] = 0
            return rows
        return gather_segments

    def grad(self, op, dy):
        values, ids = op.inputs
        rows = _array.shape(values, out_type=dtypes.int64)[0]
        return [make_tensor("UnsortedSegmentSum", [dy, ids, rows]), None]


@register
class SegmentProdGrad(OpDef):
    """d(segment product)/d(data) times dy: the product of the other rows of the element's segment."""

    differentiable = False
    host_only = True        # multiply.at (see SegmentProd)

    def infer(self, op):
        data = op.inputs[0]
        return [(data.dtype, data.shape)]

    def kernel(self, op, ctx):
        def segment_prod_grad(data, ids, num_segments, dy):
            num_segments = int(num_segments)
            rows = data.reshape((ids.size,) + data.shape[ids.ndim:])
            flat = ids.reshape(-1)
            keep = flat >= 0
            safe_ids = np.where(keep, flat, 0)
            is_zero = rows == 0
            zeros = np.zeros((num_segments,) + rows.shape[1:], np.int64)
            np.add.at(zeros, safe_ids[keep], is_zero[keep])
            nonzero_product = np.ones((num_segments,) + rows.shape[1:], data.dtype)
            np.multiply.at(nonzero_product, safe_ids[keep], np.where(is_zero, 1, rows)[keep])
            zeros_here, product_here = zeros[safe_ids], nonzero_product[safe_ids]
            with np.errstate(divide="ignore", invalid="ignore"):
                others = np.where(zeros_here == 0, product_here / np.where(is_zero, 1, rows),
                                  np.where((zeros_here == 1) & is_zero, product_here, 0))
            grad = others * dy[safe_ids]
            grad[~keep] = 0
            return grad.reshape(data.shape).astype(data.dtype)
        return segment_prod_grad


def _unsorted_segment(op_type, data, segment_ids, num_segments, name):
    data = convert_to_tensor(data, name="data")
    segment_ids = convert_to_tensor(segment_ids, name="segment_ids")
    num_segments = convert_to_tensor(num_segments, name="num_segments")
    return make_tensor(op_type, [data, segment_ids, num_segments], name=name or op_type)


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """`tf.math.unsorted_segment_sum(data, segment_ids, num_segments)`: output[i] = sum of the rows
    data[j...] with segment_ids[j...] == i; `segment_ids` (any order) has a prefix of data's shape,
    negative ids are dropped, ids >= num_segments are an InvalidArgumentError."""
    return _unsorted_segment("UnsortedSegmentSum", data, segment_ids, num_segments, name)


def unsorted_segment_prod(data, segment_ids, num_segments, name=None):
    """`tf.math.unsorted_segment_prod(...)`: the product of each segment's rows (1 when empty)."""
    return _unsorted_segment("UnsortedSegmentProd", data, segment_ids, num_segments, name)


def unsorted_segment_max(data, segment_ids, num_segments, name=None):
    """`tf.math.unsorted_segment_max(...)`: the maximum of each segment's rows (the dtype's lowest finite
    value when empty, as TF)."""
    return _unsorted_segment("UnsortedSegmentMax", data, segment_ids, num_segments, name)


def unsorted_segment_min(data, segment_ids, num_segments, name=None):
    """`tf.math.unsorted_segment_min(...)`: the minimum of each segment's rows (the dtype's highest finite
    value when empty, as TF)."""
    return _unsorted_segment("UnsortedSegmentMin", data, segment_ids, num_segments, name)


def _normalized_segment_sum(data, segment_ids, num_segments, name, default_name, normalize):
    with name_scope(name, default_name, [data, segment_ids, num_segments]):
        data = convert_to_tensor(data, name="data")
        segment_ids = convert_to_tensor(segment_ids, name="segment_ids")
        num_segments = convert_to_tensor(num_segments, name="num_segments")
        total = unsorted_segment_sum(data, segment_ids, num_segments)
        counts = unsorted_segment_sum(_array.ones_like(segment_ids, dtype=data.dtype), segment_ids, num_segments)
        counts = _math.maximum(counts, _array.ones_like(counts))
        return total / _broadcastable_rows(normalize(counts), total)


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    """`tf.math.unsorted_segment_mean(...)`: each segment's sum divided by its row count (0 when
    empty); floats."""
    return _normalized_segment_sum(data, segment_ids, num_segments, name, "UnsortedSegmentMean", lambda c: c)


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    """`tf.math.unsorted_segment_sqrt_n(...)`: each segment's sum divided by the square root of its row
    count (0 when empty); floats."""
    return _normalized_segment_sum(data, segment_ids, num_segments, name, "UnsortedSegmentSqrtN", _math.sqrt)


# --- dynamic partition and stitch -----------------------------------------------------------------
@register
class DynamicPartition(OpDef):
    """Splits data into `num_partitions` outputs by the partition index of each row."""

    def infer(self, op):
        data, partitions = op.inputs
        if partitions.dtype is not dtypes.int32:
            raise TypeError("Value passed to parameter 'partitions' of 'DynamicPartition' Op has DataType %s "
                            "not in list of allowed values: int32" % partitions.dtype.name)
        count = op.attrs["num_partitions"]
        if data.shape.ndims is None or partitions.shape.ndims is None:
            return [(data.dtype, TensorShape(None))] * count
        rank = partitions.shape.ndims
        if rank > data.shape.ndims or \
                not TensorShape(data.shape.as_list()[:rank]).is_compatible_with(partitions.shape):
            raise ValueError("partitions.shape = %s must be a prefix of data.shape = %s"
                             % (format_shape(partitions.shape), format_shape(data.shape)))
        return [(data.dtype, TensorShape([None] + data.shape.as_list()[rank:]))] * count

    def kernel(self, op, ctx):
        count = op.attrs["num_partitions"]

        def partition(data, partitions):
            if data.shape[:partitions.ndim] != partitions.shape:
                raise _invalid(op, "data.shape must start with partitions.shape, got data.shape = %s, "
                                   "partitions.shape = %s" % (list(data.shape), list(partitions.shape)))
            flat = partitions.reshape(-1)
            bad = (flat < 0) | (flat >= count)
            if bad.any():
                position = int(np.argmax(bad))
                raise _invalid(op, "partitions[%d] = %d is not in [0, %d)" % (position, int(flat[position]), count))
            rows = data.reshape((flat.size,) + data.shape[partitions.ndim:])
            return builtins.tuple(rows[flat == index] for index in range(count))
        return partition

    def grad(self, op, *dys):
        data, partitions = op.inputs
        original_positions = _array.reshape(_array.range(_array.size(partitions)), _array.shape(partitions))
        parted_positions = dynamic_partition(original_positions, partitions, op.attrs["num_partitions"])
        dys = [_array.zeros_like(out) if dy is None else dy for dy, out in zip(dys, op.outputs)]
        stitched = dynamic_stitch(parted_positions, dys)
        return [_array.reshape(stitched, _array.shape(data)), None]


def dynamic_partition(data, partitions, num_partitions, name=None):
    """`tf.dynamic_partition(data, partitions, num_partitions)`: a list of `num_partitions` tensors;
    output i holds the rows data[j...] with partitions[j...] == i, in order. `partitions` (int32) has a
    prefix of data's shape; a value outside [0, num_partitions) is an InvalidArgumentError."""
    if isinstance(num_partitions, builtins.bool) or not isinstance(num_partitions, (int, np.integer)) or \
            num_partitions < 1:
        raise ValueError("num_partitions must be a positive int, got %r" % (num_partitions,))
    data = convert_to_tensor(data, name="data")
    partitions = convert_to_tensor(partitions, name="partitions")
    op = make_op("DynamicPartition", [data, partitions], {"num_partitions": int(num_partitions)},
                 name=name or "DynamicPartition")
    return list(op.outputs)


@register
class DynamicStitch(OpDef):
    """merged[indices[m][i...]] = data[m][i...]: interleaves the data tensors (later writes win)."""

    def infer(self, op):
        count = op.attrs["N"]
        indices, data = op.inputs[:count], op.inputs[count:]
        for index in indices:
            if index.dtype is not dtypes.int32:
                raise TypeError("Value passed to parameter 'indices' of 'DynamicStitch' Op has DataType %s "
                                "not in list of allowed values: int32" % index.dtype.name)
        for item in data[1:]:
            check_same_dtype_list(data[0], item)
        rest = None
        for index, item in zip(indices, data):
            if index.shape.ndims is None or item.shape.ndims is None:
                continue
            rank = index.shape.ndims
            if not TensorShape(item.shape.as_list()[:rank]).is_compatible_with(index.shape):
                raise ValueError("data[i].shape must start with indices[i].shape: got %s and %s"
                                 % (format_shape(item.shape), format_shape(index.shape)))
            tail = TensorShape(item.shape.as_list()[rank:])
            if rest is not None and not rest.is_compatible_with(tail):
                raise ValueError("data[i].shape[indices[i].ndims:] must agree for all i: %s vs. %s"
                                 % (format_shape(rest), format_shape(tail)))
            rest = tail if rest is None else rest.merge_with(tail)
        length = None
        values = [_array._static_value(index) for index in indices]
        if all(v is not None and all(e is not None for e in v.reshape(-1)) for v in values):
            length = builtins.max([int(e) for v in values for e in v.reshape(-1)] + [-1]) + 1
        if rest is None:
            return [(data[0].dtype, TensorShape(None))]
        return [(data[0].dtype, TensorShape([length] + rest.as_list()))]

    def kernel(self, op, ctx):
        count = op.attrs["N"]
        dtype = op.outputs[0].dtype.np
        xp = ctx.xp

        def stitch(*values):
            indices, data = values[:count], values[count:]
            for m, (index, item) in enumerate(zip(indices, data)):
                if item.shape[:index.ndim] != index.shape:
                    raise _invalid(op, "data[%d].shape = %s does not start with indices[%d].shape = %s"
                                   % (m, list(item.shape), m, list(index.shape)))
            flat = [index.reshape(-1) for index in indices]
            rows = [item.reshape((index.size,) + item.shape[index.ndim:]) for index, item in zip(indices, data)]
            everything = np.concatenate(flat) if flat else xp.zeros(0, np.int32)
            if everything.size and everything.min() < 0:
                raise _invalid(op, "indices must be non-negative, got %d" % int(everything.min()))
            length = int(everything.max()) + 1 if everything.size else 0
            rest = rows[0].shape[1:]
            merged = xp.zeros((length,) + rest, dtype=dtype)
            for index, row in zip(flat, rows):
                merged[index] = row
            return merged
        return stitch

    def grad(self, op, dy):
        count = op.attrs["N"]
        indices = op.inputs[:count]
        return [None] * count + [_array.gather(dy, index) for index in indices]


def check_same_dtype_list(first, other):
    if first.dtype is not other.dtype:
        raise TypeError("Tensors in list passed to 'data' of 'DynamicStitch' Op have types [%s, %s] that "
                        "don't all match." % (first.dtype.name, other.dtype.name))


def dynamic_stitch(indices, data, name=None):
    """`tf.dynamic_stitch(indices, data)`: merged[indices[m][i...], ...] = data[m][i...]; the result has
    max(indices) + 1 rows. Where an index repeats, the later data wins, as in TF."""
    indices = [convert_to_tensor(index, name="indices") for index in indices]
    data = [convert_to_tensor(item, name="data") for item in data]
    if len(indices) != len(data) or not indices:
        raise ValueError("dynamic_stitch needs as many data tensors as indices tensors (at least one), got %d "
                         "and %d" % (len(indices), len(data)))
    return make_tensor("DynamicStitch", indices + data, {"N": len(indices)}, name=name or "DynamicStitch")


# --- reverse_sequence ------------------------------------------------------------------------------
@register
class ReverseSequence(OpDef):
    """Reverses the first seq_lengths[b] entries along seq_axis of every batch entry b."""

    def infer(self, op):
        x, lengths = op.inputs
        _check_index_dtype(lengths, "seq_lengths", "ReverseSequence")
        seq_axis, batch_axis = op.attrs["seq_dim"], op.attrs["batch_dim"]
        if x.shape.ndims is not None:
            rank = x.shape.ndims
            for what, axis in (("seq_dim", seq_axis), ("batch_dim", batch_axis)):
                if not 0 <= axis < rank:
                    raise ValueError("Invalid %s %d for input of rank %d" % (what, axis, rank))
            if seq_axis == batch_axis:
                raise ValueError("seq_dim and batch_dim must differ, both are %d" % seq_axis)
            if lengths.shape.ndims is not None:
                if lengths.shape.ndims != 1:
                    raise ValueError("seq_lengths must be 1-dim, got shape %s" % format_shape(lengths.shape))
                if not lengths.shape[0].is_compatible_with(x.shape[batch_axis]):
                    raise ValueError("len(seq_lens) != input.dims(%d), (%s vs. %s)"
                                     % (batch_axis, lengths.shape[0], x.shape[batch_axis]))
        return [(x.dtype, x.shape)]

    def kernel(self, op, ctx):
        seq_axis, batch_axis = op.attrs["seq_dim"], op.attrs["batch_dim"]
        xp = ctx.xp

        def reverse_sequence_(x, lengths):
            if lengths.shape != (x.shape[batch_axis],):
                raise _invalid(op, "len(seq_lens) != input.dims(%d), (%d vs. %d)"
                               % (batch_axis, lengths.size, x.shape[batch_axis]))
            steps = x.shape[seq_axis]
            if lengths.size and ((lengths < 0).any() or (lengths > steps).any()):
                position = int(np.argmax((lengths < 0) | (lengths > steps)))
                raise _invalid(op, "seq_lens(%d) > input.dims(%d)" % (position, seq_axis)
                               if lengths[position] > steps else "seq_lens(%d) < 0" % position)
            positions = xp.arange(steps)[None, :]
            limits = lengths.astype(np.int64)[:, None]
            source = np.where(positions < limits, limits - 1 - positions, positions)    # [batch, steps]
            shape = [1] * x.ndim
            shape[batch_axis], shape[seq_axis] = source.shape[0], steps
            order = [batch_axis, seq_axis] if batch_axis < seq_axis else [seq_axis, batch_axis]
            source = source if batch_axis < seq_axis else source.T
            source = source.reshape([source.shape[0] if i == order[0] else source.shape[1] if i == order[1]
                                     else 1 for i in range(x.ndim)])
            source = np.broadcast_to(source, x.shape)
            return np.take_along_axis(x, source, axis=seq_axis)
        return reverse_sequence_

    def grad(self, op, dy):
        return [make_tensor("ReverseSequence", [dy, op.inputs[1]], dict(op.attrs)), None]


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None, seq_dim=None,  # noqa: A002
                     batch_dim=None):
    """`tf.reverse_sequence(input, seq_lengths, seq_axis, batch_axis=0)`: for each b along batch_axis,
    reverses the first seq_lengths[b] elements along seq_axis and keeps the rest. `seq_dim`/`batch_dim`
    are TF1's older names."""
    seq_axis = _deprecated_alias(seq_axis, seq_dim, "seq_axis", "seq_dim")
    batch_axis = _deprecated_alias(batch_axis, batch_dim, "batch_axis", "batch_dim")
    if seq_axis is None:
        raise ValueError("reverse_sequence needs seq_axis")
    x = convert_to_tensor(input, name="input")
    lengths = convert_to_tensor(seq_lengths, name="seq_lengths")
    rank = x.shape.ndims
    seq_axis, batch_axis = int(seq_axis), int(0 if batch_axis is None else batch_axis)
    if rank is not None:
        seq_axis, batch_axis = seq_axis % rank if seq_axis < 0 else seq_axis, \
            batch_axis % rank if batch_axis < 0 else batch_axis
    return make_tensor("ReverseSequence", [x, lengths], {"seq_dim": seq_axis, "batch_dim": batch_axis},
                       name=name or "ReverseSequence")


def _deprecated_alias(new, old, new_name, old_name):
    if new is not None and old is not None and new != old:
        raise ValueError("Cannot specify both '%s' and '%s'" % (new_name, old_name))
    return new if new is not None else old


# --- band part ------------------------------------------------------------------------------------
@register
class MatrixBandPart(OpDef):
    """Keeps the entries within num_lower subdiagonals and num_upper superdiagonals, zeroes the rest."""

    def infer(self, op):
        x, lower, upper = op.inputs
        if x.shape.ndims is not None and x.shape.ndims < 2:
            raise ValueError("Shape must be at least rank 2 but is rank %d for 'MatrixBandPart' (input shape "
                             "%s)" % (x.shape.ndims, format_shape(x.shape)))
        for what, bound in (("num_lower", lower), ("num_upper", upper)):
            _check_index_dtype(bound, what, "MatrixBandPart")
            if bound.shape.ndims not in (None, 0):
                raise ValueError("%s must be a scalar, got shape %s" % (what, format_shape(bound.shape)))
        return [(x.dtype, x.shape)]

    host_inputs = (1, 2)    # num_lower, num_upper, as TF's HostMemory

    def kernel(self, op, ctx):
        xp = ctx.xp

        def band_part(x, lower, upper):
            lower, upper = int(lower), int(upper)
            rows, cols = x.shape[-2], x.shape[-1]
            if lower > rows or upper > cols:
                raise _invalid(op, "num_lower must be negative or less or equal to number of rows (%d) got: "
                                   "%d" % (rows, lower) if lower > rows else
                               "num_upper must be negative or less or equal to number of columns (%d) got: "
                               "%d" % (cols, upper))
            offset = xp.arange(cols)[None, :] - xp.arange(rows)[:, None]
            keep = ((lower < 0) | (-offset <= lower)) & ((upper < 0) | (offset <= upper))
            return np.where(keep, x, x.dtype.type(0))
        return band_part

    def grad(self, op, dy):
        return [make_tensor("MatrixBandPart", [dy, op.inputs[1], op.inputs[2]]), None, None]


def matrix_band_part(input, num_lower, num_upper, name=None):  # noqa: A002 - TF's argument name
    """`tf.linalg.band_part(input, num_lower, num_upper)`: each innermost matrix with everything outside
    the band zeroed; a negative bound keeps that whole triangle (band_part(x, 0, -1) is the upper
    triangle, (x, -1, 0) the lower, (x, 0, 0) the diagonal)."""
    x = convert_to_tensor(input, name="input")
    lower = _array._int_tensor(num_lower, "num_lower")
    upper = _array._int_tensor(num_upper, "num_upper")
    if lower.dtype is not upper.dtype:
        lower, upper = _math.cast(lower, dtypes.int64), _math.cast(upper, dtypes.int64)
    return make_tensor("MatrixBandPart", [x, lower, upper], name=name or "MatrixBandPart")


# --- histograms and counts ------------------------------------------------------------------------
def _histogram_bins(values, value_range, nbins):
    low, high = float(value_range[0]), float(value_range[1])
    with np.errstate(invalid="ignore"):
        scaled = (values.astype(np.float64) - low) / (high - low)
        bins = np.floor(scaled * nbins)
    return np.clip(np.nan_to_num(bins, nan=0.0), 0, nbins - 1).astype(np.int64)


@register
class HistogramFixedWidth(OpDef):
    """Counts of values in nbins equal-width bins over value_range (outliers in the end bins)."""

    differentiable = False
    host_inputs = (1, 2)    # value_range and nbins: Python numbers for the kernel

    def infer(self, op):
        values, value_range, nbins = op.inputs
        check_dtype(values, _REAL_NUMBERS, "HistogramFixedWidth")
        if value_range.dtype is not values.dtype:
            raise TypeError("value_range must have the dtype of values (%s), got %s"
                            % (values.dtype.name, value_range.dtype.name))
        if value_range.shape.ndims is not None and value_range.shape.as_list() not in ([2], [None]):
            raise ValueError("value_range must be a vector of 2 elements, got shape %s"
                             % format_shape(value_range.shape))
        return [(op.attrs["dtype"], TensorShape([_array._static_scalar(nbins)]))]

    def kernel(self, op, ctx):
        dtype = op.attrs["dtype"].np

        def histogram(values, value_range, nbins):
            nbins = int(nbins)
            if nbins <= 0:
                raise _invalid(op, "nbins should be a positive number, but got '%d'" % nbins)
            if not value_range[0] < value_range[1]:
                raise _invalid(op, "value_range should satisfy value_range[0] < value_range[1], but got "
                                   "'[%s, %s]'" % (value_range[0], value_range[1]))
            bins = _histogram_bins(values.reshape(-1), value_range, nbins)
            return np.bincount(bins, minlength=nbins).astype(dtype)
        return histogram


def _histogram_args(values, value_range, nbins):
    values = convert_to_tensor(values, name="values")
    value_range = convert_to_tensor(value_range, dtype=values.dtype, name="value_range")
    nbins = convert_to_tensor(nbins, dtype=dtypes.int32, name="nbins")
    return values, value_range, nbins


def histogram_fixed_width(values, value_range, nbins=100, dtype=dtypes.int32, name=None):
    """`tf.histogram_fixed_width(values, value_range, nbins=100, dtype=tf.int32)`: a vector of nbins counts
    of the values falling into equal-width bins over [value_range[0], value_range[1]); values below go to
    the first bin, values above to the last."""
    values, value_range, nbins = _histogram_args(values, value_range, nbins)
    dtype = dtypes.as_dtype(dtype)
    if dtype not in _INDEX:
        raise TypeError("dtype must be int32 or int64, got %s" % dtype.name)
    return make_tensor("HistogramFixedWidth", [values, value_range, nbins], {"dtype": dtype},
                       name=name or "HistogramFixedWidth")


def histogram_fixed_width_bins(values, value_range, nbins=100, dtype=dtypes.int32, name=None):
    """`tf.histogram_fixed_width_bins(values, value_range, nbins=100, dtype=tf.int32)`: for each value,
    the index of its equal-width bin over value_range, clipped to [0, nbins - 1]; values' shape."""
    with name_scope(name, "histogram_fixed_width_bins", [values, value_range, nbins]):
        values, value_range, nbins = _histogram_args(values, value_range, nbins)
        float_values = _math.cast(values, dtypes.float64)
        float_range = _math.cast(value_range, dtypes.float64)
        scaled = (float_values - float_range[0]) / (float_range[1] - float_range[0])
        bins = _math.floor(scaled * _math.cast(nbins, dtypes.float64))
        bins = _math.clip_by_value(bins, 0.0, _math.cast(nbins - 1, dtypes.float64))
        return _math.cast(bins, dtype)


@register
class Bincount(OpDef):
    """out[v] = the number (or total weight) of the elements of arr equal to v, for v < size."""

    differentiable = False
    host_inputs = (1,)      # size

    def infer(self, op):
        arr, size, weights = op.inputs
        if arr.dtype is not dtypes.int32:
            raise TypeError("Value passed to parameter 'arr' of 'Bincount' Op has DataType %s not in list of "
                            "allowed values: int32" % arr.dtype.name)
        return [(weights.dtype, TensorShape([_array._static_scalar(size)]))]

    def kernel(self, op, ctx):
        dtype = op.outputs[0].dtype.np
        xp = ctx.xp

        def bincount_(arr, size, weights):
            size = int(size)
            if size < 0:
                raise _invalid(op, "Input size should be >= 0 but got %d" % size)
            flat = arr.reshape(-1)
            if flat.size and flat.min() < 0:
                raise _invalid(op, "Input arr must be non-negative!")
            counted = flat < size
            flat_weights = weights.reshape(-1) if weights.size else None
            if flat_weights is not None and flat_weights.size != flat.size:
                raise _invalid(op, "weights must be empty or have the shape of arr: %d vs. %d elements"
                               % (flat_weights.size, flat.size))
            if flat_weights is None:
                return np.bincount(flat[counted], minlength=size).astype(dtype)
            out = xp.zeros(size, dtype)
            scatter_add(out, flat[counted], flat_weights[counted])
            return out
        return bincount_


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=dtypes.int32, name=None):
    """`tf.math.bincount(arr, weights=None, minlength=None, maxlength=None, dtype=tf.int32)`: the count (or
    summed weight) of each value in the int32 tensor arr. The length is max(arr) + 1 (0 when arr is
    empty), at least minlength and at most maxlength (values at or past it are dropped). The result's
    dtype is weights' dtype when weights are given, else `dtype`."""
    with name_scope(name, "bincount", [arr, weights, minlength, maxlength]):
        arr = convert_to_tensor(arr, name="arr")
        if arr.dtype is not dtypes.int32:
            raise TypeError("bincount: arr must be int32, got %s" % arr.dtype.name)
        has_values = _math.greater(_array.size(arr), 0)
        size = _math.cast(has_values, dtypes.int32) * (_math.reduce_max(
            _array.reshape(_array.concat([_array.reshape(arr, [-1]), [0]], 0), [-1])) + 1)
        if minlength is not None:
            size = _math.maximum(convert_to_tensor(minlength, dtype=dtypes.int32, name="minlength"), size)
        if maxlength is not None:
            size = _math.minimum(convert_to_tensor(maxlength, dtype=dtypes.int32, name="maxlength"), size)
        if weights is None:
            weights = _array.zeros([0], dtype=dtypes.as_dtype(dtype))
        else:
            weights = convert_to_tensor(weights, name="weights")
        return make_tensor("Bincount", [arr, size, weights])


# --- TF1's older argmax/argmin names --------------------------------------------------------------
def arg_max(input, dimension, output_type=dtypes.int64, name=None):  # noqa: A002 - TF's argument name
    """`tf.arg_max(input, dimension, output_type=tf.int64)`: TF1's older name of tf.argmax."""
    return _math.argmax(input, axis=dimension, name=name, output_type=output_type)


def arg_min(input, dimension, output_type=dtypes.int64, name=None):  # noqa: A002 - TF's argument name
    """`tf.arg_min(input, dimension, output_type=tf.int64)`: TF1's older name of tf.argmin."""
    return _math.argmin(input, axis=dimension, name=name, output_type=output_type)
