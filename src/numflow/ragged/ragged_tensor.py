"""`tf.RaggedTensor` in graph mode: a composite of ordinary tensors (flat values plus row splits).

A RaggedTensor of ragged rank k holds `values` (a Tensor, or a RaggedTensor of rank k-1) and `row_splits`
(int64 or int32, [nrows + 1]): row i is `values[row_splits[i]:row_splits[i + 1]]`. Every operation here
is built from numflow's existing ops, so gradients flow through the flat values as usual.
`Session.run` of a RaggedTensor returns a `tf.compat.v1.ragged.RaggedTensorValue`, and a
RaggedTensorValue can be fed for a RaggedTensor built from placeholders.
"""
import collections

import numpy as np

from ..framework import dtypes
from ..framework.graph import Tensor, control_dependencies, convert_to_tensor, name_scope
from ..framework.tensor_shape import TensorShape, as_shape

__all__ = ["RaggedTensor", "RaggedTensorValue", "RaggedTensorSpec"]

_SPLITS_DTYPES = (dtypes.int32, dtypes.int64)


def _ops():
    """The numflow namespace (imported late: it imports this module)."""
    import numflow
    return numflow


def _as_splits(value, name, dtype=None):
    """`value` as a 1-D int32/int64 row-partition tensor (Python values become int64 unless dtype)."""
    if isinstance(value, Tensor):
        tensor = value
        if dtype is not None and tensor.dtype is not dtypes.as_dtype(dtype):
            tensor = _ops().cast(tensor, dtype)
    else:
        tensor = convert_to_tensor(value, dtype=dtype or dtypes.int64, name=name)
    if tensor.dtype not in _SPLITS_DTYPES:
        raise ValueError("%s must have dtype int32 or int64, got %s" % (name, tensor.dtype.name))
    tensor.shape.with_rank(1)
    return tensor


def _as_values(values, name="values"):
    if isinstance(values, RaggedTensor):
        return values
    tensor = convert_to_tensor(values, name=name)
    if tensor.shape.ndims is not None and tensor.shape.ndims < 1:
        raise ValueError("values must have rank >= 1, got shape %s" % tensor.shape)
    return tensor


def _nrows_of(values, out_type):
    if isinstance(values, RaggedTensor):
        return values.nrows(out_type=out_type)
    return _ops().shape(values, out_type=out_type)[0]


def _validated_splits(splits, values, message):
    """`splits` behind run-time checks that they partition `values`: start at 0, never decrease, end at
    the number of rows of values (InvalidArgumentError otherwise, as TF's validate=True)."""
    math = _ops()
    nvals = _nrows_of(values, splits.dtype)
    checks = [
        _assert(math.equal(splits[0], 0), message),
        _assert(math.reduce_all(math.greater_equal(splits[1:] - splits[:-1], 0)), message),
        _assert(math.equal(splits[-1], nvals), message),
    ]
    with control_dependencies(checks):
        return _ops().identity(splits)


def _assert(condition, message):
    return _ops().Assert(condition, [message])


class _NestedRows:
    """What a RaggedTensor and its RaggedTensorValue both derive from their `values` and `row_splits`:
    the innermost values, every level's splits, the ragged rank and the dtypes."""

    __slots__ = ()

    @property
    def flat_values(self):
        """The innermost values (a Tensor, or an ndarray for a RaggedTensorValue)."""
        values = self.values
        while isinstance(values, _NestedRows):
            values = values.values
        return values

    @property
    def nested_row_splits(self):
        """The row splits of every ragged dimension, outermost first."""
        splits, values = [self.row_splits], self.values
        while isinstance(values, _NestedRows):
            splits.append(values.row_splits)
            values = values.values
        return tuple(splits)

    @property
    def ragged_rank(self):
        """The number of ragged dimensions."""
        return len(self.nested_row_splits)

    @property
    def dtype(self):
        return self.flat_values.dtype

    @property
    def row_splits_dtype(self):
        return self.row_splits.dtype


class RaggedTensor(_NestedRows):
    """`tf.RaggedTensor`: rows of different lengths. Build one with the `from_*` factories or
    `tf.ragged.constant`; the constructor itself is private, as in TF."""

    def __init__(self, values, row_splits, internal=False):
        if not internal:
            raise ValueError("RaggedTensor constructor is private; please use one of the factory methods "
                             "instead (e.g., RaggedTensor.from_row_lengths())")
        self._values = values
        self._row_splits = row_splits
        inner_splits = values.row_splits if isinstance(values, RaggedTensor) else None
        if inner_splits is not None and inner_splits.dtype is not row_splits.dtype:
            raise ValueError("dtype mismatch: row_splits %s and the values' row_splits %s"
                             % (row_splits.dtype.name, inner_splits.dtype.name))

    # --- factories ---------------------------------------------------------------------------------
    @classmethod
    def _from_splits(cls, values, row_splits, validate, name, scope):
        with name_scope(name, scope):
            values = _as_values(values)
            row_splits = _as_splits(row_splits, "row_splits")
            if isinstance(values, RaggedTensor) and values.row_splits.dtype is not row_splits.dtype:
                row_splits = _ops().cast(row_splits, values.row_splits.dtype)
            if validate:
                row_splits = _validated_splits(row_splits, values, "Arguments to from_row_splits do not form a "
                                               "valid RaggedTensor")
            return cls(values, row_splits, internal=True)

    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True):
        """`RaggedTensor.from_row_splits(values, row_splits)`: row i is values[row_splits[i]:row_splits[i+1]]."""
        return cls._from_splits(values, row_splits, validate, name, "RaggedFromRowSplits")

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True):
        """`RaggedTensor.from_row_lengths(values, row_lengths)`: consecutive rows of the given lengths."""
        with name_scope(name, "RaggedFromRowLengths"):
            lengths = _as_splits(row_lengths, "row_lengths")
            return cls._from_splits(values, _splits_from_lengths(lengths), validate, None, "splits")

    @classmethod
    def from_row_starts(cls, values, row_starts, name=None, validate=True):
        """`RaggedTensor.from_row_starts(values, row_starts)`: row i starts at row_starts[i]."""
        with name_scope(name, "RaggedFromRowStarts"):
            values = _as_values(values)
            starts = _as_splits(row_starts, "row_starts")
            splits = _ops().concat([starts, _ops().reshape(_nrows_of(values, starts.dtype), [1])], 0)
            return cls._from_splits(values, splits, validate, None, "splits")

    @classmethod
    def from_row_limits(cls, values, row_limits, name=None, validate=True):
        """`RaggedTensor.from_row_limits(values, row_limits)`: row i ends at row_limits[i]."""
        with name_scope(name, "RaggedFromRowLimits"):
            limits = _as_splits(row_limits, "row_limits")
            splits = _ops().concat([_ops().zeros([1], limits.dtype), limits], 0)
            return cls._from_splits(values, splits, validate, None, "splits")

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name=None, validate=True):
        """`RaggedTensor.from_value_rowids(values, value_rowids, nrows=None)`: values[i] goes to row
        value_rowids[i] (sorted ascending); `nrows` defaults to the last row id + 1."""
        with name_scope(name, "RaggedFromValueRowIds"):
            rowids = _as_splits(value_rowids, "value_rowids")
            splits = segment_ids_to_row_splits(rowids, num_segments=nrows, out_type=rowids.dtype)
            return cls._from_splits(values, splits, validate, None, "splits")

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits, name=None, validate=True):
        """`RaggedTensor.from_nested_row_splits(flat_values, nested_row_splits)`: outermost splits first."""
        if isinstance(nested_row_splits, Tensor):
            raise TypeError("nested_row_splits must be a list of Tensors")
        with name_scope(name, "RaggedFromNestedRowSplits"):
            result = flat_values
            for splits in reversed(list(nested_row_splits)):
                result = cls.from_row_splits(result, splits, validate=validate)
            return result

    @classmethod
    def from_nested_row_lengths(cls, flat_values, nested_row_lengths, name=None, validate=True):
        """`RaggedTensor.from_nested_row_lengths(flat_values, nested_row_lengths)`: outermost first."""
        with name_scope(name, "RaggedFromNestedRowLengths"):
            result = flat_values
            for lengths in reversed(list(nested_row_lengths)):
                result = cls.from_row_lengths(result, lengths, validate=validate)
            return result

    @classmethod
    def from_tensor(cls, tensor, lengths=None, padding=None, ragged_rank=1, name=None,
                    row_splits_dtype=dtypes.int64):
        """`RaggedTensor.from_tensor(tensor, lengths=None, padding=None, ragged_rank=1)`: the rows of a
        dense tensor [nrows, ncols, ...], each cut to `lengths[i]`, or before its trailing elements equal
        to `padding` (all of them, for inner dims), or kept whole. numflow supports ragged_rank=1."""
        if lengths is not None and padding is not None:
            raise ValueError("Specify lengths or padding, but not both")
        if ragged_rank != 1:
            raise ValueError("numflow's RaggedTensor.from_tensor supports ragged_rank=1, got %r" % (ragged_rank,))
        array, math = _ops(), _ops()
        splits_dtype = dtypes.as_dtype(row_splits_dtype)
        with name_scope(name, "RaggedFromTensor"):
            tensor = convert_to_tensor(tensor, name="tensor")
            if tensor.shape.ndims is not None and tensor.shape.ndims < 2:
                raise ValueError("tensor must have rank >= 2 (ragged_rank=1), got shape %s" % tensor.shape)
            dims = array.shape(tensor, out_type=splits_dtype)
            nrows, ncols = dims[0], dims[1]
            if lengths is not None:
                lengths = _as_splits(lengths, "lengths", splits_dtype)
                lengths = math.minimum(lengths, ncols)
            elif padding is not None:
                padding = convert_to_tensor(padding, dtype=tensor.dtype, name="padding")
                is_value = math.logical_not(math.equal(tensor, padding))
                if tensor.shape.ndims is None:
                    is_value = math.reduce_any(is_value, axis=math.range(2, array.rank(tensor)))
                elif tensor.shape.ndims > 2:
                    is_value = math.reduce_any(is_value, axis=list(range(2, tensor.shape.ndims)))
                # A row's length is one past its last non-padding column (0 when it has none).
                positions = math.cast(math.range(1, ncols + 1), splits_dtype)
                lengths = math.reduce_max(positions * math.cast(is_value, splits_dtype), axis=1)
                lengths = array.reshape(math.maximum(lengths, 0), [-1])
            else:
                lengths = array.fill(array.reshape(nrows, [1]), ncols)
            mask = array.sequence_mask(lengths, ncols)
            values = array.boolean_mask(tensor, mask)
            return cls.from_row_lengths(values, lengths, validate=False)

    @classmethod
    def from_sparse(cls, st_input, name=None, row_splits_dtype=dtypes.int64):
        """`RaggedTensor.from_sparse(st_input)`: the rows of a 2-D SparseTensor (indices in row-major
        order), each holding its present values."""
        math = _ops()
        splits_dtype = dtypes.as_dtype(row_splits_dtype)
        with name_scope(name, "RaggedFromSparse"):
            if st_input.indices.shape.ndims is not None and st_input.indices.shape[1].value not in (None, 2):
                raise ValueError("rank(st_input) must be 2")
            rowids = math.cast(st_input.indices[:, 0], splits_dtype)
            nrows = math.cast(st_input.dense_shape[0], splits_dtype)
            return cls.from_value_rowids(st_input.values, rowids, nrows=nrows, validate=False)

    # --- properties ----------------------------------------------------------------------------------
    @property
    def values(self):
        """The concatenated rows (a Tensor, or a RaggedTensor when ragged_rank > 1)."""
        return self._values

    @property
    def row_splits(self):
        """int64/int32 [nrows + 1]: where each row starts in `values` (and the end of the last)."""
        return self._row_splits

    @property
    def shape(self):
        """Static shape [nrows, None (ragged), ..., flat_values' inner dims]."""
        nrows = self._row_splits.shape[0].value
        inner = self.flat_values.shape
        inner_dims = inner.as_list()[1:] if inner.ndims is not None else None
        if inner_dims is None:
            return TensorShape(None)
        return TensorShape([None if nrows is None else nrows - 1] + [None] * self.ragged_rank + inner_dims)

    def get_shape(self):
        return self.shape

    @property
    def graph(self):
        return self._row_splits.graph

    # --- row partition ---------------------------------------------------------------------------------
    def nrows(self, out_type=None, name=None):
        """Number of rows (a scalar of `out_type`, default the row splits' dtype)."""
        with name_scope(name, "RaggedNRows"):
            out_type = out_type or self._row_splits.dtype
            count = _ops().shape(self._row_splits, out_type=out_type)[0]
            return count - 1

    def row_lengths(self, axis=1, name=None):
        """Length of each row (axis=1), or of each row of the inner ragged dimension `axis`."""
        with name_scope(name, "RaggedRowLengths"):
            if axis == 1:
                return self._row_splits[1:] - self._row_splits[:-1]
            if axis > 1 and isinstance(self._values, RaggedTensor):
                return self.with_values(self._values.row_lengths(axis - 1))
            raise ValueError("axis=%r is not a ragged dimension of this RaggedTensor" % (axis,))

    def row_starts(self, name=None):
        with name_scope(name, "RaggedRowStarts"):
            return self._row_splits[:-1]

    def row_limits(self, name=None):
        with name_scope(name, "RaggedRowLimits"):
            return self._row_splits[1:]

    def nested_row_lengths(self, name=None):
        with name_scope(name, "RaggedNestedRowLengths"):
            return tuple(splits[1:] - splits[:-1] for splits in self.nested_row_splits)

    def value_rowids(self, name=None):
        """The row of each value: int [len(values)] (row_splits' dtype)."""
        with name_scope(name, "RaggedValueRowIds"):
            return row_splits_to_segment_ids(self._row_splits)

    # --- rebuilding ------------------------------------------------------------------------------------
    def with_values(self, new_values):
        """This RaggedTensor's row partition with `values` replaced (same number of rows)."""
        return RaggedTensor(_as_values(new_values), self._row_splits, internal=True)

    def with_flat_values(self, new_values):
        """This RaggedTensor's nested row partition with `flat_values` replaced."""
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.with_flat_values(new_values))
        return self.with_values(new_values)

    def with_row_splits_dtype(self, dtype):
        dtype = dtypes.as_dtype(dtype)
        if dtype not in _SPLITS_DTYPES:
            raise ValueError("dtype must be int32 or int64")
        values = self._values.with_row_splits_dtype(dtype) if isinstance(self._values, RaggedTensor) \
            else self._values
        splits = self._row_splits if self._row_splits.dtype is dtype else _ops().cast(self._row_splits, dtype)
        return RaggedTensor(values, splits, internal=True)

    # --- conversion ------------------------------------------------------------------------------------
    def to_tensor(self, default_value=None, name=None):
        """`rt.to_tensor(default_value=None)`: a dense tensor [nrows, longest row, ...], short rows padded
        with `default_value` (zero / empty string by default)."""
        array, math = _ops(), _ops()
        with name_scope(name, "RaggedToTensor"):
            values = self._values.to_tensor(default_value) if isinstance(self._values, RaggedTensor) \
                else self._values
            splits = self._row_splits
            lengths = splits[1:] - splits[:-1]
            longest = math.reduce_max(array.concat([lengths, array.zeros([1], splits.dtype)], 0))
            positions = math.range(longest, dtype=splits.dtype)
            wanted = array.expand_dims(splits[:-1], 1) + array.expand_dims(positions, 0)
            inside = math.less(array.expand_dims(positions, 0), array.expand_dims(lengths, 1))
            count = array.shape(values, out_type=splits.dtype)[0]
            # Padding positions read one extra row appended to values that holds the default.
            index = array.where(inside, wanted, array.fill(array.shape(wanted), count))
            if default_value is None:
                default_value = b"" if values.dtype is dtypes.string else 0
            default = convert_to_tensor(default_value, dtype=values.dtype, name="default_value")
            inner = array.shape(values)[1:]
            default_row = array.broadcast_to(default, array.concat([[1], inner], 0))
            return array.gather(array.concat([values, default_row], 0), index)

    def to_sparse(self, name=None):
        """`rt.to_sparse()`: a SparseTensor with this RaggedTensor's values at their (row, column, ...)
        positions; dense_shape is the bounding shape."""
        from ..framework.sparse_tensor import SparseTensor
        array, math = _ops(), _ops()
        with name_scope(name, "RaggedToSparse"):
            if isinstance(self._values, RaggedTensor):
                inner = self._values.to_sparse()
                inner_indices, flat, inner_shape = inner.indices, inner.values, inner.dense_shape
            else:
                values = self._values
                everywhere = array.fill(array.shape(values), True)
                inner_indices = math.cast(array.where(everywhere), dtypes.int64)
                flat = array.reshape(values, [-1])
                inner_shape = array.shape(values, out_type=dtypes.int64)
            splits = math.cast(self._row_splits, dtypes.int64)
            rowids = row_splits_to_segment_ids(splits)
            positions = math.range(array.shape(rowids, out_type=dtypes.int64)[0], dtype=dtypes.int64) - \
                array.gather(splits, rowids)
            first = inner_indices[:, 0]
            indices = array.concat([array.expand_dims(array.gather(rowids, first), 1),
                                    array.expand_dims(array.gather(positions, first), 1),
                                    inner_indices[:, 1:]], 1)
            lengths = splits[1:] - splits[:-1]
            longest = math.reduce_max(array.concat([lengths, array.zeros([1], dtypes.int64)], 0))
            dense_shape = array.concat([array.reshape(array.shape(splits, out_type=dtypes.int64)[0] - 1, [1]),
                                        array.reshape(longest, [1]), inner_shape[1:]], 0)
            return SparseTensor(indices, flat, dense_shape)

    # --- indexing ----------------------------------------------------------------------------------------
    def _row_range(self, start, stop):
        """Rows start:stop (scalar tensors) as a RaggedTensor."""
        splits = self._row_splits[start:stop + 1]
        values = self._values._row_range(splits[0], splits[-1]) if isinstance(self._values, RaggedTensor) \
            else self._values[splits[0]:splits[-1]]
        return RaggedTensor(values, splits - splits[0], internal=True)

    def _row(self, index):
        start, limit = self._row_splits[index], self._row_splits[index + 1]
        if isinstance(self._values, RaggedTensor):
            return self._values._row_range(start, limit)
        return self._values[start:limit]

    def __getitem__(self, key):
        """`rt[i]` (a row: a Tensor, or a RaggedTensor when ragged_rank > 1), `rt[start:stop]` (rows),
        `rt[i, j, ...]` (indexing into row i). Negative Python ints count from the end."""
        with name_scope(None, "RaggedGetItem"):
            if isinstance(key, tuple):
                if not key:
                    return self
                first = self[key[0]]
                if len(key) == 1:
                    return first
                if isinstance(key[0], slice):
                    raise ValueError("numflow's RaggedTensor indexing supports a slice only as the last key")
                return first[key[1:] if len(key) > 2 else key[1]]
            if isinstance(key, slice):
                if key.step not in (None, 1):
                    raise ValueError("RaggedTensor row slices need step 1, got %r" % (key.step,))
                nrows = self.nrows()
                start = self._clamped(0 if key.start is None else key.start, nrows)
                stop = self._clamped(nrows if key.stop is None else key.stop, nrows)
                stop = _ops().maximum(stop, start)
                return self._row_range(start, stop)
            if isinstance(key, (int, np.integer)):
                if key < 0:
                    key = self.nrows() + key
                return self._row(key)
            if isinstance(key, Tensor) and key.dtype.is_integer and key.shape.ndims == 0:
                return self._row(_ops().cast(key, self._row_splits.dtype))
            raise TypeError("RaggedTensor indices must be ints, int scalar Tensors, slices or tuples of them, "
                            "got %r" % (key,))

    def _clamped(self, bound, nrows):
        """A Python or tensor row bound, negative counting from the end, clipped to [0, nrows]."""
        math = _ops()
        bound = math.cast(bound, nrows.dtype) if isinstance(bound, Tensor) \
            else convert_to_tensor(bound, dtype=nrows.dtype)
        bound = _ops().where(math.less(bound, 0), bound + nrows, bound)
        return math.minimum(math.maximum(bound, 0), nrows)

    # --- Session integration -------------------------------------------------------------------------------
    def _as_fetch_structure(self):
        return RaggedTensorValue(self._values, self._row_splits)

    def _split_feed(self, value):
        if not isinstance(value, tuple) or len(value) != 2:
            raise TypeError("The value fed for a RaggedTensor must be a RaggedTensorValue, got %s"
                            % type(value).__name__)
        feeds = {self._row_splits: value[1]}
        if isinstance(self._values, RaggedTensor):
            feeds.update(self._values._split_feed(value[0]))
        else:
            feeds[self._values] = value[0]
        return feeds

    def __repr__(self):
        return "tf.RaggedTensor(values=%s, row_splits=%s)" % (self._values, self._row_splits)

    def __bool__(self):
        raise TypeError("Using a symbolic tf.RaggedTensor as a Python bool is not allowed.")

    # Elementwise arithmetic with scalars/tensors that broadcast over the flat values, or with a
    # RaggedTensor of the same row partition (run-time checked, as tf.ragged.map_flat_values).
    def _elementwise(self, other, function):
        from . import map_flat_values
        return map_flat_values(function, self, other)

    def _elementwise_reflected(self, other, function):
        from . import map_flat_values
        return map_flat_values(function, other, self)

    def __add__(self, other):
        return self._elementwise(other, _ops().add)

    def __radd__(self, other):
        return self._elementwise_reflected(other, _ops().add)

    def __sub__(self, other):
        return self._elementwise(other, _ops().subtract)

    def __rsub__(self, other):
        return self._elementwise_reflected(other, _ops().subtract)

    def __mul__(self, other):
        return self._elementwise(other, _ops().multiply)

    def __rmul__(self, other):
        return self._elementwise_reflected(other, _ops().multiply)

    def __truediv__(self, other):
        return self._elementwise(other, _ops().truediv)

    def __rtruediv__(self, other):
        return self._elementwise_reflected(other, _ops().truediv)

    def __neg__(self):
        return self.with_flat_values(_ops().negative(self.flat_values))

    def __abs__(self):
        return self.with_flat_values(_ops().abs(self.flat_values))


def _splits_from_lengths(lengths):
    array, math = _ops(), _ops()
    return array.concat([array.zeros([1], lengths.dtype), math.cumsum(lengths)], 0)


def row_splits_to_segment_ids(splits, name=None, out_type=None):
    """`tf.ragged.row_splits_to_segment_ids(splits, out_type=None)`: the row of each value, e.g.
    [0, 2, 2, 5] -> [0, 0, 2, 2, 2]."""
    array, math = _ops(), _ops()
    with name_scope(name, "RaggedSplitsToSegmentIds"):
        splits = _as_splits(splits, "splits")
        out_type = dtypes.as_dtype(out_type) if out_type is not None else splits.dtype
        lengths = splits[1:] - splits[:-1]
        rows = math.range(array.shape(lengths, out_type=out_type)[0], dtype=out_type)
        return array.repeat(rows, lengths)


def segment_ids_to_row_splits(segment_ids, num_segments=None, out_type=None, name=None):
    """`tf.ragged.segment_ids_to_row_splits(segment_ids, num_segments=None, out_type=None)`: row splits of
    sorted segment ids, e.g. [0, 0, 2, 2, 2] -> [0, 2, 2, 5]; `num_segments` defaults to the last id + 1."""
    math = _ops()
    with name_scope(name, "SegmentIdsToRaggedSplits"):
        segment_ids = _as_splits(segment_ids, "segment_ids")
        out_type = dtypes.as_dtype(out_type) if out_type is not None else dtypes.int64
        ids32 = math.cast(segment_ids, dtypes.int32)
        minlength = None if num_segments is None else math.cast(num_segments, dtypes.int32)
        counts = math.bincount(ids32, minlength=minlength, maxlength=minlength, dtype=out_type)
        return _splits_from_lengths(counts)


class RaggedTensorValue(_NestedRows, collections.namedtuple("RaggedTensorValue", ["values", "row_splits"])):
    """`tf.compat.v1.ragged.RaggedTensorValue(values, row_splits)`: the value of a RaggedTensor as NumPy
    arrays (what Session.run returns); `values` is an ndarray or a nested RaggedTensorValue.

    (numflow's is a 2-tuple (values, row_splits), which is also how it can be fed.)"""

    __slots__ = ()

    @property
    def shape(self):
        """(nrows, None, ..., flat_values' inner dims)."""
        return (len(self.row_splits) - 1,) + (None,) * self.ragged_rank + tuple(self.flat_values.shape[1:])

    def to_list(self):
        """The rows as nested Python lists."""
        values = self.values.to_list() if isinstance(self.values, RaggedTensorValue) else self.values.tolist()
        splits = [int(s) for s in self.row_splits]
        return [values[start:limit] for start, limit in zip(splits[:-1], splits[1:])]

    def __str__(self):
        return "<tf.RaggedTensorValue %s>" % self.to_list()

    def __repr__(self):
        return "tf.RaggedTensorValue(values=%r, row_splits=%r)" % (self.values, self.row_splits)


class RaggedTensorSpec:
    """`tf.RaggedTensorSpec(shape=None, dtype=tf.float32, ragged_rank=None, row_splits_dtype=tf.int64)`:
    the static type of a RaggedTensor; `ragged_rank` defaults to rank - 1."""

    def __init__(self, shape=None, dtype=dtypes.float32, ragged_rank=None, row_splits_dtype=dtypes.int64,
                 flat_values_spec=None):
        self._shape = as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._row_splits_dtype = dtypes.as_dtype(row_splits_dtype)
        if self._row_splits_dtype not in _SPLITS_DTYPES:
            raise ValueError("row_splits_dtype must be int32 or int64")
        rank = self._shape.ndims
        if ragged_rank is None:
            if rank is None:
                raise ValueError("Must specify ragged_rank or a shape with a known rank.")
            ragged_rank = rank - 1
        if not isinstance(ragged_rank, int):
            raise TypeError("ragged_rank must be an int")
        if rank is not None and not 0 <= ragged_rank < rank:
            raise ValueError("ragged_rank must be non-negative and less than %d, got %d" % (rank, ragged_rank))
        self._ragged_rank = ragged_rank
        self._flat_values_spec = flat_values_spec

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    ragged_rank = property(lambda self: self._ragged_rank)
    row_splits_dtype = property(lambda self: self._row_splits_dtype)
    flat_values_spec = property(lambda self: self._flat_values_spec)

    @property
    def value_type(self):
        return RaggedTensor

    @classmethod
    def from_value(cls, value):
        """The spec of a RaggedTensor."""
        return cls(value.shape, value.dtype, value.ragged_rank, value.row_splits_dtype)

    def is_compatible_with(self, spec_or_value):
        other = spec_or_value
        if isinstance(other, RaggedTensor):
            other = RaggedTensorSpec.from_value(other)
        if not isinstance(other, RaggedTensorSpec):
            return False
        return (self._dtype is other.dtype and self._ragged_rank == other.ragged_rank
                and self._row_splits_dtype is other.row_splits_dtype
                and self._shape.is_compatible_with(other.shape))

    def __eq__(self, other):
        return (isinstance(other, RaggedTensorSpec) and self._dtype is other.dtype
                and self._ragged_rank == other.ragged_rank and self._row_splits_dtype is other.row_splits_dtype
                and self._shape == other.shape)

    def __hash__(self):
        return hash((self._dtype.name, self._ragged_rank, self._row_splits_dtype.name))

    def __repr__(self):
        return "RaggedTensorSpec(TensorShape(%s), tf.%s, %d, tf.%s)" % (
            self._shape.as_list() if self._shape.ndims is not None else None, self._dtype.name,
            self._ragged_rank, self._row_splits_dtype.name)
