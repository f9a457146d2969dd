"""`tf.IndexedSlices`: a sparse set of slices of a dense tensor (rows `indices` of a tensor of shape
`dense_shape`, holding `values`). Used wherever a tensor is expected it becomes the dense tensor it stands
for: the slices are summed into zeros (repeated indices add up)."""
from .graph import convert_to_tensor, register_tensor_conversion_function


class IndexedSlices:
    """`tf.IndexedSlices(values, indices, dense_shape=None)`: `values[i]` is slice `indices[i]` (along
    dimension 0) of a dense tensor of shape `dense_shape`; every other slice is zero."""

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
        return self._values.dtype

    @property
    def name(self):
        return self._values.name

    @property
    def op(self):
        return self._values.op

    @property
    def graph(self):
        return self._values.graph

    def __repr__(self):
        return "IndexedSlices(indices=%s, values=%s%s)" % (
            self._indices, self._values,
            "" if self._dense_shape is None else ", dense_shape=%s" % (self._dense_shape,))


def _indexed_slices_to_tensor(value, dtype=None, name=None):
    from ..ops.segment_ops import unsorted_segment_sum
    if value.dense_shape is None:
        raise ValueError("Tensor conversion requested for IndexedSlices without dense_shape: %s" % (value,))
    values = convert_to_tensor(value.values, dtype=dtype)
    dense_shape = convert_to_tensor(value.dense_shape)
    return unsorted_segment_sum(values, value.indices, dense_shape[0], name=name)


register_tensor_conversion_function(IndexedSlices, _indexed_slices_to_tensor)

__all__ = ["IndexedSlices"]
