"""`tf.IndexedSlices`: a sparse set of slices of a dense tensor (rows `indices` of a tensor of shape
`dense_shape`, holding `values`).

It is what the gradient of a gather (and so of `tf.nn.embedding_lookup`) with respect to its params is:
only the gathered rows, not a tensor of zeros the size of the whole table. Optimizers apply it to those
rows only. Used wherever a tensor is expected it becomes the dense tensor it stands for: the slices are
summed into zeros (repeated indices add up). A Session fetches it as an `IndexedSlicesValue` and accepts
one (or a (values, indices[, dense_shape]) tuple) fed for it.
"""
import collections
import warnings

import numpy as np

from .graph import convert_to_tensor, register_tensor_conversion_function
from .tensor_shape import TensorShape

# Densifying a gradient with at least this many elements warns, as TF does: it is usually a mistake.
_LARGE_SPARSE_NUM_ELEMENTS = 100000000


class IndexedSlicesValue(collections.namedtuple("IndexedSlicesValue", ["values", "indices", "dense_shape"])):
    """The value of an IndexedSlices fetched by `Session.run`: NumPy `values`, `indices` and `dense_shape`
    (None when the IndexedSlices has none)."""

    __slots__ = ()


class _FetchedWithoutDenseShape(collections.namedtuple("_FetchedWithoutDenseShape", ["values", "indices"])):
    # Session.run rebuilds a fetched namedtuple by calling its type with the fetched fields; an
    # IndexedSlices without dense_shape has only two tensors to fetch, yet its value is the
    # three-field IndexedSlicesValue (dense_shape None), which this constructor returns instead.
    __slots__ = ()

    def __new__(cls, values, indices):
        if not hasattr(values, "op"):     # fetched arrays, not the tensors to fetch
            return IndexedSlicesValue(values, indices, None)
        return super().__new__(cls, values, indices)


class IndexedSlices:
    """`tf.IndexedSlices(values, indices, dense_shape=None)`: `values[i]` is slice `indices[i]` (along
    dimension 0) of a dense tensor of shape `dense_shape`; every other slice is zero, and slices with the
    same index add up."""

    def __init__(self, values, indices, dense_shape=None):
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape

    @property
    def values(self):
        """The stored slices, [N] + slice shape."""
        return self._values

    @property
    def indices(self):
        """1-D [N]: the index along dimension 0 of each slice."""
        return self._indices

    @property
    def dense_shape(self):
        """1-D: the shape of the dense tensor these slices stand for (None when unknown)."""
        return self._dense_shape

    @property
    def dtype(self):
        """The dtype of the values (and of the dense tensor)."""
        return self._values.dtype

    @property
    def name(self):
        """The name of the values tensor."""
        return self._values.name

    @property
    def op(self):
        """The Operation that produces the values."""
        return self._values.op

    @property
    def graph(self):
        """The Graph holding the values."""
        return self._values.graph

    @property
    def device(self):
        """The device of the values."""
        return self._values.device

    @property
    def shape(self):
        """The static shape of the dense tensor: from a constant `dense_shape`, else the values' slice
        shape after an unknown number of rows."""
        known = _static_dense_shape(self._dense_shape)
        if known is not None:
            return TensorShape([int(d) for d in known])
        slice_shape = self._values.shape
        if slice_shape.ndims is None:
            return TensorShape(None)
        return TensorShape([None]).concatenate(slice_shape[1:])

    def get_shape(self):
        """The same as `shape`."""
        return self.shape

    def consumers(self):
        """The ops that read the values, indices or dense_shape."""
        parts = [t for t in (self._values, self._indices, self._dense_shape) if t is not None]
        return sorted({op for t in parts for op in t.consumers()}, key=lambda op: op.name)

    def __neg__(self):
        from ..ops.math import negative
        return IndexedSlices(negative(self._values), self._indices, self._dense_shape)

    def eval(self, feed_dict=None, session=None):
        """Runs the default (or given) Session and returns this value's IndexedSlicesValue."""
        from ..client.session import _run_with_default_session
        return _run_with_default_session(self, feed_dict, session, "evaluate tensor using `eval()`")

    # --- Session protocol: fetched and fed as its component tensors ----------------------------
    def _as_fetch_structure(self):
        if self._dense_shape is None:
            return _FetchedWithoutDenseShape(self._values, self._indices)
        return IndexedSlicesValue(self._values, self._indices, self._dense_shape)

    def _split_feed(self, value):
        if not isinstance(value, tuple) or len(value) not in (2, 3):
            raise TypeError("The value fed for IndexedSlices %s must be an IndexedSlicesValue or a (values, "
                            "indices[, dense_shape]) tuple, got %s" % (self._values.name, type(value).__name__))
        feeds = {self._values: value[0], self._indices: value[1]}
        fed_shape = value[2] if len(value) == 3 else None
        if fed_shape is not None:
            if self._dense_shape is None:
                raise ValueError("Cannot feed a dense_shape for IndexedSlices %s, which has none"
                                 % self._values.name)
            feeds[self._dense_shape] = fed_shape
        return feeds

    def __repr__(self):
        return "IndexedSlices(indices=%s, values=%s%s)" % (
            self._indices, self._values,
            "" if self._dense_shape is None else ", dense_shape=%s" % (self._dense_shape,))


def _static_dense_shape(dense_shape):
    """The dense shape as a NumPy vector when it is known while the graph is built, else None."""
    if dense_shape is None:
        return None
    from .graph_helpers import get_static_value
    value = get_static_value(dense_shape)
    if value is None and dense_shape.op.type == "Cast":
        value = get_static_value(dense_shape.op.inputs[0])
    return None if value is None else np.reshape(value, [-1])


def _indexed_slices_to_tensor(value, dtype=None, name=None):
    from ..ops.segment_ops import unsorted_segment_sum
    if dtype is not None and dtype.base_dtype is not value.dtype.base_dtype:
        raise ValueError("Tensor conversion requested dtype %s for IndexedSlices with dtype %s: %r"
                         % (dtype.name, value.dtype.name, value))
    if value.dense_shape is None:
        raise ValueError("Tensor conversion requested for IndexedSlices without dense_shape: %s" % (value,))
    known = _static_dense_shape(value.dense_shape)
    if known is None:
        warnings.warn("Converting sparse IndexedSlices to a dense Tensor of unknown shape. This may consume "
                      "a large amount of memory.", stacklevel=3)
    elif int(np.prod(known, dtype=np.int64)) >= _LARGE_SPARSE_NUM_ELEMENTS:
        warnings.warn("Converting sparse IndexedSlices to a dense Tensor with %d elements. This may consume "
                      "a large amount of memory." % int(np.prod(known, dtype=np.int64)), stacklevel=3)
    dense_shape = convert_to_tensor(value.dense_shape)
    return unsorted_segment_sum(value.values, value.indices, dense_shape[0], name=name)


register_tensor_conversion_function(IndexedSlices, _indexed_slices_to_tensor)


def is_indexed_slices(value):
    """True for an IndexedSlices."""
    return isinstance(value, IndexedSlices)


def dense_if_indexed_slices(value):
    """`value` as a dense Tensor when it is an IndexedSlices, else unchanged (None stays None)."""
    return convert_to_tensor(value) if isinstance(value, IndexedSlices) else value


def concat_indexed_slices(slices):
    """The sum of several IndexedSlices of one dense tensor, as one IndexedSlices: their values and
    indices concatenated (a repeated index still adds up), the first one's dense_shape."""
    from ..framework import dtypes
    from ..ops.array import concat
    from ..ops.math import cast
    indices = [s.indices for s in slices]
    if len({i.dtype for i in indices}) > 1:
        indices = [i if i.dtype is dtypes.int64 else cast(i, dtypes.int64) for i in indices]
    return IndexedSlices(concat([s.values for s in slices], 0), concat(indices, 0), slices[0].dense_shape)


def deduplicate_indexed_slices(values, indices):
    """(summed_values, unique_indices): the rows of `values` with the same index summed, one row per
    distinct index (in order of first appearance)."""
    from ..ops.array import unique, shape
    from ..ops.segment_ops import unsorted_segment_sum
    unique_indices, positions = unique(indices)
    summed = unsorted_segment_sum(values, positions, shape(unique_indices)[0])
    return summed, unique_indices


__all__ = ["IndexedSlices"]
