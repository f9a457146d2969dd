"""`tf.keras.utils.HDF5Matrix`: a read-only view of an HDF5 dataset usable in place of a NumPy array."""
import numpy as np

from ..._install_hints import pip_hint

__all__ = ["HDF5Matrix", "h5py_module"]


def h5py_module():
    """The h5py module, or an ImportError naming the extra that installs it."""
    try:
        import h5py
    except ImportError:
        raise ImportError("HDF5Matrix needs h5py: " + pip_hint("hdf5", "h5py")) from None
    return h5py


class HDF5Matrix:
    """`HDF5Matrix(datapath, dataset, start=0, end=None, normalizer=None)`: rows [start, end) of the
    dataset `dataset` in the HDF5 file `datapath`, read on indexing (`matrix[i]`, `matrix[a:b]`,
    `matrix[[i, j]]`) and passed through `normalizer` when given. Files are opened once and shared."""

    refs = {}

    def __init__(self, datapath, dataset, start=0, end=None, normalizer=None):
        h5py = h5py_module()
        if datapath not in HDF5Matrix.refs:
            HDF5Matrix.refs[datapath] = h5py.File(datapath, "r")
        handle = HDF5Matrix.refs[datapath]
        if dataset not in handle:
            raise KeyError("HDF5 file %s has no dataset %r (it has: %s)" % (datapath, dataset, sorted(handle)))
        self.data = handle[dataset]
        self.start = start
        self.end = self.data.shape[0] if end is None else min(end, self.data.shape[0])
        if not 0 <= self.start <= self.end:
            raise ValueError("HDF5Matrix rows [%d, %d) are not a valid range of %d rows"
                             % (start, self.end, self.data.shape[0]))
        self.normalizer = normalizer
        if normalizer is not None:
            first = normalizer(self.data[0:1])
            self._base_shape, self._base_dtype = first.shape[1:], first.dtype
        else:
            self._base_shape, self._base_dtype = self.data.shape[1:], self.data.dtype

    def __len__(self):
        return self.end - self.start

    def __getitem__(self, key):
        if isinstance(key, slice):
            start, stop, step = key.indices(len(self))
            if step != 1:
                rows = self.data[self.start + start:self.start + stop][::step]
            else:
                rows = self.data[self.start + start:self.start + stop]
        elif isinstance(key, (int, np.integer)):
            if not -len(self) <= key < len(self):
                raise IndexError("index %d is out of range for an HDF5Matrix of %d rows" % (key, len(self)))
            rows = self.data[self.start + (key % len(self))]
        elif isinstance(key, (list, np.ndarray)):
            indices = np.asarray(key, dtype=np.int64)
            if indices.size and (indices.min() < -len(self) or indices.max() >= len(self)):
                raise IndexError("an index is out of range for an HDF5Matrix of %d rows" % len(self))
            indices = indices % len(self) + self.start
            # h5py reads increasing, distinct indices: read those, then restore the requested order.
            unique = np.unique(indices)
            rows = np.asarray(self.data[unique.tolist()])[np.searchsorted(unique, indices)]
        else:
            raise IndexError("HDF5Matrix indices must be ints, slices or lists, got %r" % (key,))
        return self.normalizer(rows) if self.normalizer is not None else rows

    @property
    def shape(self):
        """(rows, ...) of the view (after the normalizer)."""
        return (len(self),) + tuple(self._base_shape)

    @property
    def dtype(self):
        """The element type (after the normalizer)."""
        return self._base_dtype

    @property
    def ndim(self):
        """The number of axes."""
        return len(self.shape)

    @property
    def size(self):
        """The number of elements."""
        return int(np.prod(self.shape))
