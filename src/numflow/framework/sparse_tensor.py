"""`tf.SparseTensor`, `tf.SparseTensorValue`, `tf.sparse_placeholder` and the SparseToDense op.

A SparseTensor is three dense tensors: `indices` (int64 [N, rank], the coordinates of the stored values),
`values` ([N]) and `dense_shape` (int64 [rank]). A Session fetches it as a `SparseTensorValue` and
accepts a SparseTensorValue (or an (indices, values, dense_shape) tuple) fed for it.
"""
import collections

import numpy as np

from . import dtypes, errors
from .graph import convert_to_tensor, get_default_graph, name_scope
from .op_def import OpDef, register
from .tensor_shape import TensorShape, format_shape


class SparseTensorValue(collections.namedtuple("SparseTensorValue", ["indices", "values", "dense_shape"])):
    """`tf.SparseTensorValue(indices, values, dense_shape)`: the value of a SparseTensor (NumPy arrays)."""

    __slots__ = ()


def _constant_value(tensor):
    return tensor.op.attrs["value"] if tensor.op.type == "Const" else None


class SparseTensor:
    """`tf.SparseTensor(indices, values, dense_shape)`: a tensor of shape `dense_shape` that stores only
    `values` at the coordinates `indices` (int64 [N, rank]); every other element is zero.

    Indices are expected in row-major (lexicographic) order, as TF's sparse ops expect.
    """

    def __init__(self, indices, values, dense_shape):
        with name_scope(None, "SparseTensor", [indices, values, dense_shape]):
            indices = convert_to_tensor(indices, dtype=dtypes.int64, name="indices")
            values = convert_to_tensor(values, name="values")
            dense_shape = convert_to_tensor(dense_shape, dtype=dtypes.int64, name="dense_shape")
        indices.shape.with_rank(2)
        values.shape.with_rank(1)
        dense_shape.shape.with_rank(1)
        # The three shapes must describe the same number of values and the same rank.
        indices.shape[0].merge_with(values.shape[0])
        indices.shape[1].merge_with(dense_shape.shape[0])
        self._indices, self._values, self._dense_shape = indices, values, dense_shape

    @classmethod
    def from_value(cls, sparse_tensor_value):
        """A SparseTensor of constants holding a SparseTensorValue (a SparseTensor is returned as is)."""
        if isinstance(sparse_tensor_value, SparseTensor):
            return sparse_tensor_value
        return cls(*sparse_tensor_value)

    @property
    def indices(self):
        """int64 [N, rank]: the coordinates of the stored values."""
        return self._indices

    @property
    def values(self):
        """[N]: the stored values."""
        return self._values

    @property
    def dense_shape(self):
        """int64 [rank]: the shape of the dense tensor this represents."""
        return self._dense_shape

    @property
    def dtype(self):
        return self._values.dtype

    @property
    def op(self):
        """The Operation that produces `values`."""
        return self._values.op

    @property
    def graph(self):
        return self._indices.graph

    @property
    def shape(self):
        """The static dense shape: known when `dense_shape` is a constant, else only its rank (if that)."""
        value = _constant_value(self._dense_shape)
        if value is not None:
            return TensorShape([int(d) for d in np.reshape(value, [-1])])
        rank = self._dense_shape.shape[0].value
        return TensorShape(None if rank is None else [None] * rank)

    def get_shape(self):
        return self.shape

    def consumers(self):
        return sorted(set(self._indices.consumers() + self._values.consumers() + self._dense_shape.consumers()),
                      key=lambda op: op.name)

    def eval(self, feed_dict=None, session=None):
        """Runs the default (or given) Session and returns this tensor's SparseTensorValue."""
        from ..client.session import _run_with_default_session
        return _run_with_default_session(self, feed_dict, session, "evaluate tensor using `eval()`")

    # --- Session protocol: fetched and fed as its three component tensors -----------------------
    def _as_fetch_structure(self):
        return SparseTensorValue(self._indices, self._values, self._dense_shape)

    def _split_feed(self, value):
        if not isinstance(value, tuple) or len(value) != 3:
            raise TypeError("The value fed for SparseTensor %s must be a SparseTensorValue or an (indices, "
                            "values, dense_shape) tuple, got %s" % (self._values.name, type(value).__name__))
        return {self._indices: value[0], self._values: value[1], self._dense_shape: value[2]}

    def __repr__(self):
        return "SparseTensor(indices=%s, values=%s, dense_shape=%s)" % (self._indices, self._values,
                                                                        self._dense_shape)


def sparse_placeholder(dtype, shape=None, name=None):
    """`tf.sparse_placeholder(dtype, shape=None, name=None)`: a SparseTensor whose value is fed (as a
    SparseTensorValue). `shape` fixes its rank and, when fully known, its static shape."""
    dtype = dtypes.as_dtype(dtype)
    from ..ops.constant import placeholder
    if shape is None:
        rank = None
    else:
        shape = TensorShape(shape)
        rank = shape.ndims
    prefix = name + "/" if name is not None else None
    if shape is not None and shape.is_fully_defined():
        dense_shape = convert_to_tensor(np.array(shape.as_list(), dtype=np.int64),
                                        name=prefix + "shape" if prefix else "Const")
    else:
        dense_shape = placeholder(dtypes.int64, [rank], name=prefix + "shape" if prefix else None)
    values = placeholder(dtype, [None], name=prefix + "values" if prefix else None)
    indices = placeholder(dtypes.int64, [None, rank], name=prefix + "indices" if prefix else None)
    return SparseTensor(indices, values, dense_shape)


# --- SparseToDense -------------------------------------------------------------------------------
def _invalid(op, message):
    return errors.InvalidArgumentError(None, op, message)


def _static_dense_shape(shape_tensor):
    from ..ops.random import _static_shape
    return _static_shape(shape_tensor)


@register
class SparseToDense(OpDef):
    """A dense tensor of `output_shape` filled with `default_value`, with `sparse_values` at
    `sparse_indices` (0-D, 1-D [N] or 2-D [N, rank]; values a scalar or [N])."""

    def infer(self, op):
        indices, output_shape, values, default = op.inputs
        if indices.dtype not in (dtypes.int32, dtypes.int64) or output_shape.dtype is not indices.dtype:
            raise TypeError("sparse_indices and output_shape of SparseToDense must both be int32 or int64, got "
                            "%s and %s" % (indices.dtype.name, output_shape.dtype.name))
        if default.dtype is not values.dtype:
            raise TypeError("default_value of SparseToDense has type %s that does not match type %s of "
                            "sparse_values" % (default.dtype.name, values.dtype.name))
        if indices.shape.ndims is not None and indices.shape.ndims > 2:
            raise ValueError("sparse_indices should be a scalar, vector, or matrix, got shape %s"
                             % format_shape(indices.shape))
        if values.shape.ndims is not None and values.shape.ndims > 1:
            raise ValueError("sparse_values should be a scalar or a vector, got shape %s"
                             % format_shape(values.shape))
        default.shape.with_rank(0)
        return [(values.dtype, _static_dense_shape(output_shape))]

    host_inputs = (0, 1, 3)     # indices are checked on the host; the values stay where they are

    def kernel(self, op, ctx):
        validate = op.attrs["validate_indices"]
        out_dtype = op.outputs[0].dtype.np
        xp = ctx.xp

        def sparse_to_dense(indices, output_shape, values, default):
            shape = tuple(int(d) for d in np.reshape(output_shape, [-1]))
            if any(d < 0 for d in shape):
                raise _invalid(op, "output_shape has a negative dimension: %s" % list(shape))
            indices = np.asarray(indices, dtype=np.int64)
            if indices.ndim < 2:
                indices = indices.reshape(-1, 1)
            count, rank = indices.shape
            if rank != len(shape):
                raise _invalid(op, "output_shape has incorrect number of elements: %d should be: %d (sparse_indices "
                               "has %d columns)" % (len(shape), rank, rank))
            if np.ndim(values) == 1 and values.shape[0] != count:
                raise _invalid(op, "sparse_values has incorrect shape [%d], should be [] or [%d]"
                               % (values.shape[0], count))
            dense = xp.full(shape, np.asarray(default)[()], dtype=out_dtype)
            if not count:
                return dense
            limits = np.array(shape, dtype=np.int64)
            bad = np.flatnonzero(((indices < 0) | (indices >= limits)).any(axis=1))
            if bad.size:
                row = bad[0]
                raise _invalid(op, "indices[%d] = [%s] is out of bounds: need 0 <= index < [%s]"
                               % (row, ",".join(map(str, indices[row])), ",".join(map(str, shape))))
            if validate and rank:
                flat = np.ravel_multi_index(tuple(indices.T), shape)
                steps = np.flatnonzero(np.diff(flat) <= 0)
                if steps.size:
                    row = steps[0] + 1
                    problem = "repeated" if flat[row] == flat[row - 1] else "out of order"
                    raise _invalid(op, "indices[%d] = [%s] is %s" % (row, ",".join(map(str, indices[row])),
                                                                     problem))
            dense[tuple(xp.asarray(indices.T))] = values
            return dense

        return sparse_to_dense

    def grad(self, op, dy):
        from ..ops.array import gather_nd, reshape
        from ..ops.math import reduce_sum
        indices, _, values, _ = op.inputs
        if indices.shape.ndims == 2:
            coordinates = indices
        else:
            coordinates = reshape(indices, [-1, 1])
        picked = gather_nd(dy, coordinates)
        values_grad = picked if values.shape.ndims == 1 else reduce_sum(picked)
        return [None, None, values_grad, reduce_sum(dy) - reduce_sum(picked)]


def sparse_to_dense(sparse_indices, output_shape, sparse_values, default_value=0, validate_indices=True,
                    name=None):
    """`tf.sparse_to_dense(sparse_indices, output_shape, sparse_values, default_value=0,
    validate_indices=True, name=None)`: a dense tensor of `output_shape` holding `sparse_values` at
    `sparse_indices` and `default_value` elsewhere. With `validate_indices` the indices must be in
    lexicographic order without repeats (InvalidArgumentError otherwise)."""
    with name_scope(name, "SparseToDense", [sparse_indices, output_shape, sparse_values]) as scope:
        sparse_values = convert_to_tensor(sparse_values, name="sparse_values")
        sparse_indices = convert_to_tensor(sparse_indices, name="sparse_indices")
        output_shape = convert_to_tensor(output_shape, dtype_hint=sparse_indices.dtype, name="output_shape")
        if output_shape.dtype is not sparse_indices.dtype:
            from ..ops.math import cast    # one int32 and one int64: both become int64
            if sparse_indices.dtype is dtypes.int32:
                sparse_indices = cast(sparse_indices, dtypes.int64)
            else:
                output_shape = cast(output_shape, dtypes.int64)
        default_value = _default_value(default_value, sparse_values.dtype)
        return get_default_graph().create_op(
            "SparseToDense", [sparse_indices, output_shape, sparse_values, default_value],
            {"validate_indices": bool(validate_indices)}, name=scope).outputs[0]


def _default_value(default_value, dtype):
    if default_value is None or (dtype is dtypes.string and isinstance(default_value, int)
                                 and not isinstance(default_value, bool) and default_value == 0):
        default_value = b"" if dtype is dtypes.string else 0     # zero of the values' type
    return convert_to_tensor(default_value, dtype=dtype, name="default_value")


def sparse_tensor_to_dense(sp_input, default_value=0, validate_indices=True, name=None):
    """`tf.sparse_tensor_to_dense(sp_input, default_value=0, validate_indices=True, name=None)` (also
    `tf.sparse.to_dense`): the dense tensor a SparseTensor represents, `default_value` where it stores
    nothing. A string SparseTensor's default is b''."""
    if not isinstance(sp_input, SparseTensor):
        if isinstance(sp_input, SparseTensorValue):
            sp_input = SparseTensor.from_value(sp_input)
        else:
            raise TypeError("Input must be a SparseTensor, got %s" % type(sp_input).__name__)
    return sparse_to_dense(sp_input.indices, sp_input.dense_shape, sp_input.values, default_value,
                           validate_indices, name=name or "SparseToDense")


__all__ = ["SparseTensor", "SparseTensorValue", "sparse_placeholder", "sparse_tensor_to_dense",
           "sparse_to_dense"]
